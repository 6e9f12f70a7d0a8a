// One ACL expression `CRITERION [flags] [operator] VALUE...` (acl.c parse_acl_expr): the
// criterion is an ACL keyword (`path_beg` = fetch `path` + match `beg`) or any sample fetch with
// converters; flags `-i -f -m -n -M -u --`; integer operators `eq ge gt le lt`. Error texts are
// HAProxy 2.6's.
import { compilePatterns, MATCH_METHODS, methodAccepts, type MatchMethod } from './matchers.ts';
import { readPatternFile } from './pattern-file.ts';
import type { RulePhase } from './fetch-phase.ts';
import type { FetchContext } from './fetches.ts';
import type { SampleTxn } from './sample.ts';
import { compileSampleExpr, splitCall } from './sample-expr.ts';

/** A compiled ACL expression: true when some value of the sample matches some pattern. */
export interface AclExpr {
  test(txn: SampleTxn): boolean;
  readonly mayChange: boolean;
  /** The keyword as written (`path_beg`) and the fetch it reads (`path`; the ACL `hdr*` read `req.hdr`). */
  readonly keyword: string;
  readonly fetch: string;
}

export interface AclParseContext extends FetchContext {
  /** Non-fatal findings (HAProxy's "no pattern to match against" warning). */
  warn(message: string): void;
  /**
   * The condition belongs to an http-request / http-response / tcp-request connection rule: terms
   * reading what it cannot see never match there, with HAProxy's warning naming `where`
   * (condition.ts); `keyword` (`tcp-request connection`) is named in the tcp_rules.c texts.
   */
  readonly rule?: { readonly phase: RulePhase; readonly where: string; readonly keyword?: string };
}

const FAMILIES: Readonly<Record<string, string>> = { path: 'path', url: 'url', base: 'base', hdr: 'hdr', cook: 'cook', urlp: 'url_param', shdr: 'shdr', scook: 'scook' };
const SUFFIXES: readonly MatchMethod[] = ['beg', 'dir', 'dom', 'end', 'len', 'reg', 'sub'];

/** HAProxy's ACL keywords (http_acl.c): `path_beg` → fetch path, match beg; bare ones keep the fetch's default. */
interface AclKeyword {
  readonly fetch: string;
  readonly method: MatchMethod | undefined;
  /** Patterns are dotted versions (`3.1`), payload.c's pat_parse_dotted_ver. */
  readonly dotted?: boolean;
}

function aclKeywords(): Map<string, AclKeyword> {
  const map = new Map<string, AclKeyword>();
  for (const [kw, fetch] of Object.entries(FAMILIES)) {
    map.set(kw, { fetch, method: undefined });
    for (const m of SUFFIXES) map.set(`${kw}_${m}`, { fetch, method: m });
  }
  for (const kw of ['method', 'req.ver', 'req_ver', 'res.ver', 'http_auth']) map.set(kw, { fetch: kw, method: undefined });
  // payload.c acl_kws.
  map.set('req_ssl_sni', { fetch: 'req.ssl_sni', method: undefined });
  for (const kw of ['req_ssl_ver', 'req.ssl_ver']) map.set(kw, { fetch: 'req.ssl_ver', method: undefined, dotted: true });
  return map;
}

export const ACL_KEYWORDS: ReadonlyMap<string, AclKeyword> = aclKeywords();

type Op = 'eq' | 'ge' | 'gt' | 'le' | 'lt';
const OPS: ReadonlySet<string> = new Set(['eq', 'ge', 'gt', 'le', 'lt']);

/** acl.c: `ge 5` → `5:`, `lt 5` → `:4` ... for integer matches; ranges pass as written. */
function applyOperator(op: Op, arg: string): string | { error: string } {
  if (op === 'eq' || arg.includes(':') || arg.includes('-')) return arg;
  if (!/^\d+$/.test(arg)) return { error: `'${arg}' is neither a number nor a supported operator` };
  const n = Number(arg);
  if (op === 'gt') return `${n + 1}:`;
  if (op === 'ge') return `${n}:`;
  if (op === 'lt') return `:${n - 1}`;
  return `:${n}`;
}

/** tools.c strl2llrc_dotted: `M[.m]` as (M << 16) | m, each part below 65536. */
function dottedVersion(text: string): number | undefined {
  const dot = text.indexOf('.');
  const major = dot < 0 ? text : text.slice(0, dot);
  const minor = dot < 0 ? '0' : text.slice(dot + 1);
  if (!/^\d*$/.test(major) || !/^\d*$/.test(minor)) return undefined;
  const a = Number(major || '0');
  const b = Number(minor || '0');
  return a < 65536 && b < 65536 ? a * 65536 + b : undefined;
}

/**
 * A dotted-version pattern as an integer range (pattern.c pat_parse_dotted_ver: `v`, `a:b`, `a-b`,
 * `:b`, `a:`; acl.c turns `ge 3.1` into `3.1:` ...). Error texts are HAProxy 2.6's.
 */
