// Parsers of `http-request` / `http-response` actions (configuration.txt 4.2), each turning
// its words into the closure a rule runs. Error texts are HAProxy 2.6's (http_act.c,
// http_htx.c parse_http_reply, http_rules.c). A parser returns the index of the first word it
// did not consume; the caller expects `if`/`unless` or the end there.
import type { FetchContext } from '../../acl/fetches.ts';
import type { SampleTxn, SampleValue } from '../../acl/sample.ts';
import { compileSampleExpr } from '../../acl/sample-expr.ts';
import { compileFormat, type Format } from './format.ts';
import { addHeader, delHeader, replaceHeader, setHeader, setMethod, setPath, setQuery, setUri, type Side } from './header-actions.ts';
import { parseRedirectArgs } from './redirect-parse.ts';
import { parseReturnArgs, type SectionOf, type Warn } from './return-parse.ts';
import { redirectReply, returnReply, type ErrorfileSpec } from './replies.ts';
import { ALLOW, type HttpReply, type HttpVerdict } from './rules.ts';
import { errorReplyOf, type ErrorReply } from '../error-pages.ts';
import { reasonPhrase } from '../status-text.ts';
import { sameName } from '../../acl/header-fields.ts';
import { compilePatterns, MATCH_METHODS, type MatchMethod } from '../../acl/matchers.ts';

export interface ActionContext {
  readonly side: Side;
  /** Proxy name: the default `auth` realm. */
  readonly proxy: string;
  readonly fetch: FetchContext;
  /** `http-errors` sections by name, for `errorfiles NAME` replies. */
  readonly sectionOf?: SectionOf;
  /** A `haproxy -c` warning at the rule's line. */
  readonly warn?: Warn;
}

export type RunAction = (txn: SampleTxn) => HttpVerdict | undefined;
export type ActionParsed = { readonly run: RunAction; readonly next: number } | string;
type ActionParser = (words: readonly string[], i: number, a: ActionContext, kw: string) => ActionParsed;

/** Words up to `if`/`unless` (HAProxy counts action arguments that way). */
export function argsUntilCondition(words: readonly string[], i: number): number {
  let n = 0;
  while (i + n < words.length && words[i + n] !== 'if' && words[i + n] !== 'unless') n++;
  return n;
}

/** A rule argument as a format, or HAProxy's error text. */
function fmt(text: string, a: ActionContext): { ok: true; f: Format } | { ok: false; error: string } {
  const f = compileFormat(text, a.fetch);
  return typeof f === 'object' ? { ok: false, error: f.error } : { ok: true, f };
}

const headerSetter = (fn: typeof setHeader): ActionParser => (w, i, a) => {
  if (argsUntilCondition(w, i) !== 2) return 'expects exactly 2 arguments';
  const v = fmt(w[i + 1], a);
  if (!v.ok) return v.error;
  const name = w[i].toLowerCase();
  const side = a.side;
  return { run: (t) => void fn(t, side, name, v.f), next: i + 2 };
};

const delHeaderAction: ActionParser = (w, i, a) => {
  const n = argsUntilCondition(w, i);
  if (n < 1) return 'expects at least 1 argument';
  const name = w[i];
  let match = (h: string): boolean => sameName(h, name);
  let next = i + 1;
  if (w[next] === '-m') {
    const m = w[next + 1] ?? '';
    if (!['str', 'beg', 'end', 'sub', 'reg'].includes(m) || !(MATCH_METHODS as readonly string[]).includes(m)) {
      return `unsupported matching method '${m}'`;
    }
    const c = compilePatterns(m as MatchMethod, [name], true);
    if (!c.ok) return c.error;
    const find = c.find;
    match = (h) => find(h) >= 0;
    next += 2;
  }
  const side = a.side;
  return { run: (t) => void delHeader(t, side, match), next };
};

const replaceAction = (perValue: boolean): ActionParser => (w, i, a) => {
  if (argsUntilCondition(w, i) !== 3) return 'expects exactly 3 arguments';
  let re: RegExp;
  try {
    re = new RegExp(w[i + 1]);
  } catch (e) {
    return `regex '${w[i + 1]}' is invalid (error=${(e as Error).message})`;
  }
  const v = fmt(w[i + 2], a);
  if (!v.ok) return v.error;
  const name = w[i];
  const side = a.side;
  return { run: (t) => void replaceHeader(t, side, name, re, v.f, perValue), next: i + 3 };
};

const uriAction = (fn: typeof setPath): ActionParser => (w, i, a) => {
  if (argsUntilCondition(w, i) !== 1) return 'expects exactly 1 argument <format>';
  const v = fmt(w[i], a);
  if (!v.ok) return v.error;
  return { run: (t) => void fn(t, v.f), next: i + 1 };
};

const VAR_SCOPES = ['proc', 'sess', 'txn', 'req', 'res', 'check'];

