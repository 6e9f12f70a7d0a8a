// The typed, immutable configuration model: what the parser produces and every runtime module reads.
// Durations are milliseconds (HAProxy: a bare number is ms), sizes are bytes. `undefined` means
// "not set" where HAProxy distinguishes unset from zero (timeouts, maxconn).
import type { Condition } from '../acl/acl.ts';
import type { ProxyRules } from '../http/rules/rules.ts';

export interface SourceLoc {
  readonly file: string;
  readonly line: number;
}

export type ProxyMode = 'tcp' | 'http';
export type ProxyKind = 'frontend' | 'backend' | 'listen';

/** HAProxy `log` target (configuration.txt 4.2 "log"). */
export interface LogTarget {
  readonly kind: 'udp' | 'unix' | 'stdout' | 'stderr';
  readonly host?: string; // udp: IP address
  readonly port?: number; // udp: default 514
  readonly path?: string; // unix datagram socket (/dev/log)
  readonly format: 'rfc3164' | 'rfc5424' | 'short' | 'raw' | 'iso' | 'local' | 'priority' | 'timed';
  /**
   * No `format` was given: HAProxy then frames like `local` (no host name), or like `rfc3164`
   * when `log-send-hostname` is set (src/log.c build_log_header()).
   */
  readonly defaultFormat?: boolean;
  readonly len: number; // max line length, default 1024
  readonly facility: string; // kern, user, ..., local0..local7
  readonly level?: string; // max level sent (emerg..debug)
  readonly minlevel?: string;
  readonly loc: SourceLoc;
}

/** One address of a `bind` line: comma lists and port ranges are expanded into several. */
export type BindAddress =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number; readonly family: 4 | 6 | 0 }
  | { readonly kind: 'unix'; readonly path: string }
  | { readonly kind: 'fd'; readonly fd: number };

export interface BindSpec {
  readonly addresses: readonly BindAddress[];
  /** The address argument as written (HAProxy's bind_conf->arg, in messages). */
  readonly arg?: string;
  readonly name?: string;
  readonly mode?: number; // unix socket permissions (octal in the config)
  readonly user?: string; // unix socket owner (name or numeric)
  readonly group?: string;
  readonly maxconn?: number;
  readonly backlog?: number;
  readonly accept_proxy: boolean;
  readonly v4v6: boolean;
  readonly v6only: boolean;
  readonly transparent: boolean;
  readonly interface?: string;
  /** TLS settings of the line (`ssl crt ...`, configuration.txt 5.1); undefined without any. */
  readonly ssl?: BindTls;
  /** Every keyword of the line with its raw arguments, for features that land later. */
  readonly raw: Readonly<Record<string, readonly string[]>>;
  readonly loc: SourceLoc;
}

/** SSL/TLS protocol versions as HAProxy names them (`ssl-min-ver`, `no-tlsv12` ...). */
export type TlsVersion = 'SSLv3' | 'TLSv1.0' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

/** One `crt FILE|DIR` or `crt-list FILE` of a bind line. */
export interface CrtSource {
  readonly path: string;
  /** `crt-list`: a file of `<crtfile> [<snifilter> ...]` lines. */
  readonly list: boolean;
}

/**
 * The TLS keywords of a `bind` line as written (configuration.txt 5.1); global
 * `ssl-default-bind-*` defaults, `crt-base` and `ca-base` are applied when the listener's TLS
 * context is built (src/config/bind-tls.ts resolveBindTls).
 */
export interface BindTls {
  /** `ssl`: TLS is served (without it the other settings are kept but the listener is plain). */
  readonly enabled: boolean;
  /** `crt` and `crt-list` arguments in order (PEM files, directories of them, lists); the first certificate is the default. */
  readonly crts: readonly CrtSource[];
  /** Global `crt-base`, for the relative paths inside `crt-list` files (resolved lines carry it). */
  readonly crtBase?: string;
  readonly caFile?: string;
  /** `crl-file`: revocation lists for the client certificates (under `ca-base`). */
  readonly crlFile?: string;
  readonly verify?: 'none' | 'optional' | 'required';
  readonly alpn?: readonly string[];
  readonly minVer?: TlsVersion;
  readonly maxVer?: TlsVersion;
  /** `no-sslv3`, `no-tlsv10` ... */
  readonly noVersions: readonly TlsVersion[];
  /** `force-tlsvXX`: only that version. */
  readonly forceVer?: TlsVersion;
  readonly ciphers?: string;
  readonly ciphersuites?: string;
  readonly curves?: string;
  readonly ecdhe?: string;
  readonly strictSni: boolean;
  readonly noTlsTickets: boolean;
  readonly preferClientCiphers: boolean;
}