function dottedPattern(op: Op, arg: string): string | { error: string } {
  const sep = arg.search(/[:-]/);
  if (op !== 'eq' && sep < 0) {
    const v = dottedVersion(arg);
    if (v === undefined) return { error: `'${arg}' is neither a number nor a supported operator` };
    if (op === 'gt' || op === 'ge') return `${op === 'gt' ? v + 1 : v}:`;
    return `:${op === 'lt' ? v - 1 : v}`;
  }
  if (sep < 0) {
    const v = dottedVersion(arg);
    return v === undefined ? { error: `'${arg}' is not a dotted number` } : String(v);
  }
  const lo = sep === 0 ? undefined : dottedVersion(arg.slice(0, sep));
  const hi = sep === arg.length - 1 ? undefined : dottedVersion(arg.slice(sep + 1));
  const bad = { error: `'${arg}' is not a valid dotted number range` };
  if ((sep > 0 && lo === undefined) || (sep < arg.length - 1 && hi === undefined) || (lo !== undefined && hi !== undefined && lo > hi)) return bad;
  return `${lo ?? ''}:${hi ?? ''}`;
}

interface Flags {
  method: MatchMethod | undefined;
  icase: boolean;
  patterns: string[];
}

/** Flags before the patterns; returns the index of the first pattern or an error. */
function readFlags(words: readonly string[], f: Flags, expr: { kw: string; type: string }): number | string {
  let i = 0;
  let loaded = false;
  for (; i < words.length && words[i].startsWith('-'); i++) {
    const w = words[i];
    if (w === '-i') f.icase = true;
    else if (w === '-n') continue;
    else if (w === '-u') {
      if (!/^-?\d+$/.test(words[i + 1] ?? '')) return 'the argument of -u must be an integer';
      i++;
    } else if (w === '-f') {
      const file = readPatternFile(words[i + 1] ?? '');
      if (!file.ok) return file.error;
      f.patterns.push(...file.patterns);
      loaded = true;
      i++;
    } else if (w === '-m') {
      if (loaded) return "'-m' must only be specified before patterns and files in parsing ACL expression";
      const m = words[i + 1] ?? '';
      if (!(MATCH_METHODS as readonly string[]).includes(m)) return `unknown matching method '${m}' when parsing ACL expression`;
      if (!methodAccepts(m as MatchMethod, expr.type as never)) return `matching method '${m}' cannot be used with fetch keyword '${expr.kw}'`;
      f.method = m as MatchMethod;
      i++;
    } else if (w === '-M') return "'-M' (pattern files loaded as maps) is not supported yet";
    else if (w === '--') return i + 1;
    else return `'${w}' is not a valid ACL option. Please use '--' before any pattern beginning with a '-'`;
  }
  return i;
}

/** Parse `words` = [criterion, flags..., values...]; a string result is the error text. */
export function parseAclExpr(words: readonly string[], ctx: AclParseContext): AclExpr | string {
  const criterion = words[0] ?? '';
  const call = splitCall(criterion, 0);
  const kwName = typeof call === 'string' ? criterion : call.name;
  const aclkw = ACL_KEYWORDS.get(kwName);
  const compiled = compileSampleExpr(criterion, ctx, aclkw ? () => aclkw.fetch : undefined, aclkw ? `ACL keyword '${kwName}' : ` : '');
  if (!compiled.ok) return aclkw ? compiled.error : `${compiled.error} in ACL expression '${criterion}'`;
  const expr = compiled.expr;
  const hasConverter = typeof call !== 'string' && call.end < criterion.length;
  const f: Flags = { method: !hasConverter ? aclkw?.method : undefined, icase: false, patterns: [] };
  const rest = words.slice(1);
  if (expr.type !== 'bool' && rest.length === 0) {
    ctx.warn(`parsing acl keyword '${kwName}' :\n  no pattern to match against were provided, so this ACL will never match.\n` +
      "  If this is what you intended, please add '--' to get rid of this warning.\n" +
      "  If you intended to match only for existence, please use '-m found'.\n" +
      "  If you wanted to force an int to match as a bool, please use '-m bool'.");
  }
  const first = readFlags(rest, f, { kw: kwName, type: expr.type });
  if (typeof first === 'string') return first;
  const dotted = aclkw?.dotted === true && !hasConverter && f.method === undefined;
  const method = f.method ?? expr.type;
  let op: Op = 'eq';
  for (const w of rest.slice(first)) {
    if ((method === 'int' || method === 'len') && OPS.has(w)) {
      op = w as Op;
      continue;
    }
    const p = dotted ? dottedPattern(op, w) : method === 'int' || method === 'len' ? applyOperator(op, w) : w;
    if (typeof p !== 'string') return p.error;
    f.patterns.push(p);
  }
  const found = compilePatterns(method, f.patterns, f.icase);
  if (!found.ok) return found.error;
  const find = found.find;
  const visit = (v: string | number | boolean): boolean => find(v) >= 0;
  // The ACL keywords `hdr*` are request-only in HAProxy (the `hdr` sample follows the direction).
  const fetch = aclkw ? (aclkw.fetch === 'hdr' ? 'req.hdr' : aclkw.fetch) : kwName;
  return { test: expr.eachWith(visit), mayChange: expr.mayChange, keyword: kwName, fetch };
}
