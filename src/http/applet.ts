// Applet contract: a request answered inside the proxy instead of by a server (HAProxy applets:
// the stats page, `http-request use-service prometheus-exporter`, `http-request return`).
// The HTTP session builds an AppletRequest from the parsed head and the whole body, calls the
// applet and writes its response with the session's own framing and keep-alive rules.
import type { SampleTxn } from '../acl/sample.ts';

export interface AppletRequest {
  readonly method: string;
  /** Request target as received (path and query), e.g. `/stats;csv` or `/metrics?scope=x`. */
  readonly uri: string;
  /** `HTTP/1.0` or `HTTP/1.1`. */
  readonly version: string;
  /** First value of a header (case-insensitive name), undefined when absent. */
  header(name: string): string | undefined;
  /** The whole request body (empty when none). */
  readonly body: Buffer;
  /** Client address and port, as HAProxy's `src` / `src_port`. */
  readonly src: string;
  readonly srcPort: number;
  /** The transaction, for conditions the applet evaluates (`stats admin if COND`); absent in unit tests. */
  readonly txn?: SampleTxn;
}

export interface AppletResponse {
  readonly status: number;
  /** Reason phrase; the session uses the standard one for `status` when absent. */
  readonly reason?: string;
  /** Response headers in order; the session adds framing (content-length) and connection headers. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: string | Buffer;
}

export type Applet = (req: AppletRequest) => AppletResponse | Promise<AppletResponse>;
