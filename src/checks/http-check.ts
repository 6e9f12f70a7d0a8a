// HTTP health checks (`option httpchk`, `http-check send|expect`): the request bytes HAProxy 2.6's
// H1 mux writes for a check (lower-case header names, `connection: close` in HTTP/1.1, no
// content-length for an empty OPTIONS/GET/HEAD/DELETE), and the evaluation of http-check expect
// rules (src/tcpcheck.c tcpcheck_eval_send, tcpcheck_eval_expect_http). Pure.
import type { CheckRunContext } from './check.ts';
import type { CheckStatus } from './check-status.ts';
import { CHECK_BUFSIZE, errorMessage, type ExpectOutcome } from './tcpcheck-expect.ts';
import type { ExpectRule, HeaderMatch, HttpSendRule } from './tcpcheck-rules.ts';
import { parseHttpResponse, type HttpCheckResponse } from './http-response.ts';

/** The default `option httpchk` request (configuration.txt 4.2 "option httpchk"). */
export const DEFAULT_HTTPCHK = { method: 'OPTIONS', uri: '/', version: 'HTTP/1.0' } as const;

const NO_BODY_METHODS = new Set(['OPTIONS', 'GET', 'HEAD', 'DELETE']);

function isHttp11(version: string): boolean {
  const m = /^HTTP\/(\d)(?:\.(\d))?$/.exec(version);
  if (!m) return false;
  return Number(m[1]) > 1 || (m[1] === '1' && Number(m[2] ?? 0) >= 1);
}

/** Serialize an http-check request exactly as HAProxy puts it on the wire. */
export function buildHttpRequest(rule: HttpSendRule, ctx: CheckRunContext, sendState: boolean): Buffer {
  const v11 = isHttp11(rule.version);
  const lines = [`${rule.method} ${rule.uri} ${rule.version}`];
  let connection: string | undefined;
  for (const h of rule.headers) {
    if (h.name.toLowerCase() === 'connection') connection = h.value;
    else lines.push(`${h.name.toLowerCase()}: ${h.value}`);
  }
  if (sendState && ctx.serverStateHeader) lines.push(`x-haproxy-server-state: ${ctx.serverStateHeader()}`);
  const body = Buffer.from(rule.body, 'latin1');
  if (body.length > 0 || !NO_BODY_METHODS.has(rule.method)) lines.push(`content-length: ${body.length}`);
  const conn = connectionHeader(connection, v11);
  if (conn) lines.push(`connection: ${conn}`);
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), body]);
}

/** The H1 mux re-emits the connection mode only when it differs from the version's default. */
function connectionHeader(value: string | undefined, v11: boolean): string | undefined {
  if (value === undefined) return v11 ? 'close' : undefined;
  const tokens = value.toLowerCase().split(',').map((t) => t.trim());
  if (tokens.includes('close')) return v11 ? 'close' : undefined;
  if (tokens.includes('keep-alive')) return v11 ? undefined : 'keep-alive';
  return value.toLowerCase();
}

export interface HttpExpectContext {
  readonly disableOn404: boolean;
  readonly serverIsUp: boolean;
  /** The request was a HEAD: the response has no body. */
  readonly bodyless: boolean;
}

export type HttpExpectOutcome = ExpectOutcome & { readonly code?: number };

/** Evaluate one http-check expect rule on the data received so far. */
export function evalHttpExpect(rule: ExpectRule, data: Buffer, eos: boolean, ctx: HttpExpectContext): HttpExpectOutcome {
  const parsed = parseHttpResponse(data, eos, ctx.bodyless);
  const full = data.length >= CHECK_BUFSIZE;
  if (parsed.state === 'error') return fail(rule, data, 'L7RSP', 0, '');
  if (parsed.state === 'incomplete') return eos || full ? fail(rule, data, 'L7RSP', 0, '') : { kind: 'wait' };
  const res = parsed.response;
  const lastRead = eos || full || res.complete;
  if (ctx.disableOn404 && ctx.serverIsUp && res.status === 404) return { kind: 'continue', code: 404 };
  const verdict = matchHttp(rule, res, lastRead);
  if (verdict === 'wait') return { kind: 'wait' };
  if (verdict.match !== rule.inverse) return { kind: 'continue', code: res.status };
  const status = rule.errorStatus ?? verdict.defaultStatus;
  const desc = rule.onError !== undefined ? '' : verdict.desc;
  return fail(rule, data, status, res.status, desc);
}

