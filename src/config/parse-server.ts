// `server NAME ADDR[:PORT] [param*]` and `default-server [param*]` (configuration.txt 4.2 "server",
// 5.2; server.c parse_server). A server starts from the `default-server` settings in effect when it is
// declared (srv_settings_cpy), then applies its own keywords left to right.
import { parseServerAddress } from './address.ts';
import { didYouMean } from './did-you-mean.ts';
import { notSupportedYet, type ServerKeywordEntry } from './keywords/keywords.ts';
import { SERVER_KEYWORD_INDEX } from './keywords/server.ts';
import type { Env } from './lexer.ts';
import type { ConfigLine } from './model.ts';
import { copyServerDefaults, type ProxyDraft, type ServerDefaults, type ServerDraft } from './proxy-draft.ts';
import { parseInteger } from './units.ts';

/** HAProxy invalid_char(): names are made of letters, digits, '-', '_', '.' and ':'. */
export function invalidNameChar(name: string): string | undefined {
  return /[^A-Za-z0-9_.:-]/.exec(name)?.[0];
}

/** Keywords stored as ServerSpec fields; every other keyword goes to ServerSpec.params with its words. */
export const MODELLED_SERVER_KEYWORDS: ReadonlySet<string> = new Set([
  'weight', 'backup', 'no-backup', 'maxconn', 'minconn', 'maxqueue', 'disabled', 'enabled', 'id', 'cookie',
]);

/** HAProxy SRV_UWGHT_MAX. */
export const MAX_WEIGHT = 256;

/** Words taken by a keyword: `source <addr> [usesrc <addr>] [interface <name>]` is variable. */
function argCount(entry: ServerKeywordEntry, a: readonly string[], i: number): number {
  if (entry.args !== 'source') return entry.args;
  let n = 1;
  while (a[i + 1 + n] === 'usesrc' || a[i + 1 + n] === 'interface') n += 2;
  return n;
}

interface Target {
  readonly who: string;
  readonly settings: ServerDefaults & { explicitId?: number };
  readonly isDefault: boolean;
}

function applySupported(t: Target, kw: string, v: string, draft: ProxyDraft): string | undefined {
  const s = t.settings;
  const int = (min: number, max?: number): number | string => {
    const n = parseInteger(v, { min, max });
    return n.ok ? n.value : `'${kw}' : ${n.error}`;
  };
  switch (kw) {
    case 'backup': s.backup = true; return;
    case 'no-backup': s.backup = false; return;
    case 'disabled': s.disabled = true; return;
    case 'enabled': s.disabled = false; return;
    case 'cookie': s.cookie = v; return;
    case 'weight': {
      const n = int(0, MAX_WEIGHT);
      if (typeof n === 'string') return n;
      s.weight = n;
      return;
    }
    case 'maxconn':
    case 'minconn':
    case 'maxqueue': {
      const n = int(0);
      if (typeof n === 'string') return n;
      s[kw] = n;
      return;
    }
    case 'id':
      return applyId(t, int(1), draft);
  }
  throw new Error(`server keyword '${kw}' is in MODELLED_SERVER_KEYWORDS but has no parser`);
}

function applyId(t: Target, n: number | string, draft: ProxyDraft): string | undefined {
  if (typeof n === 'string') return n.includes('must be') ? "'id' : custom id has to be > 0" : n;
  const other = draft.servers.find((srv) => srv.explicitId === n);
  if (other) return `'id' : custom id ${n} already used at ${other.loc.file}:${other.loc.line} ('server ${other.name}')`;
  t.settings.explicitId = n;
  return undefined;
}

/** Walk the keywords from index `start`; every problem is reported, planned keywords are kept in params. */
function parseKeywords(t: Target, line: ConfigLine, start: number, draft: ProxyDraft): void {
  const a = line.args;
  const report = draft.report;
  for (let i = start; i < a.length;) {
    const kw = a[i];
    const entry = SERVER_KEYWORD_INDEX.get(kw);
    if (!entry) {
      // HAProxy's hint: a default-server line takes no address.
      const hint = t.isDefault ? ' (no address is expected on a default-server line)' : '';
      report.error(line.loc, `${t.who}: unknown keyword '${kw}'${didYouMean(kw, SERVER_KEYWORD_INDEX.keys())}${hint}`);
      return; // the following words cannot be told apart from arguments
    }
    const n = argCount(entry, a, i);
    const args = a.slice(i + 1, i + 1 + n);
    if (args.length < n) {
      report.error(line.loc, `${t.who}: '${kw}' expects <value> as argument`);
      return;
    }
    i += 1 + n;
    if (t.isDefault && !entry.defaultServer) {
      report.error(line.loc, `${t.who}: '${kw}' option is not accepted in default-server sections`);
      continue;
    }
    if (!MODELLED_SERVER_KEYWORDS.has(kw)) t.settings.params[kw] = args;
    if (entry.status === 'planned') {
      report.error(line.loc, `${t.who}: ${notSupportedYet(kw)}`);
      continue;
    }
    if (!MODELLED_SERVER_KEYWORDS.has(kw)) continue; // supported and read from params by its module
    const problem = applySupported(t, kw, args[0] ?? '', draft);
    if (problem) report.error(line.loc, `${t.who}: ${problem}`);
  }
}

/** `default-server` updates the proxy's server defaults for the servers that follow. */
export function parseDefaultServerLine(line: ConfigLine, draft: ProxyDraft): void {
  const settings = copyServerDefaults(draft.defaultServer);
  parseKeywords({ who: 'default-server', settings, isDefault: true }, line, 1, draft);
  draft.defaultServer = settings;
}

/** `server` adds a server (even when some keywords are refused, so later checks do not cascade). */
export function parseServerLine(line: ConfigLine, draft: ProxyDraft, env: Env): void {
  const a = line.args;
  const report = draft.report;
  if (a.length < 3) {
    report.error(line.loc, "'server' expects <name> and <addr>[:<port>] as arguments");
    return;
  }
  const name = a[1];
  const who = `server '${name}'`;
  const bad = invalidNameChar(name);
  if (bad !== undefined) report.error(line.loc, `character '${bad}' is not permitted in server name '${name}'`);
  const address = parseServerAddress(a[2], env);
  if (!address.ok) report.error(line.loc, `${who}: ${address.error}`);
  const settings: ServerDefaults & { explicitId?: number } = copyServerDefaults(draft.defaultServer);
  parseKeywords({ who, settings, isDefault: false }, line, 3, draft);
  const server: ServerDraft = {
    ...settings,
    name,
    host: address.ok ? address.value.host : a[2],
    ...(address.ok && address.value.port !== undefined ? { port: address.value.port } : {}),
    ...(address.ok && address.value.portOffset !== undefined ? { portOffset: address.value.portOffset } : {}),
    loc: line.loc,
  };
  draft.servers.push(server);
}
