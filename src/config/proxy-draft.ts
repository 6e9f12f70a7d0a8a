// The mutable state of a proxy or defaults section while its lines are parsed, and how a new section
// takes its initial settings from a defaults section (proxy.c proxy_preset_defaults and
// proxy_defproxy_cpy: frontend-side settings only go to proxies with the frontend capability,
// backend-side ones only to proxies with the backend capability).
import type { Condition } from '../acl/acl.ts';
import type { AclScope } from '../acl/condition.ts';
import type { SectionReporter } from './diagnostics.ts';
import type { RulesDraft } from './parse-acl.ts';
import type { StatsDraft } from './parse-stats.ts';
import type {
  BalanceSpec, BindSpec, CompressionSpec, ConfigLine, CookieSpec, ErrorEntry, LogTarget, ProxyKind, ProxyMode, RetryOnEvent, SourceLoc, Timeouts, UseBackendRule,
} from './model.ts';

export type DraftKind = ProxyKind | 'defaults';
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Settings a `default-server` line presets for the servers declared after it. */
export interface ServerDefaults {
  weight: number;
  backup: boolean;
  maxconn: number;
  minconn: number;
  maxqueue: number;
  disabled: boolean;
  cookie?: string;
  /** Keywords not modelled as fields (checks, TLS ...), raw words by keyword. */
  params: Record<string, readonly string[]>;
}

export interface ServerDraft extends ServerDefaults {
  readonly name: string;
  readonly host: string;
  readonly port?: number;
  readonly portOffset?: number;
  explicitId?: number;
  readonly loc: SourceLoc;
}

export interface ProxyDraft {
  readonly kind: DraftKind;
  /** '' for an anonymous defaults section. */
  readonly name: string;
  readonly loc: SourceLoc;
  readonly report: SectionReporter;
  mode: ProxyMode;
  disabled: boolean;
  explicitId?: number;
  description?: string;
  /** `log-format` text and where it was written (compiled against the final mode in validate.ts). */
  logFormat?: { readonly text: string; readonly loc: SourceLoc };
  /** `option httplog clf` (with `options.httplog`). */
  httplogClf?: boolean;
  /** The line of the last `option httplog|httpslog|tcplog` or `log-format` (HAProxy's lfs_line, cited by the mode tcp fallback). */
  logOptionLoc?: SourceLoc;
  /** `unique-id-format` text and line (compiled against the final mode in validate.ts); `unique-id-header` name. */
  uniqueIdFormat?: { readonly text: string; readonly loc: SourceLoc };
  uniqueIdHeader?: string;
  /** `http-send-name-header` name, lower-cased (backend side, inherited from defaults). */
  sendNameHeader?: string;
  binds: BindSpec[];
  /** `bind` lines seen, valid or not (a broken bind line must not also report "no bind"). */
  bindLines: number;
  servers: ServerDraft[];
  defaultServer: ServerDefaults;
  balance: Mutable<BalanceSpec>;
  /** `cookie` line (backend side), inherited from defaults. */
  cookie?: CookieSpec;
  maxconn?: number;
  timeouts: Mutable<Timeouts>;
  /** Timeouts set by this section itself (HAProxy warns when one is set twice). */
  timeoutsSetHere: Set<string>;
  retries: number;
  redispatch?: { readonly interval: number };
  retryOn?: readonly RetryOnEvent[];
  options: Record<string, boolean>;
  logs: LogTarget[];
  defaultBackend?: { readonly name: string; readonly loc: SourceLoc };
  useBackends: UseBackendRule[];
  /** Named ACLs declared so far and the rule lists (src/config/parse-acl.ts), created on first use. */
  acls?: AclScope;
  rules?: RulesDraft;
  /** The stats page settings; inherited from the defaults section until the first own `stats` line. */
  stats?: StatsDraft;
  statsOwn?: boolean;
  /** `monitor-uri` (frontend side, inherited from defaults) and `monitor fail` conditions (never inherited). */
  monitorUri?: string;
  /** `compression` lines (parse-compression.ts); defaults pass on algos and types only. */
  compression?: CompressionSpec;
  monitorFail: Condition[];
  /** Error-page lines, the defaults' first (proxy_dup_default_conf_errors). */
  errorEntries: ErrorEntry[];
  lines: ConfigLine[];
  /** Lines of the defaults section this one inherits from (check options and rules, proxy-checks.ts). */
  defaultsLines?: readonly ConfigLine[];
  /** The same lines per defaults section, root first (`defaults B from A`: [A, B]); check rulesets need the boundaries. */
  defaultsChain?: readonly (readonly ConfigLine[])[];
  /** Defaults sections only: used implicitly (last one) / explicitly (`from`) by some proxy. */
  implicitRef: boolean;
  explicitRef: boolean;
}

