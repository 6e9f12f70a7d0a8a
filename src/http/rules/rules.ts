// Rule sets of one proxy and their entry points (configuration.txt 4.2 "http-request",
// "http-response", "redirect", "use_backend", "use-server", "tcp-request"). Rules are compiled at
// config load (src/config/parse-http-rules.ts); the sessions call the run* functions below.
//
// Order, as HAProxy's http_process_req_common(): the frontend's http-request rules, then its
// `redirect` rules, then use_backend/default_backend; then the backend's http-request rules and
// redirects (a `listen` runs its own once); then use-server. Responses: the backend's
// http-response rules, then the frontend's; then the backend's http-after-response rules and the
// frontend's, on server responses and on the proxy's own answers alike (http_ana.c
// http_eval_after_res_rules). Within a rule set the first final verdict wins.
import type { PersistRule } from '../cookie-persist.ts';
import { ACL_MISS, ACL_PASS, type Condition } from '../../acl/acl.ts';
import type { AclScope } from '../../acl/condition.ts';
import type { SampleTxn } from '../../acl/sample.ts';
import type { SourceLoc } from '../../config/model.ts';
import type { AppletResponse } from '../applet.ts';
import type { ErrorReply } from '../error-pages.ts';

/** A complete response produced by a rule (`return`, `redirect`): the session adds framing headers. */
export type HttpReply = AppletResponse;

/**
 * What the session does after a rule set ran.
 * - continue: no final rule matched; go on (next rule set, backend selection, forwarding).
 * - allow: stop evaluating this rule set and go on (HAProxy `allow`).
 * - deny: answer `status` with the proxy's error page for it (errorfile, else HAProxy's built-in
 *   page; 403 for http-request, 502 for http-response) and close the transaction.
 *   A deny with an http reply sends `reply` (a built one) or `page` (`errorfile`, `errorfiles`) instead.
 * - errorpage: `http-request return ... errorfile|errorfiles|default-errorfiles`: send `page`, or the
 *   proxy's page for `status` when undefined, as a local answer.
 * - reply: send `reply` (`http-request return`, `redirect`); `redirect` is true for redirects.
 * - auth: answer 401 with the 401 error page plus `WWW-Authenticate: Basic realm="<realm>"`
 *   (HAProxy sends 407/Proxy-Authenticate only for proxy-style absolute URIs; hapair always 401).
 * - tarpit: hold the request for `timeout tarpit`, then answer `status` as deny does (`PT`).
 * - use-service: hand the request to the applet named `service` (`prometheus-exporter`).
 */
export type HttpVerdict =
  | { readonly kind: 'continue' }
  | { readonly kind: 'allow' }
  | { readonly kind: 'deny'; readonly status: number; readonly reply?: HttpReply; readonly page?: ErrorReply }
  | { readonly kind: 'errorpage'; readonly status: number; readonly page: ErrorReply | undefined }
  | { readonly kind: 'tarpit'; readonly status: number }
  | { readonly kind: 'reply'; readonly reply: HttpReply }
  | { readonly kind: 'auth'; readonly realm: string }
  | { readonly kind: 'use-service'; readonly service: string };

export const CONTINUE: HttpVerdict = Object.freeze({ kind: 'continue' });
export const ALLOW: HttpVerdict = Object.freeze({ kind: 'allow' });

/** One rule: a condition and an action; the action returns undefined to go on with the next rule. */
export interface HttpRule {
  readonly cond: Condition;
  readonly run: (txn: SampleTxn) => HttpVerdict | undefined;
  /** The keyword as written (`http-request set-header`), for diagnostics. */
  readonly name: string;
  readonly loc: SourceLoc;
}

export type TcpAction = 'accept' | 'reject';

export interface TcpRule {
  readonly cond: Condition;
  readonly action: TcpAction;
  readonly loc: SourceLoc;
}

export interface UseServerRule {
  readonly server: string;
  readonly cond: Condition;
  readonly loc: SourceLoc;
}

/** `capture request|response header NAME len N`: slots in declaration order, as in the log's {..|..}. */
export interface HeaderCapture {
  readonly name: string;
  readonly len: number;
}

