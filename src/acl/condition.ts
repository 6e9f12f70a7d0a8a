// Named ACLs of a proxy and `if|unless` conditions (acl.c parse_acl, parse_acl_cond,
// build_acl_cond): lines with the same ACL name are ORed; a condition is `||`/`or`-separated
// suites of ANDed terms, each a named ACL, a predefined one (TRUE, HTTP, METH_GET ...) or an
// anonymous `{ CRITERION VALUES }`, optionally negated with `!`.
import { ACL_FAIL, ACL_MISS, ACL_PASS, aclNeg, type AclResult, type Condition } from './acl.ts';
import { parseAclExpr, type AclExpr, type AclParseContext } from './acl-expr.ts';
import { unavailableIn } from './fetch-phase.ts';
import { inspect } from './fetches.ts';
import type { SampleTxn } from './sample.ts';

/** A named ACL: its expressions, ORed. */
export interface NamedAcl {
  readonly name: string;
  readonly exprs: AclExpr[];
  mayChange: boolean;
}

/** The ACLs declared so far in one proxy (HAProxy looks names up at the point of use). */
export type AclScope = Map<string, NamedAcl>;

/** HAProxy 2.6 acl.c default_acl_list. */
export const PREDEFINED_ACLS: Readonly<Record<string, readonly string[]>> = {
  TRUE: ['always_true'],
  FALSE: ['always_false'],
  LOCALHOST: ['src', '127.0.0.1/8', '::1'],
  HTTP: ['req.proto_http'],
  'HTTP_1.0': ['req.ver', '1.0'],
  'HTTP_1.1': ['req.ver', '1.1'],
  'HTTP_2.0': ['req.ver', '2.0'],
  METH_CONNECT: ['method', 'CONNECT'],
  METH_DELETE: ['method', 'DELETE'],
  METH_GET: ['method', 'GET', 'HEAD'],
  METH_HEAD: ['method', 'HEAD'],
  METH_OPTIONS: ['method', 'OPTIONS'],
  METH_POST: ['method', 'POST'],
  METH_PUT: ['method', 'PUT'],
  METH_TRACE: ['method', 'TRACE'],
  HTTP_URL_ABS: ['url_reg', '^[^/:]*://'],
  HTTP_URL_SLASH: ['url_beg', '/'],
  HTTP_URL_STAR: ['url', '*'],
  HTTP_CONTENT: ['req.hdr_val(content-length)', 'gt', '0'],
  RDP_COOKIE: ['req.rdp_cookie_cnt', 'gt', '0'],
  REQ_CONTENT: ['req.len', 'gt', '0'],
  WAIT_END: ['wait_end'],
};

const ACL_NAME = /^[A-Za-z0-9._:-]+$/;

/** The first character HAProxy's invalid_char() refuses in an ACL name, if any. */
export function invalidAclNameChar(name: string): string | undefined {
  for (const c of name) if (!ACL_NAME.test(c)) return c;
  return undefined;
}

function orExprs(exprs: readonly AclExpr[]): (txn: SampleTxn) => boolean {
  if (exprs.length === 0) return NEVER;
  return (txn) => {
    for (let i = 0; i < exprs.length; i++) if (exprs[i].test(txn)) return true;
    return false;
  };
}

/** `acl NAME CRITERION ...`: adds an expression to `scope` (a new ACL or ORed to an existing one). */
export function declareAcl(scope: AclScope, name: string, words: readonly string[], ctx: AclParseContext): string | undefined {
  const expr = parseAclExpr(words, ctx);
  if (typeof expr === 'string') return expr;
  let acl = scope.get(name);
  if (!acl) scope.set(name, (acl = { name, exprs: [], mayChange: false }));
  acl.exprs.push(expr);
  acl.mayChange ||= expr.mayChange;
  return undefined;
}

interface Term {
  readonly test: (txn: SampleTxn) => boolean;
  readonly neg: boolean;
}

const NEVER = (): boolean => false;

/**
 * In an http-request / http-response rule, a term reading the other direction fails at run time
 * in HAProxy 2.6 (that message is gone or not there yet): an anonymous ACL never matches, a named
 * one keeps its other expressions. HAProxy warns once per condition (acl_cond_kw_conflicts).
 */
function phaseFilter(exprs: readonly AclExpr[], name: string | undefined, ctx: AclParseContext, warned: { done: boolean }): AclExpr[] {
  const rule = ctx.rule;
  if (rule === undefined) return exprs as AclExpr[];
  const kept = exprs.filter((e) => unavailableIn(e.fetch, rule.phase) === undefined);
  // Unfiltered, the named ACL's own list stays in use (later `acl` lines of that name add to it).
  if (kept.length === exprs.length) return exprs as AclExpr[];
  if (warned.done) return kept;
  warned.done = true;
  const first = exprs.find((e) => !kept.includes(e))!;
  const inKw = rule.keyword === undefined ? '' : ` in '${rule.keyword}'`;
  if (name === undefined) ctx.warn(`anonymous acl will never match${inKw} because it uses keyword '${first.keyword}' which is incompatible with '${rule.where}'`);
  else if (kept.length === 0) ctx.warn(`acl '${name}' will never match${inKw} because it only involves keywords that are incompatible with '${rule.where}'`);
  else ctx.warn(`acl '${name}' involves keyword${inKw === '' ? 's' : ''} '${first.keyword}' which is incompatible with '${rule.where}'`);
  return kept;
}

