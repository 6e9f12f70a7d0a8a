// Renders compiled log-format nodes for one finished session, as HAProxy's sess_build_logline()
// does (src/log.c): text fields honour +Q/+E and print '-' when empty under +M, numbers never
// get quotes, consecutive separators print one space.
import { isIPv4, isIPv6 } from 'node:net';
import type { TcpLogRecord } from './record.ts';
import { K, OPT, type LogFormatNode } from './log-format-nodes.ts';
import { LOG_TLS_SAMPLES } from './log-format-tls.ts';
import { formatDateLog, formatGmtDateLog, formatLocalDateLog, PAD3 } from './log-time.ts';

/** Per-process values some variables print (%pid, %H). */
export interface LogFormatEnv {
  readonly pid: number;
  /** %H: the system's hostname (os.hostname()). */
  readonly hostname: string;
}

/** RFC 5424 §6.3.3 PARAM-VALUE escapes, which HAProxy applies under +E: '"', '\' and ']'. */
function escapeRfc5424(s: string): string {
  let out = '';
  let from = 0;
  let escaped = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c || c === 0x5d) {
      out += s.slice(from, i) + '\\';
      from = i;
      escaped = true;
    }
  }
  return escaped ? out + s.slice(from) : s;
}

/** lf_text_len(): a string field. */
export function textField(s: string | undefined, opts: number): string {
  if (s !== undefined && s.length > 0) {
    const v = opts & OPT.ESCAPE ? escapeRfc5424(s) : s;
    return opts & OPT.QUOTE ? '"' + v + '"' : v;
  }
  if (opts & OPT.QUOTE) return '""';
  return opts & OPT.MANDATORY ? '-' : '';
}

function hex(n: number, digits: number): string {
  return n.toString(16).toUpperCase().padStart(digits, '0');
}

/** An IPv4/IPv6 address as hex bytes, most significant first (lf_ip with +X). */
function ipHex(ip: string): string {
  if (isIPv4(ip)) {
    let out = '';
    for (const part of ip.split('.')) out += hex(Number(part), 2);
    return out;
  }
  const [head, tail = ''] = ip.split('::');
  const groups = (p: string): string[] => (p === '' ? [] : p.split(':'));
  let h = groups(head);
  let t = groups(tail);
  const last = (t.length > 0 ? t : h).at(-1) ?? '';
  if (isIPv4(last)) {
    // IPv4-mapped/compatible tail (::ffff:1.2.3.4) counts as two groups.
    const b = last.split('.').map(Number);
    const v4 = [hex(b[0] * 256 + b[1], 4), hex(b[2] * 256 + b[3], 4)];
    if (t.length > 0) t = [...t.slice(0, -1), ...v4];
    else h = [...h.slice(0, -1), ...v4];
  }
  const zeros = ip.includes('::') ? Array<string>(8 - h.length - t.length).fill('0') : [];
  return [...h, ...zeros, ...t].map((g) => hex(parseInt(g, 16), 4)).join('');
}

/** lf_ip(): absent → '-' under +M, like HAProxy when the connection has no such address. */
export function ipField(ip: string | undefined, opts: number): string {
  if (ip !== undefined && opts & OPT.HEXA && (isIPv4(ip) || isIPv6(ip))) return ipHex(ip);
  return textField(ip, opts);
}

/** lf_port(): never quoted; +X prints the two bytes in hex. */
export function portField(port: number | undefined, opts: number): string {
  if (port === undefined) return textField(undefined, opts);
  return opts & OPT.HEXA ? hex(port, 4) : String(port);
}

