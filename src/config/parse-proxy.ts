// Keyword lines of `defaults`, `frontend`, `listen` and `backend` sections (cfgparse-listen.c
// cfg_parse_listen). Each line is looked up in the keyword tables: unknown → did-you-mean, planned →
// "not supported yet", wrong section → HAProxy's error or "ignored" warning, supported → its parser.
import { parseIpNet } from '../acl/ip.ts';
import { didYouMean } from './did-you-mean.ts';
import { notSupportedYet, type ProxyKeywordEntry } from './keywords/keywords.ts';
import { OPTION_INDEX, OPTION_REMOVED } from './keywords/options.ts';
import { PROXY_COMPOUND_PREFIXES, PROXY_KEYWORD_INDEX, PROXY_KEYWORDS, PROXY_REMOVED } from './keywords/proxy.ts';
import { SECTIONS } from './keywords/sections.ts';
import type { Env } from './lexer.ts';
import type { ConfigLine, LogTarget } from './model.ts';
import { parseBalance, parseHashType } from './parse-balance.ts';
import { parseCookie } from './parse-cookie.ts';
import { parseListenerLine } from './parse-bind.ts';
import { parseLogTarget } from './parse-log.ts';
import { parseDefaultServerLine, parseServerLine } from './parse-server.ts';
import { parseStatsLine } from './parse-stats.ts';
import { parseMonitorLine, parseMonitorUriLine } from './parse-monitor.ts';
import { parseCompressionLine } from './parse-compression.ts';
import { parseRetryOn, retryOnFrontendError } from './parse-retry-on.ts';
import type { DraftKind, ProxyDraft } from './proxy-draft.ts';
import type { UserlistRegistry } from './parse-userlist.ts';
import { atol, loadErrorfile, type HttpErrorsRegistry } from './parse-http-errors.ts';
import { ERROR_CODES, errorlocPage } from '../http/error-pages.ts';
import type { BackendReferences } from './backend-refs.ts';
import { parseUseBackend } from './parse-acl.ts';
import { RULE_HANDLERS } from './parse-http-rules.ts';
import { parseDuration, parseInteger } from './units.ts';

export interface ProxyParseContext {
  readonly env: Env;
  /** Global log targets parsed so far: `log global` copies them at this point, like HAProxy. */
  readonly globalLogs: () => readonly LogTarget[];
  /** Explicit proxy ids taken so far (HAProxy checks duplicates while parsing `id`). */
  readonly usedIds: Map<number, ProxyDraft>;
  /** `userlist` sections of the configuration, for `http_auth(L)` references (parse-userlist.ts). */
  readonly userlists?: UserlistRegistry;
  /** `http-errors` sections, for `errorfiles NAME` and http replies (parse-http-errors.ts). */
  readonly httpErrors?: HttpErrorsRegistry;
  /** Backends named by fetch arguments (`nbsrv(BE)`), checked once every section is read. */
  readonly backendRefs?: BackendReferences;
}

type Modifier = 'no' | 'default' | undefined;
type Handler = (d: ProxyDraft, line: ConfigLine, ctx: ProxyParseContext, kwm: Modifier) => void;

const SECTION_LETTER: Readonly<Record<DraftKind, string>> = { defaults: 'd', frontend: 'f', listen: 'l', backend: 'b' };

/** Keywords whose use in a proxy lacking the capability is an error, not HAProxy's "ignored" warning. */
const CAPABILITY_ERRORS = new Set(['server', 'default-server', 'bind']);

const KEYWORD_CANDIDATES = [
  ...new Set([...PROXY_KEYWORDS.map((e) => e.name.split(' ')[0]), ...SECTIONS.map((e) => e.name)]),
];

/** `'X' cannot handle unexpected argument 'Y'` when the line has more than `max` arguments after `words` keyword words. */
function tooMany(d: ProxyDraft, line: ConfigLine, max: number, words = 1): boolean {
  const extra = line.args[words + max];
  if (extra === undefined) return false;
  d.report.error(line.loc, `'${line.args.slice(0, words).join(' ')}' cannot handle unexpected argument '${extra}'`);
  return true;
}