/** A `server` or `default-server` line after `default-server` inheritance. */
export interface ServerSpec {
  readonly name: string;
  /** Explicit `id N`; otherwise assigned from 1 in declaration order per backend at build time. */
  readonly id: number;
  readonly host: string; // IP literal or hostname (resolved at start, not by `check`)
  /** Undefined = same port as the client connected to (HAProxy: address without port). */
  readonly port?: number;
  /** `+N`/`-N` port offsets: port relative to the frontend's destination port. */
  readonly portOffset?: number;
  readonly weight: number; // 0..256, default 1
  readonly backup: boolean;
  readonly maxconn: number; // 0 = unlimited
  readonly minconn: number;
  readonly maxqueue: number; // 0 = unlimited
  readonly disabled: boolean;
  readonly cookie?: string;
  /** Health-check, TLS and other keywords of HAProxy 2.6, raw arguments keyed by keyword. */
  readonly params: Readonly<Record<string, readonly string[]>>;
  readonly loc: SourceLoc;
}

export type BalanceAlgorithm =
  | 'roundrobin'
  | 'static-rr'
  | 'leastconn'
  | 'first'
  | 'source'
  | 'random'
  | 'uri'
  | 'url_param'
  | 'hdr'
  | 'rdp-cookie';

export interface BalanceSpec {
  readonly algorithm: BalanceAlgorithm;
  readonly args: readonly string[]; // e.g. uri: ['len', '10'], hdr: ['Host'], random: ['2']
  readonly hashType: 'map-based' | 'consistent';
  readonly hashFunction: 'sdbm' | 'djb2' | 'wt6' | 'crc32';
  /**
   * `hash-type ... avalanche`. Undefined = HAProxy's default: on for `hash-type consistent`
   * written without a function, off otherwise (cfgparse-listen.c "hash-type").
   */
  readonly hashAvalanche?: boolean;
}

/** `cookie NAME [rewrite|insert|prefix] [indirect] ...` (configuration.txt 4.2 "cookie"). */
export interface CookieSpec {
  readonly name: string;
  /** No mode keyword: passive, the server's own cookie is only read. */
  readonly mode: 'passive' | 'insert' | 'rewrite' | 'prefix';
  readonly indirect: boolean;
  readonly nocache: boolean;
  readonly postonly: boolean;
  readonly preserve: boolean;
  readonly httponly: boolean;
  readonly secure: boolean;
  readonly domains: readonly string[];
  /** Seconds, 0 = not set. */
  readonly maxidle: number;
  readonly maxlife: number;
  readonly dynamic: boolean;
  /** `attr` values, appended to an inserted cookie as `; <value>`. */
  readonly attrs: readonly string[];
}

export interface Timeouts {
  readonly connect?: number;
  readonly client?: number;
  readonly server?: number;
  readonly queue?: number;
  readonly tunnel?: number;
  readonly clientFin?: number;
  readonly serverFin?: number;
  readonly check?: number;
  readonly httpRequest?: number;
  readonly httpKeepAlive?: number;
  readonly tarpit?: number;
}

/** `option X` / `no option X` values; only options seen in the config (or defaults) are present. */
export type ProxyOptions = Readonly<Record<string, boolean>>;

/** A `use_backend NAME [if|unless COND]`; the condition is compiled at parse time (src/acl/). */
export interface UseBackendRule {
  readonly backend: string;
  readonly condition?: Condition;
  readonly loc: SourceLoc;
}

/** `stats http-request allow|deny|auth [realm R] [if|unless COND]` (configuration.txt 4.2). */
export interface StatsHttpRequestRule {
  readonly action: 'allow' | 'deny' | 'auth';
  readonly realm?: string;
  readonly condition?: Condition;
  readonly loc: SourceLoc;
}

/**
 * configuration.txt 4.2 "monitor-uri" / "monitor fail": a request for `uri` is answered by the proxy
 * itself, 200, or 503 when one of the `fail` conditions holds (their `unless` already folded in).
 */
