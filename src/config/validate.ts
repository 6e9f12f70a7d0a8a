// Whole-configuration checks and the final immutable model, after every section is parsed
// (cfgparse.c check_config_validity): proxy and server ids, backend references, modes, missing
// timeouts, duplicate server names, HAProxy's derived defaults (timeout queue, minconn).
import type { Diagnostics } from './diagnostics.ts';
import type { ExtraSection, GlobalSpec, HapairConfig, ProxySpec, ServerSpec, SourceLoc } from './model.ts';
import type { GlobalDraft } from './parse-global.ts';
import { compileLogFormat } from '../log/log-format.ts';
import { checkHealthChecks } from './validate-checks.ts';
import { checkBindTls } from './validate-bind-tls.ts';
import { buildStats } from './parse-stats.ts';
import { buildRules } from './parse-acl.ts';
import { checkRuleTargets } from './parse-tcp-rules.ts';
import { hasBackendCap, hasFrontendCap, type ProxyDraft, type ServerDraft } from './proxy-draft.ts';

/** hapair's global maxconn when the config sets none (HAProxy derives it from ulimit -n). */
export const DEFAULT_GLOBAL_MAXCONN = 4096;
/** HAProxy's CLI idle timeout default (`stats timeout`). */
export const DEFAULT_STATS_TIMEOUT_MS = 10_000;

type Proxy = ProxyDraft & { readonly kind: ProxySpec['kind'] };

/** Algorithms that hash HTTP data (HAProxy BE_LB_NEED_HTTP): round robin in tcp mode. */
const LAYER7_ALGORITHMS: ReadonlySet<string> = new Set(['uri', 'url_param', 'hdr']);

/**
 * HAProxy numbers proxies from 1 in declaration order, skipping ids taken explicitly; every proxy,
 * even one with an explicit id, advances the counter, and so does the GLOBAL CLI proxy (uuid 0)
 * created by the first `stats` line of the global section (cfgparse.c check_config_validity).
 */
export function assignProxyIds(proxies: readonly Proxy[], cliProxyAt: number | undefined): number[] {
  const used = new Set(proxies.flatMap((p) => (p.explicitId === undefined ? [] : [p.explicitId])));
  const ids: number[] = [];
  let next = 1;
  proxies.forEach((p, i) => {
    if (i === cliProxyAt) next++;
    if (p.explicitId !== undefined) ids.push(p.explicitId);
    else {
      while (used.has(next)) next++;
      used.add(next);
      ids.push(next);
    }
    next++;
  });
  return ids;
}

/** Servers: explicit ids kept; others get the first free id from a counter that every server advances. */
export function assignServerIds(servers: readonly ServerDraft[]): number[] {
  const used = new Set(servers.flatMap((s) => (s.explicitId === undefined ? [] : [s.explicitId])));
  let next = 1;
  return servers.map((s) => {
    let id = s.explicitId;
    if (id === undefined) {
      while (used.has(next)) next++;
      used.add(next);
      id = next;
    }
    next++;
    return id;
  });
}

function findBackend(proxies: readonly Proxy[], name: string): Proxy | undefined {
  return proxies.find((p) => p.name === name && hasBackendCap(p.kind));
}

function checkTarget(px: Proxy, name: string, loc: SourceLoc, what: string, proxies: readonly Proxy[]): void {
  const target = findBackend(proxies, name);
  if (!target) {
    const isFrontend = proxies.some((p) => p.name === name && p.kind === 'frontend');
    px.report.error(loc, `unable to find required ${what}: '${name}'${isFrontend ? ` ('${name}' is a frontend)` : ''}`);
  } else if (target === px) {
    px.report.error(loc, `loop detected for ${what}: '${name}'`);
  } else if (target.mode !== px.mode && !(px.mode === 'tcp' && target.mode === 'http')) {
    // A tcp frontend may feed an http backend (configuration.txt 4); the reverse is refused.
    px.report.error(loc, `${px.mode} ${px.kind} '${px.name}' (${px.loc.file}:${px.loc.line}) tries to use incompatible ` +
      `${target.mode} ${target.kind} '${target.name}' (${target.loc.file}:${target.loc.line}) in '${what}' (see 'mode')`);
  }
}