/** A frontend lacks the backend capability and a backend the frontend one (a listen has both). */
function capabilityMessage(d: ProxyDraft): string {
  return `${d.kind} '${d.name}' has no ${d.kind === 'backend' ? 'frontend' : 'backend'} capability`;
}

/** True when the keyword may be used here; reports HAProxy's error or warning otherwise. */
function checkSection(d: ProxyDraft, entry: ProxyKeywordEntry, shown: string, loc: ConfigLine['loc'], args: readonly string[]): boolean {
  if (entry.sections.includes(SECTION_LETTER[d.kind])) return true;
  if (d.kind === 'defaults') {
    d.report.error(loc, `'${shown}' not allowed in 'defaults' section`);
    return false;
  }
  if (entry.name === 'retry-on') d.report.error(loc, retryOnFrontendError(args));
  else if (CAPABILITY_ERRORS.has(entry.name)) d.report.error(loc, `'${shown}' not allowed because ${capabilityMessage(d)}`);
  else d.report.warning(loc, `'${shown}' ignored because ${capabilityMessage(d)}`);
  return false;
}

const TIMEOUT_FIELDS: Readonly<Record<string, keyof ProxyDraft['timeouts']>> = {
  connect: 'connect', client: 'client', server: 'server', queue: 'queue', tunnel: 'tunnel',
  'client-fin': 'clientFin', 'server-fin': 'serverFin', check: 'check', 'http-request': 'httpRequest',
  'http-keep-alive': 'httpKeepAlive', tarpit: 'tarpit',
};

const timeout: Handler = (d, line) => {
  const [, name, value, extra] = line.args;
  const field = TIMEOUT_FIELDS[name];
  if (value === undefined) return d.report.error(line.loc, `'timeout ${name}' expects an integer value (in milliseconds)`);
  const ms = parseDuration(value);
  if (!ms.ok) return d.report.error(line.loc, `'timeout ${name}' : invalid value '${value}': ${ms.error}`);
  if (extra !== undefined) return d.report.error(line.loc, `'timeout ${name}' : unexpected extra argument '${extra}' after value '${value}'`);
  if (d.timeoutsSetHere.has(field)) d.report.warning(line.loc, `overwriting 'timeout ${name}' which was already specified`);
  d.timeoutsSetHere.add(field);
  // A zero timeout is HAProxy's "no timeout" (TICK_ETERNITY), the same as unset.
  if (ms.value === 0) delete d.timeouts[field];
  else d.timeouts[field] = ms.value;
};

const mode: Handler = (d, line) => {
  if (tooMany(d, line, 1)) return;
  const m = line.args[1];
  if (m === 'tcp' || m === 'http') d.mode = m;
  else if (m === 'health') d.report.error(line.loc, "'mode health' doesn't exist anymore; use 'http-request return status 200' instead");
  else d.report.error(line.loc, m === undefined ? "'mode' expects 'tcp' or 'http'" : `unknown proxy mode '${m}'${didYouMean(m, ['tcp', 'http'])}`);
};

const bind: Handler = (d, line, ctx) => {
  d.bindLines++;
  const parsed = parseListenerLine(line, 1, ctx.env, d.report, false);
  if (parsed) d.binds.push(parsed.spec);
};

const balance: Handler = (d, line) => {
  const r = parseBalance(line.args.slice(1), d.balance);
  if (!r.ok) d.report.error(line.loc, r.error);
};

const cookie: Handler = (d, line) => {
  const r = parseCookie(line.args.slice(1));
  if (!r.ok) return d.report.error(line.loc, r.error);
  for (const w of r.warnings) d.report.warning(line.loc, w);
  d.cookie = r.spec;
};

const hashType: Handler = (d, line) => {
  const r = parseHashType(line.args.slice(1), d.balance);
  if (!r.ok) d.report.error(line.loc, r.error);
};

