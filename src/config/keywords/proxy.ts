// Keywords of `defaults`, `frontend`, `listen` and `backend` sections in HAProxy 2.6, with the sections
// each may appear in (configuration.txt 4.1 "Proxy keywords matrix"). `timeout X` are compound entries;
// `option X` names are in options.ts.
import { indexByName, type ProxyKeywordEntry } from './keywords.ts';

const supported = (name: string, sections: string, note: string): ProxyKeywordEntry => ({ name, status: 'supported', sections, note });
const planned = (name: string, sections: string, note: string): ProxyKeywordEntry => ({ name, status: 'planned', sections, note });

const HTTP = 'HTTP mode';
const RULES = 'ACLs and rules';
const CHECKS = 'health checks';
const STICK = 'persistence and stick tables';
const ERRORS = 'HTTP error pages';
const LOGS = 'custom log formats';
const TCP_KA = 'TCP keep-alive tuning';

export const PROXY_KEYWORDS: readonly ProxyKeywordEntry[] = [
  supported('mode', 'dflb', 'tcp | http'),
  supported('bind', 'fl', 'listening addresses'),
  supported('server', 'lb', 'servers'),
  supported('default-server', 'dlb', 'defaults for the following servers'),
  supported('balance', 'dlb', 'roundrobin static-rr leastconn first source random[(draws)] uri url_param hdr(name) rdp-cookie[(name)]'),
  supported('hash-type', 'dlb', 'map-based|consistent [sdbm|djb2|wt6|crc32 [avalanche]]'),
  supported('maxconn', 'dfl', 'frontend connection limit'),
  supported('timeout connect', 'dlb', 'server connect timeout'),
  supported('timeout client', 'dfl', 'client inactivity timeout'),
  supported('timeout server', 'dlb', 'server inactivity timeout'),
  supported('timeout queue', 'dlb', 'queue timeout (default: timeout connect)'),
  supported('timeout tunnel', 'dlb', 'tunnel inactivity timeout'),
  supported('timeout client-fin', 'dfl', 'half-closed client timeout'),
  supported('timeout server-fin', 'dlb', 'half-closed server timeout'),
  supported('retries', 'dlb', 'retries after connect failures and retry-on events (default 3)'),
  supported('retry-on', 'dlb', 'none | conn-failure (default) empty-response junk-response response-timeout 0rtt-rejected 401 403 404 408 425 500 501 502 503 504 all-retryable-errors (mode http; see docs/http.md)'),
  supported('option', 'dflb', 'see the option entries'),
  supported('log', 'dflb', "targets as in global, 'log global', 'no log'"),
  supported('default_backend', 'dfl', 'backend used when no use_backend matches'),
  supported('use_backend', 'fl', 'NAME [if|unless COND]: content switching (http and tcp mode)'),
  supported('disabled', 'dflb', 'proxy starts disabled'),
  supported('enabled', 'dflb', 'cancels an inherited disabled'),
  supported('id', 'flb', 'proxy id (default: from 1 in declaration order)'),
  supported('description', 'flb', 'free text'),
  supported('timeout check', 'dlb', CHECKS),
  supported('timeout http-request', 'dflb', 'complete request head timeout (408)'),
  supported('timeout http-keep-alive', 'dflb', 'idle time between requests (default: timeout http-request)'),
  supported('timeout tarpit', 'dflb', 'how long http-request tarpit holds a request (default: timeout connect)'),
  supported('acl', 'dflb', 'NAME CRITERION [flags] [operator] VALUE... (see docs/acl.md; not in defaults sections yet)'),
  supported('tcp-request', 'dflb', 'connection|content accept|reject [if|unless COND], inspect-delay'),
  planned('tcp-response', 'dlb', RULES),
  supported('http-request', 'dflb', 'allow deny auth return redirect set-header add-header del-header replace-header replace-value set-path set-query set-uri set-method set-var use-service disable-l7-retry'),
  supported('http-response', 'dflb', 'allow deny return redirect set-header add-header del-header replace-header replace-value set-status set-var'),
  supported('http-after-response', 'dflb', "allow set-header add-header del-header replace-header replace-value set-status set-var, on server responses and the proxy's own answers (see docs/http.md)"),
  supported('redirect', 'flb', 'location|prefix|scheme TARGET [code N] [drop-query] [append-slash] [set-cookie|clear-cookie C] [if|unless COND]'),
  supported('use-server', 'lb', 'SERVER if|unless COND'),
  supported('force-persist', 'lb', 'force-persist if|unless COND: use the persistence cookie even for a DOWN server'),
  supported('ignore-persist', 'lb', 'ignore-persist if|unless COND: do not use the persistence cookie'),
  supported('cookie', 'dlb', 'cookie persistence: insert|rewrite|prefix|passive, indirect, nocache, postonly, preserve, httponly, secure, domain, maxidle, maxlife, attr'),
  planned('dynamic-cookie-key', 'dlb', STICK),
  planned('persist', 'dlb', STICK),
  planned('stick', 'lb', STICK),
  planned('stick-table', 'flb', STICK),
  supported('http-check', 'dlb', CHECKS),
  supported('tcp-check', 'dlb', CHECKS),
  planned('external-check', 'dlb', CHECKS),
  planned('email-alert', 'dflb', CHECKS),
  supported('load-server-state-from-file', 'dlb', 'global | local | none: apply the states saved by `show servers state` at start'),
  supported('server-state-file-name', 'dlb', 'the file of `load-server-state-from-file local` (default: the backend name)'),
  planned('server-template', 'lb', 'runtime DNS resolution'),
  supported('stats enable', 'dflb', 'stats page with the default settings'),
  supported('stats uri', 'dflb', 'stats page URI prefix (default /haproxy?stats)'),
  supported('stats realm', 'dflb', 'basic-auth realm of the stats page'),
  supported('stats auth', 'dflb', 'stats page account user:password (repeatable)'),
  supported('stats admin', 'flb', 'admin actions on the stats page if|unless a condition'),
  supported('stats refresh', 'dflb', 'stats page auto-refresh delay'),
  supported('stats scope', 'dflb', "proxies shown on the stats page ('.' = this one)"),
  supported('stats hide-version', 'dflb', 'no version on the stats page'),
  supported('stats show-legends', 'dflb', 'proxy/server details on the stats page'),
  supported('stats show-node', 'dflb', 'node name on the stats page'),
  supported('stats show-desc', 'dflb', 'description on the stats page'),
  supported('stats http-request', 'flb', 'allow | deny | auth [realm R] [if|unless COND] for the stats page'),
  planned('stats show-modules', 'dflb', 'stats page extra modules'),
  supported('monitor', 'fl', "fail if|unless COND: the monitor-uri answers 503 instead of 200 when COND holds (e.g. nbsrv(BE) lt 1)"),
  supported('monitor-uri', 'dfl', 'URI answered by the proxy itself with 200 (before http-request rules, not logged); a URI starting with / is compared with the path'),
  supported('capture', 'fl', "request|response header NAME len N ('capture cookie' not yet)"),
  planned('declare', 'fl', HTTP),
  supported('compression', 'dflb', 'algo identity|gzip|deflate|raw-deflate..., type MIME..., offload: response compression (mode http; see docs/http.md)'),
  planned('filter', 'flb', HTTP),
  supported('http-reuse', 'dlb', 'never | safe | aggressive | always: idle server connection sharing'),
  supported('http-send-name-header', 'dlb', 'http-send-name-header NAME: the request carries the chosen server\'s name in NAME (a client\'s own NAME removed), rewritten on each retry'),
  planned('max-keep-alive-queue', 'dlb', HTTP),
  supported('unique-id-format', 'dfl', 'log-format string of the request id (%ID, unique-id fetch); mode http and tcp'),
  supported('unique-id-header', 'dfl', 'request header carrying the unique id to the server (mode http)'),
  planned('use-fcgi-app', 'lb', HTTP),
  supported('errorfile', 'dflb', 'errorfile CODE FILE: a raw HTTP response sent instead of the built-in page'),
  supported('errorfiles', 'dflb', 'errorfiles NAME [CODE ...]: the pages of http-errors section NAME (all of them without codes)'),
  supported('errorloc', 'dflb', 'errorloc CODE URL: an empty 302 to URL instead of the page (as errorloc302)'),
  supported('errorloc302', 'dflb', 'errorloc302 CODE URL: an empty 302 to URL instead of the page'),
  supported('errorloc303', 'dflb', 'errorloc303 CODE URL: an empty 303 to URL instead of the page'),
  planned('http-error', 'dflb', ERRORS),
  supported('log-format', 'dfl', LOGS),
  planned('log-format-sd', 'dfl', LOGS),
  planned('error-log-format', 'dfl', LOGS),
  planned('log-tag', 'dflb', LOGS),
  planned('backlog', 'dfl', 'listen queue length (use the bind keyword)'),
  planned('fullconn', 'dlb', 'dynamic server maxconn'),
  planned('rate-limit', 'dfl', 'session rate limit'),
  planned('hash-balance-factor', 'dlb', 'bounded-load consistent hashing'),
  planned('max-session-srv-conns', 'dfl', HTTP),
  planned('dispatch', 'lb', 'dispatch address'),
  planned('source', 'dlb', 'source address of server connections'),
  planned('usesrc', 'dlb', "only valid after 'source'"),
  planned('transparent', 'dlb', 'deprecated transparent mode'),
  planned('bind-process', 'dflb', 'multi-process binding (no effect in 2.6)'),
  planned('clitcpka-cnt', 'dfl', TCP_KA),
  planned('clitcpka-idle', 'dfl', TCP_KA),
  planned('clitcpka-intvl', 'dfl', TCP_KA),
  planned('srvtcpka-cnt', 'dlb', TCP_KA),
  planned('srvtcpka-idle', 'dlb', TCP_KA),
  planned('srvtcpka-intvl', 'dlb', TCP_KA),
];

