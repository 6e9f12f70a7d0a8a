// `retry-on <keywords>` (configuration.txt 4.2 "retry-on"; HAProxy 2.6 proxy.c proxy_parse_retry_on):
// the failure events on which a request is tried again. Each line replaces the previous setting;
// defaults sections pass theirs on (proxy_defproxy_cpy copies retry_type to every proxy).
import type { RetryOnEvent } from './model.ts';

/** What a proxy retries on without a `retry-on` line (HAProxy's PR_RE_CONN_FAILED preset). */
export const DEFAULT_RETRY_ON: readonly RetryOnEvent[] = ['conn-failure'];

const EVENTS: ReadonlySet<string> = new Set<RetryOnEvent>([
  'conn-failure', 'empty-response', 'junk-response', 'response-timeout', '0rtt-rejected',
  '401', '403', '404', '408', '425', '500', '501', '502', '503', '504',
]);

/** `all-retryable-errors`: everything but 401, 403, 404, 408, 425 and 501. */
const ALL_RETRYABLE: readonly RetryOnEvent[] = [
  'conn-failure', 'empty-response', 'junk-response', 'response-timeout', '0rtt-rejected', '500', '502', '503', '504',
];

const NEEDS_KEYWORD = "'retry-on' needs at least one keyword to specify when to retry";

/** Parse the words after `retry-on`: the events (none → empty), or HAProxy's error text. */
export function parseRetryOn(words: readonly string[]): readonly RetryOnEvent[] | string {
  if (words.length === 0) return NEEDS_KEYWORD;
  const events = new Set<RetryOnEvent>();
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (EVENTS.has(w)) events.add(w as RetryOnEvent);
    else if (w === 'all-retryable-errors') for (const e of ALL_RETRYABLE) events.add(e);
    else if (w === 'none') {
      if (i !== 0 || words.length > 1) return "'retry-on' 'none' keyworld only usable alone";
    } else return `'retry-on': unknown keyword '${w}'`;
  }
  return [...events];
}

/** HAProxy refuses `retry-on` in a frontend with its own error, checked right after "no argument". */
export function retryOnFrontendError(words: readonly string[]): string {
  return words.length === 0 ? NEEDS_KEYWORD : "'retry-on' only available in backend or listen section";
}