/** One variable node's text for `rec` (`logasap`: HAProxy's '+' on timers and bytes, 8.3.2). */
export function renderVar(node: LogFormatNode, rec: TcpLogRecord, env: LogFormatEnv, logasap: boolean): string {
  const o = node.opts;
  switch (node.kind) {
    case K.CLIENT_IP: return ipField(rec.clientIp, o);
    case K.CLIENT_PORT: return portField(rec.clientPort, o);
    case K.FRONTEND_IP: return ipField(rec.frontendIp, o);
    case K.FRONTEND_PORT: return portField(rec.frontendPort, o);
    case K.BACKEND_IP: return ipField(rec.backendSourceIp, o);
    case K.BACKEND_PORT: return portField(rec.backendSourcePort, o);
    case K.SERVER_IP: return ipField(rec.serverIp, o);
    case K.SERVER_PORT: return portField(rec.serverPort, o);
    case K.DATE: return formatDateLog(rec.acceptDate);
    case K.DATE_GMT: return formatGmtDateLog(rec.acceptDate);
    case K.DATE_LOCAL: return formatLocalDateLog(rec.acceptDate);
    case K.TIMESTAMP: {
      const sec = Math.floor(rec.acceptDate / 1000);
      return o & OPT.HEXA ? hex(sec, 4) : String(sec);
    }
    case K.MILLIS: {
      const ms = Math.floor(rec.acceptDate) % 1000;
      return o & OPT.HEXA ? hex(ms, 2) : PAD3[ms];
    }
    case K.FRONTEND: return textField(frontendName(rec.frontend), o);
    case K.FRONTEND_XPRT: return o & OPT.QUOTE ? '"' + rec.frontend + '"' : rec.frontend;
    case K.BACKEND: return textField(rec.backend, o);
    case K.SERVER: return textField(rec.server, o);
    case K.SSL_CIPHER: return textField(rec.clientTls?.cipher, o);
    case K.SSL_VERSION: return textField(rec.clientTls?.protocol, o);
    case K.TLS_SAMPLE: return textField(LOG_TLS_SAMPLES.get(node.text)!(rec.clientTls), o);
    case K.TW: return String(rec.Tw);
    case K.TC: return String(rec.Tc);
    // %Tu = Tt - Ti, and a TCP session has no idle time.
    case K.TT: case K.TU: return logasap ? '+' + rec.Tt : String(rec.Tt);
    case K.BYTES: return logasap ? '+' + rec.bytesRead : String(rec.bytesRead);
    case K.BYTES_UP: return String(rec.bytesUploaded);
    case K.TERM_STATE: return rec.termination;
    // No HTTP transaction in TCP: the cookie flags are '--'.
    case K.TERM_STATE_CK: return rec.termination + (rec.http?.cookieFlags ?? '--');
    case K.ACTCONN: return String(rec.actconn);
    case K.FECONN: return String(rec.feconn);
    case K.BECONN: return String(rec.beconn);
    case K.SRVCONN: return String(rec.srvconn);
    case K.RETRIES: return rec.redispatched ? '+' + rec.retries : String(rec.retries);
    case K.SRV_QUEUE: return String(rec.srvQueue);
    case K.BCK_QUEUE: return String(rec.backendQueue);
    case K.HOSTNAME: return textField(env.hostname, o);
    case K.PID: return o & OPT.HEXA ? hex(env.pid, 4) : String(env.pid);
    case K.REQ_COUNTER: {
      const n = rec.requestCounter ?? 0;
      return o & OPT.HEXA ? hex(n, 4) : String(n);
    }
    case K.LOG_COUNTER: {
      const n = rec.logCounter ?? 0;
      return o & OPT.HEXA ? hex(n, 4) : String(n);
    }
    case K.UNIQUE_ID: return textField(rec.uniqueId, o);
    // A TCP session has no HTTP status: HAProxy prints 0.
    case K.STATUS: return String(rec.http?.status ?? 0);
    case K.T_H: return String(rec.http?.Th ?? 0);
    case K.T_D: return String(activeRest(rec));
    default: return renderHttpVar(node, rec);
  }
}

/** -1 when absent, as HAProxy prints timers of steps never reached. */
function ms(v: number | undefined): string {
  return v === undefined ? '-1' : String(v);
}

/** %Td: Ta minus the request, queue, connect and response times (-1 if one is missing). */
function activeRest(rec: TcpLogRecord): number {
  const h = rec.http;
  if (h === undefined || h.TR < 0 || rec.Tw < 0 || rec.Tc < 0 || h.Tr < 0) return -1;
  return h.Ta - h.TR - rec.Tw - rec.Tc - h.Tr;
}

/**
 * HAProxy's log encoding of the request line (src/log.c url_encode_map): control characters,
 * DEL and above, '"' and '#' become '#XX'. Captured headers (hdr_encode_map) also encode
 * '{', '|' and '}', the delimiters of their block.
 */
export function encodeLogText(s: string, header = false): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x23 && !(header && (c === 0x7b || c === 0x7c || c === 0x7d))) continue;
    out += s.slice(from, i) + '#' + hex(c & 0xff, 2);
    from = i + 1;
  }
  return from === 0 ? s : out + s.slice(from);
}