/** `set-var(scope.name) EXPR`: the expression's value stored under `scope.name`. */
function setVarAction(varName: string): ActionParser {
  return (w, i, a) => {
    const dot = varName.indexOf('.');
    if (dot < 0 || !VAR_SCOPES.includes(varName.slice(0, dot)) || dot === varName.length - 1) {
      return `invalid variable name '${varName}'. A variable name must be start by its scope. The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'`;
    }
    if (w[i] === undefined || w[i] === 'if' || w[i] === 'unless') return 'missing fetch method';
    const e = compileSampleExpr(w[i], a.fetch);
    // HAProxy names the action where the fetch would be (its parser's arguments are shifted).
    if (!e.ok && e.unavailable !== undefined) return `fetch method 'set-var(${varName})' extracts information from '${e.unavailable}', none of which is available here`;
    if (!e.ok) return e.error;
    const expr = e.expr;
    return {
      run: (t) => {
        const v: SampleValue | undefined = expr.value(t);
        if (v === undefined) return undefined;
        (t.vars ??= new Map()).set(varName, v);
        return undefined;
      },
      next: i + 1,
    };
  };
}

const allow: ActionParser = (_w, i) => ({ run: () => ALLOW, next: i });

/** `disable-l7-retry` (http_act.c): the request is not retried on retry-on's layer-7 events. */
const disableL7Retry: ActionParser = (_w, i) => ({
  run: (t) => {
    t.disableL7Retry?.();
    return undefined;
  },
  next: i,
});

/**
 * The verdict of an error-page reply (http_reply_to_htx): the page itself (read once), or the
 * section's missing page as an empty reply, or undefined for the proxy's page for the status.
 */
function errorfileAnswer(spec: ErrorfileSpec): () => { reply?: HttpReply; page?: ErrorReply } {
  const src = spec.source;
  if (src === 'default') return () => ({});
  let cached: { reply?: HttpReply; page?: ErrorReply } | undefined;
  return () => {
    if (cached !== undefined) return cached;
    const raw = Buffer.isBuffer(src) ? src : src.pages.get(spec.status);
    // Sections are read whole before any request: the answer no longer changes.
    cached = raw !== undefined ? { page: errorReplyOf(raw) } : { reply: { status: spec.status, headers: [['content-length', '0']], body: '' } };
    return cached;
  };
}

/** `deny [deny_status N] [http reply options]`: 403 for requests, 502 for responses by default (parse_http_deny). */
const deny: ActionParser = (w, i, a) => {
  let status = a.side === 'req' ? 403 : 502;
  // Only `deny_status N` alone keeps the error page; `status N` starts an http reply (empty without a payload).
  const status0 = w[i] === 'deny_status';
  const end = i + (status0 ? 2 : 0);
  if (w[end] === undefined || w[end] === 'if' || w[end] === 'unless') {
    if (status0) {
      const n = Number(w[i + 1]);
      if (!/^\d+$/.test(w[i + 1] ?? '') || n < 200 || n > 599) return `Unexpected status code '${w[i + 1] ?? ''}'`;
      status = n;
    }
    const verdict: HttpVerdict = Object.freeze({ kind: 'deny', status });
    return { run: () => verdict, next: end };
  }
  const words = status0 ? [...w.slice(0, i), 'status', ...w.slice(i + 1)] : w;
  const r = parseReturnArgs(words, i, (text) => fmt(text, a), status, a.sectionOf, a.warn);
  if (typeof r === 'string') return r;
  const spec = r.spec;
  if ('source' in spec) {
    const answer = errorfileAnswer(spec);
    let verdict: HttpVerdict | undefined;
    return { run: () => (verdict ??= Object.freeze({ kind: 'deny', status: spec.status, ...answer() })), next: r.next };
  }
  return { run: (t) => ({ kind: 'deny', status: spec.status, reply: returnReply(spec, t) }), next: r.next };
};

/** `tarpit [deny_status N]` (request side only): 500 by default, after `timeout tarpit`. */
const tarpit: ActionParser = (w, i) => {
  let status = 500;
  if (w[i] === 'deny_status' || w[i] === 'status') {
    const n = Number(w[i + 1]);
    if (!/^\d+$/.test(w[i + 1] ?? '') || n < 200 || n > 599) return `Unexpected status code '${w[i + 1] ?? ''}'`;
    status = n;
    i += 2;
  }
  if (REPLY_OPTIONS.has(w[i] ?? '')) return `'${w[i]}': a custom reply for 'tarpit' is not supported yet`;
  const verdict: HttpVerdict = Object.freeze({ kind: 'tarpit', status });
  return { run: () => verdict, next: i };
};

/** http-reply options HAProxy 2.6 also accepts after `deny` (parse_http_reply). */
const REPLY_OPTIONS: ReadonlySet<string> = new Set(['content-type', 'string', 'lf-string', 'file', 'lf-file', 'errorfile', 'errorfiles', 'default-errorfiles', 'hdr']);

const auth: ActionParser = (w, i, a) => {
  let realm = a.proxy;
  if (w[i] === 'realm') {
    if (w[i + 1] === undefined || w[i + 1] === 'if' || w[i + 1] === 'unless') return 'missing realm value.\n';
    realm = w[i + 1];
    i += 2;
  }
  const verdict: HttpVerdict = Object.freeze({ kind: 'auth', realm });
  return { run: () => verdict, next: i };
};