function integerKeyword(set: (d: ProxyDraft, n: number) => void, what: string): Handler {
  return (d, line) => {
    if (tooMany(d, line, 1)) return;
    const n = parseInteger(line.args[1] ?? '', { min: 0 });
    if (!n.ok) d.report.error(line.loc, `'${line.args[0]}' expects ${what}: ${n.error}`);
    else set(d, n.value);
  };
}

const log: Handler = (d, line, ctx, kwm) => {
  if (kwm === 'no') {
    if (line.args.length > 1) return d.report.error(line.loc, "'no log' does not expect arguments");
    d.logs = [];
    return;
  }
  if (line.args[1] === 'global' && line.args.length === 2) {
    for (const t of ctx.globalLogs()) if (!d.logs.includes(t)) d.logs.push(t);
    return;
  }
  const target = parseLogTarget(line, ctx.env, false);
  if (!target.ok) d.report.error(line.loc, target.error);
  else d.logs.push(target.value);
};

const defaultBackend: Handler = (d, line) => {
  if (line.args[1] === undefined) return d.report.error(line.loc, "'default_backend' expects a backend name");
  if (tooMany(d, line, 1)) return;
  d.defaultBackend = { name: line.args[1], loc: line.loc };
};

const useBackend: Handler = (d, line, ctx) => parseUseBackend(d, line, ctx);

const id: Handler = (d, line, ctx) => {
  if (tooMany(d, line, 1)) return;
  const n = parseInteger(line.args[1] ?? '', { min: 1 });
  if (!n.ok) return d.report.error(line.loc, line.args[1] === undefined ? "'id' expects an integer argument" : `custom id has to be > 0: ${n.error}`);
  const other = ctx.usedIds.get(n.value);
  if (other && other !== d) {
    return d.report.error(line.loc, `${d.kind} ${d.name} reuses same custom id as ${other.kind} ${other.name} (declared at ${other.loc.file}:${other.loc.line})`);
  }
  if (d.explicitId !== undefined && ctx.usedIds.get(d.explicitId) === d) ctx.usedIds.delete(d.explicitId);
  d.explicitId = n.value;
  ctx.usedIds.set(n.value, d);
};

const description: Handler = (d, line) => {
  if (line.args.length < 2) return d.report.error(line.loc, "'description' expects a string argument");
  d.description = line.args.slice(1).join(' ');
};

function flag(set: (d: ProxyDraft) => void): Handler {
  return (d, line) => {
    if (!tooMany(d, line, 0)) set(d);
  };
}

function option(d: ProxyDraft, line: ConfigLine, kwm: Modifier): void {
  const name = line.args[1];
  if (name === undefined) return d.report.error(line.loc, "'option' expects an option name");
  const removed = OPTION_REMOVED.get(name);
  if (removed) return d.report.error(line.loc, removed);
  const entry = OPTION_INDEX.get(name);
  if (!entry) return d.report.error(line.loc, `unknown option '${name}'${didYouMean(name, OPTION_INDEX.keys())}`);
  if (entry.status === 'planned') return d.report.error(line.loc, `option ${notSupportedYet(name)}`);
  if (kwm && !entry.negatable) return d.report.error(line.loc, `negation/default is not supported for option '${name}'`);
  if (!entry.sections.includes(SECTION_LETTER[d.kind])) {
    return d.report.warning(line.loc, `'${name}' ignored because ${capabilityMessage(d)}`);
  }
  if (name === 'redispatch') return redispatch(d, line, kwm);
  if (name === 'httplog') return httplog(d, line);
  if ((name === 'httpslog' || name === 'tcplog') && kwm === undefined) replaceLogFormat(d, line, `option ${name}`);
  if (name === 'forwardfor') return httpOption(d, line);
  if (name === 'originalto') return originalto(d, line);
  // Check options carry their own arguments; src/checks/proxy-checks.ts validates them at the end.
  if (CHECK_OPTION_NAMES.has(name)) {
    if (kwm === 'default') delete d.options[name];
    else d.options[name] = kwm !== 'no';
    return;
  }
  if (tooMany(d, line, 0, 2)) return;
  // cfgparse-listen.c: `tcpka` sets the client-side bit where the section has a frontend and the
  // server-side one where it has a backend; a later `no option clitcpka` clears just its own.
  if (name === 'tcpka') {
    if (d.kind !== 'backend') d.options.clitcpka = true;
    if (d.kind !== 'frontend') d.options.srvtcpka = true;
    return;
  }
  if (kwm === 'default') delete d.options[name];
  else d.options[name] = kwm !== 'no';
  if (name === 'tcplog' && d.kind === 'backend') {
    d.report.warning(line.loc, `backend '${d.name}' : 'option tcplog' directive is ignored in backends`);
  }
}

