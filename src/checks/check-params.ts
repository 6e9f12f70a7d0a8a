// Server keywords of health checks (configuration.txt 5.2; src/check.c srv_kws, src/server.c):
// raw `ServerSpec.params` in, typed settings and HAProxy's error texts out. Pure.
import { isIP } from 'node:net';
import { parseDuration } from '../config/units.ts';
import type { OnError, ObserveMode } from '../backend/server-state-types.ts';
import type { CheckTarget } from './check.ts';

export interface ServerCheckSettings {
  /** `check`: health checks run. */
  readonly check: boolean;
  readonly rise: number;
  readonly fall: number;
  readonly inter: number;
  readonly fastinter?: number;
  readonly downinter?: number;
  /** `port`: check port (also the agent's unless `agent-port`). */
  readonly port?: number;
  /** `addr`: check address (also the agent's unless `agent-addr`). */
  readonly addr?: string;
  readonly checkSsl: boolean;
  readonly checkSni?: string;
  readonly checkAlpn?: readonly string[];
  readonly checkSendProxy: boolean;
  /** `ssl` on the server line (checks inherit it when they use the server's address and port). */
  readonly ssl: boolean;
  /** `send-proxy` / `send-proxy-v2` on the server line. */
  readonly sendProxy: false | 'v1' | 'v2';
  readonly agent?: {
    readonly port: number;
    readonly addr?: string;
    readonly inter: number;
    readonly send: string;
  };
  /** `slowstart` in ms (HAProxy counts whole seconds, rounded up). */
  readonly slowstart: number;
  readonly track?: { readonly backend?: string; readonly server: string };
  readonly observe: ObserveMode;
  readonly errorLimit: number;
  readonly onError: OnError;
  readonly onMarkedDown?: 'shutdown-sessions';
  readonly onMarkedUp?: 'shutdown-backup-sessions';
  /** `init-addr` methods in order (default `last,libc`). */
  readonly initAddr: readonly string[];
}

export interface ParsedServerChecks {
  readonly settings: ServerCheckSettings;
  readonly errors: readonly string[];
  /** HAProxy's non-fatal alerts (`observe layer7` outside http proxies). */
  readonly warnings: readonly string[];
}

type Params = Readonly<Record<string, readonly string[]>>;

const ON_ERROR: readonly OnError[] = ['fastinter', 'fail-check', 'sudden-death', 'mark-down'];

/**
 * Read the check keywords of one server. `mode` is the proxy mode (`observe layer7` needs http).
 * A `no-<kw>` key cancels `<kw>` (default-server inheritance already applied by the caller).
 */
export function parseServerChecks(name: string, params: Params, mode: 'tcp' | 'http' = 'tcp'): ParsedServerChecks {
  const errors: string[] = [];
  const warnings: string[] = [];
  const has = (kw: string): boolean => kw in params && !(`no-${kw}` in params);
  const arg = (kw: string): string | undefined => (kw in params ? (params[kw]![0] ?? '') : undefined);
  const delay = (kw: string, def?: number): number | undefined => parseDelay(kw, arg(kw), name, errors) ?? def;
  const count = (kw: string, def: number): number => {
    const v = arg(kw);
    if (v === undefined) return def;
    const n = parseInt(v, 10);
    if (!(n > 0)) {
      errors.push(v === '' ? `'${kw}' expects an integer argument.` : `'${kw}' has to be > 0.`);
      return def;
    }
    return n;
  };
  const port = (kw: string): number | undefined => {
    const v = arg(kw);
    if (v === undefined) return undefined;
    const n = parseInt(v, 10);
    if (!(n > 0 && n < 65536)) {
      errors.push(`'${kw}' expects a port number as argument.`);
      return undefined;
    }
    return n;
  };
  const checkPort = port('port');
  const addr = arg('addr');
  const settings: ServerCheckSettings = {
    check: has('check'),
    rise: count('rise', 2),
    fall: count('fall', 3),
    inter: delay('inter', 2000)!,
    ...optional('fastinter', delay('fastinter')),
    ...optional('downinter', delay('downinter')),
    ...optional('port', checkPort),
    ...optional('addr', addr),
    checkSsl: has('check-ssl'),
    ...optional('checkSni', arg('check-sni')),
    ...optional('checkAlpn', arg('check-alpn')?.split(',')),
    checkSendProxy: has('check-send-proxy'),
    ssl: has('ssl'),
    sendProxy: has('send-proxy-v2') ? 'v2' : has('send-proxy') ? 'v1' : false,
    ...optional('agent', parseAgent(name, { has, arg, delay, port }, checkPort, addr, errors)),
    slowstart: delay('slowstart', 0)!,
    ...optional('track', parseTrack(arg('track'), errors)),
    observe: parseObserve(arg('observe'), mode, errors, warnings),
    errorLimit: count('error-limit', 10),
    onError: parseChoice('on-error', arg('on-error'), ON_ERROR, 'fail-check', errors),
    ...optional('onMarkedDown', parseOnMarked('on-marked-down', arg('on-marked-down'), 'shutdown-sessions', errors)),
    ...optional('onMarkedUp', parseOnMarked('on-marked-up', arg('on-marked-up'), 'shutdown-backup-sessions', errors)),
    initAddr: parseInitAddr(arg('init-addr'), errors),
  };
  if (settings.check && settings.track) errors.push('unable to enable checks and tracking at the same time!');
  return { settings, errors, warnings };
}