export interface MonitorSpec {
  readonly uri: string;
  readonly fail: readonly Condition[];
}

/** The stats page of a proxy (HAProxy's uri_auth: configuration.txt 4.2 "stats *"). */
export interface StatsSpec {
  /** URI prefix, default `/haproxy?stats`. */
  readonly uri: string;
  /** Basic-auth realm, default "HAProxy Statistics". */
  readonly realm?: string;
  /** `stats auth user:password` accounts, in order. */
  readonly auth: readonly { readonly user: string; readonly password: string }[];
  /** `stats admin if|unless COND` rules: the first that matches grants admin. */
  readonly admin: readonly { readonly condition: Condition; readonly loc: SourceLoc }[];
  /** `stats refresh` in seconds (0: none). */
  readonly refresh: number;
  /** `stats scope` proxy names ("." already resolved); empty = every proxy. */
  readonly scope: readonly string[];
  readonly hideVersion: boolean;
  readonly showLegends: boolean;
  /** `stats show-node [name]`: '' means the global node name. */
  readonly showNode?: string;
  /** `stats show-desc [text]`: '' means the global description. */
  readonly showDesc?: string;
  readonly httpRequest: readonly StatsHttpRequestRule[];
  readonly loc: SourceLoc;
}

/** configuration.txt 4.2 "compression algo": the algorithms HAProxy 2.6 knows (compression.c comp_algos). */
export type CompressionAlgo = 'identity' | 'gzip' | 'deflate' | 'raw-deflate';

/**
 * `compression algo ...`, `compression type ...`, `compression offload` of one proxy. As in HAProxy
 * 2.6 (compression.c comp_append_algo / comp_append_type) every name goes to the head of its list, so
 * `algos` is newest first: the last algorithm written is tried first for `*`. A proxy starts from
 * its defaults' algos and types (proxy.c proxy_defproxy_cpy), never from their `offload`.
 */
export interface CompressionSpec {
  readonly algos: readonly CompressionAlgo[];
  readonly types: readonly string[];
  readonly offload: boolean;
}

/** One `retry-on` keyword (`all-retryable-errors` is expanded at parse time). */
export type RetryOnEvent =
  | 'conn-failure' | 'empty-response' | 'junk-response' | 'response-timeout' | '0rtt-rejected'
  | '401' | '403' | '404' | '408' | '425' | '500' | '501' | '502' | '503' | '504';

export interface ProxySpec {
  readonly kind: ProxyKind;
  readonly name: string;
  /** Proxy unique id (`id N` or assigned as HAProxy assigns: from 1 in declaration order). */
  readonly id: number;
  readonly mode: ProxyMode;
  readonly disabled: boolean;
  readonly binds: readonly BindSpec[]; // frontend/listen only
  readonly servers: readonly ServerSpec[]; // backend/listen only
  readonly balance: BalanceSpec;
  /** Cookie persistence (backend side); absent without a `cookie` line. */
  readonly cookie?: CookieSpec;
  /** Frontend: max concurrent sessions (default: global maxconn); backend: fullconn base. */
  readonly maxconn?: number;
  readonly timeouts: Timeouts;
  readonly retries: number; // default 3
  /**
   * `option redispatch [interval]` (configuration.txt 4.2): interval -1 (the default) redispatches on the
   * last retry, P > 0 on every Pth retry, N < 0 on the Nth retry before the last; 0 never.
   */
  readonly redispatch?: { readonly interval: number };
  /**
   * `retry-on` (configuration.txt 4.2): the events a request is retried on; absent = HAProxy's
   * default, `conn-failure` alone; empty = `retry-on none` (not even connect failures).
   */
  readonly retryOn?: readonly RetryOnEvent[];
  readonly options: ProxyOptions;
  /** Log targets in effect (after `log global` / `no log`). */
  readonly logs: readonly LogTarget[];
  readonly logFormat?: string;
  /** `option httplog clf` (frontend side, `mode http`; `options.httplog` is set too). */
  readonly httplogClf?: boolean;
  /** `unique-id-format` (frontend side; checked against the mode at load) and `unique-id-header`. */
  readonly uniqueIdFormat?: string;
  readonly uniqueIdHeader?: string;
  /** `http-send-name-header` (backend side), lower-cased: the request header carrying the server's name. */
  readonly sendNameHeader?: string;
  readonly defaultBackend?: string;
  readonly useBackends: readonly UseBackendRule[];
  /** ACL-driven rules (http-request/response, redirect, use-server, tcp-request, capture); absent = none. */
  readonly rules?: ProxyRules;
  /** `description` text (words joined by one space, as HAProxy does). */
  readonly description?: string;
  /** The stats page (`stats enable`, `stats uri` ...), only in `mode http` proxies. */
  readonly stats?: StatsSpec;
  /** `monitor-uri` and its `monitor fail` conditions, only in `mode http` proxies with a frontend side. */
  readonly monitor?: MonitorSpec;
  /** `errorfile`, `errorloc*` and `errorfiles` lines, the inherited defaults' first, in order (later ones win). */
  readonly errorEntries?: readonly ErrorEntry[];
  /** `compression algo|type|offload` (defaults' algos and types inherited), only in `mode http` proxies. */
  readonly compression?: CompressionSpec;
  /** Every keyword line of the section, raw, for features that land in later issues. */
  /** Lines of the defaults section the proxy inherits from (check options and rules, src/checks/proxy-checks.ts). */
  readonly defaultsLines?: readonly ConfigLine[];
  /** The same lines per defaults section, root first (`defaults B from A`: [A, B]); see src/checks/check-rules-inherit.ts. */
  readonly defaultsChain?: readonly (readonly ConfigLine[])[];
  readonly lines: readonly ConfigLine[];
  readonly loc: SourceLoc;
}

