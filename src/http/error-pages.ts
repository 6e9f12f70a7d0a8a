// HAProxy's built-in error responses (2.6 src/http.c http_err_msgs, byte for byte) and the
// `errorfile CODE FILE` overrides of a proxy (configuration.txt 4.2 "errorfile": the file is
// sent as is, it must hold a complete HTTP response).
import { readFileSync } from 'node:fs';

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
 * lower case and the connection stays alive unless the page says `Connection: close`).
 */
export interface ErrorReply {
  /** Status line and headers, ending with one CRLF (the session adds its connection header). */
  readonly head: string;
  readonly body: Buffer;
  readonly close: boolean;
}

function toReply(page: Buffer): ErrorReply {
  const text = page.toString('latin1');
  let end = text.indexOf('\r\n\r\n');
  if (end < 0) end = text.length;
  const lines = text.slice(0, end).split('\r\n');
  let head = lines[0] + '\r\n';
  let close = false;
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'connection') {
      close = value.toLowerCase() === 'close';
      continue;
    }
    head += name + ': ' + value + '\r\n';
  }
  return { head, body: page.subarray(Math.min(page.length, end + 4)), close };
}

/** A proxy's error pages: its `errorfile` overrides, else the built-in ones. */
export class ErrorPages {
  readonly #pages = new Map<number, Buffer>();
  readonly #replies = new Map<number, ErrorReply>();

  /** `files`: code → file path (read once, at start). */
  constructor(files: ReadonlyMap<number, string> = new Map()) {
    for (const [code, path] of files) this.#pages.set(code, readFileSync(path));
  }

  /** The raw page, as the H1 layer sends it for bad or timed-out requests (400, 408). */
  get(code: number): Buffer {
    return this.#pages.get(code) ?? builtinErrorPage(code);
  }

  /** The page as a stream-level reply (503, 502, 504, deny ...). */
  reply(code: number): ErrorReply {
    let r = this.#replies.get(code);
    if (r === undefined) this.#replies.set(code, (r = toReply(this.get(code))));
    return r;
  }
}

/** `errorfile CODE FILE` lines of a proxy (and of the defaults it inherits), later ones winning. */
export function errorFilesOf(lines: readonly { readonly args: readonly string[] }[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const l of lines) if (l.args[0] === 'errorfile' && l.args.length === 3) out.set(Number(l.args[1]), l.args[2]);
  return out;
}