/** `init-addr last,libc,none,<ip>` (server.c srv_parse_init_addr); at most one IP. */
function parseInitAddr(v: string | undefined, errors: string[]): readonly string[] {
  if (v === undefined) return ['last', 'libc'];
  const methods = v.split(',').filter((m) => m !== '');
  let ip: string | undefined;
  for (const m of methods) {
    if (m === 'libc' || m === 'last' || m === 'none') continue;
    if (isIP(m) === 0) {
      errors.push(`'init-addr' : unknown init-addr method '${m}', supported methods are 'libc', 'last', 'none'.`);
    } else if (ip !== undefined) {
      errors.push(`'init-addr' : initial address already specified, cannot add '${m}'.`);
    } else ip = m;
  }
  return methods;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** inter/fastinter/downinter/agent-inter/slowstart: a positive delay (src/check.c srv_parse_check_inter). */
function parseDelay(kw: string, v: string | undefined, server: string, errors: string[]): number | undefined {
  if (v === undefined) return undefined;
  if (v === '') {
    errors.push(`'${kw}' expects a delay as argument.`);
    return undefined;
  }
  const p = parseDuration(v);
  if (!p.ok) {
    errors.push(`${p.error} in argument <${v}> to <${kw}> of server ${server}.`);
    return undefined;
  }
  if (p.value <= 0 && kw !== 'slowstart') {
    errors.push(`invalid value ${p.value} for argument '${kw}' of server ${server}.`);
    return undefined;
  }
  return p.value;
}

interface ParamReaders {
  has(kw: string): boolean;
  arg(kw: string): string | undefined;
  delay(kw: string, def?: number): number | undefined;
  port(kw: string): number | undefined;
}

function parseAgent(
  server: string,
  { has, arg, delay, port }: ParamReaders,
  checkPort: number | undefined,
  checkAddr: string | undefined,
  errors: string[],
): ServerCheckSettings['agent'] {
  const agentPort = port('agent-port') ?? checkPort;
  const inter = delay('agent-inter');
  if (!has('agent-check')) return undefined;
  if (agentPort === undefined) {
    errors.push(`server ${server} does not have agent port. Agent check has been disabled.`);
    return undefined;
  }
  const addr = arg('agent-addr') ?? checkAddr;
  return { port: agentPort, ...optional('addr', addr), inter: inter ?? delay('inter', 2000)!, send: arg('agent-send') ?? '' };
}

function parseTrack(v: string | undefined, errors: string[]): ServerCheckSettings['track'] {
  if (v === undefined) return undefined;
  if (v === '') {
    errors.push("'track' expects [<proxy>/]<server> as argument.");
    return undefined;
  }
  const slash = v.lastIndexOf('/');
  return slash < 0 ? { server: v } : { backend: v.slice(0, slash), server: v.slice(slash + 1) };
}

/** server.c srv_parse_observe: `layer7` outside http is an alert that does not fail the config, and observes nothing. */
function parseObserve(v: string | undefined, mode: 'tcp' | 'http', errors: string[], warnings: string[]): ObserveMode {
  if (v === undefined || v === 'none') return 'none';
  if (v === 'layer4') return 'layer4';
  if (v === 'layer7') {
    if (mode !== 'http') {
      warnings.push("'layer7' can only be used in http proxies.");
      return 'none';
    }
    return 'layer7';
  }
  errors.push(`'observe' expects one of 'none', 'layer4', 'layer7' but got '${v}'`);
  return 'none';
}

function parseChoice<T extends string>(kw: string, v: string | undefined, choices: readonly T[], def: T, errors: string[]): T {
  if (v === undefined) return def;
  if ((choices as readonly string[]).includes(v)) return v as T;
  errors.push(`'${kw}' expects one of 'fastinter', 'fail-check', 'sudden-death' or 'mark-down' but got '${v}'`);
  return def;
}

function parseOnMarked<T extends string>(kw: string, v: string | undefined, only: T, errors: string[]): T | undefined {
  if (v === undefined) return undefined;
  if (v === only) return only;
  errors.push(`'${kw}' expects '${only}' but got '${v}'`);
  return undefined;
}

export interface ServerAddress {
  readonly host: string;
  readonly port?: number;
}

export interface CheckTargets {
  readonly check?: CheckTarget;
  readonly agent?: CheckTarget;
  readonly errors: readonly string[];
}

/** Split `addr` written as `ip[:port]` / `[ipv6]:port`. */
function splitAddr(addr: string): { host: string; port?: number } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(addr);
  if (v6) return { host: v6[1]!, ...(v6[2] ? { port: Number(v6[2]) } : {}) };
  const m = /^([^:]+):(\d+)$/.exec(addr);
  return m ? { host: m[1]!, port: Number(m[2]) } : { host: addr };
}