/**
 * `option httplog`, `option httpslog`, `option tcplog` and `log-format` all set the proxy's one log format: the last
 * one wins, with HAProxy's warning when it replaces another in a defaults section
 * (cfgparse-listen.c "option httplog", "log-format").
 */
function replaceLogFormat(d: ProxyDraft, line: ConfigLine, by: string): void {
  const previous = d.logFormat !== undefined ? 'log-format'
    : d.options.httplog ? (d.httplogClf ? 'option httplog clf' : 'option httplog')
    : d.options.httpslog ? 'option httpslog' : d.options.tcplog ? 'option tcplog' : undefined;
  // HAProxy warns even when the same format is set again; its httpslog branch names itself 'option httplog'.
  if (d.kind === 'defaults' && previous !== undefined) {
    d.report.warning(line.loc, `'${by === 'option httpslog' ? 'option httplog' : by}' overrides previous '${previous}' in 'defaults' section.`);
  }
  delete d.logFormat;
  delete d.options.httplog;
  delete d.httplogClf;
  delete d.options.httpslog;
  delete d.options.tcplog;
  d.logOptionLoc = line.loc;
}

/** configuration.txt 4.2 "log-format <string>": one argument, compiled against the final mode by validate.ts. */
const logFormat: Handler = (d, line) => {
  if (line.args.length < 2) return d.report.error(line.loc, 'log-format expects an argument.');
  if (line.args.length > 2) return d.report.error(line.loc, "log-format expects only one argument, don't forget to escape spaces!");
  replaceLogFormat(d, line, 'log-format');
  d.logFormat = { text: line.args[1], loc: line.loc };
};

/** configuration.txt 4.2 "unique-id-format <string>": one argument (cfgparse-listen.c), compiled by validate.ts. */
const uniqueIdFormat: Handler = (d, line) => {
  if (line.args.length < 2) return d.report.error(line.loc, 'unique-id-format expects an argument.');
  if (line.args.length > 2) return d.report.error(line.loc, "unique-id-format expects only one argument, don't forget to escape spaces!");
  d.uniqueIdFormat = { text: line.args[1], loc: line.loc };
};

/** configuration.txt 4.2 "unique-id-header <name>": further words are ignored, as cfgparse-listen.c does. */
const uniqueIdHeader: Handler = (d, line) => {
  if (line.args.length < 2 || line.args[1] === '') return d.report.error(line.loc, 'unique-id-header expects an argument.');
  d.uniqueIdHeader = line.args[1];
};

/** `option redispatch [interval]`: interval -1 (last retry) by default. */
function redispatch(d: ProxyDraft, line: ConfigLine, kwm: Modifier): void {
  if (tooMany(d, line, 1, 2)) return;
  let interval = -1;
  if (kwm === undefined && line.args[2] !== undefined) {
    const n = parseInteger(line.args[2]);
    if (!n.ok) return d.report.error(line.loc, `'option redispatch' expects an integer interval: ${n.error}`);
    interval = n.value;
  }
  if (kwm === 'default') delete d.options.redispatch;
  else d.options.redispatch = kwm !== 'no';
  if (kwm === undefined) d.redispatch = { interval };
  else delete d.redispatch;
}

