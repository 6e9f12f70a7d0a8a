// `option X` names of HAProxy 2.6 with their sections and whether `no`/`default` may prefix them
// (configuration.txt 4.1, entries marked (*); src/proxy.c cfg_opts/cfg_opts2, cfgparse-listen.c).
import { indexByName, type OptionEntry } from './keywords.ts';

const supported = (name: string, sections: string, negatable: boolean, note: string): OptionEntry =>
  ({ name, status: 'supported', sections, negatable, note });
const planned = (name: string, sections: string, negatable: boolean, note: string): OptionEntry =>
  ({ name, status: 'planned', sections, negatable, note });

const HTTP = 'HTTP mode';
const CHECKS = 'health checks';
const LOGS = 'logging options';
const TCP = 'TCP tuning';

export const OPTIONS: readonly OptionEntry[] = [
  supported('tcplog', 'dflb', false, 'HAProxy tcplog access-log format'),
  supported('dontlognull', 'dfl', true, "don't log connections without data"),
  supported('redispatch', 'dlb', true, 'redispatch [interval]: retry on another server'),
  supported('allbackups', 'dlb', true, 'use all backup servers at once'),
  supported('httplog', 'dfl', false, "HAProxy httplog access-log format; 'clf': its Common Log Format variant"),
  supported('httpslog', 'dfl', false, 'HAProxy HTTPS access-log format (httplog with the TLS fields)'),
  supported('dontlog-normal', 'dfl', true, 'log only the sessions with errors (HAProxy strm_log: redispatched, retried, not a normal or local end, HTTP status >= 500)'),
  supported('log-separate-errors', 'dfl', true, "log the sessions with errors at level 'err' instead of 'info'"),
  planned('logasap', 'dfl', true, LOGS),
  supported('log-health-checks', 'dlb', true, CHECKS),
  supported('httpchk', 'dlb', false, CHECKS),
  supported('ssl-hello-chk', 'dlb', false, CHECKS),
  supported('smtpchk', 'dlb', false, CHECKS),
  supported('ldap-check', 'dlb', false, CHECKS),
  supported('mysql-check', 'dlb', false, CHECKS),
  supported('pgsql-check', 'dlb', false, CHECKS),
  supported('redis-check', 'dlb', false, CHECKS),
  planned('spop-check', 'dlb', false, CHECKS),
  supported('tcp-check', 'dlb', false, CHECKS),
  planned('external-check', 'dlb', false, CHECKS),
  supported('abortonclose', 'dlb', true, 'abort a pending request when the client closes'),
  supported('persist', 'dlb', true, 'a persistence cookie still reaches a DOWN server'),
  supported('prefer-last-server', 'dlb', true, 'a keep-alive client stays on the server it holds a connection to (http-reuse never), except with hash-based balancing'),
  supported('forwardfor', 'dflb', false, 'forwardfor [except NET] [header NAME] [if-none]'),
  supported('originalto', 'dflb', false, 'originalto [except NET] [header NAME]: X-Original-To with the address the client connected to'),
  supported('httpclose', 'dflb', true, 'close both sides after each response'),
  supported('http-server-close', 'dflb', true, 'close the server side after each response'),
  supported('http-keep-alive', 'dflb', true, 'keep-alive on both sides (the default)'),
  planned('http-pretend-keepalive', 'dlb', true, HTTP),
  supported('http-buffer-request', 'dflb', true, 'wait for the request body (up to a buffer) before choosing a server'),
  supported('http-ignore-probes', 'dfl', true, 'a connection closing or timing out before its first byte is not answered, logged nor counted'),
  planned('http-no-delay', 'dflb', true, HTTP),
  planned('http-use-proxy-header', 'dfl', true, HTTP),
  planned('http-restrict-req-hdr-names', 'dflb', false, HTTP),
  planned('accept-invalid-http-request', 'dfl', true, HTTP),
  planned('accept-invalid-http-response', 'dlb', true, HTTP),
  planned('h1-case-adjust-bogus-client', 'dfl', true, HTTP),
  planned('h1-case-adjust-bogus-server', 'dlb', true, HTTP),
  planned('disable-h2-upgrade', 'dfl', true, HTTP),
  planned('idle-close-on-response', 'dfl', true, HTTP),
  planned('checkcache', 'dlb', true, HTTP),
  planned('independent-streams', 'dflb', true, TCP),
  supported('tcpka', 'dflb', false, 'TCP keep-alive probes (SO_KEEPALIVE) on the client side (frontend), the server side (backend) or both (listen, defaults)'),
  supported('clitcpka', 'dfl', true, 'TCP keep-alive probes (SO_KEEPALIVE) on client connections'),
  supported('srvtcpka', 'dlb', true, 'TCP keep-alive probes (SO_KEEPALIVE) on server connections'),
  planned('nolinger', 'dflb', true, TCP),
  planned('tcp-smart-accept', 'dfl', true, TCP),
  planned('tcp-smart-connect', 'dlb', true, TCP),
  planned('splice-auto', 'dflb', true, TCP),
  planned('splice-request', 'dflb', true, TCP),
  planned('splice-response', 'dflb', true, TCP),
  planned('socket-stats', 'dfl', true, 'stats'),
  planned('contstats', 'dfl', true, 'stats'),
  planned('transparent', 'dlb', true, 'transparent proxying'),
];

export const OPTION_INDEX = indexByName(OPTIONS);

/** Options HAProxy 2.6 itself refuses with a dedicated message (cfgparse-listen.c). */
export const OPTION_REMOVED: ReadonlyMap<string, string> = new Map([
  ['forceclose', "option 'forceclose' is not supported any more since HAProxy 2.0, please just remove it, or use 'option httpclose' if absolutely needed"],
  ['http-tunnel', "option 'http-tunnel' is not supported any more since HAProxy 2.1, please just remove it, it shouldn't be needed"],
  ['http_proxy', "option 'http_proxy' is not supported any more since HAProxy 2.5"],
]);
