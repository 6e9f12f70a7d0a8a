// When HAProxy 2.6 compresses a response (flt_http_comp.c): the algorithm chosen from the request's
// Accept-Encoding once the request rules ran (select_compression_request_header), the response
// checks made before the http-response rules (select_compression_response_header) and the head
// rewrite made after them (set_compression_response_header).
import type { CompressionAlgo, CompressionSpec, ProxySpec } from '../config/model.ts';
import { CONTENT_CODING } from './compressor.ts';
import { HT, SP, TOKEN } from './h1-chars.ts';
import type { H1Message } from './h1-message.ts';

/** A frontend and backend pair's compression settings (the backend's lists win when it has them). */
export interface CompressionConf {
  /** Newest first, as HAProxy lists them: `*` takes the first. */
  readonly algos: readonly CompressionAlgo[];
  /** MIME type prefixes; empty: any type. */
  readonly types: readonly string[];
  /** `compression offload` in the frontend or the backend. */
  readonly offload: boolean;
}

export function compressionConfOf(fe: ProxySpec, be: ProxySpec): CompressionConf | null {
  const f: CompressionSpec | undefined = fe.compression;
  const b: CompressionSpec | undefined = be === fe ? undefined : be.compression;
  const algos = b !== undefined && b.algos.length > 0 ? b.algos : (f?.algos ?? []);
  // Without an algorithm nothing is ever compressed: the response path stays untouched.
  if (algos.length === 0) return null;
  const types = b !== undefined && b.types.length > 0 ? b.types : (f?.types ?? []);
  return { algos, types, offload: (f?.offload ?? false) || (b?.offload ?? false) };
}