/** Applets `use-service` may name (HAProxy 2.6 registers prometheus-exporter when built with it). */
export const SERVICES: ReadonlySet<string> = new Set(['prometheus-exporter']);

const useService: ActionParser = (w, i) => {
  const name = w[i];
  if (name === undefined || name === 'if' || name === 'unless') return 'expects a service name.';
  if (!SERVICES.has(name)) return `'${name}' unknown service name.`;
  const verdict: HttpVerdict = Object.freeze({ kind: 'use-service', service: name });
  return { run: () => verdict, next: i + 1 };
};

const redirect: ActionParser = (w, i, a) => {
  const r = parseRedirectArgs(w, i, (text) => fmt(text, a));
  if (typeof r === 'string') return r;
  const spec = r.spec;
  return {
    run: (t) => {
      const reply = redirectReply(spec, t);
      return reply === undefined ? undefined : { kind: 'reply', reply };
    },
    next: r.next,
  };
};

const returnAction: ActionParser = (w, i, a) => {
  const r = parseReturnArgs(w, i, (text) => fmt(text, a), 200, a.sectionOf, a.warn);
  if (typeof r === 'string') return r;
  const spec = r.spec;
  if ('source' in spec) {
    const answer = errorfileAnswer(spec);
    let verdict: HttpVerdict | undefined;
    const run = (): HttpVerdict => {
      if (verdict !== undefined) return verdict;
      const { reply, page } = answer();
      return (verdict = Object.freeze(reply !== undefined ? { kind: 'reply', reply } : { kind: 'errorpage', status: spec.status, page }));
    };
    return { run, next: r.next };
  }
  return { run: (t) => ({ kind: 'reply', reply: returnReply(spec, t) }), next: r.next };
};

/** `http-response|http-after-response set-status N [reason R]`. */
const setStatus: ActionParser = (w, i) => {
  const n = argsUntilCondition(w, i);
  if (n !== 1 && n !== 3) return 'expects 1 argument: <status>; or 3 arguments: <status> reason <fmt>';
  const code = Number(w[i]);
  if (!/^\d+$/.test(w[i]) || code < 100 || code > 999) return 'expects an integer status code between 100 and 999';
  if (n === 3 && w[i + 1] !== 'reason') return 'expects 1 argument: <status>; or 3 arguments: <status> reason <fmt>';
  const reason = n === 3 ? w[i + 2] : undefined;
  return {
    run: (t) => {
      if (!t.res) return undefined;
      t.res.status = code;
      // http_res_set_status: without `reason`, the status's own phrase (http_get_reason), not the old one.
      t.res.reason = reason ?? reasonPhrase(code);
      return undefined;
    },
    next: i + n,
  };
};

const COMMON: Readonly<Record<string, ActionParser>> = {
  allow,
  deny,
  'set-header': headerSetter(setHeader),
  'add-header': headerSetter(addHeader),
  'del-header': delHeaderAction,
  'replace-header': replaceAction(false),
  'replace-value': replaceAction(true),
  redirect,
  return: returnAction,
};

export const REQUEST_ACTIONS: Readonly<Record<string, ActionParser>> = {
  ...COMMON,
  auth,
  tarpit,
  'use-service': useService,
  'set-path': uriAction(setPath),
  'set-query': uriAction(setQuery),
  'set-uri': uriAction(setUri),
  'set-method': uriAction(setMethod),
  'disable-l7-retry': disableL7Retry,
};

export const RESPONSE_ACTIONS: Readonly<Record<string, ActionParser>> = {
  ...COMMON,
  'set-status': setStatus,
};

/**
 * `http-after-response` (http_act.c http_after_res_actions, vars.c): HAProxy 2.6 has no deny,
 * redirect or return there. Its capture, set-var-fmt, strict-mode and unset-var are not served yet.
 */
export const AFTER_RESPONSE_ACTIONS: Readonly<Record<string, ActionParser>> = {
  'add-header': COMMON['add-header'],
  allow,
  'del-header': delHeaderAction,
  'replace-header': COMMON['replace-header'],
  'replace-value': COMMON['replace-value'],
  'set-header': COMMON['set-header'],
  'set-status': setStatus,
};

/** Which keyword's actions: `http-request`, `http-response` or `http-after-response`. */
export type RuleSet = 'req' | 'res' | 'after';

/** The actions of a rule set. */
export function actionsOf(set: RuleSet): Readonly<Record<string, ActionParser>> {
  return set === 'req' ? REQUEST_ACTIONS : set === 'res' ? RESPONSE_ACTIONS : AFTER_RESPONSE_ACTIONS;
}

/** The parser of action word `word` (`set-var(txn.x)` carries its variable), or undefined. */
export function actionParser(word: string, set: RuleSet): ActionParser | undefined {
  const m = /^set-var\((.*)\)$/.exec(word);
  if (m) return setVarAction(m[1]);
  const table = actionsOf(set);
  return Object.hasOwn(table, word) ? table[word] : undefined;
}