/**
 * Where the health check and the agent connect (src/check.c init_srv_check): with neither
 * `port` nor `addr`, checks reuse the server's TLS (`ssl`) and PROXY settings; otherwise only
 * `check-ssl` and `check-send-proxy` apply. `portFromRules`: the tcp-check ruleset's first
 * connect names a port, so a server without any port is still checkable.
 */
export function checkTargets(
  name: string,
  s: ServerCheckSettings,
  server: ServerAddress,
  timeouts: { readonly connect?: number; readonly check?: number },
  portFromRules = false,
): CheckTargets {
  const errors: string[] = [];
  let check: CheckTarget | undefined;
  if (s.check) {
    const a = s.addr !== undefined ? splitAddr(s.addr) : undefined;
    const port = s.port ?? a?.port ?? server.port;
    const inherit = s.port === undefined && s.addr === undefined;
    const ssl = s.checkSsl || (inherit && s.ssl);
    const pp = s.checkSendProxy || (inherit && s.sendProxy !== false) ? (s.sendProxy === 'v2' ? 'v2' : 'v1') : false;
    if (port === undefined && !portFromRules) errors.push(`server '${name}' has neither service port nor check port.`);
    check = {
      host: a?.host ?? server.host,
      port: port ?? 0,
      ...(ssl ? { ssl } : {}),
      ...(s.checkSni !== undefined ? { sni: s.checkSni } : {}),
      ...(s.checkAlpn !== undefined ? { alpn: s.checkAlpn } : {}),
      ...(pp ? { sendProxy: pp } : {}),
      timeout: { inter: s.inter, ...timeouts },
    };
  }
  const ag = s.agent;
  const agent = ag && {
    host: ag.addr !== undefined ? splitAddr(ag.addr).host : server.host,
    port: ag.port,
    timeout: { inter: ag.inter, ...timeouts },
  };
  return { ...(check ? { check } : {}), ...(agent ? { agent } : {}), errors };
}
