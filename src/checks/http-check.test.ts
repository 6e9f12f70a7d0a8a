import { describe, expect, it } from 'vitest';
import { buildHttpRequest, evalHttpExpect, type HttpExpectContext } from './http-check.ts';
import { parseStatusRanges } from './tcpcheck-parse.ts';
import type { ExpectRule, HttpSendRule } from './tcpcheck-rules.ts';
import { expectRule } from './ruleset-helpers.ts';

const send = (r: Partial<HttpSendRule>): HttpSendRule => ({
  action: 'send-http',
  index: 0,
  method: 'OPTIONS',
  uri: '/',
  version: 'HTTP/1.0',
  headers: [],
  body: '',
  fromOption: true,
  ...r,
});
const wire = (r: Partial<HttpSendRule>, state?: string): string =>
  buildHttpRequest(send(r), state ? { serverStateHeader: () => state } : {}, state !== undefined).toString('latin1');

describe('http-check request bytes (captured from haproxy 2.6.12)', () => {
  it('matches haproxy for the common forms', () => {
    expect(wire({})).toBe('OPTIONS / HTTP/1.0\r\n\r\n');
    expect(wire({ method: 'GET', uri: '/health', version: 'HTTP/1.1', headers: [{ name: 'Host', value: 'www' }] })).toBe(
      'GET /health HTTP/1.1\r\nhost: www\r\nconnection: close\r\n\r\n',
    );
    expect(
      wire({ method: 'POST', uri: '/x', version: 'HTTP/1.1', headers: [{ name: 'Host', value: 'foo.example' }, { name: 'X-A', value: 'b' }], body: 'hello' }),
    ).toBe('POST /x HTTP/1.1\r\nhost: foo.example\r\nx-a: b\r\ncontent-length: 5\r\nconnection: close\r\n\r\nhello');
    expect(wire({ method: 'POST', uri: '/a', body: 'abc', headers: [{ name: 'Connection', value: 'keep-alive' }] })).toBe(
      'POST /a HTTP/1.0\r\ncontent-length: 3\r\nconnection: keep-alive\r\n\r\nabc',
    );
    expect(wire({ method: 'HEAD', uri: '/h', version: 'HTTP/1.1' })).toBe('HEAD /h HTTP/1.1\r\nconnection: close\r\n\r\n');
    expect(wire({ method: 'GET', version: 'HTTP/1.1', headers: [{ name: 'Connection', value: 'keep-alive' }] })).toBe('GET / HTTP/1.1\r\n\r\n');
    expect(wire({ method: 'POST', uri: '/p', version: 'HTTP/1.1' })).toBe('POST /p HTTP/1.1\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
  });

  it('adds x-haproxy-server-state with send-state', () => {
    expect(wire({ method: 'GET', uri: '/s' }, 'UP; address=127.0.0.1')).toBe('GET /s HTTP/1.0\r\nx-haproxy-server-state: UP; address=127.0.0.1\r\n\r\n');
  });
});

const ctx: HttpExpectContext = { disableOn404: false, serverIsUp: true, bodyless: false };
const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const status = (v: string, more: Partial<ExpectRule> = {}): ExpectRule => ({ ...expectRule(1, { type: 'status', ranges: parseStatusRanges(v) }), ...more });
const OK200 = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Check: a, b\r\n\r\nready';

describe('http-check expect (src/tcpcheck.c tcpcheck_eval_expect_http)', () => {
  it('checks status ranges, reports the reason on a wrong status', () => {
    expect(evalHttpExpect(status('200-399'), b(OK200), false, ctx)).toEqual({ kind: 'continue', code: 200 });
    expect(evalHttpExpect(status('200-399'), b('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n'), false, ctx)).toEqual({
      kind: 'fail',
      status: 'L7STS',
      code: 503,
      info: 'Service Unavailable',
    });
  });

  it('calls garbage, an empty reply and a cut head invalid responses (L7RSP, no info)', () => {
    expect(evalHttpExpect(status('200'), b('garbage\r\n\r\n'), false, ctx)).toEqual({ kind: 'fail', status: 'L7RSP', code: 0, info: '' });
    expect(evalHttpExpect(status('200'), b(''), true, ctx)).toEqual({ kind: 'fail', status: 'L7RSP', code: 0, info: '' });
    expect(evalHttpExpect(status('200'), b('HTTP/1.1 200 OK\r\nCon'), false, ctx)).toEqual({ kind: 'wait' });
  });

  it('matches body strings and regexes, waiting for the body', () => {
    const body = { ...expectRule(1, { type: 'body', text: 'ready' }) };
    expect(evalHttpExpect(body, b('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nrea'), false, ctx)).toEqual({ kind: 'wait' });
    expect(evalHttpExpect(body, b(OK200), false, ctx)).toEqual({ kind: 'continue', code: 200 });
    const none = evalHttpExpect({ ...body, pattern: { type: 'body', text: 'gone' } }, b(OK200), false, ctx);
    expect(none).toEqual({ kind: 'fail', status: 'L7RSP', code: 200, info: 'HTTP content check did not match' });
    const empty = evalHttpExpect(body, b('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'), false, ctx);
    expect(empty).toMatchObject({ kind: 'fail', info: 'HTTP content check could not find a response body' });
    const inv = evalHttpExpect({ ...body, inverse: true }, b(OK200), false, ctx);
    expect(inv).toMatchObject({ kind: 'fail', info: 'HTTP check matched unwanted content' });
  });

  it('matches headers by name and by each comma-separated value (hdr) or the full line (fhdr)', () => {
    const hdr = (full: boolean, value?: string): ExpectRule =>
      expectRule(1, { type: 'hdr', full, name: { match: 'str', text: 'x-check' }, ...(value ? { value: { match: 'str', text: value } } : {}) });
    expect(evalHttpExpect(hdr(false), b(OK200), false, ctx).kind).toBe('continue');
    expect(evalHttpExpect(hdr(false, 'b'), b(OK200), false, ctx).kind).toBe('continue');
    expect(evalHttpExpect(hdr(true, 'b'), b(OK200), false, ctx)).toMatchObject({ kind: 'fail', status: 'L7STS', info: 'OK' });
    expect(evalHttpExpect(hdr(true, 'a, b'), b(OK200), false, ctx).kind).toBe('continue');
  });

  it('accepts a 404 as conditional success with disable-on-404 while the server is up', () => {
    const r404 = b('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    expect(evalHttpExpect(status('200'), r404, false, { ...ctx, disableOn404: true })).toEqual({ kind: 'continue', code: 404 });
    expect(evalHttpExpect(status('200'), r404, false, { ...ctx, disableOn404: true, serverIsUp: false }).kind).toBe('fail');
  });

  it('applies error-status and on-error', () => {
    const r = status('200', { errorStatus: 'L7OKC', onError: 'maintenance' });
    expect(evalHttpExpect(r, b('HTTP/1.1 503 x\r\n\r\n'), true, ctx)).toEqual({ kind: 'fail', status: 'L7OKC', code: 503, info: 'maintenance' });
  });
});
