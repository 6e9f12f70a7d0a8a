// Arguments of `http-request return` (configuration.txt 4.2; HAProxy 2.6 http_htx.c
// parse_http_reply, whose error texts these are): status, content-type, one payload
// (string, lf-string, file, lf-file) and `hdr NAME FMT` lines.
import { readFileSync } from 'node:fs';
import type { Format } from './format.ts';
import type { FormatOf } from './redirect-parse.ts';
import type { ReturnSpec } from './replies.ts';

const PAYLOADS = ['string', 'lf-string', 'file', 'lf-file'];

function readPayload(kind: string, arg: string, formatOf: FormatOf): Buffer | Format | { error: string } {
  if (kind === 'string') return Buffer.from(arg, 'utf8');
  let text = arg;
  if (kind === 'file' || kind === 'lf-file') {
    try {
      const data = readFileSync(arg);
      if (kind === 'file') return data;
      text = data.toString('utf8');
    } catch {
      return { error: `error opening file '${arg}'` };
    }
  }
  const f = formatOf(text);
  return f.ok ? f.f : { error: f.error };
}

/** Parse from `words[i]` up to `if`/`unless` or the end. */
export function parseReturnArgs(words: readonly string[], i: number, formatOf: FormatOf): { spec: ReturnSpec; next: number } | string {
  let status = 200;
  let contentType: string | undefined;
  let payload: { kind: string; body: Buffer | Format } | undefined;
  const headers: [string, Format][] = [];
  for (; i < words.length && words[i] !== 'if' && words[i] !== 'unless'; i++) {
    const w = words[i];
    const arg = words[i + 1];
    if (w === 'status') {
      const n = Number(arg);
      if (!/^\d+$/.test(arg ?? '') || n < 200 || n > 599) return `Unexpected status code '${arg ?? ''}'`;
      status = n;
      i++;
    } else if (w === 'content-type') {
      if (arg === undefined) return "'content-type' expects <type> as argument";
      contentType = arg;
      i++;
    } else if (PAYLOADS.includes(w)) {
      if (payload) return `unexpected '${w}' argument, '${payload.kind}' already defined`;
      if (arg === undefined) return `'${w}' expects <${w.endsWith('file') ? 'file' : 'str'}> as argument`;
      const body = readPayload(w, arg, formatOf);
      if (typeof body === 'object' && !Buffer.isBuffer(body) && 'error' in body) return body.error;
      payload = { kind: w, body };
      i++;
    } else if (w === 'hdr') {
      if (arg === undefined || words[i + 2] === undefined) return "'hdr' expects <name> and <value> as arguments";
      const f = formatOf(words[i + 2]);
      if (!f.ok) return f.error;
      const name = arg.toLowerCase();
      if (name !== 'content-length' && name !== 'content-type' && name !== 'transfer-encoding') headers.push([name, f.f]);
      i += 2;
    } else if (w === 'errorfile' || w === 'errorfiles' || w === 'default-errorfiles') {
      return `'${w}' is not supported yet`;
    } else break;
  }
  const nonEmpty = payload !== undefined && !(Buffer.isBuffer(payload.body) ? payload.body.length === 0 : payload.body === '');
  if (nonEmpty && contentType === undefined) return 'a content type must be defined when non-empty payload is configured';
  if (nonEmpty && (status === 204 || status === 304)) return `No body expected for ${status} responses`;
  return { spec: { status, contentType: payload ? contentType : undefined, body: payload?.body ?? Buffer.alloc(0), headers }, next: i };
}
