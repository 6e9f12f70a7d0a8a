// Keyword lines of `global` sections (cfgparse-global.c, cli.c "stats"). Several global sections
// merge; a value set twice keeps the first one with HAProxy's "already specified" notice.
import { hostname } from 'node:os';
import { didYouMean } from './did-you-mean.ts';
import type { SectionReporter } from './diagnostics.ts';
import { GLOBAL_KEYWORD_INDEX, GLOBAL_KEYWORDS, GLOBAL_REMOVED } from './keywords/global.ts';
import { notSupportedYet } from './keywords/keywords.ts';
import { SECTIONS } from './keywords/sections.ts';
import type { Env } from './lexer.ts';
import type { ConfigLine, LogTarget, SourceLoc, StatsSocketSpec } from './model.ts';
import { newBindTlsDraft, parseDefaultBindOptions, type BindTlsDraft } from './bind-tls.ts';
import { parseListenerLine } from './parse-bind.ts';
import { parseLogTarget } from './parse-log.ts';
import { parseDuration, parseInteger } from './units.ts';

export interface GlobalDraft {
  maxconn?: number;
  logs: LogTarget[];
  localpeer?: string;
  statsSockets: StatsSocketSpec[];
  statsTimeout?: number;
  daemon: boolean;
  pidfile?: string;
  nbthread?: number;
  logTag?: string;
  logSendHostname?: string;
  serverStateFile?: string;
  serverStateBase?: string;
  sslServerVerify?: 'none' | 'required';
  /** `crt-base`, `ca-base`, `ssl-default-bind-*`: defaults of `bind ... ssl` lines. */
  bindTls: { crtBase?: string; caBase?: string; ciphers?: string; ciphersuites?: string; curves?: string; options?: BindTlsDraft };
  lines: ConfigLine[];
  loc?: SourceLoc;
  /**
   * Number of proxies declared before the first `stats` line: HAProxy then creates its GLOBAL CLI
   * proxy (cli.c cli_alloc_fe), which takes a place in the proxy list and shifts automatic ids.
   */
  cliProxyAt?: number;
}

export interface GlobalParseContext {
  readonly env: Env;
  readonly report: SectionReporter;
  /** Proxies declared so far, to place the GLOBAL CLI proxy. */
  readonly proxiesSoFar: number;
  /** Value of `log-send-hostname` without argument (the system hostname). */
  readonly hostname?: string;
}

export function newGlobalDraft(): GlobalDraft {
  return { logs: [], statsSockets: [], daemon: false, bindTls: {}, lines: [] };
}

type Handler = (g: GlobalDraft, line: ConfigLine, ctx: GlobalParseContext) => void;

const KEYWORD_CANDIDATES = [...new Set([...GLOBAL_KEYWORDS.map((e) => e.name.split(' ')[0]), ...SECTIONS.map((e) => e.name)])];
/** Keywords accepting `no`/`default` in global (cfgparse.c readcfgfile). */
const NEGATABLE = new Set(['log', 'busy-polling', 'set-dumpable', 'strict-limits', 'insecure-fork-wanted', 'numa-cpu-mapping']);

function tooMany(line: ConfigLine, max: number, report: SectionReporter, words = 1): boolean {
  const extra = line.args[words + max];
  if (extra === undefined) return false;
  report.error(line.loc, `'${line.args.slice(0, words).join(' ')}' cannot handle unexpected argument '${extra}'`);
  return true;
}

/** A string setting given once: a second one is ignored with HAProxy's notice. */
function once(field: 'pidfile' | 'logTag' | 'serverStateFile' | 'serverStateBase' | 'localpeer', what: string, repeatOk = false): Handler {
  return (g, line, { report }) => {
    if (tooMany(line, 1, report)) return;
    const v = line.args[1];
    if (v === undefined) return report.error(line.loc, `'${line.args[0]}' expects ${what} as an argument`);
    if (g[field] !== undefined && !repeatOk) return report.warning(line.loc, `'${line.args[0]}' already specified. Continuing.`);
    g[field] = v;
  };
}