function fail(rule: ExpectRule, data: Buffer, status: CheckStatus, code: number, desc: string): HttpExpectOutcome {
  return { kind: 'fail', status, code, info: errorMessage(rule, data, false, 'http', desc) };
}

type Verdict = 'wait' | { match: boolean; defaultStatus: CheckStatus; desc: string };

function matchHttp(rule: ExpectRule, res: HttpCheckResponse, lastRead: boolean): Verdict {
  const p = rule.pattern;
  switch (p.type) {
    case 'status':
      return { match: p.ranges.some(([lo, hi]) => res.status >= lo && res.status <= hi), defaultStatus: 'L7STS', desc: res.reason };
    case 'rstatus':
      return { match: p.regex.test(res.statusText), defaultStatus: 'L7STS', desc: res.reason };
    case 'hdr':
      return { match: matchHeader(p, res), defaultStatus: 'L7STS', desc: res.reason };
    case 'body':
    case 'rbody':
      return matchBody(rule, res, lastRead);
    default:
      throw new Error(`http-check expect: unsupported pattern '${p.type}'`);
  }
}

function matchBody(rule: ExpectRule, res: HttpCheckResponse, lastRead: boolean): Verdict {
  const p = rule.pattern;
  const body = res.body;
  if (body.length === 0) {
    if (!lastRead) return 'wait';
    return { match: rule.inverse, defaultStatus: 'L7RSP', desc: 'HTTP content check could not find a response body' };
  }
  if (!lastRead) {
    if (p.type === 'body' && body.length < Buffer.byteLength(p.text, 'latin1')) return 'wait';
    if (rule.minRecv > 0 && body.length < rule.minRecv) return 'wait';
  }
  const text = body.toString('latin1');
  const match = p.type === 'body' ? text.includes(p.text) : p.type === 'rbody' ? p.regex.test(text) : false;
  if (!match && !lastRead && rule.minRecv === -1) return 'wait';
  const desc = rule.inverse ? 'HTTP check matched unwanted content' : 'HTTP content check did not match';
  return { match, defaultStatus: 'L7RSP', desc };
}

interface HdrPattern {
  readonly full: boolean;
  readonly name: { readonly match: HeaderMatch; readonly text: string; readonly regex?: RegExp };
  readonly value?: { readonly match: HeaderMatch; readonly text: string; readonly regex?: RegExp };
}

function matchHeader(p: HdrPattern, res: HttpCheckResponse): boolean {
  for (const [name, rawValue] of res.headers) {
    if (!matchText(p.name, name, true)) continue;
    if (!p.value) return true;
    // `hdr` looks at each comma-separated value, `fhdr` at the full line.
    const values = p.full ? [rawValue] : rawValue.split(',').map((v) => v.trim());
    if (values.some((v) => matchText(p.value!, v, false))) return true;
  }
  return false;
}

function matchText(m: { match: HeaderMatch; text: string; regex?: RegExp }, s: string, caseless: boolean): boolean {
  if (m.match === 'reg') return m.regex!.test(s);
  const a = caseless ? s.toLowerCase() : s;
  const b = caseless ? m.text.toLowerCase() : m.text;
  switch (m.match) {
    case 'str':
      return a === b;
    case 'beg':
      return a.startsWith(b);
    case 'end':
      return a.endsWith(b);
    case 'sub':
      return a.includes(b);
  }
}
