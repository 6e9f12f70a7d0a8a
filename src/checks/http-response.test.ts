import { describe, expect, it } from 'vitest';
import { parseHttpResponse } from './http-response.ts';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('HTTP/1 response reader for checks', () => {
  it('reads status, reason, headers and a content-length body', () => {
    const r = parseHttpResponse(b('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 3\r\nX-A: 1\r\n\r\nabc'), false);
    expect(r).toEqual({
      state: 'ok',
      response: { status: 503, statusText: '503', reason: 'Service Unavailable', headers: [['Content-Length', '3'], ['X-A', '1']], body: b('abc'), complete: true },
    });
  });

  it('is incomplete while the head or body is partial, and an error when the stream cuts the head', () => {
    expect(parseHttpResponse(b('HTTP/1.1 200 OK\r\nContent-Le'), false)).toEqual({ state: 'incomplete' });
    expect(parseHttpResponse(b('HTTP/1.1 200 OK\r\nContent-Le'), true)).toEqual({ state: 'error' });
    const partial = parseHttpResponse(b('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'), false);
    expect(partial.state === 'ok' && partial.response.complete).toBe(false);
    expect(parseHttpResponse(b('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'), true)).toEqual({ state: 'error' });
  });

  it('rejects garbage, bad header names and conflicting lengths', () => {
    expect(parseHttpResponse(b('garbage\r\n\r\n'), false).state).toBe('error');
    expect(parseHttpResponse(b('HTTP/1.1 200 OK\r\nbad header: x\r\n\r\n'), false).state).toBe('error');
    expect(parseHttpResponse(b('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n'), false).state).toBe('error');
  });

  it('decodes chunked bodies and skips interim 1xx responses', () => {
    const r = parseHttpResponse(b('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n'), false);
    expect(r.state === 'ok' && [r.response.status, r.response.body.toString(), r.response.complete]).toEqual([200, 'abcde', true]);
    const open = parseHttpResponse(b('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nab'), false);
    expect(open.state === 'ok' && [open.response.body.toString(), open.response.complete]).toEqual(['ab', false]);
  });

  it('reads a body until close when there is no length, none for 204 or HEAD', () => {
    const r = parseHttpResponse(b('HTTP/1.0 200 OK\r\n\r\nhello'), true);
    expect(r.state === 'ok' && [r.response.body.toString(), r.response.complete]).toEqual(['hello', true]);
    const h = parseHttpResponse(b('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n'), false, true);
    expect(h.state === 'ok' && h.response.complete).toBe(true);
    const n = parseHttpResponse(b('HTTP/1.1 204 No Content\r\n\r\n'), false);
    expect(n.state === 'ok' && n.response.complete).toBe(true);
  });
});