/** An `http-errors NAME` section: its `errorfile CODE FILE` pages (filled when the section is read). */
export interface HttpErrorsSection {
  readonly name: string;
  readonly pages: ReadonlyMap<number, Buffer>;
}

/**
 * One error-page line of a proxy (HAProxy 2.6 http_htx.c conf_errors): a page for one code
 * (`errorfile`, `errorloc`), or the pages of an http-errors section for `codes` (null: every code
 * the section has).
 */
export type ErrorEntry =
  | { readonly code: number; readonly page: Buffer }
  | { readonly section: HttpErrorsSection; readonly codes: readonly number[] | null };

export interface StatsSocketSpec {
  readonly address: BindAddress;
  readonly mode?: number;
  readonly user?: string;
  readonly group?: string;
  readonly level: 'user' | 'operator' | 'admin';
  /** Every bind keyword of the line with its raw arguments (`expose-fd`, `severity-output` ...). */
  readonly raw?: Readonly<Record<string, readonly string[]>>;
  readonly loc: SourceLoc;
}

export interface GlobalSpec {
  readonly maxconn: number; // HAProxy derives it from ulimit; we default to 4096 when unset
  readonly logs: readonly LogTarget[];
  readonly localpeer?: string;
  readonly statsSockets: readonly StatsSocketSpec[];
  readonly statsTimeout: number; // ms, default 10s
  readonly daemon: boolean;
  readonly pidfile?: string;
  readonly nbthread: number;
  readonly logTag?: string;
  readonly logSendHostname?: string;
  readonly serverStateFile?: string;
  readonly serverStateBase?: string;
  /** `ssl-server-verify`: the `verify` of servers that set none (default `required`). */
  readonly sslServerVerify?: 'none' | 'required';
  readonly lines: readonly ConfigLine[];
  readonly loc?: SourceLoc;
}

/** A raw config line: keyword tokens after lexing (quotes and `${ENV}` resolved). */
export interface ConfigLine {
  readonly args: readonly string[];
  readonly loc: SourceLoc;
}

/** A section this issue does not model (keepalive, peers, userlist ...), kept for its owner's parser. */
export interface ExtraSection {
  readonly type: string;
  readonly name: string;
  /** Words after the name on the section line. */
  readonly args: readonly string[];
  readonly lines: readonly ConfigLine[];
  readonly loc: SourceLoc;
}

export interface HapairConfig {
  readonly files: readonly string[];
  readonly global: GlobalSpec;
  /** frontends, backends and listens in declaration order (defaults sections already applied). */
  readonly proxies: readonly ProxySpec[];
  readonly extraSections: readonly ExtraSection[];
}

export type Severity = 'error' | 'warning';

export interface ConfigDiagnostic {
  readonly severity: Severity;
  readonly loc?: SourceLoc;
  /** "[section 'name']" context as HAProxy prints it, e.g. `proxy 'UT'`. */
  readonly section?: string;
  readonly message: string;
}
