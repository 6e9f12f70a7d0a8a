// `bind` (and `stats socket`) keywords of HAProxy 2.6 (configuration.txt 5.1; src/listener.c,
// cfgparse-tcp.c, cfgparse-unix.c, cfgparse-ssl.c, cli.c bind_kws with their argument counts).
// Supported ones are the fields of BindSpec (TLS settings go to BindSpec.ssl); every keyword, with
// its words, is also kept in BindSpec.raw.
import { indexByName, type BindKeywordEntry } from './keywords.ts';

type Opts = { ssl?: boolean; statsOnly?: boolean };

function kw(status: BindKeywordEntry['status'], name: string, args: number, note: string, o: Opts = {}): BindKeywordEntry {
  return { name, status, args, note, ssl: o.ssl ?? false, statsOnly: o.statsOnly ?? false };
}
const supported = (name: string, args: number, note: string, o?: Opts): BindKeywordEntry => kw('supported', name, args, note, o);
const planned = (name: string, args: number, note: string, o?: Opts): BindKeywordEntry => kw('planned', name, args, note, o);
/** TLS settings: refused until TLS termination lands (flip to `supported` then: they go to BindSpec.ssl). */
const tls = (name: string, args: number): BindKeywordEntry => planned(name, args, 'TLS setting (BindSpec.ssl), with TLS termination', { ssl: true });

export const BIND_KEYWORDS: readonly BindKeywordEntry[] = [
  supported('name', 1, 'listener name'),
  supported('maxconn', 1, 'max concurrent connections of the listener'),
  supported('backlog', 1, 'listen queue length'),
  planned('accept-proxy', 0, 'require a PROXY protocol header'),
  supported('v4v6', 0, 'IPv6 wildcard also accepts IPv4'),
  supported('v6only', 0, 'IPv6 only'),
  planned('transparent', 0, 'non-local address (IP_TRANSPARENT)'),
  planned('interface', 1, 'bind to this interface (SO_BINDTODEVICE)'),
  supported('mode', 1, 'unix socket permissions (octal)'),
  supported('user', 1, 'unix socket owner'),
  supported('uid', 1, 'unix socket owner (numeric)'),
  supported('group', 1, 'unix socket group'),
  supported('gid', 1, 'unix socket group (numeric)'),
  supported('level', 1, "CLI level user|operator|admin ('stats socket' only)", { statsOnly: true }),
  supported('expose-fd', 1, "'expose-fd listeners' ('stats socket' only)", { statsOnly: true }),
  supported('severity-output', 1, "CLI severity output ('stats socket' only)", { statsOnly: true }),
  tls('ssl', 0),
  tls('crt', 1),
  tls('crt-list', 1),
  tls('ca-file', 1),
  tls('ca-verify-file', 1),
  tls('ca-ignore-err', 1),
  tls('crt-ignore-err', 1),
  tls('ca-sign-file', 1),
  tls('ca-sign-pass', 1),
  tls('crl-file', 1),
  tls('verify', 1),
  tls('alpn', 1),
  tls('npn', 1),
  tls('ciphers', 1),
  tls('ciphersuites', 1),
  tls('curves', 1),
  tls('ecdhe', 1),
  tls('ssl-min-ver', 1),
  tls('ssl-max-ver', 1),
  tls('strict-sni', 0),
  tls('no-ca-names', 0),
  tls('no-tls-tickets', 0),
  tls('tls-ticket-keys', 1),
  tls('prefer-client-ciphers', 0),
  tls('generate-certificates', 0),
  tls('allow-0rtt', 0),
  tls('force-sslv3', 0),
  tls('force-tlsv10', 0),
  tls('force-tlsv11', 0),
  tls('force-tlsv12', 0),
  tls('force-tlsv13', 0),
  tls('no-sslv3', 0),
  tls('no-tlsv10', 0),
  tls('no-tlsv11', 0),
  tls('no-tlsv12', 0),
  tls('no-tlsv13', 0),
  planned('id', 1, 'listener id'),
  planned('nice', 1, 'listener priority'),
  planned('process', 1, 'multi-process binding'),
  planned('thread', 1, 'thread binding'),
  planned('shards', 1, 'listener shards'),
  planned('proto', 1, 'mux protocol (h2)'),
  planned('accept-netscaler-cip', 1, 'NetScaler client IP protocol'),
  planned('defer-accept', 0, 'TCP_DEFER_ACCEPT'),
  planned('mss', 1, 'TCP MSS'),
  planned('tcp-ut', 1, 'TCP user timeout'),
  planned('tfo', 0, 'TCP fast open'),
  planned('namespace', 1, 'network namespaces'),
  planned('quic-force-retry', 0, 'QUIC'),
  planned('quic-cc-algo', 1, 'QUIC'),
];

export const BIND_KEYWORD_INDEX = indexByName(BIND_KEYWORDS);
