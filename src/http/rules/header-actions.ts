// Header and start-line editing actions of http-request / http-response rules
// (configuration.txt 4.2 "http-request set-header" ... "set-uri"), as HAProxy's http_act.c does
// them: names are stored lower-case (HTX), replace-header rewrites whole lines, replace-value each
// comma-separated value; a replacement is the format's output with \1..\9 taken from the match.
import { sameName } from '../../acl/header-fields.ts';
import { pathStart, valueEnd } from '../../acl/http-values.ts';
import type { HeaderFields, SampleTxn } from '../../acl/sample.ts';
import { renderFormat, type Format } from './format.ts';

export type Side = 'req' | 'res';

/** Where set-method keeps the parsed method (no `set-var` name can collide: they need a scope). */
export const PARSED_METHOD = '\0method';

function fieldsOf(txn: SampleTxn, side: Side): HeaderFields | undefined {
  return side === 'req' ? txn.req?.headers : txn.res?.headers;
}

export function removeHeader(h: HeaderFields, name: string): void {
  for (let i = h.length - 1; i >= 0; i--) if (sameName(h.nameAt(i), name)) h.removeAt(i);
}

export function setHeader(txn: SampleTxn, side: Side, name: string, value: Format): void {
  const h = fieldsOf(txn, side);
  if (!h) return;
  // The value is computed before the old lines go: `set-header X %[hdr(X)]` keeps its input.
  const v = renderFormat(value, txn);
  removeHeader(h, name);
  h.append(name, v);
}

export function addHeader(txn: SampleTxn, side: Side, name: string, value: Format): void {
  fieldsOf(txn, side)?.append(name, renderFormat(value, txn));
}

/** `del-header NAME [-m str|beg|end|sub|reg]` (str, case-insensitive, by default). */
export function delHeader(txn: SampleTxn, side: Side, match: (name: string) => boolean): void {
  const h = fieldsOf(txn, side);
  if (!h) return;
  for (let i = h.length - 1; i >= 0; i--) if (match(h.nameAt(i))) h.removeAt(i);
}

/** exp_replace(): the replacement with `\N` replaced by group N of `m`. */
export function expandReplacement(repl: string, m: RegExpExecArray): string {
  if (repl.indexOf('\\') < 0) return repl;
  return repl.replace(/\\(\d)|\\\\/g, (all, n: string | undefined) => (n === undefined ? '\\' : (m[Number(n)] ?? '')));
}

function replaceOne(value: string, re: RegExp, repl: string): string | undefined {
  const m = re.exec(value);
  return m ? expandReplacement(repl, m) : undefined;
}

/** `replace-header` (whole lines) / `replace-value` (each comma-separated value). */
export function replaceHeader(txn: SampleTxn, side: Side, name: string, re: RegExp, fmt: Format, perValue: boolean): void {
  const h = fieldsOf(txn, side);
  if (!h) return;
  const repl = renderFormat(fmt, txn);
  for (let i = 0; i < h.length; i++) {
    if (!sameName(h.nameAt(i), name)) continue;
    const value = h.valueAt(i);
    if (!perValue) {
      const out = replaceOne(value, re, repl);
      if (out !== undefined) h.setValueAt(i, out);
      continue;
    }
    // http_replace_header_value(): a replaced value takes its surrounding blanks with it; the
    // others stay as they were.
    let changed = false;
    let out = '';
    for (let from = 0; from <= value.length;) {
      const end = valueEnd(value, from);
      const raw = value.slice(from, end);
      const replaced = replaceOne(raw.trim(), re, repl);
      if (replaced !== undefined) changed = true;
      out += (from > 0 ? ',' : '') + (replaced ?? raw);
      from = end + 1;
    }
    if (changed) h.setValueAt(i, out);
  }
}

/** `set-path`: the path part of the target, query kept (absolute-form keeps scheme and authority). */
export function setPath(txn: SampleTxn, fmt: Format): void {
  const req = txn.req;
  if (!req) return;
  const path = renderFormat(fmt, txn);
  const uri = req.uri;
  const start = pathStart(uri);
  const q = uri.indexOf('?');
  const prefix = start > 0 ? uri.slice(0, start) : start < 0 && uri.includes('://') ? uri : '';
  req.uri = prefix + path + (q < 0 ? '' : uri.slice(q));
}

/** `set-query`: replaces what follows `?` (added when missing). */
export function setQuery(txn: SampleTxn, fmt: Format): void {
  const req = txn.req;
  if (!req) return;
  const q = req.uri.indexOf('?');
  req.uri = (q < 0 ? req.uri : req.uri.slice(0, q)) + '?' + renderFormat(fmt, txn);
}

/**
 * `set-uri`: the whole target. An absolute-form target also rewrites the value of every Host
 * field to its authority, userinfo dropped (HAProxy 2.6 http_replace_req_uri -> http_update_host).
 */
export function setUri(txn: SampleTxn, fmt: Format): void {
  const req = txn.req;
  if (!req) return;
  const uri = renderFormat(fmt, txn);
  req.uri = uri;
  const authority = absoluteAuthority(uri);
  if (authority === undefined) return;
  const h = req.headers;
  for (let i = 0; i < h.length; i++) if (sameName(h.nameAt(i), 'host')) h.setValueAt(i, authority);
}

/** The authority of `scheme://authority/...` without `userinfo@`; undefined for other forms. */
function absoluteAuthority(uri: string): string | undefined {
  if (uri.startsWith('/')) return undefined;
  const sep = uri.indexOf('://');
  if (sep <= 0) return undefined;
  const start = sep + 3;
  let end = uri.indexOf('/', start);
  if (end < 0) end = uri.length;
  const at = uri.lastIndexOf('@', end - 1);
  return uri.slice(at >= start ? at + 1 : start, end);
}

/**
 * `set-method`: the request line changes, but HAProxy's `method` fetch keeps reading the parsed
 * method (txn->meth is not updated by http_replace_req_meth), so the first one is kept aside.
 */
export function setMethod(txn: SampleTxn, fmt: Format): void {
  const req = txn.req;
  if (!req) return;
  const vars = (txn.vars ??= new Map());
  if (!vars.has(PARSED_METHOD)) vars.set(PARSED_METHOD, req.method);
  req.method = renderFormat(fmt, txn);
}
