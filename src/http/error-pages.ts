// HAProxy's built-in error responses (2.6 src/http.c http_err_msgs, byte for byte) and a proxy's
// overrides (configuration.txt 4.2 "errorfile", "errorfiles", "errorloc": a complete HTTP response
// sent as is; an errorloc is a 302/303 of http_htx.c http_parse_errorloc).
import type { ErrorEntry } from '../config/model.ts';

const MESSAGES: Readonly<Record<number, readonly [string, string, boolean]>> = {
  200: ['OK', 'Service ready.', false],
  400: ['Bad request', 'Your browser sent an invalid request.', true],
  401: ['Unauthorized', 'You need a valid user and password to access this content.', false],
  403: ['Forbidden', 'Request forbidden by administrative rules.', false],
  404: ['Not Found', 'The resource could not be found.', false],
  405: ['Method Not Allowed', 'A request was made of a resource using a request method not supported by that resource', false],
  407: ['Unauthorized', 'You need a valid user and password to access this content.', false],
  408: ['Request Time-out', "Your browser didn't send a complete request in time.", true],
  410: ['Gone', 'The resource is no longer available and will not be available again.', false],
  413: ['Payload Too Large', 'The request entity exceeds the maximum allowed.', false],
  421: ['Misdirected Request', 'Request sent to a non-authoritative server.', false],
  422: ['Unprocessable Content', 'The server cannot process the contained instructions.', false],
  425: ['Too Early', 'Your browser sent early data.', false],
  429: ['Too Many Requests', 'You have sent too many requests in a given amount of time.', false],
  500: ['Internal Server Error', 'An internal server error occurred.', false],
  501: ['Not Implemented', '.The server does not support the functionality required to fulfill the request.', false],
  502: ['Bad Gateway', 'The server returned an invalid or incomplete response.', false],
  503: ['Service Unavailable', 'No server is available to handle this request.', false],
  504: ['Gateway Time-out', "The server didn't respond in time.", false],
};

/** Status codes HAProxy has a built-in page (and so an `errorfile`) for. */
export const ERROR_CODES: readonly number[] = Object.keys(MESSAGES).map(Number);

function builtin(code: number): Buffer {
  const [reason, text, close] = MESSAGES[code];
  const body = `<html><body><h1>${code} ${reason}</h1>\n${text}\n</body></html>\n`;
  const head = `HTTP/1.1 ${code} ${reason}\r\nContent-length: ${body.length}\r\nCache-Control: no-cache\r\n` +
    (close ? 'Connection: close\r\n' : '') + 'Content-Type: text/html\r\n\r\n';
  return Buffer.from(head + body, 'latin1');
}

const BUILTIN = new Map<number, Buffer>(ERROR_CODES.map((c) => [c, builtin(c)]));

/** The built-in page for `code` (500's for a code HAProxy has none for). */
export function builtinErrorPage(code: number): Buffer {
  return BUILTIN.get(code) ?? BUILTIN.get(500)!;
}

/**
 * An error page as the stream sends it (HAProxy converts it to HTX: header names come out in
 * lower case and the connection stays alive unless the page says `Connection: close` or has no
 * length: neither content-length nor transfer-encoding, its body ends with the connection).
 */
export interface ErrorReply {
  /** Status line and headers, ending with one CRLF (the session adds its connection header). */
  readonly head: string;
  readonly body: Buffer;
  readonly close: boolean;
  /** The page's own `connection: close` header: counted in %B as part of the message (10 + 5 bytes). */
  readonly ownClose: boolean;
}

/** A raw page as a stream-level reply (header names in lower case, its connection header taken out). */
export function errorReplyOf(page: Buffer): ErrorReply {
  const text = page.toString('latin1');
  let end = text.indexOf('\r\n\r\n');
  if (end < 0) end = text.length;
  const lines = text.slice(0, end).split('\r\n');
  let head = lines[0] + '\r\n';
  let close = false;
  let length = false;
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'connection') {
      close = value.toLowerCase() === 'close';
      continue;
    }
    if (name === 'content-length' || name === 'transfer-encoding') length = true;
    head += name + ': ' + value + '\r\n';
  }
  return { head, body: page.subarray(Math.min(page.length, end + 4)), close: close || !length, ownClose: close };
}

/** A proxy's error pages: its overrides, else the built-in ones. */
export class ErrorPages {
  readonly #pages: ReadonlyMap<number, Buffer>;
  readonly #replies = new Map<number, ErrorReply>();

  /** `pages`: code → raw page (see errorPagesOf). */
  constructor(pages: ReadonlyMap<number, Buffer> = new Map()) {
    this.#pages = pages;
  }

  /** The raw page, as the H1 layer sends it for bad or timed-out requests (400, 408). */
  get(code: number): Buffer {
    return this.#pages.get(code) ?? builtinErrorPage(code);
  }

  /** The page as a stream-level reply (503, 502, 504, deny ...). */
  reply(code: number): ErrorReply {
    let r = this.#replies.get(code);
    if (r === undefined) this.#replies.set(code, (r = errorReplyOf(this.get(code))));
    return r;
  }
}

/**
 * http_htx.c proxy_check_errors: a proxy's error-page lines in order, each replacing the page of its
 * codes; `errorfiles NAME` without codes takes every page the section has, a code it lacks keeps
 * the page set before.
 */
export function errorPagesOf(entries: readonly ErrorEntry[] = []): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  for (const e of entries) {
    if ('page' in e) {
      out.set(e.code, e.page);
      continue;
    }
    for (const [code, page] of e.section.pages) if (e.codes === null || e.codes.includes(code)) out.set(code, page);
  }
  return out;
}

/** `errorloc302|errorloc303 CODE URL` (http_parse_errorloc): an empty 302 or 303 to `url`. */
export function errorlocPage(code: 302 | 303, url: string): Buffer {
  const line = code === 302 ? 'HTTP/1.1 302 Found' : 'HTTP/1.1 303 See Other';
  return Buffer.from(`${line}\r\nCache-Control: no-cache\r\nContent-length: 0\r\nLocation: ${url}\r\n\r\n`, 'latin1');
}