/** HAProxy's word_match: `word` case-insensitively (bytes equal or apart by 0x20), then blanks only. */
function wordMatch(s: string, from: number, to: number, word: string): boolean {
  if (to - from < word.length) return false;
  let i = from;
  for (let j = 0; j < word.length; j++, i++) {
    const c = s.charCodeAt(i) ^ word.charCodeAt(j);
    if (c !== 0 && c !== 0x20) return false;
  }
  for (; i < to; i++) if (s.charCodeAt(i) !== SP && s.charCodeAt(i) !== HT) return false;
  return true;
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/** http.c http_parse_qvalue: `1`, `0.5`, `0.123` as thousandths (1000 when it is not a number). */
function parseQvalue(s: string, i: number): number {
  if (!isDigit(s.charCodeAt(i))) return 1000;
  let q = (s.charCodeAt(i++) - 0x30) * 1000;
  if (s.charCodeAt(i++) === 0x2e) {
    for (const weight of [100, 10, 1]) {
      if (!isDigit(s.charCodeAt(i))) break;
      q += (s.charCodeAt(i++) - 0x30) * weight;
    }
  }
  return Math.min(q, 1000);
}

/** The q-value of one Accept-Encoding element whose token ends at `tok` (1000 without `q=`). */
function qvalueOf(v: string, tok: number): number {
  let i = tok;
  for (;;) {
    while (i < v.length && (v.charCodeAt(i) === SP || v.charCodeAt(i) === HT)) i++;
    if (i >= v.length || v[i] !== ';') return 1000;
    i++;
    while (i < v.length && (v.charCodeAt(i) === SP || v.charCodeAt(i) === HT)) i++;
    if (i >= v.length) return 1000;
    // strncmp over what is left, at most 2 bytes (a lone trailing `q` matches too).
    if (v.startsWith('q=', i) || (v.length - i === 1 && v[i] === 'q')) return parseQvalue(v, i + 2);
    while (i < v.length && v[i] !== ';') i++;
  }
}

/**
 * Old agents announcing `Mozilla/4` get nothing, unless MSIE 6 with SV1 (XP SP2) or MSIE 7+
 * (the byte offsets HAProxy tests).
 */
function refusedAgent(ua: string | undefined): boolean {
  if (ua === undefined || ua.length < 9 || !ua.startsWith('Mozilla/4')) return false;
  if (ua.length < 31 || ua.slice(25, 30) !== 'MSIE ' || ua[30] < '6') return true;
  return ua[30] === '6' && (ua.length < 54 || ua.slice(51, 54) !== 'SV1');
}

/**
 * The algorithm for this request, or null: the Accept-Encoding element of the highest q-value
 * (the first one among equals; q=0 never) that names one of `algos` or is `*` (then the first of
 * `algos`), else `identity` when it is configured. With `compression offload`, a request that
 * chose an algorithm from its Accept-Encoding loses the header (the server must not compress).
 */
export function selectCompression(req: H1Message, conf: CompressionConf): CompressionAlgo | null {
  if (refusedAgent(req.header('user-agent'))) return null;
  const h = req.flat;
  let best: CompressionAlgo | null = null;
  let bestQ = 0;
  for (let i = 0; i < h.length; i += 2) {
    if (h[i] !== 'accept-encoding') continue;
    for (const element of h[i + 1].split(',')) {
      const v = element.trim();
      let tok = 0;
      while (tok < v.length && TOKEN[v.charCodeAt(tok)] === 1) tok++;
      const q = qvalueOf(v, tok);
      if (q <= bestQ) continue;
      const algo = conf.algos.find((a) => v[0] === '*' || wordMatch(v, 0, tok, CONTENT_CODING[a]));
      if (algo !== undefined) {
        best = algo;
        bestQ = q;
      }
    }
  }
  if (best !== null) {
    if (conf.offload) req.remove('accept-encoding');
    return best;
  }
  return conf.algos.includes('identity') ? 'identity' : null;
}

/** HAProxy's http_get_etag_type: `"..."` strong, `W/"..."` weak, anything else invalid. */
function validEtag(v: string): boolean {
  const o = v.startsWith('W/') ? 2 : 0;
  return v.length >= o + 2 && v[o] === '"' && v[v.length - 1] === '"';
}

/** A response compressible with its status and head (checked before the http-response rules). */
export function compressibleResponse(req: H1Message, res: H1Message, conf: CompressionConf, bodyLess: boolean): boolean {
  const status = res.status;
  if (!res.version11 || !req.version11 || req.method === 'HEAD' || status < 200 || status > 203 || bodyLess) return false;
  const h = res.flat;
  let etags = 0;
  for (let i = 0; i < h.length; i += 2) {
    const name = h[i];
    if (name === 'content-encoding') return false;
    if (name === 'cache-control' && h[i + 1].split(',').some((w) => wordMatch(w.trim(), 0, w.trim().length, 'no-transform'))) return false;
    if (name === 'etag' && (++etags > 1 || !validEtag(h[i + 1]))) return false;
  }
  const type = res.header('content-type');
  if (type === undefined) return conf.types.length === 0;
  const lower = type.toLowerCase();
  if (lower.startsWith('multipart')) return false;
  return conf.types.length === 0 || conf.types.some((t) => lower.startsWith(t.toLowerCase()));
}

/**
 * The response head as HAProxy sends a compressed one: `content-length` removed and
 * `transfer-encoding: chunked` added unless chunked already, the first ETag made weak,
 * `vary: Accept-Encoding` added (another Vary stays as it is), then `content-encoding` (not for
 * identity).
 */
export function rewriteCompressedHead(res: H1Message, algo: CompressionAlgo): void {
  if (res.contentLength >= 0) res.remove('content-length');
  if (!res.chunked) res.add('transfer-encoding', 'chunked');
  const etag = res.indexOf('etag');
  if (etag >= 0 && res.flat[etag + 1].startsWith('"')) res.flat[etag + 1] = 'W/' + res.flat[etag + 1];
  res.add('vary', 'Accept-Encoding');
  // Last, after Vary, as haproxy 2.6.12 writes it (2.6.0 added it first).
  if (algo !== 'identity') res.add('content-encoding', CONTENT_CODING[algo]);
}
