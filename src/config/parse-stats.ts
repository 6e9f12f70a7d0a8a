// `stats <keyword>` lines of proxy and defaults sections: the stats page settings (HAProxy's
// uri_auth; configuration.txt 4.2 "stats admin" ... "stats uri", cfgparse-listen.c "stats").
import type { Condition } from '../acl/acl.ts';
import type { ConfigLine, SourceLoc, StatsHttpRequestRule, StatsSpec } from './model.ts';
import { parseCondition } from './parse-acl.ts';
import type { ProxyParseContext } from './parse-proxy.ts';
import type { Mutable, ProxyDraft } from './proxy-draft.ts';
import { parseDuration } from './units.ts';

/** configuration.txt 4.2 "stats enable": the built-in defaults. */
export const STATS_DEFAULT_URI = '/haproxy?stats';
export const STATS_DEFAULT_REALM = 'HAProxy Statistics';

export type StatsDraft = Omit<Mutable<StatsSpec>, 'auth' | 'admin' | 'scope' | 'httpRequest'> & {
  auth: { user: string; password: string }[];
  admin: { condition: Condition; loc: SourceLoc }[];
  scope: string[];
  httpRequest: StatsHttpRequestRule[];
};

function newStats(loc: SourceLoc): StatsDraft {
  return { uri: STATS_DEFAULT_URI, auth: [], admin: [], refresh: 0, scope: [], hideVersion: false, showLegends: false, httpRequest: [], loc };
}

/**
 * The draft's own stats settings. A section inherits its defaults' stats page until its first
 * `stats` line, which starts a fresh one (cfgparse-listen.c: "we must detach from the default config").
 */
function ownStats(d: ProxyDraft, loc: SourceLoc): StatsDraft {
  if (d.stats === undefined || !d.statsOwn) {
    d.stats = newStats(loc);
    d.statsOwn = true;
  }
  return d.stats;
}

function statsHttpRequest(d: ProxyDraft, s: StatsDraft, line: ConfigLine, ctx: ProxyParseContext): void {
  const action = line.args[2];
  if (action !== 'allow' && action !== 'deny' && action !== 'auth') {
    return d.report.error(line.loc, `'stats http-request' expects 'allow', 'deny', 'auth' (got '${action ?? ''}')`);
  }
  let at = 3;
  let realm: string | undefined;
  if (action === 'auth' && line.args[3] === 'realm') {
    realm = line.args[4];
    if (realm === undefined) return d.report.error(line.loc, "'stats http-request auth realm' expects a realm name");
    at = 5;
  }
  const word = line.args[at];
  if (word !== undefined && word !== 'if' && word !== 'unless') {
    return d.report.error(line.loc, `'stats http-request ${action}' expects 'if' or 'unless' followed by a condition (got '${word}')`);
  }
  const cond = word === undefined ? undefined : parseCondition(d, line.args.slice(at), ctx, line.loc, "error detected while parsing a 'stats http-request' rule : ");
  if (word !== undefined && cond === undefined) return;
  const last = s.httpRequest.at(-1);
  if (last !== undefined && last.condition === undefined) {
    d.report.warning(line.loc, "previous 'stats' action has no condition attached, further entries are NOOP");
  }
  s.httpRequest.push({ action, ...(realm !== undefined ? { realm } : {}), ...(cond ? { condition: cond } : {}), loc: line.loc });
}

function statsAdmin(d: ProxyDraft, s: StatsDraft, line: ConfigLine, ctx: ProxyParseContext): void {
  if (line.args[2] !== 'if' && line.args[2] !== 'unless') {
    return d.report.error(line.loc, "'stats admin' requires either 'if' or 'unless' followed by a condition");
  }
  const cond = parseCondition(d, line.args.slice(2), ctx, line.loc, "error detected while parsing a 'stats admin' rule : ");
  if (cond !== undefined) s.admin.push({ condition: cond, loc: line.loc });
}

