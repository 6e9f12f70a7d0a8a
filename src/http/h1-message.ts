// One parsed HTTP/1 message head (request or response) as the engine keeps it: the start line
// parts and the header fields as one flat array [name, value, name, value, ...] with lower-case
// names, as HAProxy's HTX stores them (names are forwarded in lower case, as HAProxy 2.6 does).
// One instance per direction per connection, reset between messages: no per-header objects.
// It is also the request/response view rules and fetches read and edit (src/acl/sample.ts).
import { FlatHeaderFields } from '../acl/header-fields.ts';

/**
 * tune.bufsize (16384) minus tune.maxrewrite (1024), minus the HTX overhead HAProxy 2.6 takes
 * out of it (found by bisection against haproxy: 69 bytes).
 */
export const HTX_HEAD_LIMIT = 16384 - 1024 - 69;

/** Body framing of a message (RFC 9112 §6.3). */
export const BODY_NONE = 0;
export const BODY_LENGTH = 1;
export const BODY_CHUNKED = 2;
/** Response delimited by the server closing the connection. */
export const BODY_CLOSE = 3;

export class H1Message {
  /** Request: method, target and version; response: version, status and reason. */
  method = '';
  uri = '';
  version = '';
  status = 0;
  reason = '';
  /** Lower-case names and values, alternating. */
  readonly flat: string[] = [];
  /** The same fields behind the HeaderFields interface rules use. */
  readonly headers = new FlatHeaderFields(this.flat);
  /** Content-Length value, -1 when absent. */
  contentLength = -1;
  /** Transfer-Encoding present (its last coding is `chunked` when `chunked`). */
  hasTransferEncoding = false;
  chunked = false;
  /** `chunked` appeared in some Transfer-Encoding (it may appear once only). */
  chunkedSeen = false;
  /** A coding other than chunked is present (a request then gets 422 from HAProxy 2.6). */
  otherCoding = false;
  /** `Connection` tokens (the header itself is never forwarded). */
  connClose = false;
  connKeepAlive = false;
  connUpgrade = false;
  /** `Upgrade` header present. */
  upgrade = false;
  /** `Expect: 100-continue`. */
  expectContinue = false;
  /** HTTP/1.1 or later (else HTTP/1.0: close by default). */
  version11 = false;
  /** Transfer-Encoding together with Content-Length, or on HTTP/1.0: close after this exchange. */
  forceClose = false;
  /** Bytes of the head on the wire (HAProxy's header length for req.hdrs_len / logs). */
  headLength = 0;
  /**
   * Set by the parser: the head is already what ./h1-write.ts writes for it with CONN_NONE
   * (lower-case names, one space after each colon, CRLF line ends, no field dropped or
   * rewritten, no `connection` field), so an unedited head can be forwarded as it came.
   */
  canonical = true;

  reset(): void {
    this.method = this.uri = this.version = this.reason = '';
    this.status = 0;
    // Not `flat.length = 0`: a length store is a runtime call in V8 (JSArray::SetLength, about
    // 1% of the proxy's CPU in a perf profile of http-small); a few pops are inlined.
    const h = this.flat;
    while (h.length > 0) h.pop();
    this.contentLength = -1;
    this.hasTransferEncoding = this.chunked = this.chunkedSeen = this.otherCoding = false;
    this.connClose = this.connKeepAlive = this.connUpgrade = this.upgrade = false;
    this.expectContinue = this.version11 = this.forceClose = false;
    this.headLength = 0;
    this.canonical = true;
  }

  /**
   * The size HAProxy's internal (HTX) copy of this head takes: 8 bytes per block (start line,
   * each field, end of headers), the start line's strings and each name and value. Measured
   * against haproxy 2.6: a head is refused when this exceeds HTX_HEAD_LIMIT.
   */
  htxSize(): number {
    const h = this.flat;
    let n = 8 * (h.length / 2 + 2) + this.method.length + this.uri.length + this.version.length + (this.status > 0 ? 3 + this.reason.length : 0);
    for (let i = 0; i < h.length; i++) n += h[i].length;
    return n;
  }

  /**
   * The bytes HAProxy 2.6 counts for this head in `%U`/`%B` and in `show stat` bin/bout: the
   * payload of its HTX blocks (htxHeadBytes below), measured against haproxy 2.6's logs.
   */
  htxBytes(): number {
    const h = this.flat;
    let n = HTX_START_LINE + HTX_EOH + this.method.length + this.uri.length + this.version.length + (this.status > 0 ? 3 + this.reason.length : 0);
    for (let i = 0; i < h.length; i++) n += h[i].length;
    return n;
  }

  /** First value of header `lname` (lower case), undefined when absent. */
  header(lname: string): string | undefined {
    const h = this.flat;
    for (let i = 0; i < h.length; i += 2) if (h[i] === lname) return h[i + 1];
    return undefined;
  }

  /** Index in `flat` of the first field named `lname` at or after `from`, -1 when none. */
  indexOf(lname: string, from = 0): number {
    const h = this.flat;
    for (let i = from; i < h.length; i += 2) if (h[i] === lname) return i;
    return -1;
  }

  /** Remove every field named `lname`; returns how many were removed. */
  remove(lname: string): number {
    const h = this.flat;
    let w = 0;
    for (let r = 0; r < h.length; r += 2) {
      if (h[r] === lname) continue;
      h[w++] = h[r];
      h[w++] = h[r + 1];
    }
    const removed = (h.length - w) / 2;
    h.length = w;
    return removed;
  }

  add(lname: string, value: string): void {
    this.flat.push(lname, value);
  }

  /**
   * How the body is framed. Requests: length, chunked or none (RFC 9112 §6.3: a request without
   * either has no body). Responses depend on the request: see `responseBodyKind`.
   */
  requestBodyKind(): number {
    if (this.chunked) return BODY_CHUNKED;
    return this.contentLength > 0 ? BODY_LENGTH : BODY_NONE;
  }
}

/** RFC 9112 §6.3 for a response to `method`: HEAD, 1xx, 204 and 304 have no body. */
export function responseBodyKind(res: H1Message, method: string): number {
  const status = res.status;
  if (method === 'HEAD' || status < 200 || status === 204 || status === 304) return BODY_NONE;
  // A 2xx to CONNECT turns the connection into a tunnel (RFC 9110 §9.3.6).
  if (method === 'CONNECT' && status < 300) return BODY_NONE;
  if (res.hasTransferEncoding) return res.chunked ? BODY_CHUNKED : BODY_CLOSE;
  if (res.contentLength >= 0) return res.contentLength === 0 ? BODY_NONE : BODY_LENGTH;
  return BODY_CLOSE;
}

/** HTX payload of a start line besides its three strings (struct htx_sl). */
const HTX_START_LINE = 20;
/** HTX payload of the end-of-headers block (and of the end-of-trailers one). */
export const HTX_EOH = 1;

/**
 * What HAProxy 2.6 counts (`%B`, `bout`) for a head it builds itself or converts from an error
 * page: 20 for the start line plus its three strings without the spaces, each field's name and
 * trimmed value, 1 for the end of the headers. `head`: status line and fields, CRLF-separated
 * (a final blank line or not).
 */
export function htxHeadBytes(head: string): number {
  const lines = head.split('\r\n');
  const first = lines[0]!;
  let n = HTX_START_LINE + HTX_EOH + first.length - Math.min(2, first.split(' ').length - 1);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon > 0) n += colon + line.slice(colon + 1).trim().length;
  }
  return n;
}
