import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChunkedScanner, CHUNK_ERROR, CHUNK_MORE } from './h1-chunked.ts';
import { findHeadEnd } from './h1-head-end.ts';
import { BODY_CHUNKED, BODY_CLOSE, BODY_LENGTH, BODY_NONE, H1Message, responseBodyKind } from './h1-message.ts';
import { parseRequestHead, parseResponseHead, uriAuthority } from './h1-parse.ts';
import { CONN_NONE, writeRequestHead, writeResponseHead } from './h1-write.ts';

function req(text: string): { status: number; msg: H1Message } {
  const msg = new H1Message();
  return { status: parseRequestHead(text, msg), msg };
}

describe('request heads', () => {
  it('parses the start line and lower-cases header names', () => {
    const { status, msg } = req('GET /a?b HTTP/1.1\r\nHost: x\r\nX-Foo:  bar  \r\n\r\n');
    expect(status).toBe(0);
    expect([msg.method, msg.uri, msg.version, msg.version11]).toEqual(['GET', '/a?b', 'HTTP/1.1', true]);
    expect(msg.flat).toEqual(['host', 'x', 'x-foo', 'bar']);
  });

  it('accepts bare LF line ends and obs-fold (as spaces), like HAProxy 2.6', () => {
    expect(req('GET / HTTP/1.1\nHost: a\n\n').status).toBe(0);
    const { status, msg } = req('GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n');
    expect(status).toBe(0);
    expect(msg.header('x')).toBe('a   b');
  });

  it.each([
    ['HTTP/0.9', 'GET /\r\n\r\n'],
    ['no method', ' / HTTP/1.1\r\n\r\n'],
    ['bad version', 'GET / HTTP/2\r\n\r\n'],
    ['version 0.9', 'GET / HTTP/0.9\r\n\r\n'],
    ['control char in uri', 'GET /\x01 HTTP/1.1\r\n\r\n'],
    ['non-ASCII uri', 'GET /\xe9 HTTP/1.1\r\n\r\n'],
    ['space in name', 'GET / HTTP/1.1\r\nX y: a\r\n\r\n'],
    ['space before colon', 'GET / HTTP/1.1\r\nX : a\r\n\r\n'],
    ['empty name', 'GET / HTTP/1.1\r\n: a\r\n\r\n'],
    ['bare CR in value', 'GET / HTTP/1.1\r\nX: a\rb\r\n\r\n'],
    ['different content-lengths', 'POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n'],
    ['content-length list with different values', 'POST / HTTP/1.1\r\nContent-Length: 3, 4\r\n\r\n'],
    ['signed content-length', 'POST / HTTP/1.1\r\nContent-Length: +3\r\n\r\n'],
    ['hex content-length', 'POST / HTTP/1.1\r\nContent-Length: 0x3\r\n\r\n'],
    ['empty content-length', 'POST / HTTP/1.1\r\nContent-Length: \r\n\r\n'],
    ['chunked twice', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n'],
    ['chunked not last', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n'],
    ['unknown coding alone', 'POST / HTTP/1.1\r\nTransfer-Encoding: xchunked\r\n\r\n'],
    ['two different hosts', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'],
    ['host differing from the absolute uri', 'GET http://a/ HTTP/1.1\r\nHost: b\r\n\r\n'],
  ])('refuses %s with 400', (_what, text) => {
    expect(req(text).status).toBe(400);
  });

  it('answers 422 to a transfer coding other than chunked before chunked (HAProxy 2.6.12)', () => {
    expect(req('POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n').status).toBe(422);
  });

  it('merges identical content-lengths into one field', () => {
    const { status, msg } = req('POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3, 3\r\n\r\n');
    expect(status).toBe(0);
    expect(msg.flat).toEqual(['content-length', '3']);
    expect(msg.requestBodyKind()).toBe(BODY_LENGTH);
  });

  it('drops content-length when transfer-encoding is present and forces close (HAProxy h1.c)', () => {
    const { status, msg } = req('POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n');
    expect(status).toBe(0);
    expect(msg.flat).toEqual(['transfer-encoding', 'chunked']);
    expect(msg.forceClose).toBe(true);
    expect(msg.requestBodyKind()).toBe(BODY_CHUNKED);
  });

  it('reads connection tokens and keeps the others', () => {
    const { msg } = req('GET / HTTP/1.1\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n');
    expect([msg.connKeepAlive, msg.connUpgrade, msg.upgrade]).toEqual([true, true, true]);
    expect(msg.header('connection')).toBe('Upgrade');
  });

  it('refuses a WebSocket handshake without a 24-byte key, as HAProxy 2.6 mux_h1', () => {
    const ws = 'GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: h2c, WebSocket\r\n';
    expect(req(`${ws}\r\n`).status).toBe(400);
    expect(req(`${ws}Sec-WebSocket-Key: short\r\n\r\n`).status).toBe(400);
    expect(req(`${ws}Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`).status).toBe(0);
    expect(req('GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n').status).toBe(0);
    expect(req('GET / HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: websocket\r\nUpgrade: h2c\r\n\r\n').status).toBe(0);
    const res = (text: string): number => parseResponseHead(text, new H1Message());
    expect(res('HTTP/1.1 101 Switching\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n')).toBe(502);
    expect(res('HTTP/1.1 101 Switching\r\nConnection: upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: x\r\n\r\n')).toBe(0);
  });

  it('keeps one copy of identical hosts and accepts a matching absolute uri', () => {
    expect(req('GET http://A:80/x HTTP/1.1\r\nHost: a:80\r\nHost: a:80\r\n\r\n').msg.flat).toEqual(['host', 'a:80']);
    expect(uriAuthority('http://u@h:1/p?q')).toBe('h:1');
    expect(uriAuthority('/p')).toBe('');
  });

  it('refuses more than 101 header fields', () => {
    const fields = (n: number): string => Array.from({ length: n }, (_, i) => `x${i}: v\r\n`).join('');
    expect(req(`GET / HTTP/1.1\r\n${fields(101)}\r\n`).status).toBe(0);
    expect(req(`GET / HTTP/1.1\r\n${fields(102)}\r\n`).status).toBe(400);
  });
});

describe('response heads', () => {
  it('parses status, reason and framing', () => {
    const msg = new H1Message();
    expect(parseResponseHead('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n', msg)).toBe(0);
    expect([msg.status, msg.reason, msg.contentLength]).toEqual([404, 'Not Found', 0]);
    expect(responseBodyKind(msg, 'GET')).toBe(BODY_NONE);
  });

  it('frames by method and status (RFC 9112 §6.3)', () => {
    const msg = new H1Message();
    parseResponseHead('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n', msg);
    expect(responseBodyKind(msg, 'HEAD')).toBe(BODY_NONE);
    expect(responseBodyKind(msg, 'GET')).toBe(BODY_LENGTH);
    msg.reset();
    parseResponseHead('HTTP/1.0 200 OK\r\n\r\n', msg);
    expect(responseBodyKind(msg, 'GET')).toBe(BODY_CLOSE);
    msg.reset();
    parseResponseHead('HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n', msg);
    expect(responseBodyKind(msg, 'GET')).toBe(BODY_NONE);
  });

  it.each(['HTTP/1.1 20 OK\r\n\r\n', 'HTTP/1.1 2000 OK\r\n\r\n', 'HTTP/1.1\r\n\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n', 'ICY 200 OK\r\n\r\n'])('refuses %j with 502', (text) => {
    expect(parseResponseHead(text, new H1Message())).toBe(502);
  });
});

describe('head end', () => {
  it('finds CRLFCRLF and LFLF, and waits for more otherwise', () => {
    const b = (s: string): Buffer => Buffer.from(s, 'latin1');
    expect(findHeadEnd(b('GET / HTTP/1.1\r\n\r\nrest'), 0, 22)).toBe(18);
    expect(findHeadEnd(b('GET / HTTP/1.1\n\nx'), 0, 17)).toBe(16);
    expect(findHeadEnd(b('GET / HTTP/1.1\r\nHost: a\r\n'), 0, 25)).toBe(-1);
    expect(findHeadEnd(b('GET / HTTP/1.1\r\n\r'), 0, 17)).toBe(-1);
  });
});

describe('chunked bodies', () => {
  function scanAll(body: string, split = 1000): number {
    const s = new ChunkedScanner();
    const buf = Buffer.from(body, 'latin1');
    for (let i = 0; i < buf.length; i += split) {
      const r = s.scan(buf, i, Math.min(buf.length, i + split));
      if (r !== CHUNK_MORE) return r;
    }
    return CHUNK_MORE;
  }

  it('finds the end of the body, with extensions and trailers, in any split', () => {
    const body = '3;ext=1\r\nabc\r\nA \r\n0123456789\r\n0\r\nX-T: v\r\n\r\nNEXT';
    for (const split of [1, 2, 5, 1000]) expect(scanAll(body, split)).toBe(body.length - 4);
  });

  it.each(['zz\r\nabc\r\n0\r\n\r\n', '\r\n\r\n', '3\r\nabcX\r\n0\r\n\r\n', '12345678901234\r\n', '3 x\r\nabc\r\n0\r\n\r\n', '0\r\nbad trailer\r\n\r\n', '-1\r\n'])('refuses %j', (body) => {
    expect(scanAll(body)).toBe(CHUNK_ERROR);
  });
});

describe('fuzzing', () => {
  const headChars = fc.constantFrom(...'GET POST / HTTP/1.01:\r\n\t ,;=abcXYZ-_\x00\x7f\xe9chunked'.split(''));
  it('never throws on arbitrary request or response heads', () => {
    fc.assert(fc.property(fc.array(headChars, { maxLength: 200 }).map((a) => a.join('')), fc.string({ maxLength: 100 }), (a, b) => {
      for (const text of [a, b, `GET / HTTP/1.1\r\n${a}\r\n\r\n`, `HTTP/1.1 200 OK\r\n${b}\r\n\r\n`]) {
        const st = parseRequestHead(text, new H1Message());
        expect([0, 400, 422]).toContain(st);
        expect([0, 502]).toContain(parseResponseHead(text, new H1Message()));
      }
    }), { numRuns: 3000 });
  });

  it('never throws in the chunk scanner and reports an end inside the input', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 1, max: 50 }), (bytes, split) => {
      const s = new ChunkedScanner();
      const buf = Buffer.from(bytes);
      for (let i = 0; i < buf.length; i += split) {
        const r = s.scan(buf, i, Math.min(buf.length, i + split));
        if (r === CHUNK_ERROR) return;
        if (r !== CHUNK_MORE) {
          expect(r).toBeGreaterThan(i);
          expect(r).toBeLessThanOrEqual(Math.min(buf.length, i + split));
          return;
        }
      }
    }), { numRuns: 3000 });
  });
});

