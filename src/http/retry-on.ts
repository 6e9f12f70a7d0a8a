// Layer-7 retries (configuration.txt 4.2 "retry-on"; HAProxy 2.6 http_ana.c do_l7_retry): which
// failures of a sent request make the session send it again. Connect failures (`conn-failure`)
// are the backend's business (ProxyBackend.retryConnFailure); this is everything after a send.
import type { ProxySpec } from '../config/model.ts';

export class L7Retry {
  /** `empty-response`: the server closed (or reset) before a complete response head. */
  readonly emptyResponse: boolean;
  /** `junk-response`: what the server sent is no valid HTTP response head. */
  readonly junkResponse: boolean;
  /** `response-timeout`: `timeout server` struck before a response head. */
  readonly responseTimeout: boolean;
  readonly #statuses: ReadonlySet<number>;

  constructor(events: readonly string[]) {
    this.emptyResponse = events.includes('empty-response');
    this.junkResponse = events.includes('junk-response');
    this.responseTimeout = events.includes('response-timeout');
    this.#statuses = new Set(events.filter((e) => /^\d{3}$/.test(e)).map(Number));
  }

  /** A response head with this status is retried (HAProxy l7_status_match). */
  onStatus(status: number): boolean {
    return this.#statuses.has(status);
  }
}

/**
 * A backend's layer-7 retry policy: null in `mode tcp` (retry-on is ignored there) and when it
 * lists nothing beyond `conn-failure` (HAProxy sets TX_L7_RETRY for other bits only).
 * `0rtt-rejected` never fires: hapair sends no TLS early data.
 */
export function l7RetryOf(be: ProxySpec): L7Retry | null {
  const events = be.retryOn;
  if (be.mode !== 'http' || events === undefined || !events.some((e) => e !== 'conn-failure')) return null;
  return new L7Retry(events);
}
