// A small HTTP/1 response reader for http-check: status line, headers and body framing
// (RFC 9112 §4, §6). Re-parses the whole buffer on each call: check responses are small and
// capped at the check buffer size. Pure.

export interface HttpCheckResponse {
  readonly status: number;
  /** The status code as received ("200"), what `rstatus` matches. */
  readonly statusText: string;
  readonly reason: string;
  /** Header fields in order, names as received. */
  readonly headers: readonly (readonly [string, string])[];
  /** Body bytes received so far (de-chunked). */
  readonly body: Buffer;
  /** The whole message was received (HAProxy HTX_FL_EOM). */
  readonly complete: boolean;
}

export type HttpParseResult =
  | { readonly state: 'incomplete' }
  | { readonly state: 'error' }
  | { readonly state: 'ok'; readonly response: HttpCheckResponse };

const STATUS_LINE = /^HTTP\/(\d)\.(\d) (\d{3})(?: ([^\r\n]*))?$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Parse `data` as one HTTP/1 response. `eos`: the peer closed. `bodyless`: answer to HEAD.
 * A response whose head is cut by the end of the stream is an error, as HAProxy's H1 parser sees it.
 */
export function parseHttpResponse(data: Buffer, eos: boolean, bodyless = false): HttpParseResult {
  let offset = 0;
  for (let interim = 0; interim < 16; interim++) {
    const head = readHead(data, offset);
    if (head === 'incomplete') return eos ? { state: 'error' } : { state: 'incomplete' };
    if (head === 'error') return { state: 'error' };
    // 1xx interim responses (except 101) precede the final one.
    if (head.status >= 100 && head.status < 200 && head.status !== 101) {
      offset = head.end;
      continue;
    }
    return readBody(data, head, eos, bodyless);
  }
  return { state: 'error' };
}

interface Head {
  status: number;
  statusText: string;
  reason: string;
  headers: [string, string][];
  end: number;
}

function readHead(data: Buffer, start: number): Head | 'incomplete' | 'error' {
  const text = data.toString('latin1', start);
  const lines: string[] = [];
  let pos = 0;
  for (;;) {
    const nl = text.indexOf('\n', pos);
    if (nl < 0) return 'incomplete';
    const line = text.slice(pos, nl > pos && text[nl - 1] === '\r' ? nl - 1 : nl);
    pos = nl + 1;
    if (line === '') break;
    lines.push(line);
    if (lines.length > 101) return 'error';
  }
  const m = STATUS_LINE.exec(lines[0] ?? '');
  if (!m) return 'error';
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) return 'error';
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) return 'error';
    headers.push([name, line.slice(colon + 1).trim()]);
  }
  return { status: Number(m[3]), statusText: m[3], reason: m[4] ?? '', headers, end: start + Buffer.byteLength(text.slice(0, pos), 'latin1') };
}

function header(head: Head, name: string): string[] {
  return head.headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
}

function readBody(data: Buffer, head: Head, eos: boolean, bodyless: boolean): HttpParseResult {
  const rest = data.subarray(head.end);
  const ok = (body: Buffer, complete: boolean): HttpParseResult => ({
    state: 'ok',
    response: { status: head.status, statusText: head.statusText, reason: head.reason, headers: head.headers, body, complete },
  });
  if (bodyless || head.status === 204 || head.status === 304) return ok(Buffer.alloc(0), true);
  const te = header(head, 'transfer-encoding').join(',').toLowerCase();
  if (te.split(',').map((s) => s.trim()).includes('chunked')) return readChunked(rest, eos, ok);
  const cl = header(head, 'content-length');
  if (cl.length > 0) {
    if (!cl.every((v) => /^\d+$/.test(v) && v === cl[0])) return { state: 'error' };
    const len = Number(cl[0]);
    if (rest.length >= len) return ok(rest.subarray(0, len), true);
    return eos ? { state: 'error' } : ok(rest, false);
  }
  return ok(rest, eos);
}

function readChunked(
  rest: Buffer,
  eos: boolean,
  ok: (body: Buffer, complete: boolean) => HttpParseResult,
): HttpParseResult {
  const parts: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const nl = rest.indexOf(0x0a, pos);
    if (nl < 0) return eos ? { state: 'error' } : ok(Buffer.concat(parts), false);
    const sizeLine = rest.toString('latin1', pos, nl).replace(/\r$/, '').split(';')[0]!.trim();
    if (!/^[0-9a-fA-F]+$/.test(sizeLine)) return { state: 'error' };
    const size = parseInt(sizeLine, 16);
    pos = nl + 1;
    if (size === 0) return ok(Buffer.concat(parts), trailersDone(rest, pos));
    if (rest.length < pos + size) {
      parts.push(rest.subarray(pos));
      return eos ? { state: 'error' } : ok(Buffer.concat(parts), false);
    }
    parts.push(rest.subarray(pos, pos + size));
    pos += size;
    if (rest[pos] === 0x0d) pos++;
    if (pos >= rest.length) return eos ? { state: 'error' } : ok(Buffer.concat(parts), false);
    if (rest[pos] !== 0x0a) return { state: 'error' };
    pos++;
  }
}

/** The final empty line after the last chunk (and optional trailers) was received. */
function trailersDone(rest: Buffer, pos: number): boolean {
  const tail = rest.toString('latin1', pos);
  return /^(?:[^\n]*\S[^\n]*\n)*\r?\n/.test(tail);
}
