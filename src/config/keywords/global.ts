// `global` section keywords of HAProxy 2.6 (configuration.txt 3.1-3.3, src/cfgparse-global.c and
// the CFG_GLOBAL keyword lists). `stats X` keywords are compound entries ('stats socket').
import { indexByName, type KeywordEntry } from './keywords.ts';

const supported = (name: string, note: string): KeywordEntry => ({ name, status: 'supported', note });
const planned = (name: string, note: string): KeywordEntry => ({ name, status: 'planned', note });

const SUPPORTED: readonly KeywordEntry[] = [
  supported('maxconn', 'process-wide connection limit (default 4096)'),
  supported('log', "syslog targets: IP[:port], udp@, ipv4@, ipv6@, stdout, stderr; 'no log'"),
  supported('localpeer', 'local peer name (also sets HAPROXY_LOCALPEER)'),
  supported('stats socket', 'runtime API socket (unix or ipv4@/ipv6@), levels user/operator/admin'),
  supported('stats timeout', 'runtime API idle timeout (default 10s)'),
  supported('daemon', 'run in background'),
  supported('pidfile', 'pid file path'),
  supported('nbthread', 'parsed, 1..64 (hapair runs one event loop)'),
  supported('log-tag', 'syslog tag'),
  supported('log-send-hostname', 'hostname field in syslog headers'),
  supported('server-state-file', 'server state file path'),
  supported('server-state-base', 'server state files directory'),
  supported('ssl-server-verify', "default 'verify' of servers using TLS: none or required (default)"),
  supported('crt-base', "directory of relative 'crt' paths on bind lines"),
  supported('ca-base', "directory of relative 'ca-file' paths on bind lines"),
  supported('ssl-default-bind-ciphers', 'default bind ciphers (TLSv1.2 and lower)'),
  supported('ssl-default-bind-ciphersuites', 'default bind TLSv1.3 cipher suites'),
  supported('ssl-default-bind-curves', 'default bind ECDHE curves'),
  supported('ssl-default-bind-options', 'default bind options: ssl-min-ver, ssl-max-ver, no-tlsvXX, force-tlsvXX, no-tls-tickets, prefer-client-ciphers'),
];

const SECURITY = 'process management';
const TUNING = 'performance tuning';
const TLS = 'TLS';
const EXTERNAL = 'external modules (Lua, device detection)';