const maxconn: Handler = (g, line, { report }) => {
  if (tooMany(line, 1, report)) return;
  if (g.maxconn !== undefined) return report.warning(line.loc, "'maxconn' already specified. Continuing.");
  const n = parseInteger(line.args[1] ?? '', { min: 0 });
  if (!n.ok) return report.error(line.loc, `'maxconn' expects an integer argument: ${n.error}`);
  if (n.value > 0) g.maxconn = n.value; // 0 means "automatic", like unset
};

const log: Handler = (g, line, { env, report }) => {
  if (line.args[1] === 'global' && line.args.length === 2) return report.error(line.loc, "'log global' is not supported for a global syslog server");
  const t = parseLogTarget(line, env, true);
  if (!t.ok) report.error(line.loc, t.error);
  else g.logs.push(t.value);
};

const nbthread: Handler = (g, line, { report }) => {
  if (tooMany(line, 1, report)) return;
  const n = parseInteger(line.args[1] ?? '', { min: 1, max: 64 });
  if (!n.ok) return report.error(line.loc, `'nbthread' value must be between 1 and 64: ${n.error}`);
  g.nbthread = n.value;
};

const logSendHostname: Handler = (g, line, { report, hostname: host }) => {
  if (tooMany(line, 1, report)) return;
  if (g.logSendHostname !== undefined) return report.warning(line.loc, "'log-send-hostname' already specified. Continuing.");
  g.logSendHostname = line.args[1] ?? host ?? hostname();
};

const statsSocket: Handler = (g, line, { env, report }) => {
  const parsed = parseListenerLine(line, 2, env, report, true);
  if (!parsed) return;
  const { spec, level } = parsed;
  for (const address of spec.addresses) {
    g.statsSockets.push({
      address, level, raw: spec.raw, loc: line.loc,
      ...(spec.mode !== undefined ? { mode: spec.mode } : {}),
      ...(spec.user !== undefined ? { user: spec.user } : {}),
      ...(spec.group !== undefined ? { group: spec.group } : {}),
    });
  }
};

const statsTimeout: Handler = (g, line, { report }) => {
  if (tooMany(line, 1, report, 2)) return;
  const v = line.args[2];
  if (v === undefined) return report.error(line.loc, "'stats timeout' expects a positive value");
  const ms = parseDuration(v);
  if (!ms.ok) return report.error(line.loc, `'stats timeout' : invalid value '${v}': ${ms.error}`);
  if (ms.value === 0) return report.error(line.loc, "'stats timeout' expects a positive value");
  g.statsTimeout = ms.value;
};

/** `ssl-server-verify none|required` (cfgparse-global.c); a later line overrides an earlier one. */
const sslServerVerify: Handler = (g, line, { report }) => {
  if (tooMany(line, 1, report)) return;
  const v = line.args[1];
  if (v === undefined || v === '') return report.error(line.loc, "'ssl-server-verify' expects an integer argument.");
  if (v !== 'none' && v !== 'required') return report.error(line.loc, "'ssl-server-verify' expects 'none' or 'required' as argument.");
  g.sslServerVerify = v;
};

/** `crt-base DIR`, `ca-base DIR` (cfgparse-ssl.c ssl_parse_global_ca_crt_base): once only. */
function tlsBase(field: 'crtBase' | 'caBase'): Handler {
  return (g, line, { report }) => {
    if (tooMany(line, 1, report)) return;
    if (g.bindTls[field] !== undefined) return report.error(line.loc, `'${line.args[0]}' already specified.`);
    const v = line.args[1];
    if (!v) return report.error(line.loc, `global statement '${line.args[0]}' expects a directory path as an argument.`);
    g.bindTls[field] = v;
  };
}

