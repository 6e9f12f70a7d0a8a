// `option http-buffer-request` (HAProxy 2.6 configuration.txt 4.2; http_ana.c
// http_wait_for_request_body, http_wait_for_msg_body, http_handle_expect_hdr): when the wait for a
// request body ends short of its end, and the `100 Continue` HAProxy answers itself.
import { BODY_NONE, HTX_HEAD_LIMIT, htxHeadBytes, type H1Message } from './h1-message.ts';

/** The interim response HAProxy writes itself (http_reply_100_continue). */
export const CONTINUE_100 = 'HTTP/1.1 100 Continue\r\n\r\n';
/** What HAProxy counts of it (%B, bout): its HTX start line and end of headers. */
export const CONTINUE_100_HTX = htxHeadBytes('HTTP/1.1 100 Continue');

/**
 * The request buffer is full (channel_htx_full, tune.maxrewrite kept free), so the wait ends with
 * what came: measured against haproxy 2.6 (tune.bufsize 16384), a body stops being waited for once
 * the head's HTX size plus 16 plus its data bytes (chunk framing not counted) reach HTX_HEAD_LIMIT,
 * e.g. 15204 bytes after `POST /a HTTP/1.1`, `host: x`, `content-length: 100000`.
 */
export function requestBufferFull(req: H1Message, bodyBytes: number): boolean {
  return req.htxSize() + 16 + bodyBytes >= HTX_HEAD_LIMIT;
}

/**
 * http_handle_expect_hdr: an HTTP/1.1 request with a body (content-length above 0 or chunked)
 * whose first `Expect` value is `100-continue` (any case) loses that value, and HAProxy sends
 * `100 Continue` itself; true when it does. Other Expect fields stay.
 */
export function takeExpectContinue(req: H1Message, bodyKind: number): boolean {
  if (!req.version11 || bodyKind === BODY_NONE) return false;
  const at = req.indexOf('expect');
  if (at < 0) return false;
  const value = req.flat[at + 1]!;
  const comma = value.indexOf(',');
  const first = comma < 0 ? value : value.slice(0, comma);
  if (first.trim().toLowerCase() !== '100-continue') return false;
  if (comma < 0) req.flat.splice(at, 2);
  else req.flat[at + 1] = value.slice(comma + 1).trim();
  return true;
}

/**
 * A chunked body buffered whole goes out as HAProxy 2.6 sends it: all its data in one chunk (the
 * HTX data blocks merged), then the last chunk and the trailers. `pieces`: ChunkedScanner output.
 */
export function oneChunk(pieces: readonly (Buffer | string)[]): (Buffer | string)[] {
  const data: (Buffer | string)[] = [];
  const tail: string[] = [];
  let n = 0;
  for (const p of pieces) {
    if (typeof p !== 'string') {
      data.push(p);
      n += p.length;
    } else if (tail.length > 0 || p === '0\r\n') tail.push(p);
  }
  return n === 0 ? tail : [n.toString(16) + '\r\n', ...data, '\r\n', ...tail];
}