/** HAProxy CONN_RETRIES. */
export const DEFAULT_RETRIES = 3;

export function hasFrontendCap(kind: DraftKind): boolean {
  return kind !== 'backend';
}

export function hasBackendCap(kind: DraftKind): boolean {
  return kind !== 'frontend';
}

function presetServerDefaults(): ServerDefaults {
  return { weight: 1, backup: false, maxconn: 0, minconn: 0, maxqueue: 0, disabled: false, params: {} };
}

export function copyServerDefaults(d: ServerDefaults): ServerDefaults {
  return { ...d, params: { ...d.params } };
}

function presetDraft(kind: DraftKind, name: string, loc: SourceLoc, report: SectionReporter): ProxyDraft {
  return {
    kind, name, loc, report,
    mode: 'tcp',
    disabled: false,
    binds: [],
    bindLines: 0,
    servers: [],
    defaultServer: presetServerDefaults(),
    balance: { algorithm: 'roundrobin', args: [], hashType: 'map-based', hashFunction: 'sdbm', hashAvalanche: false },
    timeouts: {},
    timeoutsSetHere: new Set(),
    retries: DEFAULT_RETRIES,
    options: {},
    logs: [],
    useBackends: [],
    monitorFail: [],
    errorEntries: [],
    lines: [],
    implicitRef: false,
    explicitRef: false,
  };
}

const FRONTEND_TIMEOUTS = ['client', 'clientFin', 'tarpit', 'httpRequest', 'httpKeepAlive'] as const;
const BACKEND_TIMEOUTS = ['connect', 'server', 'serverFin', 'check', 'queue', 'tarpit', 'httpRequest', 'httpKeepAlive', 'tunnel'] as const;

/** A new section initialised from `from` (a defaults draft), or from HAProxy's built-in defaults. */
export function newDraft(kind: DraftKind, name: string, loc: SourceLoc, report: SectionReporter, from?: ProxyDraft): ProxyDraft {
  const d = presetDraft(kind, name, loc, report);
  if (!from) return d;
  d.defaultServer = copyServerDefaults(from.defaultServer);
  d.defaultsLines = [...(from.defaultsLines ?? []), ...from.lines];
  d.defaultsChain = [...(from.defaultsChain ?? []), from.lines];
  d.disabled = from.disabled;
  d.options = { ...from.options };
  d.mode = from.mode;
  d.logs = [...from.logs];
  d.errorEntries = [...from.errorEntries];
  if (from.retryOn !== undefined) d.retryOn = from.retryOn;
  if (from.compression !== undefined) d.compression = { algos: from.compression.algos, types: from.compression.types, offload: false };
  if (from.stats !== undefined) d.stats = from.stats;
  if (hasFrontendCap(kind)) {
    if (from.maxconn !== undefined) d.maxconn = from.maxconn;
    if (from.defaultBackend) d.defaultBackend = from.defaultBackend;
    if (from.logFormat !== undefined) d.logFormat = from.logFormat;
    if (from.httplogClf) d.httplogClf = true;
    if (from.logOptionLoc !== undefined) d.logOptionLoc = from.logOptionLoc;
    if (from.monitorUri !== undefined) d.monitorUri = from.monitorUri;
    if (from.uniqueIdFormat !== undefined) d.uniqueIdFormat = from.uniqueIdFormat;
    if (from.uniqueIdHeader !== undefined) d.uniqueIdHeader = from.uniqueIdHeader;
    for (const t of FRONTEND_TIMEOUTS) if (from.timeouts[t] !== undefined) d.timeouts[t] = from.timeouts[t];
  }
  if (hasBackendCap(kind)) {
    d.balance = { ...from.balance };
    if (from.cookie !== undefined) d.cookie = from.cookie;
    d.retries = from.retries;
    if (from.redispatch) d.redispatch = from.redispatch;
    if (from.sendNameHeader !== undefined) d.sendNameHeader = from.sendNameHeader;
    for (const t of BACKEND_TIMEOUTS) if (from.timeouts[t] !== undefined) d.timeouts[t] = from.timeouts[t];
  }
  return d;
}