describe('chunked re-encoding', () => {
  function encode(body: string, split: number): string {
    const s = new ChunkedScanner();
    const buf = Buffer.from(body, 'latin1');
    let out = '';
    for (let i = 0; i < buf.length; i += split) {
      const pieces: (Buffer | string)[] = [];
      const r = s.scan(buf, i, Math.min(buf.length, i + split), pieces);
      out += pieces.map((p) => (typeof p === 'string' ? p : p.toString('latin1'))).join('');
      if (r !== CHUNK_MORE) break;
    }
    return out;
  }

  it('writes canonical sizes, CRLFs and lower-case trailer names, as HAProxy does', () => {
    const body = '00003;ext=1\nabc\nA \r\n0123456789\r\n0\r\nX-Trailer:  v \r\n\r\n';
    for (const split of [1, 3, 1000]) expect(encode(body, split)).toBe('3\r\nabc\r\na\r\n0123456789\r\n0\r\nx-trailer: v\r\n\r\n');
  });
});

describe('canonical heads (forwarded as they came)', () => {
  const res = (text: string): H1Message => {
    const msg = new H1Message();
    expect(parseResponseHead(text, msg)).toBe(0);
    return msg;
  };

  it.each([
    'HTTP/1.1 200 OK\r\ncontent-length: 11\r\ncontent-type: text/plain\r\n\r\n',
    'HTTP/1.1 200 \r\ncontent-length: 0\r\n\r\n',
    'HTTP/1.0 404 Not Found\r\nx-empty: \r\ntransfer-encoding: chunked\r\n\r\n',
    'HTTP/1.1 200 OK\r\nupgrade: h2c\r\nexpect: 100-continue\r\n\r\n',
  ])('a response written back byte for byte is canonical: %j', (text) => {
    const msg = res(text);
    expect(msg.canonical).toBe(true);
    expect(writeResponseHead(msg, CONN_NONE)).toBe(text);
  });

  it.each([
    ['an upper-case name', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n'],
    ['no space after the colon', 'HTTP/1.1 200 OK\r\nx:a\r\n\r\n'],
    ['two spaces after the colon', 'HTTP/1.1 200 OK\r\nx:  a\r\n\r\n'],
    ['a tab after the colon', 'HTTP/1.1 200 OK\r\nx:\ta\r\n\r\n'],
    ['trailing spaces', 'HTTP/1.1 200 OK\r\nx: a \r\n\r\n'],
    ['a bare LF', 'HTTP/1.1 200 OK\nx: a\r\n\r\n'],
    ['obs-fold', 'HTTP/1.1 200 OK\r\nx: a\r\n b\r\n\r\n'],
    ['two spaces in the status line', 'HTTP/1.1  200 OK\r\n\r\n'],
    ['no reason and no space', 'HTTP/1.1 200\r\n\r\n'],
    ['a zero-padded content-length', 'HTTP/1.1 200 OK\r\ncontent-length: 011\r\n\r\n'],
    ['a content-length list', 'HTTP/1.1 200 OK\r\ncontent-length: 1, 1\r\n\r\n'],
    ['a repeated content-length', 'HTTP/1.1 200 OK\r\ncontent-length: 1\r\ncontent-length: 1\r\n\r\n'],
    ['content-length with transfer-encoding', 'HTTP/1.1 200 OK\r\ncontent-length: 1\r\ntransfer-encoding: chunked\r\n\r\n'],
    ['a connection field', 'HTTP/1.1 200 OK\r\nconnection: keep-alive\r\n\r\n'],
  ])('not with %s (the writer changes it)', (_what, text) => {
    const msg = res(text);
    expect(msg.canonical).toBe(false);
    expect(writeResponseHead(msg, CONN_NONE)).not.toBe(text);
  });

  it('a request is canonical exactly when the writer gives it back unchanged', () => {
    const heads = [
      'GET / HTTP/1.1\r\nhost: a\r\n\r\n', 'GET / HTTP/1.1\r\nHost: a\r\n\r\n', 'GET /  HTTP/1.1\r\nhost: a\r\n\r\n',
      'GET / HTTP/1.2\r\nhost: a\r\n\r\n', 'GET / HTTP/1.0\r\n\r\n', 'GET / HTTP/1.1\r\nhost: a\r\nhost: a\r\n\r\n',
      'POST /x HTTP/1.1\r\ncontent-length: 2\r\n\r\n', 'POST /x HTTP/1.1\r\ncontent-length: 02\r\n\r\n',
    ];
    for (const text of heads) {
      const { status, msg } = req(text);
      expect(status).toBe(0);
      expect([text, msg.canonical]).toEqual([text, writeRequestHead(msg, CONN_NONE) === text]);
    }
  });

  it('canonical implies an unchanged head, for arbitrary heads', () => {
    const line = fc.stringMatching(/^[A-Za-z-]{1,6}:[ \t]{0,2}[a-z0-9 ,]{0,6}(\r\n|\n)$/);
    fc.assert(fc.property(fc.array(line, { maxLength: 6 }), fc.constantFrom('HTTP/1.1 200 OK\r\n', 'HTTP/1.1 204 \r\n', 'HTTP/1.0 500 x y\r\n'), (lines, start) => {
      const text = start + lines.join('') + '\r\n';
      const msg = new H1Message();
      if (parseResponseHead(text, msg) !== 0) return;
      if (msg.canonical) expect(writeResponseHead(msg, CONN_NONE)).toBe(text);
    }), { numRuns: 2000 });
  });
});