const PLANNED_NAMES: ReadonlyArray<readonly [string, string]> = [
  ['stats maxconn', 'runtime API'],
  ['stats bind-process', 'runtime API'],
  ['user', SECURITY], ['group', SECURITY], ['uid', SECURITY], ['gid', SECURITY], ['chroot', SECURITY],
  ['master-worker', SECURITY], ['mworker-max-reloads', SECURITY], ['hard-stop-after', SECURITY],
  ['grace', SECURITY], ['close-spread-time', SECURITY], ['description', SECURITY], ['node', SECURITY],
  ['cluster-secret', SECURITY], ['cpu-map', SECURITY], ['default-path', SECURITY],
  ['expose-experimental-directives', SECURITY], ['external-check', 'health checks'],
  ['fd-hard-limit', SECURITY], ['insecure-fork-wanted', SECURITY], ['insecure-setuid-wanted', SECURITY],
  ['numa-cpu-mapping', SECURITY], ['pp2-never-send-local', SECURITY], ['presetenv', SECURITY],
  ['resetenv', SECURITY], ['setenv', SECURITY], ['unsetenv', SECURITY], ['set-dumpable', SECURITY],
  ['set-var', SECURITY], ['set-var-fmt', SECURITY], ['strict-limits', SECURITY], ['ulimit-n', SECURITY],
  ['unix-bind', SECURITY], ['thread-group', SECURITY], ['thread-groups', SECURITY],
  ['h1-accept-payload-with-any-method', 'HTTP mode'], ['h1-case-adjust', 'HTTP mode'],
  ['h1-case-adjust-file', 'HTTP mode'], ['h2-workaround-bogus-websocket-clients', 'HTTP mode'],
  ['httpclient.resolvers.id', 'HTTP client'], ['httpclient.resolvers.prefer', 'HTTP client'],
  ['httpclient.ssl.ca-file', 'HTTP client'], ['httpclient.ssl.verify', 'HTTP client'],
  ['issuers-chain-path', TLS],
  ['ssl-default-server-ciphers', TLS], ['ssl-default-server-ciphersuites', TLS],
  ['ssl-default-server-options', TLS], ['ssl-dh-param-file', TLS], ['ssl-engine', TLS], ['ssl-mode-async', TLS],
  ['ssl-propquery', TLS], ['ssl-provider', TLS], ['ssl-provider-path', TLS],
  ['ssl-skip-self-issued-ca', TLS], ['ssl-load-extra-files', TLS], ['ssl-load-extra-del-ext', TLS],
  ['maxsslconn', TLS], ['maxsslrate', TLS],
  ['lua-load', EXTERNAL], ['lua-load-per-thread', EXTERNAL], ['lua-prepend-path', EXTERNAL],
  ['51degrees-cache-size', EXTERNAL], ['51degrees-data-file', EXTERNAL], ['51degrees-property-name-list', EXTERNAL],
  ['51degrees-property-separator', EXTERNAL], ['deviceatlas-json-file', EXTERNAL], ['deviceatlas-log-level', EXTERNAL],
  ['deviceatlas-properties-cookie', EXTERNAL], ['deviceatlas-separator', EXTERNAL],
  ['wurfl-cache-size', EXTERNAL], ['wurfl-data-file', EXTERNAL], ['wurfl-information-list', EXTERNAL],
  ['wurfl-information-list-separator', EXTERNAL],
  ['busy-polling', TUNING], ['max-spread-checks', 'health checks'], ['spread-checks', 'health checks'],
  ['maxcompcpuusage', TUNING], ['maxcomprate', TUNING], ['maxconnrate', TUNING], ['maxpipes', TUNING],
  ['maxsessrate', TUNING], ['maxzlibmem', TUNING], ['no-memory-trimming', TUNING], ['noepoll', TUNING],
  ['noevports', TUNING], ['nogetaddrinfo', TUNING], ['nokqueue', TUNING], ['nopoll', TUNING],
  ['noreuseport', TUNING], ['nosplice', TUNING], ['profiling.tasks', TUNING], ['profiling.memory', TUNING],
  ['quiet', 'debugging'], ['zero-warning', 'debugging'],
  ...[
    'buffers.limit', 'buffers.reserve', 'bufsize', 'chksize', 'comp.maxlevel', 'fail-alloc', 'fd.edge-triggered',
    'h2.header-table-size', 'h2.initial-window-size', 'h2.max-concurrent-streams', 'h2.max-frame-size',
    'http.cookielen', 'http.logurilen', 'http.maxhdr', 'idle-pool.shared', 'idletimer', 'listener.multi-queue',
    'lua.forced-yield', 'lua.maxmem', 'lua.service-timeout', 'lua.session-timeout', 'lua.task-timeout',
    'maxaccept', 'maxpollevents', 'maxrewrite', 'pattern.cache-size', 'peers.max-updates-at-once', 'pipesize',
    'pool-high-fd-ratio', 'pool-low-fd-ratio', 'quic.frontend.conn-tx-buffers.limit',
    'quic.frontend.max-idle-timeout', 'quic.frontend.max-streams-bidi', 'quic.retry-threshold',
    'rcvbuf.client', 'rcvbuf.server', 'recv_enough', 'runqueue-depth', 'sched.low-latency', 'sndbuf.client',
    'sndbuf.server', 'ssl.cachesize', 'ssl.capture-buffer-size', 'ssl.capture-cipherlist-size',
    'ssl.default-dh-param', 'ssl.force-private-cache', 'ssl.hard-maxrecord', 'ssl.keylog', 'ssl.lifetime',
    'ssl.maxrecord', 'ssl.ssl-ctx-cache-size', 'vars.check-max-size', 'vars.global-max-size',
    'vars.proc-max-size', 'vars.reqres-max-size', 'vars.sess-max-size', 'vars.txn-max-size',
    'zlib.memlevel', 'zlib.windowsize',
  ].map((t) => [`tune.${t}`, TUNING] as const),
];

export const GLOBAL_KEYWORDS: readonly KeywordEntry[] = [...SUPPORTED, ...PLANNED_NAMES.map(([n, note]) => planned(n, note))];

export const GLOBAL_KEYWORD_INDEX = indexByName(GLOBAL_KEYWORDS);

/** Keywords HAProxy 2.6 itself refuses with a dedicated message. */
export const GLOBAL_REMOVED: ReadonlyMap<string, string> = new Map([
  ['nbproc', "'nbproc' is not supported anymore since HAProxy 2.5; use 'nbthread'"],
]);