function checkServerNames(px: Proxy): void {
  const seen = new Map<string, ServerDraft>();
  for (const s of px.servers) {
    if (s.explicitId !== undefined) continue; // HAProxy tolerates duplicates when ids tell them apart
    const other = seen.get(s.name);
    if (other) px.report.error(s.loc, `another server named '${s.name}' was already defined at line ${other.loc.line}, please use distinct names`);
    else seen.set(s.name, s);
  }
}

function checkProxy(px: Proxy, proxies: readonly Proxy[], global: GlobalDraft): void {
  const fe = hasFrontendCap(px.kind);
  const be = hasBackendCap(px.kind);
  // HAProxy only warns here; hapair refuses a frontend that cannot receive anything.
  if (fe && px.bindLines === 0) px.report.error(px.loc, "no 'bind' directive (declare it as a backend if this was intended)");
  if (fe && px.defaultBackend) {
    checkTarget(px, px.defaultBackend.name, px.defaultBackend.loc, 'default_backend', proxies);
    if (px.servers.length > 0) {
      px.report.warning(px.defaultBackend.loc, "the 'default_backend' rule always has precedence over the servers, which will never be used");
    }
  }
  if (fe) for (const rule of px.useBackends) checkTarget(px, rule.backend, rule.loc, 'use_backend', proxies);
  const t = px.timeouts;
  if ((fe && !t.client) || (be && px.servers.length > 0 && (!t.connect || (!t.server && (px.mode === 'http' || !t.tunnel))))) {
    px.report.warning(px.loc, "missing timeouts: ensure that all of 'timeout client', 'timeout connect' and 'timeout server' are set to a non-zero value");
  }
  const switches = px.defaultBackend !== undefined || px.useBackends.length > 0;
  if (be && px.servers.length === 0 && !(px.kind === 'listen' && switches)) {
    px.report.warning(px.loc, 'no server: every connection to this backend will fail');
  }
  checkServerNames(px);
  checkRuleTargets(px);
  const logsSomething = px.options.tcplog || px.options.httplog || px.options.httpslog || px.logFormat !== undefined;
  if (fe && logsSomething && px.logs.length === 0) px.report.warning(px.loc, 'log format ignored since the proxy has no log address');
  if (fe && px.logFormat !== undefined) checkLogFormat(px, px.logFormat);
  if (fe && px.uniqueIdFormat !== undefined) checkUniqueIdFormat(px, px.uniqueIdFormat);
  if (px.mode !== 'http') checkTcpMode(px);
  checkHealthChecks(px, proxies, global.sslServerVerify);
  if (fe) checkBindTls(px, global.bindTls);
}

/** HAProxy compiles `log-format` once the section's mode is known (cfgparse.c check_config_validity). */
function checkLogFormat(px: Proxy, fmt: { readonly text: string; readonly loc: SourceLoc }): void {
  const compiled = compileLogFormat(fmt.text, { mode: px.mode });
  if (!compiled.ok) px.report.error(fmt.loc, `failed to parse log-format : ${compiled.error}.`);
}

/** cfgparse.c: "failed to parse unique-id : ..." at the `unique-id-format` line (a defaults' when inherited). */
function checkUniqueIdFormat(px: Proxy, fmt: { readonly text: string; readonly loc: SourceLoc }): void {
  const compiled = compileLogFormat(fmt.text, { mode: px.mode, mandatory: false });
  if (!compiled.ok) px.report.error(fmt.loc, `failed to parse unique-id : ${compiled.error}.`);
}