/** `{a|b}` of `capture request|response header` (configuration.txt 8.8). */
function captures(list: readonly (string | null)[] | undefined, quote: boolean): string {
  if (list === undefined || list.length === 0) return '';
  const inner = list.map((v) => (v === null ? '' : encodeLogText(v, true))).join('|');
  return quote ? '"{' + inner + '}"' : '{' + inner + '}';
}

/** %hrl / %hsl: one field per capture; an absent header is `-` (`""` quoted), as src/log.c prints it. */
function capturesAsList(list: readonly (string | null)[] | undefined, quote: boolean): string {
  if (list === undefined || list.length === 0) return '';
  return list.map((v) => {
    const text = v === null ? (quote ? '' : '-') : encodeLogText(v, true);
    return quote ? '"' + text + '"' : text;
  }).join(' ');
}

function renderHttpVar(node: LogFormatNode, rec: TcpLogRecord): string {
  const o = node.opts;
  const h = rec.http;
  switch (node.kind) {
    case K.T_R: return ms(h?.TR);
    case K.T_Q: return h === undefined || h.TR < 0 ? '-1' : String(h.Ti + h.Th + h.TR);
    case K.T_RESP: return ms(h?.Tr);
    case K.T_A: return ms(h?.Ta);
    case K.T_I: return ms(h?.Ti);
    case K.REQ_DATE: return formatDateLog(h?.requestDate ?? rec.acceptDate);
    case K.REQ_DATE_GMT: return formatGmtDateLog(h?.requestDate ?? rec.acceptDate);
    case K.REQ_DATE_LOCAL: return formatLocalDateLog(h?.requestDate ?? rec.acceptDate);
    case K.REQ_LINE: return textField(h === undefined ? undefined : encodeLogText(h.requestLine), o);
    case K.METHOD: return textField(h?.method || undefined, o);
    case K.URI: return textField(h === undefined ? undefined : encodeLogText(h.uri), o);
    // log.c: %HP is the target up to '?' (an absolute URI keeps its scheme and host), %HPO the
    // path alone, %HQ from '?' on and nothing at all without a query.
    case K.PATH: return textField(h === undefined ? undefined : encodeLogText(beforeQuery(h.uri)), o);
    case K.PATH_QUERY: return textField(h === undefined ? undefined : encodeLogText(pathOf(h.uri)), o);
    case K.QUERY: {
      const q = h === undefined ? -1 : h.uri.indexOf('?');
      const text = q < 0 ? '' : encodeLogText(h!.uri.slice(q));
      return o & OPT.QUOTE ? '"' + text + '"' : text;
    }
    case K.VERSION: return textField(h?.version || undefined, o);
    case K.REQ_COOKIE: return textField(h?.capturedRequestCookie, o);
    case K.RES_COOKIE: return textField(h?.capturedResponseCookie, o);
    case K.REQ_HEADERS: return captures(h?.capturedRequestHeaders, (o & OPT.QUOTE) !== 0);
    case K.RES_HEADERS: return captures(h?.capturedResponseHeaders, (o & OPT.QUOTE) !== 0);
    case K.REQ_HEADERS_LIST: return capturesAsList(h?.capturedRequestHeaders, (o & OPT.QUOTE) !== 0);
    case K.RES_HEADERS_LIST: return capturesAsList(h?.capturedResponseHeaders, (o & OPT.QUOTE) !== 0);
    default: throw new Error(`log-format node kind ${node.kind} has no renderer`);
  }
}

/** The path of a request target (absolute form: after the authority), without the query. */
function beforeQuery(uri: string): string {
  const q = uri.indexOf('?');
  return q < 0 ? uri : uri.slice(0, q);
}

function pathOf(uri: string): string {
  const pq = pathQueryOf(uri);
  const q = pq.indexOf('?');
  return q < 0 ? pq : pq.slice(0, q);
}

function pathQueryOf(uri: string): string {
  if (uri.startsWith('/') || uri === '*') return uri;
  const scheme = uri.indexOf('://');
  if (scheme < 0) return uri;
  const slash = uri.indexOf('/', scheme + 3);
  return slash < 0 ? '/' : uri.slice(slash);
}

/** %f is the frontend's name; the record's `frontend` carries %ft's trailing '~' on TLS. */
function frontendName(ft: string): string {
  return ft.endsWith('~') ? ft.slice(0, -1) : ft;
}
