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
/** TLS settings served by the listener's TLS context (BindSpec.ssl, src/net/tls-context.ts). */
const tls = (name: string, args: number, note: string): BindKeywordEntry => supported(name, args, note, { ssl: true });
/** TLS settings node:tls cannot honour (or not built yet): refused. */
const tlsPlanned = (name: string, args: number, note: string): BindKeywordEntry => planned(name, args, note, { ssl: true });

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
  tls('ssl', 0, 'serve TLS (SSL offloading)'),
  tls('crt', 1, 'PEM file (certificate, key, chain) or directory of them; repeatable, first is the default'),
  tls('crt-list', 1, 'file of certificates with SNI filters (no per-line [options])'),
  tls('ca-file', 1, 'CAs that verify client certificates'),
  tlsPlanned('ca-verify-file', 1, 'CAs used for verification only'),
  tlsPlanned('ca-ignore-err', 1, 'ignore client CA chain errors'),
  tlsPlanned('crt-ignore-err', 1, 'ignore client certificate errors'),
  tlsPlanned('ca-sign-file', 1, 'generate-certificates CA'),
  tlsPlanned('ca-sign-pass', 1, 'generate-certificates CA passphrase'),
  tls('crl-file', 1, 'certificate revocation lists checked for client certificates'),
  tls('verify', 1, 'client certificate: none, optional or required'),
  tls('alpn', 1, 'ALPN protocols offered (h2 refused in mode http: no HTTP/2)'),
  tlsPlanned('npn', 1, 'NPN (obsolete)'),
  tls('ciphers', 1, 'TLSv1.2 and lower cipher list'),
  tls('ciphersuites', 1, 'TLSv1.3 cipher suites'),
  tls('curves', 1, 'ECDHE curves list'),
  tls('ecdhe', 1, 'ECDHE curve'),
  tls('ssl-min-ver', 1, 'lowest TLS version'),
  tls('ssl-max-ver', 1, 'highest TLS version'),
  tls('strict-sni', 0, 'refuse handshakes whose SNI matches no certificate'),
  tlsPlanned('no-ca-names', 0, 'node:tls always sends the CA names'),
  tls('no-tls-tickets', 0, 'no TLS session tickets'),
  tlsPlanned('tls-ticket-keys', 1, 'TLS ticket keys file'),
  tls('prefer-client-ciphers', 0, "the client's cipher order wins"),
  tlsPlanned('generate-certificates', 0, 'certificates generated on the fly'),
  tlsPlanned('allow-0rtt', 0, 'TLS 1.3 early data'),
  tls('force-sslv3', 0, 'SSLv3 only'),
  tls('force-tlsv10', 0, 'TLSv1.0 only'),
  tls('force-tlsv11', 0, 'TLSv1.1 only'),
  tls('force-tlsv12', 0, 'TLSv1.2 only'),
  tls('force-tlsv13', 0, 'TLSv1.3 only'),
  tls('no-sslv3', 0, 'disable SSLv3'),
  tls('no-tlsv10', 0, 'disable TLSv1.0'),
  tls('no-tlsv11', 0, 'disable TLSv1.1'),
  tls('no-tlsv12', 0, 'disable TLSv1.2'),
  tls('no-tlsv13', 0, 'disable TLSv1.3'),
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