function needsArg(d: ProxyDraft, line: ConfigLine, what: string): string | undefined {
  const v = line.args[2];
  if (v === undefined || v === '') d.report.error(line.loc, `'stats ${line.args[1]}' needs ${what}`);
  return v === '' ? undefined : v;
}

function statsRefresh(d: ProxyDraft, s: StatsDraft, line: ConfigLine): void {
  const v = needsArg(d, line, 'a delay');
  if (v === undefined) return;
  // The unit defaults to seconds (configuration.txt 4.2 "stats refresh").
  const secs = parseDuration(v, 's');
  if (!secs.ok) return d.report.error(line.loc, `invalid 'stats refresh' delay '${v}': ${secs.error}`);
  s.refresh = secs.value;
}

function statsAuth(d: ProxyDraft, s: StatsDraft, line: ConfigLine): void {
  const v = needsArg(d, line, 'a user:password account');
  if (v === undefined) return;
  const colon = v.indexOf(':');
  if (colon < 0) return d.report.error(line.loc, `'stats auth' expects '<user>:<password>' (got '${v}')`);
  s.auth.push({ user: v.slice(0, colon), password: v.slice(colon + 1) });
}

function statsShowNode(d: ProxyDraft, s: StatsDraft, line: ConfigLine): void {
  const name = line.args[2] ?? '';
  if (name !== '' && !/^[A-Za-z0-9_.-]+$/.test(name)) {
    return d.report.error(line.loc, "'stats show-node' invalid node name - should be a string with digits(0-9), letters(A-Z, a-z), hyphen(-) or underscode(_)");
  }
  s.showNode = name;
}

/** Parse one `stats <keyword> ...` line (the keyword table already checked the section). */
export function parseStatsLine(d: ProxyDraft, line: ConfigLine, ctx: ProxyParseContext): void {
  const s = ownStats(d, line.loc);
  switch (line.args[1]) {
    case 'enable':
      return;
    case 'admin':
      return statsAdmin(d, s, line, ctx);
    case 'http-request':
      return statsHttpRequest(d, s, line, ctx);
    case 'uri': {
      const v = needsArg(d, line, 'a URI prefix');
      if (v !== undefined) s.uri = v;
      return;
    }
    case 'realm': {
      const v = needsArg(d, line, 'a realm name');
      if (v !== undefined) s.realm = v;
      return;
    }
    case 'refresh':
      return statsRefresh(d, s, line);
    case 'auth':
      return statsAuth(d, s, line);
    case 'scope': {
      const v = needsArg(d, line, 'a proxy name');
      if (v !== undefined) s.scope.push(v);
      return;
    }
    case 'hide-version':
      s.hideVersion = true;
      return;
    case 'show-legends':
      s.showLegends = true;
      return;
    case 'show-node':
      return statsShowNode(d, s, line);
    case 'show-desc':
      s.showDesc = line.args.slice(2).join(' ');
      return;
  }
}

/**
 * The proxy's stats page for the model, or undefined. A tcp proxy's is ignored with HAProxy's
 * warning (cfgparse.c check_config_validity); `stats auth`/`realm` with `stats http-request` is
 * HAProxy's error.
 */
export function buildStats(d: ProxyDraft): StatsSpec | undefined {
  const s = d.stats;
  if (s === undefined) return undefined;
  if (d.mode !== 'http') {
    d.report.warning(d.loc, `'stats' statement ignored for ${d.kind === 'listen' ? 'proxy' : d.kind} '${d.name}' as it requires HTTP mode`);
    return undefined;
  }
  if (s.httpRequest.length > 0 && (s.auth.length > 0 || s.realm !== undefined)) {
    d.report.error(d.loc, "stats 'auth'/'realm' and 'http-request' can't be used at the same time");
  }
  // "stats scope ." designates the proxy serving the page (stats.c: `px == s->be`).
  const scope = s.scope.map((n) => (n === '.' ? d.name : n));
  return { ...s, auth: [...s.auth], admin: [...s.admin], scope, httpRequest: [...s.httpRequest] };
}