/** `option httplog [clf]` (cfgparse-listen.c): the argument is checked before the format is replaced. */
function httplog(d: ProxyDraft, line: ConfigLine): void {
  const arg = line.args[2];
  if (arg !== undefined && arg !== 'clf') return d.report.error(line.loc, "keyword 'httplog' only supports option 'clf'.");
  if (tooMany(d, line, 1, 2)) return;
  const clf = arg === 'clf';
  replaceLogFormat(d, line, clf ? 'option httplog clf' : 'option httplog');
  d.options.httplog = true;
  if (clf) d.httplogClf = true;
}

/** `option forwardfor [except NET] [header NAME] [if-none]` (read again by src/http/http-conf.ts from `lines`). */
function httpOption(d: ProxyDraft, line: ConfigLine): void {
  const [, name, ...args] = line.args;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === 'if-none') continue;
    if ((a === 'header' || a === 'except') && args[i + 1] !== undefined) {
      if (a === 'except' && parseIpNet(args[i + 1]) === undefined) {
        return d.report.error(line.loc, `'option forwardfor except' expects an IPv4 or IPv6 network address, got '${args[i + 1]}'`);
      }
      i++;
      continue;
    }
    return d.report.error(line.loc, `'option forwardfor' only supports optional values: 'header', 'if-none' and 'except'.`);
  }
  d.options[name] = true;
}

/**
 * `option originalto [except NET] [header NAME]` (read again by src/http/http-conf.ts from `lines`): the
 * checks and messages of cfgparse-listen.c; a later `except` or `header` replaces an earlier one.
 */
function originalto(d: ProxyDraft, line: ConfigLine): void {
  const args = line.args;
  for (let i = 2; i < args.length; i += 2) {
    const a = args[i];
    if (a === 'except') {
      const net = args[i + 1];
      if (net === undefined || net === '' || parseIpNet(net) === undefined) {
        return d.report.error(line.loc, "'option originalto except' expects <address>[/mask] as argument.");
      }
    } else if (a === 'header') {
      if (args[i + 1] === undefined || args[i + 1] === '') return d.report.error(line.loc, "'option originalto header' expects <header_name> as argument.");
    } else {
      return d.report.error(line.loc, "'option originalto' only supports optional values: 'except' and 'header'.");
    }
  }
  d.options.originalto = true;
}

/**
 * configuration.txt 4.2 "http-send-name-header <header>": the name is required and stored in lower case;
 * further words are ignored (cfgparse-listen.c).
 */
const httpSendNameHeader: Handler = (d, line) => {
  const name = line.args[1];
  if (name === undefined || name === '') return d.report.error(line.loc, "'http-send-name-header' requires a header string.");
  d.sendNameHeader = name.toLowerCase();
};

/** configuration.txt 4.2 "http-reuse { never | safe | aggressive | always }"; read from `lines`. */
const httpReuse: Handler = (d, line) => {
  if (tooMany(d, line, 1)) return;
  const v = line.args[1];
  if (v !== 'never' && v !== 'safe' && v !== 'aggressive' && v !== 'always') {
    d.report.error(line.loc, `'http-reuse' expects one of 'never', 'safe', 'aggressive', 'always'`);
  }
};

/** configuration.txt 4.2 "errorfile <code> <file>": the file is read now (http_htx.c proxy_parse_errorfile). */
const errorfile: Handler = (d, line) => {
  const [kw, code, file] = line.args;
  if (!code || !file) return d.report.error(line.loc, `${kw} : expects <status_code> and <file> as arguments.`);
  const page = loadErrorfile(atol(code), file);
  if (!Buffer.isBuffer(page)) return d.report.error(line.loc, `${kw} : ${page.error}`);
  d.errorEntries.push({ code: atol(code), page });
};

/** "errorloc|errorloc302|errorloc303 <code> <url>": an empty 302 (303) to `url` (proxy_parse_errorloc). */
const errorloc: Handler = (d, line) => {
  const [kw, code, url] = line.args;
  if (!code || !url) return d.report.error(line.loc, `${kw} : expects <status_code> and <url> as arguments.`);
  const status = atol(code);
  if (!ERROR_CODES.includes(status)) return d.report.error(line.loc, `${kw} : status code '${status}' not handled.`);
  d.errorEntries.push({ code: status, page: errorlocPage(kw === 'errorloc303' ? 303 : 302, url) });
};