/** Everything rule-related of one proxy (ProxySpec.rules); every list may be empty. */
export interface ProxyRules {
  readonly httpRequest: readonly HttpRule[];
  readonly redirects: readonly HttpRule[];
  readonly httpResponse: readonly HttpRule[];
  /** `http-after-response` rules: their actions only edit the response or `allow`. */
  readonly httpAfterResponse: readonly HttpRule[];
  readonly useServers: readonly UseServerRule[];
  readonly tcpConnection: readonly TcpRule[];
  readonly tcpContent: readonly TcpRule[];
  /** `tcp-request inspect-delay` in ms (0 = none: content rules run once on what is there). */
  readonly inspectDelay: number;
  readonly captureRequest: readonly HeaderCapture[];
  readonly captureResponse: readonly HeaderCapture[];
  /** `force-persist` / `ignore-persist` rules (cookie-persist.ts), in order; absent = none. */
  readonly persistRules?: readonly PersistRule[];
  /** The proxy's named ACLs (for conditions compiled after parsing, e.g. `stats admin if ...`). */
  readonly acls?: AclScope;
}

export const NO_RULES: ProxyRules = Object.freeze({
  httpRequest: [], redirects: [], httpResponse: [], httpAfterResponse: [], useServers: [], tcpConnection: [], tcpContent: [],
  inspectDelay: 0, captureRequest: [], captureResponse: [],
});

function runList(list: readonly HttpRule[], txn: SampleTxn): HttpVerdict | undefined {
  for (let i = 0; i < list.length; i++) {
    const rule = list[i];
    if (!rule.cond.test(txn)) continue;
    const v = rule.run(txn);
    if (v !== undefined) return v;
  }
  return undefined;
}

/**
 * A proxy's http-request rules, then its `redirect` rules. `allow` only ends the http-request
 * rules: the redirect rules still run (http_ana.c http_process_req_common).
 */
export function runHttpRequestRules(rules: ProxyRules, txn: SampleTxn): HttpVerdict {
  const v = runList(rules.httpRequest, txn);
  if (v !== undefined && v !== ALLOW) return v;
  return runList(rules.redirects, txn) ?? v ?? CONTINUE;
}

/** A proxy's http-response rules (deny answers 502 by default). */
export function runHttpResponseRules(rules: ProxyRules, txn: SampleTxn): HttpVerdict {
  return runList(rules.httpResponse, txn) ?? CONTINUE;
}

/**
 * A proxy's http-after-response rules. `allow` ends this proxy's list only: the frontend's rules
 * still run after a backend's `allow` (http_eval_after_res_rules goes on after HTTP_RULE_RES_STOP).
 */
export function runHttpAfterResponseRules(rules: ProxyRules, txn: SampleTxn): void {
  runList(rules.httpAfterResponse, txn);
}

/** First `use-server` whose condition holds: the server name, or undefined (balance as usual). */
export function selectServer(rules: ProxyRules, txn: SampleTxn): string | undefined {
  for (const r of rules.useServers) if (r.cond.test(txn)) return r.server;
  return undefined;
}

/** `tcp-request connection` rules at accept: false = reject (close without a response). */
export function runTcpConnectionRules(rules: ProxyRules, txn: SampleTxn): boolean {
  for (const r of rules.tcpConnection) if (r.cond.test(txn)) return r.action === 'accept';
  return true;
}

/**
 * `tcp-request content` rules on the data received so far. `final` is true once the inspect delay
 * expired, the buffer is full or the client closed. 'wait' asks the session to call again when
 * more data arrives (or the delay ends): a rule whose condition may still change did not match yet
 * (tcp_rules.c tcp_inspect_request: ACL_TEST_MISS waits, a definite non-match goes on at once).
 */
export function runTcpContentRules(rules: ProxyRules, txn: SampleTxn, final: boolean): TcpAction | 'wait' {
  const partial = !final && rules.inspectDelay > 0;
  for (const r of rules.tcpContent) {
    const evaluate = partial ? r.cond.evaluate : undefined;
    if (evaluate !== undefined) {
      const res = evaluate(txn);
      if (res === ACL_MISS) return 'wait';
      if (res === ACL_PASS) return r.action;
      continue;
    }
    if (r.cond.test(txn)) return r.action;
    if (partial && r.cond.mayChange) return 'wait';
  }
  return 'accept';
}
