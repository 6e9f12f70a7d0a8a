// Strict HTTP/1 head parser with HAProxy 2.6's acceptance rules (src/h1.c
// h1_headers_to_hdr_list, h1_parse_cont_len_header, h1_parse_xfer_enc_header; checked against
// the real haproxy by test/integration/http-smuggling.test.ts). Input: one complete head as a
// latin1 string (start line to the empty line included). Output: the H1Message fields, or the
// status HAProxy answers with: 400 for a bad request (422 for a transfer coding other than
// chunked), 502 for a bad response.
import { CR, LF, NAME, TOKEN, VER_TOKEN, isSpHt } from './h1-chars.ts';
import type { H1Message } from './h1-message.ts';

/** HAProxy tune.http.maxhdr: "default is 101". */
export const MAX_HEADERS = 101;

const OK = 0;
const BAD = -1;

/** Parse a request head into `msg` (reset first). Returns 0, 400 or 422. */
export function parseRequestHead(s: string, msg: H1Message): number {
  msg.headLength = s.length;
  let i = 0;
  const n = s.length;
  while (i < n && TOKEN[s.charCodeAt(i)] === 1) i++;
  if (i === 0 || i >= n || !isSpHt(s.charCodeAt(i))) return 400; // HTTP/0.9 or junk
  msg.method = s.slice(0, i);
  i = skipSeparator(s, i, msg);
  const u = i;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    // '#' (a fragment) is refused too, as HAProxy 2.6.12 with its security fixes does.
    if (c > 32 && c < 127 && c !== 0x23) continue;
    if (isSpHt(c)) break;
    return 400; // CTLs, DEL, non-ASCII (no `option accept-invalid-http-request`), or HTTP/0.9
  }
  if (i === u) return 400;
  msg.uri = s.slice(u, i);
  i = skipSeparator(s, i, msg);
  const v = i;
  while (i < n && VER_TOKEN[s.charCodeAt(i)] === 1) i++;
  if (i === v) return 400;
  msg.version = s.slice(v, i);
  if (!checkVersion(msg)) return 400;
  // ./h1-write.ts writes HTTP/1.1 for 1.1 and later, HTTP/1.0 otherwise.
  if (msg.version !== (msg.version11 ? 'HTTP/1.1' : 'HTTP/1.0')) msg.canonical = false;
  i = lineEnd(s, i, msg);
  if (i < 0) return 400;
  if (parseFields(s, i, msg, false) !== OK) return 400;
  return finishRequest(msg);
}

/** Parse a response head into `msg`. Returns 0 or 502. */
export function parseResponseHead(s: string, msg: H1Message): number {
  msg.headLength = s.length;
  let i = 0;
  const n = s.length;
  while (i < n && VER_TOKEN[s.charCodeAt(i)] === 1) i++;
  if (i === 0 || i >= n || !isSpHt(s.charCodeAt(i))) return 502;
  msg.version = s.slice(0, i);
  if (!checkVersion(msg)) return 502;
  i = skipSeparator(s, i, msg);
  let status = 0;
  const c0 = i;
  for (let c = s.charCodeAt(i); c >= 0x30 && c <= 0x39; c = s.charCodeAt(++i)) status = status * 10 + c - 0x30;
  if (i - c0 !== 3 || status < 100) return 502;
  msg.status = status;
  let c = s.charCodeAt(i);
  if (isSpHt(c)) {
    i = skipSeparator(s, i, msg);
    const r = i;
    for (c = s.charCodeAt(i); i < n && c !== CR && c !== LF; c = s.charCodeAt(++i)) {
      if (c === 0) return 502;
    }
    msg.reason = s.slice(r, i);
  } else if (c !== CR && c !== LF) {
    return 502;
  } else {
    msg.canonical = false; // written back with a space after the status
  }
  i = lineEnd(s, i, msg);
  if (i < 0 || parseFields(s, i, msg, true) !== OK) return 502;
  if (msg.hasTransferEncoding) {
    // HAProxy h1_headers_to_hdr_list: T-E + C-L forces close and removes C-L.
    if (msg.contentLength >= 0) dropContentLength(msg);
    else if (!msg.version11) msg.forceClose = true;
  }
  return status === 101 && msg.connUpgrade && msg.upgrade && webSocketKeyMissing(msg, true) ? 502 : 0;
}

/** "HTTP/x.y" with HAProxy's H1_MF_VER_11 rule (1.1 or later). */
function checkVersion(msg: H1Message): boolean {
  const v = msg.version;
  if (v.length !== 8 || !v.startsWith('HTTP/') || v.charCodeAt(6) !== 0x2e) return false;
  const major = v.charCodeAt(5) - 0x30;
  const minor = v.charCodeAt(7) - 0x30;
  if (major < 1 || major > 9 || minor < 0 || minor > 9) return false;
  // HAProxy's H1_MF_VER_11 (1.1 or later); such a message is forwarded as HTTP/1.1.
  msg.version11 = major > 1 || minor >= 1;
  return true;
}

