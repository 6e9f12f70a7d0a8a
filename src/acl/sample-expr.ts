// Sample expressions `fetch[(args)][,conv[(args)]]...` (configuration.txt 7.3), compiled once:
// `each` visits every value through the converters (ACLs), `value` returns the one value a rule
// argument or a log-format `%[...]` uses. Neither allocates beyond what the fetch itself does.
import { unavailableIn } from './fetch-phase.ts';
import { CONVERTERS, type Converter } from './converters.ts';
import { FETCHES, UNSUPPORTED_FETCHES, type FetchArgs, type FetchContext, type FetchDef, type ValueVisit } from './fetches.ts';
import type { SampleType } from './matchers.ts';
import type { SampleTxn, SampleValue } from './sample.ts';
import type { Userlist } from './userlist.ts';

export interface SampleExpr {
  readonly type: SampleType;
  readonly mayChange: boolean;
  readonly text: string;
  each(txn: SampleTxn, visit: ValueVisit): boolean;
  /** `each` with `visit` fixed: one call per evaluation instead of two (ACL expressions). */
  eachWith(visit: ValueVisit): (txn: SampleTxn) => boolean;
  value(txn: SampleTxn): SampleValue | undefined;
}

/** `unavailable`: the fetch needs what the rule's phase cannot give (fetch-phase.ts), HAProxy's name of it. */
export type ExprResult = { readonly ok: true; readonly expr: SampleExpr } | { readonly ok: false; readonly error: string; readonly unavailable?: string };

/** `name(a,b)rest` → name, args (undefined without parentheses), rest; quotes and `\` escapes inside. */
export function splitCall(text: string, from: number): { name: string; args: string[] | undefined; end: number } | string {
  let i = from;
  while (i < text.length && /[A-Za-z0-9._+$-]/.test(text[i])) i++;
  const name = text.slice(from, i);
  if (text[i] !== '(') return { name, args: undefined, end: i };
  const args: string[] = [];
  let cur = '';
  let quote = '';
  for (i++; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) cur += text[++i];
    else if (quote) {
      if (c === quote) quote = '';
      else cur += c;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === ',') {
      args.push(cur);
      cur = '';
    } else if (c === ')') {
      args.push(cur);
      return { name, args: args.length === 1 && args[0] === '' ? [] : args, end: i + 1 };
    } else cur += c;
  }
  return `missing closing ')' after arguments to '${name}'`;
}

/** Check and prepare a fetch's arguments; a string is an error. */
export function fetchArgs(kw: string, def: FetchDef, args: readonly string[], ctx: FetchContext): FetchArgs | string {
  if (args.length < def.minArgs) return `missing arguments (got ${args.length}/${def.minArgs})`;
  if (args.length > def.maxArgs) return `expected ')' before '${def.maxArgs > 0 ? ',' : ''}${args.slice(def.maxArgs).join(',')})'`;
  let occ = 0;
  let delim = '&';
  if (def.occArg && args[1] !== undefined) {
    if (!/^-?\d+$/.test(args[1])) return `failed to parse '${args[1]}' as type 'integer' at position 2`;
    occ = Number(args[1]);
  } else if (args[1] !== undefined) delim = args[1].slice(0, 1) || '&';
  let userlist: Userlist | undefined;
  if (def.userlistArg) {
    userlist = ctx.userlist(args[0], kw);
    if (!userlist) return `unable to find userlist '${args[0]}' referenced in arg 1 of ACL keyword '${kw}'`;
    if (!args[0]) return `missing userlist name in arg 1 of ACL keyword '${kw}'`;
  }
  const written = def.backendArg && ctx.backend !== undefined ? ctx.backend(args[0] ?? '', kw) : args[0];
  const name = written === undefined || written === '' ? undefined : written;
  return { name, occ, delim, userlist };
}

let scratch: SampleValue | undefined;
const keepFirst: ValueVisit = (v) => ((scratch = v), true);
const keepLast: ValueVisit = (v) => ((scratch = v), false);