/** HTTP-only settings in a tcp proxy: HAProxy warns and ignores them (proxy.c proxy_cfg_ensure_no_http). */
function checkTcpMode(px: Proxy): void {
  if (hasBackendCap(px.kind) && px.cookie !== undefined) px.report.warning(px.loc, `cookie will be ignored for ${px.kind} '${px.name}' (needs 'mode http').`);
  if (hasFrontendCap(px.kind) && px.monitorUri !== undefined) px.report.warning(px.loc, `monitor-uri will be ignored for ${px.kind} '${px.name}' (needs 'mode http').`);
  for (const s of px.servers) {
    if (s.cookie !== undefined) px.report.warning(s.loc, `ignoring cookie for server '${s.name}' as HTTP mode is disabled`);
  }
  if (hasBackendCap(px.kind) && LAYER7_ALGORITHMS.has(px.balance.algorithm)) {
    px.report.warning(px.loc, `Layer 7 hash not possible for ${px.kind} '${px.name}' (needs 'mode http'). Falling back to round robin.`);
  }
  const httpFormat = hasFrontendCap(px.kind) ? httpLogOption(px) : undefined;
  if (httpFormat !== undefined) {
    px.report.warning(px.logOptionLoc ?? px.loc, `'${httpFormat}' not usable with ${px.kind === 'listen' ? 'proxy' : px.kind} '${px.name}' (needs 'mode http'). Falling back to 'option tcplog'.`);
  }
  // cfgparse.c: an option of cfg_opts marked PR_MODE_HTTP; of the HTTP options only this one is warned about.
  if (px.options['http-buffer-request'] === true) {
    px.report.warning(px.loc, `'option http-buffer-request' ignored for ${px.kind === 'listen' ? 'proxy' : px.kind} '${px.name}' as it requires HTTP mode.`);
  }
}

/** The HTTP log option in effect, as HAProxy names it in its mode tcp warning (`clf` included in 'option httplog'). */
function httpLogOption(px: Proxy): string | undefined {
  if (px.logFormat !== undefined) return undefined;
  return px.options.httplog ? 'option httplog' : px.options.httpslog ? 'option httpslog' : undefined;
}

/** proxy.c proxy_cfg_ensure_no_http: a tcp frontend's `option httplog [clf]` or `httpslog` logs as `option tcplog`. */
function effectiveOptions(px: Proxy): ProxySpec['options'] {
  if (px.mode === 'http' || !hasFrontendCap(px.kind) || httpLogOption(px) === undefined) return { ...px.options };
  const { httplog: _h, httpslog: _s, ...rest } = px.options;
  return { ...rest, tcplog: true };
}

function buildServer(s: ServerDraft, id: number): ServerSpec {
  // HAProxy: minconn above maxconn raises maxconn; a maxconn without minconn sets minconn to it.
  const maxconn = s.minconn > s.maxconn ? s.minconn : s.maxconn;
  const minconn = s.maxconn > 0 && s.minconn === 0 ? s.maxconn : s.minconn;
  return {
    name: s.name, id, host: s.host,
    ...(s.port !== undefined ? { port: s.port } : {}),
    ...(s.portOffset !== undefined ? { portOffset: s.portOffset } : {}),
    weight: s.weight, backup: s.backup, maxconn, minconn, maxqueue: s.maxqueue, disabled: s.disabled,
    ...(s.cookie !== undefined ? { cookie: s.cookie } : {}),
    params: { ...s.params },
    loc: s.loc,
  };
}

