// Responses produced by rules: `redirect` (HAProxy 2.6 http_ana.c http_apply_redirect_rule) and
// `http-request return` (http_htx.c http_reply_message). Headers are complete and in HAProxy's
// order, lower-case, content-length included.
import type { SampleTxn } from '../../acl/sample.ts';
import { pathStart } from '../../acl/http-values.ts';
import { sameName } from '../../acl/header-fields.ts';
import { renderFormat, type Format } from './format.ts';
import type { HttpReply } from './rules.ts';
import type { HttpErrorsSection } from '../../config/model.ts';

export type RedirectType = 'location' | 'prefix' | 'scheme';

export interface RedirectSpec {
  readonly type: RedirectType;
  readonly target: Format;
  readonly code: 301 | 302 | 303 | 307 | 308;
  readonly dropQuery: boolean;
  readonly appendSlash: boolean;
  readonly ignoreEmpty: boolean;
  /** Complete Set-Cookie value (`NAME=V; path=/;` or `NAME; path=/; Max-Age=0;`). */
  readonly cookie: string | undefined;
}

export const REDIRECT_REASONS: Readonly<Record<number, string>> = {
  301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 307: 'Temporary Redirect', 308: 'Permanent Redirect',
};

/** http_parse_path(): from the path's first slash to the end (query included), "/" when none. */
function pathAndQuery(uri: string, dropQuery: boolean): string {
  const start = pathStart(uri);
  let p = start < 0 ? '/' : start === 0 ? uri : uri.slice(start);
  if (dropQuery) {
    const q = p.indexOf('?');
    if (q >= 0) p = p.slice(0, q);
  }
  return p;
}

function hostOf(txn: SampleTxn): string {
  const h = txn.req?.headers;
  if (!h) return '';
  for (let i = 0; i < h.length; i++) if (sameName(h.nameAt(i), 'host')) return h.valueAt(i);
  return '';
}

function location(spec: RedirectSpec, txn: SampleTxn): string | undefined {
  const target = renderFormat(spec.target, txn);
  if (spec.type === 'location') return target === '' && spec.ignoreEmpty ? undefined : target;
  const uri = txn.req?.uri ?? '/';
  let out: string;
  if (spec.type === 'scheme') out = `${target}://${hostOf(txn)}${pathAndQuery(uri, spec.dropQuery)}`;
  else out = (target === '/' ? '' : target) + pathAndQuery(uri, spec.dropQuery);
  if (spec.appendSlash && out !== '' && !out.endsWith('/')) out += '/';
  return out;
}

/** The 30x response, or undefined (`ignore-empty` with an empty location: the rule is skipped). */
export function redirectReply(spec: RedirectSpec, txn: SampleTxn): HttpReply | undefined {
  const loc = location(spec, txn);
  if (loc === undefined) return undefined;
  const headers: [string, string][] = [['content-length', '0'], ['location', loc]];
  if (spec.code === 302 || spec.code === 303 || spec.code === 307) headers.push(['cache-control', 'no-cache']);
  if (spec.cookie !== undefined) headers.push(['set-cookie', spec.cookie]);
  return { status: spec.code, reason: REDIRECT_REASONS[spec.code], headers, body: '' };
}

export interface ReturnSpec {
  readonly status: number;
  readonly contentType: string | undefined;
  /** Body: constant (string/file) or a format (lf-string). */
  readonly body: Buffer | Format;
  readonly headers: ReadonlyArray<readonly [string, Format]>;
}

/**
 * An http reply made of an error page (http_reply_to_htx, HTTP_REPLY_ERRMSG / INDIRECT): the
 * proxy's page for `status` ('default': `default-errorfiles`, a bare deny), a file's page sent as
 * it is (`errorfile FILE`), or an http-errors section's page for `status` (`errorfiles NAME`; none
 * there: an empty reply with `status`).
 */
export interface ErrorfileSpec {
  readonly status: number;
  readonly source: 'default' | Buffer | HttpErrorsSection;
}

/** `http-request return`: the `hdr` lines, then content-length and content-type. */
export function returnReply(spec: ReturnSpec, txn: SampleTxn): HttpReply {
  const body = Buffer.isBuffer(spec.body) ? spec.body : Buffer.from(renderFormat(spec.body, txn), 'utf8');
  const headers: [string, string][] = spec.headers.map(([n, v]) => [n, renderFormat(v, txn)]);
  headers.push(['content-length', String(body.length)]);
  if (spec.contentType !== undefined && body.length > 0) headers.push(['content-type', spec.contentType]);
  return { status: spec.status, headers, body };
}