/** `ssl-default-bind-ciphers|ciphersuites|curves LIST`: a later line replaces an earlier one. */
function tlsDefault(field: 'ciphers' | 'ciphersuites' | 'curves', what: string): Handler {
  return (g, line, { report }) => {
    if (tooMany(line, 1, report)) return;
    const v = line.args[1];
    if (!v) return report.error(line.loc, `global statement '${line.args[0]}' expects ${what} as an argument.`);
    g.bindTls[field] = v;
  };
}

/** `ssl-default-bind-options OPTION...`: options add up over lines. */
const sslDefaultBindOptions: Handler = (g, line, { report }) => {
  const d = (g.bindTls.options ??= newBindTlsDraft());
  const problem = parseDefaultBindOptions(line.args.slice(1), d, line.args[0]);
  if (problem) report.error(line.loc, problem);
};

const HANDLERS: Readonly<Record<string, Handler>> = {
  maxconn,
  log,
  localpeer: once('localpeer', 'a name', true),
  'stats socket': statsSocket,
  'stats timeout': statsTimeout,
  daemon: (g, line, { report }) => {
    if (!tooMany(line, 0, report)) g.daemon = true;
  },
  pidfile: once('pidfile', 'a file name'),
  nbthread,
  'log-tag': once('logTag', 'a tag for use in syslog', true),
  'log-send-hostname': logSendHostname,
  'server-state-file': once('serverStateFile', 'a file path'),
  'server-state-base': once('serverStateBase', 'a directory path'),
  'ssl-server-verify': sslServerVerify,
  'crt-base': tlsBase('crtBase'),
  'ca-base': tlsBase('caBase'),
  'ssl-default-bind-ciphers': tlsDefault('ciphers', 'a cipher suite'),
  'ssl-default-bind-ciphersuites': tlsDefault('ciphersuites', 'a cipher suite'),
  'ssl-default-bind-curves': tlsDefault('curves', 'a curves suite'),
  'ssl-default-bind-options': sslDefaultBindOptions,
};

/** Supported global keywords that have a parser (a test checks it equals the table's supported set). */
export const GLOBAL_PARSERS: ReadonlySet<string> = new Set(Object.keys(HANDLERS));

function lookupKey(line: ConfigLine, report: SectionReporter): string | undefined {
  const [first, second] = line.args;
  const removed = GLOBAL_REMOVED.get(first);
  if (removed) return void report.error(line.loc, removed);
  if (first === 'stats') {
    const key = `stats ${second ?? ''}`;
    if (GLOBAL_KEYWORD_INDEX.has(key)) return key;
    const subs = ['socket', 'timeout', 'maxconn', 'bind-process'];
    return void report.error(line.loc, `'stats' only supports 'socket', 'maxconn', 'bind-process' and 'timeout' (got '${second ?? ''}')${didYouMean(second ?? '', subs)}`);
  }
  if (GLOBAL_KEYWORD_INDEX.has(first)) return first;
  return void report.error(line.loc, `unknown keyword '${first}'${didYouMean(first, KEYWORD_CANDIDATES)}`);
}

/** Parse one line of a global section. */
export function parseGlobalLine(g: GlobalDraft, original: ConfigLine, ctx: GlobalParseContext): void {
  g.lines.push(original);
  let line = original;
  let negated = false;
  if (line.args[0] === 'no' || line.args[0] === 'default') {
    const rest = line.args.slice(1);
    if (!NEGATABLE.has(rest[0] ?? '')) {
      return ctx.report.error(line.loc,
        'negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping');
    }
    negated = line.args[0] === 'no';
    line = { args: rest, loc: line.loc };
  }
  const key = lookupKey(line, ctx.report);
  if (key === undefined) return;
  if (key.startsWith('stats ')) g.cliProxyAt ??= ctx.proxiesSoFar;
  const entry = GLOBAL_KEYWORD_INDEX.get(key);
  if (entry?.status !== 'supported') return ctx.report.error(line.loc, notSupportedYet(key));
  if (key === 'log' && negated) {
    if (line.args.length > 1) return ctx.report.error(line.loc, "'no log' does not expect arguments");
    g.logs = [];
    return;
  }
  HANDLERS[key](g, line, ctx);
}
