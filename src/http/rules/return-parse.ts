// Arguments of an http reply, `http-request return` and `deny` (configuration.txt 4.2; HAProxy 2.6
// http_htx.c http_parse_http_reply, whose error texts these are): status, content-type, one payload
// (string, lf-string, file, lf-file, or an error page: errorfile FILE, errorfiles NAME,
// default-errorfiles) and `hdr NAME FMT` lines (content-type and hdr are ignored with an error page).
import { readFileSync } from 'node:fs';
import type { HttpErrorsSection } from '../../config/model.ts';
import { ERROR_CODES } from '../error-pages.ts';
import type { Format } from './format.ts';
import type { FormatOf } from './redirect-parse.ts';
import type { ErrorfileSpec, ReturnSpec } from './replies.ts';

/** The http-errors section named `name` (filled once the configuration is read); `status`: the page wanted. */
export type SectionOf = (name: string, status: number) => HttpErrorsSection;

/** A `haproxy -c` warning about the line being parsed. */
export type Warn = (message: string) => void;

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

/** Parse from `words[i]` up to `if`/`unless` or the end; `status` is the default status. */
export function parseReturnArgs(words: readonly string[], i: number, formatOf: FormatOf, status = 200, sectionOf?: SectionOf, warn: Warn = () => undefined):
  { spec: ReturnSpec | ErrorfileSpec; next: number } | string {
  let contentType: string | undefined;
  let payload: { kind: string; body: Buffer | Format } | undefined;
  let errorPage: { kind: string; source: ErrorfileSpec['source'] } | undefined;
  const headers: [string, Format][] = [];
  for (; i < words.length && words[i] !== 'if' && words[i] !== 'unless'; i++) {
    const w = words[i];
    const arg = words[i + 1];
    const defined = payload?.kind ?? errorPage?.kind;
    if (w === 'status') {
      const n = Number(arg);
      if (!arg) return "'status' expects <status_code> as argument";
      if (!/^\d+$/.test(arg) || n < 200 || n > 599) return `Unexpected status code '${arg}'`;
      status = n;
      i++;
    } else if (w === 'content-type') {
      if (!arg) return "'content-type' expects <ctype> as argument";
      contentType = arg;
      i++;
    } else if (PAYLOADS.includes(w)) {
      if (defined) return `unexpected '${w}' argument, '${defined}' already defined`;
      if (!arg) return `'${w}' expects <${w.endsWith('file') ? 'file' : w === 'lf-string' ? 'fmt' : 'str'}> as argument`;
      const body = readPayload(w, arg, formatOf);
      if (typeof body === 'object' && !Buffer.isBuffer(body) && 'error' in body) return body.error;
      payload = { kind: w, body };
      i++;
    } else if (w === 'errorfile' || w === 'errorfiles' || w === 'default-errorfiles') {
      if (defined) return `unexpected '${w}' argument, '${defined}' already defined`;
      if (w === 'default-errorfiles') {
        errorPage = { kind: w, source: 'default' };
        continue;
      }
      if (!arg) return `'${w}' expects <${w === 'errorfile' ? 'fmt' : 'name'}> as argument`;
      if (w === 'errorfile') {
        try {
          errorPage = { kind: w, source: readFileSync(arg) };
        } catch {
          return `error opening file '${arg}'.`;
        }
      } else errorPage = { kind: w, source: { name: arg, pages: new Map() } };
      i++;
    } else if (w === 'hdr') {
      if (!arg || !words[i + 2]) return "'hdr' expects <name> and <value> as arguments";
      const f = formatOf(words[i + 2]);
      if (!f.ok) return f.error;
      const name = arg.toLowerCase();
      if (name !== 'content-length' && name !== 'content-type' && name !== 'transfer-encoding') headers.push([name, f.f]);
      else warn(`header '${arg}' always ignored by the http reply.`);
      i += 2;
    } else break;
  }
  if (errorPage !== undefined) {
    if (!Buffer.isBuffer(errorPage.source) && !ERROR_CODES.includes(status)) {
      return `status code '${status}' not handled by default with '${errorPage.kind}' argument.`;
    }
    if (contentType !== undefined) warn(`content-type '${contentType}' ignored by the http reply when used with an erorrfile.`);
    if (headers.length > 0) warn('hdr parameters ignored by the http reply when used with an erorrfile.');
    const src = errorPage.source;
    const source = src === 'default' || Buffer.isBuffer(src) || sectionOf === undefined ? src : sectionOf(src.name, status);
    return { spec: { status, source }, next: i };
  }
  const nonEmpty = payload !== undefined && !(Buffer.isBuffer(payload.body) ? payload.body.length === 0 : payload.body === '');
  if (contentType !== undefined && payload === undefined) {
    warn(`content-type '${contentType}' ignored by the http reply because neither errorfile nor payload defined.`);
  } else if (contentType !== undefined && !nonEmpty && Buffer.isBuffer(payload?.body)) {
    warn(`content-type '${contentType}' ignored by the http reply when used with an empty payload.`);
  }
  if (nonEmpty && contentType === undefined) return 'a content type must be defined when non-empty payload is configured';
  if (nonEmpty && (status === 204 || status === 304)) return `No body expected for ${status} responses`;
  return { spec: { status, contentType: payload ? contentType : undefined, body: payload?.body ?? Buffer.alloc(0), headers }, next: i };
}