/** "errorfiles <name> [<code> ...]": the pages of an http-errors section (proxy_parse_errorfiles). */
const errorfiles: Handler = (d, line, ctx) => {
  const [kw, name, ...codes] = line.args;
  if (!name) return d.report.error(line.loc, `${kw} : expects <name> as argument.`);
  const statuses = codes.map(atol);
  const bad = statuses.find((c) => !ERROR_CODES.includes(c));
  if (bad !== undefined) return d.report.error(line.loc, `${kw} : status code '${bad}' not handled.`);
  if (ctx.httpErrors === undefined) return;
  const section = ctx.httpErrors.reference(name, line.loc, d.report, (n) => `unknown http-errors section '${n}'`);
  for (const c of new Set(statuses)) ctx.httpErrors.want(name, c, line.loc, d.report, `status '${c}' not declared in http-errors section '${name}'.`);
  d.errorEntries.push({ section, codes: codes.length > 0 ? statuses : null });
};

/** Options whose arguments are read by parseProxyChecks (configuration.txt 4.2 "option httpchk"...). */
const CHECK_OPTION_NAMES: ReadonlySet<string> = new Set(['httpchk', 'smtpchk', 'mysql-check', 'pgsql-check', 'ldap-check', 'redis-check', 'ssl-hello-chk', 'tcp-check']);

/** `tcp-check` / `http-check` rules stay in `lines`; parseProxyChecks validates them per backend. */
const checkRules: Handler = () => undefined;

/** configuration.txt 4.2 "load-server-state-from-file"; the line stays in `lines` (backend/server-state-file.ts). */
const loadServerStateFromFile: Handler = (d, line) => {
  const v = line.args[1] ?? '';
  if (v !== 'global' && v !== 'local' && v !== 'none') d.report.error(line.loc, `'${line.args[0]}' expects 'global', 'local' or 'none'. Got '${v}'`);
};

/** configuration.txt 4.2 "server-state-file-name [use-backend-name | <file>]", read from `lines` too. */
const serverStateFileName: Handler = (d, line) => void tooMany(d, line, 1);

/** configuration.txt 4.2 "retry-on": replaces the inherited or previous setting. */
const retryOn: Handler = (d, line) => {
  const r = parseRetryOn(line.args.slice(1));
  if (typeof r === 'string') return d.report.error(line.loc, r);
  d.retryOn = r;
};

const STATS_KEYWORDS = PROXY_KEYWORDS.filter((e) => e.status === 'supported' && e.name.startsWith('stats ')).map((e) => e.name);

const HANDLERS: Readonly<Record<string, Handler>> = {
  mode,
  bind,
  server: (d, line, ctx) => parseServerLine(line, d, ctx.env),
  'default-server': (d, line) => parseDefaultServerLine(line, d),
  balance,
  'hash-type': hashType,
  cookie,
  maxconn: integerKeyword((d, n) => (d.maxconn = n), 'an integer argument'),
  retries: integerKeyword((d, n) => (d.retries = n), 'an integer argument (dispatch counts for one)'),
  'retry-on': retryOn,
  'timeout connect': timeout,
  'timeout client': timeout,
  'timeout server': timeout,
  'timeout queue': timeout,
  'timeout tunnel': timeout,
  'timeout tarpit': timeout,
  'timeout client-fin': timeout,
  'timeout server-fin': timeout,
  'timeout check': timeout,
  'timeout http-request': timeout,
  'timeout http-keep-alive': timeout,
  'http-reuse': httpReuse,
  errorfile,
  errorfiles,
  errorloc,
  errorloc302: errorloc,
  errorloc303: errorloc,
  'http-check': checkRules,
  'tcp-check': checkRules,
  option: (d, line, _ctx, kwm) => option(d, line, kwm),
  log,
  'log-format': logFormat,
  'unique-id-format': uniqueIdFormat,
  'unique-id-header': uniqueIdHeader,
  'http-send-name-header': httpSendNameHeader,
  default_backend: defaultBackend,
  use_backend: useBackend,
  ...RULE_HANDLERS,
  disabled: flag((d) => (d.disabled = true)),
  enabled: flag((d) => (d.disabled = false)),
  id,
  description,
  'load-server-state-from-file': loadServerStateFromFile,
  'server-state-file-name': serverStateFileName,
  'monitor-uri': (d, line) => parseMonitorUriLine(d, line),
  monitor: (d, line, ctx) => parseMonitorLine(d, line, ctx),
  compression: (d, line) => parseCompressionLine(d, line),
  ...Object.fromEntries(STATS_KEYWORDS.map((k) => [k, (d: ProxyDraft, line: ConfigLine, ctx: ProxyParseContext) => parseStatsLine(d, line, ctx)])),
};

