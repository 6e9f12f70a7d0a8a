// Log-format strings as rule arguments (`http-request set-header X-Path %[path,lower]`,
// configuration.txt 8.2.4): literal text, `%%`, and `%[sample expression]`. The few `%`
// variables that rules commonly use are served from the transaction; others are refused.
import type { FetchContext } from '../../acl/fetches.ts';
import { toStr } from '../../acl/matchers.ts';
import type { SampleTxn } from '../../acl/sample.ts';
import { compileSampleExpr } from '../../acl/sample-expr.ts';

/** A compiled format: a constant string or a function of the transaction. */
export type Format = string | ((txn: SampleTxn) => string);

type Part = string | ((txn: SampleTxn) => string);

/** `%ci`, `%cp`, `%fi`, `%fp`, `%HM`, `%HU`, `%HV`, `%HP`, `%HQ`, `%ID` (log-format variables). */
const VARIABLES: Readonly<Record<string, (t: SampleTxn) => string>> = {
  ci: (t) => t.src,
  cp: (t) => String(t.srcPort),
  fi: (t) => t.dst,
  fp: (t) => String(t.dstPort),
  HM: (t) => t.req?.method ?? '',
  HU: (t) => t.req?.uri ?? '',
  HV: (t) => t.req?.version ?? '',
  HP: (t) => { const u = t.req?.uri ?? ''; const q = u.indexOf('?'); return q < 0 ? u : u.slice(0, q); },
  HQ: (t) => { const u = t.req?.uri ?? ''; const q = u.indexOf('?'); return q < 0 ? '' : u.slice(q); },
  // The unique id if something generated it already: log.c LOG_FMT_UNIQUEID only reads stream->unique_id.
  ID: (t) => t.generatedUniqueId ?? '',
};

/** Compile `text`; a `{ error }` result carries HAProxy's message. */
export function compileFormat(text: string, ctx: FetchContext): Format | { error: string } {
  const parts: Part[] = [];
  let lit = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '%') {
      lit += c;
      continue;
    }
    if (text[i + 1] === '%') {
      lit += '%';
      i++;
      continue;
    }
    if (lit) parts.push(lit), (lit = '');
    if (text[i + 1] === '[') {
      const end = text.indexOf(']', i + 2);
      const inner = end < 0 ? text.slice(i + 2) : text.slice(i + 2, end);
      const r = compileSampleExpr(inner, ctx);
      if (!r.ok && r.unavailable !== undefined) {
        return { error: `sample fetch <${text.slice(i + 2)}> may not be reliably used here because it needs '${r.unavailable}' which is not available here` };
      }
      if (!r.ok || end < 0) {
        return { error: `failed to parse sample expression <${text.slice(i + 2)}> : ${r.ok ? 'missing closing \']\'' : r.error}` };
      }
      const expr = r.expr;
      parts.push((t) => { const v = expr.value(t); return v === undefined ? '' : toStr(v); });
      i = end;
      continue;
    }
    const m = /^[A-Za-z]+/.exec(text.slice(i + 1));
    const name = m?.[0] ?? '';
    const fn = VARIABLES[name];
    if (!fn) {
      return { error: `no such format variable '${name}'. If you wanted to emit the '%' character verbatim, you need to use '%%'` };
    }
    parts.push(fn);
    i += name.length;
  }
  if (lit) parts.push(lit);
  if (parts.length === 0) return '';
  if (parts.length === 1 && typeof parts[0] === 'string') return parts[0];
  return (t) => {
    let out = '';
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      out += typeof p === 'string' ? p : p(t);
    }
    return out;
  };
}

export function renderFormat(f: Format, txn: SampleTxn): string {
  return typeof f === 'string' ? f : f(txn);
}