/** Index after the CRLF or LF at `i`, -1 when something else (a bare CR) is there. */
function lineEnd(s: string, i: number, msg: H1Message): number {
  const c = s.charCodeAt(i);
  if (c === LF) {
    msg.canonical = false; // written back with CRLF
    return i + 1;
  }
  if (c === CR && s.charCodeAt(i + 1) === LF) return i + 2;
  return -1;
}

/** Past the spaces and tabs at `i` of a start line; one space is what ./h1-write.ts writes. */
function skipSeparator(s: string, i: number, msg: H1Message): number {
  const from = i;
  while (i < s.length && isSpHt(s.charCodeAt(i))) i++;
  if (i !== from + 1 || s.charCodeAt(from) !== 0x20) msg.canonical = false;
  return i;
}

/** Header lines from `i` to the empty line. */
function parseFields(s: string, i: number, msg: H1Message, response: boolean): number {
  const n = s.length;
  let count = 0;
  for (;;) {
    if (i >= n) return BAD;
    const c = s.charCodeAt(i);
    if (c === LF || c === CR) return lineEnd(s, i, msg) === n ? OK : BAD;
    const nameStart = i;
    // One pass checks the name and notes upper-case letters (then lower-cased, as HAProxy stores it).
    let kinds = 0;
    for (; i < n; i++) {
      const k = NAME[s.charCodeAt(i)];
      if (k === 0) break;
      kinds |= k;
    }
    if (i === nameStart || s.charCodeAt(i) !== 0x3a) return BAD; // empty name, or a non-token before ':'
    let name = s.slice(nameStart, i);
    if (kinds > 1) {
      name = name.toLowerCase();
      msg.canonical = false;
    }
    i++;
    const ows = i;
    while (isSpHt(s.charCodeAt(i))) i++;
    if (i !== ows + 1 || s.charCodeAt(ows) !== 0x20) msg.canonical = false;
    const sov = i;
    let folded = false;
    let eol: number;
    for (;;) {
      // HAProxy 2.6 takes anything but CR and LF in a value (NUL included).
      let ch = s.charCodeAt(i);
      while (ch !== CR && ch !== LF && i < n) ch = s.charCodeAt(++i);
      if (i >= n) return BAD;
      eol = i;
      i = lineEnd(s, i, msg);
      if (i < 0) return BAD; // bare CR
      // obs-fold (RFC 9112 §5.2): HAProxy 2.6 accepts it and turns the line break into spaces.
      if (!isSpHt(s.charCodeAt(i))) break;
      folded = true;
    }
    let end = eol;
    while (end > sov && isSpHt(s.charCodeAt(end - 1))) end--;
    let value = s.slice(sov, end);
    if (end !== eol) msg.canonical = false;
    if (folded) {
      value = value.replace(/[\r\n]/g, ' ');
      msg.canonical = false;
    }
    if (++count > MAX_HEADERS) return BAD;
    if (addField(msg, name, value, response) !== OK) return BAD;
  }
}

/** The fields the parser acts on, told apart by length first (one string comparison at most). */
function addField(msg: H1Message, name: string, value: string, response: boolean): number {
  switch (name.length) {
    case 14:
      if (name === 'content-length') return contentLength(msg, value);
      break;
    case 17:
      if (name === 'transfer-encoding') return transferEncoding(msg, value, response);
      break;
    case 10:
      if (name === 'connection') return connection(msg, value);
      break;
    case 4:
      if (!response && name === 'host') return host(msg, value);
      break;
    case 7:
      if (name === 'upgrade') msg.upgrade = true;
      break;
    case 6:
      if (!response && name === 'expect' && value.toLowerCase() === '100-continue') msg.expectContinue = true;
      break;
  }
  msg.flat.push(name, value);
  return OK;
}

/** h1_parse_cont_len_header: comma-separated identical values; one field is kept. */
function contentLength(msg: H1Message, value: string): number {
  let cl = -1;
  const n = value.length;
  for (let i = 0; i < n; i++) {
    if (isSpHt(value.charCodeAt(i))) continue;
    let v = 0;
    const d = i;
    for (let c = value.charCodeAt(i); c >= 0x30 && c <= 0x39; c = value.charCodeAt(++i)) {
      v = v * 10 + c - 0x30;
      if (v > Number.MAX_SAFE_INTEGER) return BAD;
    }
    if (i === d) return BAD; // not a digit where a value starts (',', sign, letters)
    while (i < n && isSpHt(value.charCodeAt(i))) i++;
    if (i < n && value.charCodeAt(i) !== 0x2c) return BAD;
    if (cl >= 0 && v !== cl) return BAD;
    cl = v;
  }
  if (cl < 0) return BAD;
  if (msg.contentLength >= 0) {
    msg.canonical = false; // the copy is dropped
    return msg.contentLength === cl ? OK : BAD;
  }
  msg.contentLength = cl;
  // The value as it came when it is already the decimal number (no sign, space, list or 0 prefix).
  const plain = n === decimalLength(cl);
  if (!plain) msg.canonical = false;
  msg.flat.push('content-length', plain ? value : String(cl));
  return OK;
}