/** Supported proxy keywords that have a parser: the table test checks it equals the table's supported set. */
export const PROXY_PARSERS: ReadonlySet<string> = new Set(Object.keys(HANDLERS));

/** `no X` / `default X`: HAProxy allows them only on `option` and `log` (cfgparse.c readcfgfile). */
function stripModifier(d: ProxyDraft, line: ConfigLine): { line: ConfigLine; kwm: Modifier } | undefined {
  const first = line.args[0];
  if (first !== 'no' && first !== 'default') return { line, kwm: undefined };
  const rest = { args: line.args.slice(1), loc: line.loc };
  if (rest.args[0] === 'option' || (rest.args[0] === 'log' && first === 'no')) return { line: rest, kwm: first };
  if (rest.args[0] === 'log') return { line: rest, kwm: undefined }; // HAProxy reads `default log X` as `log X`
  d.report.error(line.loc, 'negation/default is only supported for options and log');
  return undefined;
}

function lookup(d: ProxyDraft, line: ConfigLine): { entry: ProxyKeywordEntry; key: string } | undefined {
  const [first, second] = line.args;
  const removed = PROXY_REMOVED.get(first);
  if (removed) return void d.report.error(line.loc, removed);
  if (PROXY_COMPOUND_PREFIXES.has(first)) {
    const key = `${first} ${second ?? ''}`;
    const entry = PROXY_KEYWORD_INDEX.get(key);
    if (entry) return { entry, key };
    const subs = [...PROXY_KEYWORD_INDEX.keys()].filter((k) => k.startsWith(`${first} `)).map((k) => k.slice(first.length + 1));
    const removedSub = PROXY_REMOVED.get(second ?? '');
    if (removedSub) return void d.report.error(line.loc, removedSub);
    d.report.error(line.loc, second === undefined
      ? `'${first}' expects one of ${subs.map((s) => `'${s}'`).join(', ')}`
      : `unknown ${first} '${second}'${didYouMean(second, subs)}`);
    return undefined;
  }
  const entry = PROXY_KEYWORD_INDEX.get(first);
  if (!entry) {
    const hint = OPTION_INDEX.has(first) ? `; did you mean 'option ${first}'?` : didYouMean(first, KEYWORD_CANDIDATES);
    return void d.report.error(line.loc, `unknown keyword '${first}'${hint}`);
  }
  return { entry, key: first };
}

/** Parse one keyword line of a proxy or defaults section into its draft. */
export function parseProxyLine(d: ProxyDraft, original: ConfigLine, ctx: ProxyParseContext): void {
  d.lines.push(original);
  const stripped = stripModifier(d, original);
  if (!stripped) return;
  const { line, kwm } = stripped;
  const found = lookup(d, line);
  if (!found) return;
  const { entry, key } = found;
  if (entry.status === 'planned') return d.report.error(line.loc, notSupportedYet(key));
  if (key !== 'option' && !checkSection(d, entry, key, line.loc, line.args.slice(1))) {
    // cfgparse-listen.c warns that a frontend ignores it, then still requires the header name.
    if (key === 'http-send-name-header') HANDLERS[key](d, line, ctx, kwm);
    return;
  }
  HANDLERS[key](d, line, ctx, kwm);
}