function makeExpr(text: string, def: FetchDef, a: FetchArgs, convs: readonly Converter[], type: SampleType): SampleExpr {
  const keep = def.single === 'first' ? keepFirst : keepLast;
  const value = (txn: SampleTxn): SampleValue | undefined => {
    scratch = undefined;
    def.each(txn, a, keep);
    let v = scratch as SampleValue | undefined;
    scratch = undefined;
    for (let i = 0; v !== undefined && i < convs.length; i++) v = convs[i](v);
    return v;
  };
  if (convs.length === 0) {
    const each = (txn: SampleTxn, visit: ValueVisit): boolean => def.each(txn, a, visit);
    const eachWith = (visit: ValueVisit) => (txn: SampleTxn): boolean => def.each(txn, a, visit);
    return { type, mayChange: def.mayChange === true, text, value, each, eachWith };
  }
  // The visitor in use is kept in a slot (saved and restored, so nesting is safe) instead of a
  // closure per call.
  let current: ValueVisit = () => false;
  const chained: ValueVisit = (v) => {
    let x: SampleValue | undefined = v;
    for (let i = 0; x !== undefined && i < convs.length; i++) x = convs[i](x);
    return x !== undefined && current(x);
  };
  const each = (txn: SampleTxn, visit: ValueVisit): boolean => {
    const saved = current;
    current = visit;
    try {
      return def.each(txn, a, chained);
    } finally {
      current = saved;
    }
  };
  return { type, mayChange: def.mayChange === true, text, value, each, eachWith: (visit) => (txn) => each(txn, visit) };
}

/** Parse the converter list starting at `text[from]` (a ',' or the end). */
function parseConverters(text: string, from: number, type: SampleType, label: string): { convs: Converter[]; type: SampleType } | string {
  const convs: Converter[] = [];
  // HAProxy ends these texts with '.' only after an ACL keyword ("ACL keyword 'path' : ...").
  const dot = label ? '.' : '';
  let i = from;
  let last: string | undefined;
  while (i < text.length) {
    if (text[i] !== ',') return last ? `${label}missing comma after converter '${last}'${dot}` : `${label}missing comma after fetch keyword${dot}`;
    while (text[i] === ',') i++;
    if (i >= text.length) break;
    const call = splitCall(text, i);
    if (typeof call === 'string') return `${label}${call}`;
    const def = CONVERTERS.get(call.name);
    if (!def) return `${label}unknown converter '${call.name}'${dot}`;
    const args = call.args ?? [];
    if (args.length > 0 && def.maxArgs === 0) return `converter '${call.name}' does not support any args`;
    if (args.length < def.minArgs) return `${label}invalid arg 1 in converter '${call.name}' : missing arguments (got ${args.length}/${def.minArgs})${dot}`;
    if (args.length > def.maxArgs) return `${label}invalid arg ${def.maxArgs + 1} in converter '${call.name}' : end of arguments expected${dot}`;
    const conv = def.build(args);
    if (typeof conv === 'string') return `${label}invalid args in converter '${call.name}' : ${conv}${dot}`;
    convs.push(conv);
    type = def.out(type);
    last = call.name;
    i = call.end;
  }
  return { convs, type };
}

/**
 * Compile `text`. `fetchName` overrides the fetch looked up (ACL keywords such as `path_beg` name
 * the `path` fetch); `label` prefixes converter errors (HAProxy: "ACL keyword 'path' : ").
 */
export function compileSampleExpr(text: string, ctx: FetchContext, fetchName?: (name: string) => string | undefined, label = ''): ExprResult {
  const call = splitCall(text, 0);
  if (typeof call === 'string') return { ok: false, error: call };
  const real = fetchName?.(call.name) ?? (ctx.phase === 'response' && call.name === 'hdr' ? 'res.hdr' : call.name);
  const def = FETCHES.get(real);
  if (!def) {
    if (UNSUPPORTED_FETCHES.has(real)) return { ok: false, error: `fetch method '${call.name}' is not supported yet` };
    return { ok: false, error: `unknown fetch method '${call.name}'` };
  }
  const unavailable = ctx.phase === undefined ? undefined : unavailableIn(real, ctx.phase);
  if (unavailable !== undefined) {
    return { ok: false, unavailable, error: `fetch method '${call.name}' extracts information from '${unavailable}', none of which is available here` };
  }
  const a = fetchArgs(call.name, def, call.args ?? [], ctx);
  if (typeof a === 'string') return { ok: false, error: `${label || `fetch method '${call.name}' : `}${a}` };
  const convs = parseConverters(text, call.end, def.type, label);
  if (typeof convs === 'string') return { ok: false, error: convs };
  return { ok: true, expr: makeExpr(text, def, a, convs.convs, convs.type) };
}