/** Digits of a non-negative integer. */
function decimalLength(v: number): number {
  let d = 1;
  while (v >= 10) {
    v = Math.floor(v / 10);
    d++;
  }
  return d;
}

/** h1_parse_xfer_enc_header: chunked at most once, and last in a request. */
function transferEncoding(msg: H1Message, value: string, response: boolean): number {
  msg.hasTransferEncoding = true;
  for (const raw of value.split(',')) {
    const word = raw.trim().toLowerCase();
    if (word === '') continue;
    if (word === 'chunked') {
      if (msg.chunkedSeen) return BAD;
      msg.chunkedSeen = msg.chunked = true;
    } else {
      if (!response && msg.chunkedSeen) return BAD;
      msg.otherCoding = true;
      msg.chunked = false;
    }
  }
  msg.flat.push('transfer-encoding', value);
  return OK;
}

/** Connection tokens; `close` and `keep-alive` are consumed, others stay (e.g. `upgrade`). */
function connection(msg: H1Message, value: string): number {
  msg.canonical = false;
  let kept = '';
  for (const raw of value.split(',')) {
    const word = raw.trim();
    const lw = word.toLowerCase();
    if (lw === 'close') msg.connClose = true;
    else if (lw === 'keep-alive') msg.connKeepAlive = true;
    else if (lw !== '') {
      if (lw === 'upgrade') msg.connUpgrade = true;
      kept = kept === '' ? word : kept + ', ' + word;
    }
  }
  if (kept !== '') msg.flat.push('connection', kept);
  return OK;
}

/** Several Host fields must agree (the copies are dropped), and agree with an absolute URI's authority. */
function host(msg: H1Message, value: string): number {
  const prev = msg.header('host');
  if (prev !== undefined) {
    msg.canonical = false; // the copy is dropped
    return prev.toLowerCase() === value.toLowerCase() ? OK : BAD;
  }
  const authority = uriAuthority(msg.uri);
  if (authority !== '' && authority.toLowerCase() !== value.toLowerCase()) return BAD;
  msg.flat.push('host', value);
  return OK;
}

/** The authority of an absolute-form target ("http://a.b:8080/x" → "a.b:8080"), '' otherwise. */
export function uriAuthority(uri: string): string {
  const sep = uri.indexOf('://');
  if (sep <= 0 || uri.charCodeAt(0) === 0x2f) return '';
  const start = sep + 3;
  let end = start;
  while (end < uri.length) {
    const c = uri.charCodeAt(end);
    if (c === 0x2f || c === 0x3f || c === 0x23) break;
    end++;
  }
  const at = uri.lastIndexOf('@', end);
  return uri.slice(at >= start ? at + 1 : start, end);
}

function dropContentLength(msg: H1Message): void {
  msg.canonical = false;
  msg.remove('content-length');
  msg.contentLength = -1;
  msg.forceClose = true;
}

function finishRequest(msg: H1Message): number {
  if (msg.hasTransferEncoding) {
    if (msg.contentLength >= 0) dropContentLength(msg);
    else if (!msg.version11) msg.forceClose = true;
    // RFC 9112 §6.3: a request whose last coding is not chunked cannot be framed.
    if (!msg.chunked) return 400;
    if (msg.otherCoding) return 422;
  }
  return msg.connUpgrade && msg.upgrade && webSocketKeyMissing(msg, false) ? 400 : 0;
}

/**
 * A WebSocket handshake (`Connection: upgrade` and `websocket` in the last `Upgrade` field) needs
 * a 24-byte `Sec-WebSocket-Key` in the request, a `Sec-WebSocket-Accept` in the 101 response
 * (HAProxy 2.6 mux_h1.c h1_search_websocket_key); without, the message is invalid.
 */
function webSocketKeyMissing(msg: H1Message, response: boolean): boolean {
  const flat = msg.flat;
  let ws = false;
  for (let i = 0; i < flat.length; i += 2) {
    if (flat[i] === 'upgrade') ws = flat[i + 1].split(',').some((t) => t.trim().toLowerCase() === 'websocket');
  }
  if (!ws) return false;
  for (let i = 0; i < flat.length; i += 2) {
    if (response ? flat[i] === 'sec-websocket-accept' : flat[i] === 'sec-websocket-key' && flat[i + 1].length === 24) return false;
  }
  return true;
}