function predefined(scope: AclScope, word: string, ctx: AclParseContext): NamedAcl | string {
  const words = PREDEFINED_ACLS[word];
  if (!words) return `no such ACL : '${word}'`;
  const err = declareAcl(scope, word, words, ctx);
  return err ?? scope.get(word)!;
}

/** Parse the words after `if`/`unless` into suites of terms. */
function parseSuites(words: readonly string[], scope: AclScope, ctx: AclParseContext): { suites: Term[][]; mayChange: boolean } | string {
  const suites: Term[][] = [];
  let suite: Term[] | undefined;
  let neg = false;
  let mayChange = false;
  const warned = { done: false };
  for (let i = 0; i < words.length; i++) {
    let w = words[i];
    while (w.startsWith('!')) {
      neg = !neg;
      w = w.slice(1);
    }
    if (w === '') continue;
    if (w.toLowerCase() === 'or' || w === '||') {
      suite = undefined;
      neg = false;
      continue;
    }
    let test: (txn: SampleTxn) => boolean;
    if (w === '{') {
      const close = words.indexOf('}', i + 1);
      if (close < 0) return "missing closing '}' in condition";
      const expr = parseAclExpr(words.slice(i + 1, close), ctx);
      if (typeof expr === 'string') return expr;
      test = phaseFilter([expr], undefined, ctx, warned).length === 0 ? NEVER : (txn) => expr.test(txn);
      mayChange ||= expr.mayChange;
      i = close;
    } else {
      const acl = scope.get(w) ?? predefined(scope, w, ctx);
      if (typeof acl === 'string') return acl;
      test = orExprs(phaseFilter(acl.exprs, acl.name, ctx, warned));
      mayChange ||= acl.mayChange;
    }
    if (!suite) suites.push((suite = []));
    suite.push({ test, neg });
    neg = false;
  }
  return { suites, mayChange };
}

/** One term, three-valued: not matched on data that may change is MISS, negated or not. */
function termResult(term: Term, txn: SampleTxn): AclResult {
  inspect.miss = false;
  if (term.test(txn)) return term.neg ? ACL_FAIL : ACL_PASS;
  return inspect.miss ? ACL_MISS : term.neg ? ACL_PASS : ACL_FAIL;
}

/**
 * acl.c acl_exec_cond on data that is not final: suites ORed, terms ANDed, each suite stopping at
 * its first term that is not PASS, the condition at its first PASS suite; `unless` negates the
 * result (MISS stays MISS).
 */
function evaluator(suites: readonly Term[][], unless: boolean): (txn: SampleTxn) => AclResult {
  return (txn) => {
    const final = inspect.final;
    inspect.final = false;
    let cond: AclResult = ACL_FAIL;
    try {
      for (let s = 0; s < suites.length && cond !== ACL_PASS; s++) {
        const terms = suites[s];
        let suite: AclResult = ACL_PASS;
        for (let t = 0; t < terms.length && suite === ACL_PASS; t++) suite = (suite & termResult(terms[t], txn)) as AclResult;
        cond = (cond | suite) as AclResult;
      }
    } finally {
      inspect.final = final;
    }
    return unless ? aclNeg(cond) : cond;
  };
}

/** Compile `if|unless WORDS`; `words[0]` must be the polarity. A string result is the error text. */
export function compileCondition(words: readonly string[], scope: AclScope, ctx: AclParseContext): Condition | string {
  const pol = words[0];
  if (pol !== 'if' && pol !== 'unless') return "conditions must start with either 'if' or 'unless'";
  const parsed = parseSuites(words.slice(1), scope, ctx);
  if (typeof parsed === 'string') return parsed;
  const suites = parsed.suites;
  const unless = pol === 'unless';
  const text = words.join(' ');
  const evaluate = parsed.mayChange ? evaluator(suites, unless) : undefined;
  // One term (`if is_api`, the common case): its test itself, one call less per evaluation.
  if (suites.length === 1 && suites[0].length === 1) {
    const term = suites[0][0];
    const inner = term.test;
    const test = term.neg === unless ? inner : (txn: SampleTxn): boolean => !inner(txn);
    return { test, mayChange: parsed.mayChange, evaluate, text };
  }
  const test = (txn: SampleTxn): boolean => {
    let res = false;
    for (let s = 0; s < suites.length && !res; s++) {
      const terms = suites[s];
      res = true;
      for (let t = 0; t < terms.length; t++) {
        if (terms[t].test(txn) === terms[t].neg) {
          res = false;
          break;
        }
      }
    }
    return res !== unless;
  };
  return { test, mayChange: parsed.mayChange, evaluate, text };
}