export const PROXY_KEYWORD_INDEX = indexByName(PROXY_KEYWORDS);

/** First words of compound entries ('timeout'): the keyword is the first two words. */
export const PROXY_COMPOUND_PREFIXES: ReadonlySet<string> = new Set(
  PROXY_KEYWORDS.filter((e) => e.name.includes(' ')).map((e) => e.name.split(' ')[0]),
);

const since21 = (kw: string, use: string): string => `the '${kw}' directive is not supported anymore since HAProxy 2.1; use '${use}'`;

/** Keywords HAProxy 2.6 itself refuses with a dedicated message (cfgparse-listen.c, proxy.c). */
export const PROXY_REMOVED: ReadonlyMap<string, string> = new Map([
  ['clitimeout', since21('clitimeout', 'timeout client')],
  ['contimeout', since21('contimeout', 'timeout connect')],
  ['srvtimeout', since21('srvtimeout', 'timeout server')],
  ['redispatch', since21('redispatch', 'option redispatch')],
  ['redisp', since21('redisp', 'option redispatch')],
  ['block', since21('block', 'http-request deny')],
  ['monitor-net', "'monitor-net' doesn't exist anymore; use 'http-request return status 200 if { src ... }'"],
  ['grace', "the 'grace' keyword is not supported any more since HAProxy version 2.5"],
  ['appsession', "'appsession' is not supported anymore since HAProxy 1.6"],
  ...['reqadd', 'reqallow', 'reqdel', 'reqdeny', 'reqiallow', 'reqidel', 'reqideny', 'reqipass', 'reqirep', 'reqitarpit', 'reqpass', 'reqrep', 'reqtarpit']
    .map((k) => [k, since21(k, 'http-request')] as [string, string]),
  ...['rspadd', 'rspdel', 'rspdeny', 'rspidel', 'rspideny', 'rspirep', 'rsprep']
    .map((k) => [k, since21(k, 'http-response')] as [string, string]),
]);
