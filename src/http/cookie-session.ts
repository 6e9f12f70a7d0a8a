// Cookie persistence applied to the HTTP session's messages: the pure request/response logic
// (cookie-request.ts, cookie-response.ts) over H1Message header fields, with the wall clock
// HAProxy uses for cookie dates (`date.tv_sec`).
import type { SampleTxn } from '../acl/sample.ts';
import type { Server } from '../backend/server.ts';
import type { CookieSpec, ProxySpec } from '../config/model.ts';
import type { H1Message } from './h1-message.ts';
import { applyRequestCookies, type RequestCookieResult } from './cookie-request.ts';
import { appliesToResponse, applyResponseCookies } from './cookie-response.ts';
import { cookieLogChars, persistVerdict } from './cookie-persist.ts';

/** Values of every field named `lname`, in order. */
function valuesOf(msg: H1Message, lname: string): string[] {
  const out: string[] = [];
  for (let i = msg.indexOf(lname); i >= 0; i = msg.indexOf(lname, i + 2)) out.push(msg.flat[i + 1]);
  return out;
}

/** Put `values` back into the fields named `lname`, index for index; null removes a field. */
function replaceValues(msg: H1Message, lname: string, values: readonly (string | null)[]): void {
  const h = msg.flat;
  let k = 0;
  let w = 0;
  for (let r = 0; r < h.length; r += 2) {
    let v: string | null = h[r + 1];
    if (h[r] === lname) v = values[k++];
    if (v === null) continue;
    h[w++] = h[r];
    h[w++] = v;
  }
  h.length = w;
}

const nowSec = (): number => Math.floor(Date.now() / 1000);

/**
 * The request side for backend `spec` (its force-persist / ignore-persist rules evaluated on
 * `txn`): may rewrite the request's Cookie fields; the result's `server` is where the request
 * goes (null: balance). `assigned`: a use-server rule already chose (HAProxy runs them first,
 * AN_REQ_SRV_RULES before AN_REQ_HTTP_INNER; the cookie is then unused, `U`). Null when the
 * backend has no `cookie`.
 */
export function persistRequest(spec: ProxySpec, servers: readonly Server[], req: H1Message, txn: SampleTxn, assigned: boolean): RequestCookieResult | null {
  const cookie = spec.cookie;
  if (cookie === undefined) return null;
  const verdict = persistVerdict(spec.rules?.persistRules, txn);
  const r = applyRequestCookies({
    spec: cookie, servers, cookieHeaders: valuesOf(req, 'cookie'), nowSec: nowSec(), persist: spec.options.persist === true,
    forcePersist: verdict === 'force', ignorePersist: verdict === 'ignore', assigned,
  });
  if (r.changed) replaceValues(req, 'cookie', r.headers);
  return r;
}

/** The response side: edits the response's fields; returns the `%tsc` cookie characters. */
export function persistResponse(cookie: CookieSpec, reqResult: RequestCookieResult, server: Server | null, method: string, res: H1Message): string {
  if (!appliesToResponse(res.status)) return cookieLogChars(cookie, reqResult.status, 'N');
  const before = valuesOf(res, 'set-cookie');
  const r = applyResponseCookies({
    spec: cookie, server, direct: reqResult.assigned || (reqResult.server !== null && reqResult.server === server), ignorePersist: reqResult.ignorePersist, method, status: res.status,
    setCookieHeaders: before, responseHeader: (name) => valuesOf(res, name.toLowerCase()),
    firstDate: reqResult.firstDate, lastDate: reqResult.lastDate, nowSec: nowSec(),
  });
  if (r.setCookieHeaders.some((v, i) => v !== before[i])) replaceValues(res, 'set-cookie', r.setCookieHeaders);
  if (r.insert !== undefined) res.add('set-cookie', r.insert);
  if (r.cacheControlPrivate) res.add('cache-control', 'private');
  return cookieLogChars(cookie, reqResult.status, r.status);
}