function buildProxy(px: Proxy, id: number): ProxySpec {
  const serverIds = assignServerIds(px.servers);
  const timeouts = { ...px.timeouts };
  // HAProxy: the queue timeout defaults to the connect timeout (check_config_validity).
  if (hasBackendCap(px.kind) && timeouts.queue === undefined && timeouts.connect !== undefined) timeouts.queue = timeouts.connect;
  // The tarpit timeout too, in any section (a frontend has no connect timeout: no wait there).
  if (timeouts.tarpit === undefined && timeouts.connect !== undefined) timeouts.tarpit = timeouts.connect;
  const stats = buildStats(px);
  const rules = buildRules(px);
  return {
    kind: px.kind, name: px.name, id, mode: px.mode, disabled: px.disabled,
    binds: px.binds,
    servers: px.servers.map((s, i) => buildServer(s, serverIds[i])),
    ...(px.cookie !== undefined && px.mode === 'http' ? { cookie: px.cookie } : {}),
    balance: px.mode !== 'http' && LAYER7_ALGORITHMS.has(px.balance.algorithm) ? { ...px.balance, algorithm: 'roundrobin', args: [] } : { ...px.balance },
    ...(px.maxconn !== undefined ? { maxconn: px.maxconn } : {}),
    timeouts,
    retries: px.retries,
    ...(px.redispatch ? { redispatch: px.redispatch } : {}),
    ...(px.retryOn !== undefined && hasBackendCap(px.kind) ? { retryOn: px.retryOn } : {}),
    options: effectiveOptions(px),
    logs: [...px.logs],
    ...(px.defaultBackend ? { defaultBackend: px.defaultBackend.name } : {}),
    useBackends: px.useBackends,
    ...(px.description !== undefined ? { description: px.description } : {}),
    ...(px.logFormat !== undefined && hasFrontendCap(px.kind) ? { logFormat: px.logFormat.text } : {}),
    ...(px.httplogClf === true && px.options.httplog === true && px.mode === 'http' && hasFrontendCap(px.kind) ? { httplogClf: true } : {}),
    ...(px.uniqueIdFormat !== undefined && hasFrontendCap(px.kind) ? { uniqueIdFormat: px.uniqueIdFormat.text } : {}),
    ...(px.uniqueIdHeader !== undefined && hasFrontendCap(px.kind) ? { uniqueIdHeader: px.uniqueIdHeader } : {}),
    ...(px.sendNameHeader !== undefined && hasBackendCap(px.kind) ? { sendNameHeader: px.sendNameHeader } : {}),
    ...(stats !== undefined ? { stats } : {}),
    ...(px.monitorUri !== undefined && px.mode === 'http' && hasFrontendCap(px.kind) ? { monitor: { uri: px.monitorUri, fail: [...px.monitorFail] } } : {}),
    ...(rules !== undefined ? { rules } : {}),
    ...(px.errorEntries.length > 0 ? { errorEntries: px.errorEntries } : {}),
    ...(px.compression !== undefined && px.mode === 'http' ? { compression: px.compression } : {}),
    lines: px.lines,
    ...(px.defaultsLines !== undefined && px.defaultsLines.length > 0 ? { defaultsLines: px.defaultsLines } : {}),
    ...(px.defaultsChain !== undefined && px.defaultsLines !== undefined && px.defaultsLines.length > 0 ? { defaultsChain: px.defaultsChain } : {}),
    loc: px.loc,
  };
}

function buildGlobal(g: GlobalDraft): GlobalSpec {
  return {
    maxconn: g.maxconn ?? DEFAULT_GLOBAL_MAXCONN,
    logs: g.logs,
    ...(g.localpeer !== undefined ? { localpeer: g.localpeer } : {}),
    statsSockets: g.statsSockets,
    statsTimeout: g.statsTimeout ?? DEFAULT_STATS_TIMEOUT_MS,
    daemon: g.daemon,
    ...(g.pidfile !== undefined ? { pidfile: g.pidfile } : {}),
    nbthread: g.nbthread ?? 1,
    ...(g.logTag !== undefined ? { logTag: g.logTag } : {}),
    ...(g.logSendHostname !== undefined ? { logSendHostname: g.logSendHostname } : {}),
    ...(g.serverStateFile !== undefined ? { serverStateFile: g.serverStateFile } : {}),
    ...(g.serverStateBase !== undefined ? { serverStateBase: g.serverStateBase } : {}),
    ...(g.sslServerVerify !== undefined ? { sslServerVerify: g.sslServerVerify } : {}),
    lines: g.lines,
    ...(g.loc ? { loc: g.loc } : {}),
  };
}

function deepFreeze<T>(value: T): T {
  // Error pages are Buffers, which cannot be frozen (their bytes stay as read).
  if (value && typeof value === 'object' && !Object.isFrozen(value) && !ArrayBuffer.isView(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export interface FinalizeInput {
  readonly files: readonly string[];
  readonly global: GlobalDraft;
  readonly proxies: readonly Proxy[];
  readonly extraSections: readonly ExtraSection[];
  readonly diagnostics: Diagnostics;
}

/** Run the whole-config checks; returns the frozen model, or undefined when any error was reported. */
export function finalizeConfig(input: FinalizeInput): HapairConfig | undefined {
  const { proxies } = input;
  for (const px of proxies) if (!px.disabled) checkProxy(px, proxies, input.global);
  if (input.diagnostics.errorCount > 0) return undefined;
  const ids = assignProxyIds(proxies, input.global.cliProxyAt);
  return deepFreeze({
    files: [...input.files],
    global: buildGlobal(input.global),
    proxies: proxies.map((px, i) => buildProxy(px, ids[i])),
    extraSections: [...input.extraSections],
  });
}
