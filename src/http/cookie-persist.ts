// Cookie persistence (HAProxy configuration.txt 4.2 "cookie", "option persist"): the contract
// the HTTP session calls. Pure functions over header values, no I/O:
//   request:  applyRequestCookies() after the http-request rules, before balancing. A non-null
//             `server` is used directly (DRAIN servers keep their clients; DOWN ones only with
//             `option persist`); the returned Cookie values replace the request's Cookie lines.
//   response: applyResponseCookies() on the final response (appliesToResponse), before the
//             http-response rules; its Set-Cookie edits, inserted cookie and
//             `Cache-control: private` go to the client.
// The two status letters are the 3rd and 4th characters of httplog's `%tsc` (`--VN`, `--NI`).
export { type ClientCookieStatus, applyRequestCookies, isStopped, type RequestCookieInput, type RequestCookieResult } from './cookie-request.ts';
export {
  appliesToResponse, applyResponseCookies, isCacheable, type ResponseCookieInput, type ResponseCookieResult, type ServerCookieStatus,
} from './cookie-response.ts';
import type { Condition } from '../acl/acl.ts';
import type { SampleTxn } from '../acl/sample.ts';
import type { CookieSpec, SourceLoc } from '../config/model.ts';

/** `%tsc` cookie characters: '-' twice unless the backend uses insert, rewrite, prefix or indirect (log.c PR_CK_ANY). */
export function cookieLogChars(spec: CookieSpec | undefined, client: string, server: string): string {
  if (spec === undefined || (spec.mode === 'passive' && !spec.indirect)) return '--';
  return client + server;
}

/** `force-persist` / `ignore-persist` with its condition. */
export interface PersistRule {
  readonly type: 'force' | 'ignore';
  readonly cond: Condition;
  readonly loc: SourceLoc;
}

/** The first persist rule whose condition holds decides (stream.c process_switching_rules). */
export function persistVerdict(rules: readonly PersistRule[] | undefined, txn: SampleTxn): 'force' | 'ignore' | undefined {
  if (rules === undefined) return undefined;
  for (const r of rules) if (r.cond.test(txn)) return r.type;
  return undefined;
}
