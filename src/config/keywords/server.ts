// `server` / `default-server` keywords of HAProxy 2.6 (configuration.txt 5.2; src/server.c,
// check.c, cfgparse-ssl.c, cfgparse-tcp.c srv_kws with their argument counts and default_ok flags).
// Planned ones are still parsed with their arguments into ServerSpec.params, then refused, so the
// health-check issue flips them with `planned(` → `supported(` and reads ServerSpec.params.
import { indexByName, type ServerKeywordEntry } from './keywords.ts';

function kw(status: ServerKeywordEntry['status'], name: string, args: ServerKeywordEntry['args'], note: string, defaultServer = true): ServerKeywordEntry {
  return { name, status, args, defaultServer, note };
}
const supported = (name: string, args: ServerKeywordEntry['args'], note: string, defaultServer = true): ServerKeywordEntry =>
  kw('supported', name, args, note, defaultServer);
const planned = (name: string, args: ServerKeywordEntry['args'], note: string, defaultServer = true): ServerKeywordEntry =>
  kw('planned', name, args, note, defaultServer);

const CHECKS = 'health checks';
const AGENT = 'agent checks';
const TLS = 'TLS to servers';
const PROXY_PROTO = 'PROXY protocol to servers';
const DNS = 'runtime DNS resolution';
const POOL = 'HTTP connection pools';

export const SERVER_KEYWORDS: readonly ServerKeywordEntry[] = [
  supported('weight', 1, 'load-balancing weight 0..256 (default 1)'),
  supported('backup', 0, 'backup server'),
  supported('no-backup', 0, 'cancels an inherited backup'),
  supported('maxconn', 1, 'max concurrent connections, 0 = unlimited'),
  supported('minconn', 1, 'dynamic maxconn floor'),
  supported('maxqueue', 1, 'max queued connections, 0 = unlimited'),
  supported('disabled', 0, 'start in maintenance'),
  supported('enabled', 0, 'cancels an inherited disabled'),
  supported('id', 1, 'server id (default: from 1 per backend)', false),
  supported('cookie', 1, 'persistence cookie value'),
  // Health checks (src/check.c).
  supported('check', 0, CHECKS),
  supported('no-check', 0, CHECKS),
  supported('inter', 1, CHECKS),
  supported('fastinter', 1, CHECKS),
  supported('downinter', 1, CHECKS),
  supported('rise', 1, CHECKS),
  supported('fall', 1, CHECKS),
  supported('port', 1, CHECKS),
  supported('addr', 1, CHECKS),
  planned('check-proto', 1, CHECKS),
  supported('check-send-proxy', 0, CHECKS),
  supported('no-check-send-proxy', 0, CHECKS),
  planned('check-via-socks4', 0, CHECKS),
  supported('check-ssl', 0, CHECKS),
  supported('no-check-ssl', 0, CHECKS),
  supported('check-sni', 1, CHECKS),
  supported('check-alpn', 1, CHECKS),
  supported('agent-check', 0, AGENT),
  supported('no-agent-check', 0, AGENT),
  supported('agent-addr', 1, AGENT),
  supported('agent-inter', 1, AGENT),
  supported('agent-port', 1, AGENT),
  supported('agent-send', 1, AGENT),
  supported('slowstart', 1, CHECKS),
  supported('track', 1, CHECKS),
  supported('observe', 1, 'passive health checks'),
  supported('error-limit', 1, 'passive health checks'),
  supported('on-error', 1, 'passive health checks'),
  supported('on-marked-down', 1, CHECKS),
  supported('on-marked-up', 1, CHECKS),
  // TLS (src/cfgparse-ssl.c).
  supported('ssl', 0, TLS),
  supported('no-ssl', 0, TLS),
  supported('verify', 1, TLS),
  planned('verifyhost', 1, TLS),
  planned('no-verifyhost', 0, TLS),
  supported('ca-file', 1, TLS),
  planned('crl-file', 1, TLS),
  supported('crt', 1, TLS),
  supported('sni', 1, TLS),
  supported('alpn', 1, TLS),
  planned('npn', 1, TLS),
  planned('ciphers', 1, TLS),
  planned('ciphersuites', 1, TLS),
  planned('ssl-min-ver', 1, TLS),
  planned('ssl-max-ver', 1, TLS),
  planned('ssl-reuse', 0, TLS),
  planned('no-ssl-reuse', 0, TLS),
  planned('tls-tickets', 0, TLS),
  planned('no-tls-tickets', 0, TLS),
  planned('allow-0rtt', 0, TLS),
  planned('force-sslv3', 0, TLS),
  planned('force-tlsv10', 0, TLS),
  planned('force-tlsv11', 0, TLS),
  planned('force-tlsv12', 0, TLS),
  planned('force-tlsv13', 0, TLS),
  planned('no-sslv3', 0, TLS, false),
  planned('no-tlsv10', 0, TLS, false),
  planned('no-tlsv11', 0, TLS, false),
  planned('no-tlsv12', 0, TLS, false),
  planned('no-tlsv13', 0, TLS, false),
  // PROXY protocol.
  planned('send-proxy', 0, PROXY_PROTO),
  planned('no-send-proxy', 0, PROXY_PROTO),
  planned('send-proxy-v2', 0, PROXY_PROTO),
  planned('no-send-proxy-v2', 0, PROXY_PROTO),
  planned('send-proxy-v2-ssl', 0, PROXY_PROTO),
  planned('no-send-proxy-v2-ssl', 0, PROXY_PROTO),
  planned('send-proxy-v2-ssl-cn', 0, PROXY_PROTO),
  planned('no-send-proxy-v2-ssl-cn', 0, PROXY_PROTO),
  planned('proxy-v2-options', 1, PROXY_PROTO),
  // DNS.
  supported('init-addr', 1, 'address at start: last, libc, none, an IP, in order (default last,libc)'),
  planned('resolvers', 1, DNS),
  planned('resolve-prefer', 1, DNS),
  planned('resolve-opts', 1, DNS),
  planned('resolve-net', 1, DNS),
  // Connections and the rest.
  planned('pool-low-conn', 1, POOL),
  planned('pool-max-conn', 1, POOL),
  planned('pool-purge-delay', 1, POOL),
  planned('max-reuse', 1, POOL),
  planned('proto', 1, 'mux protocol (h2, fcgi)'),
  planned('ws', 1, 'websocket protocol'),
  planned('source', 'source', 'source address of server connections'),
  planned('usesrc', 0, "only valid after 'source'"),
  planned('namespace', 1, 'network namespaces'),
  planned('tfo', 0, 'TCP fast open'),
  planned('no-tfo', 0, 'TCP fast open'),
  planned('tcp-ut', 1, 'TCP user timeout'),
  planned('socks4', 1, 'SOCKS4 proxy'),
  planned('redir', 1, 'HTTP redirection mode'),
  planned('non-stick', 0, 'stick tables'),
  planned('stick', 0, 'stick tables'),
  planned('log-proto', 1, 'ring sections'),
];

export const SERVER_KEYWORD_INDEX = indexByName(SERVER_KEYWORDS);
