// Request smuggling corpus, differential: the same raw bytes go through HAProxy 2.6 and through
// hapair to the same kind of recording backend; the statuses the client gets and the exact bytes
// the backend receives must be the same (CL.TE, TE.CL, TE.TE, duplicate CL, bad chunks, header
// injection, obs-fold, bare CR/LF, head size limits ...).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { once } from 'node:events';
import { freePort } from '../support/process.ts';
import { configOf, serverSpec, startProxy, tcpBind, type TestProxy } from './proxy-harness.ts';
import { httpBackend, httpSpec, type HttpBackend } from './http-harness.ts';
import { startHaproxy, type HaproxyRun } from './http-oracle-harness.ts';

/** A request head of exactly `n` bytes (the limit is on HAProxy's internal copy, see htxSize). */
function bigHead(n: number): string {
  const fixed = 'GET / HTTP/1.1\r\nHost: a\r\nX: \r\n\r\n'.length;
  return `GET / HTTP/1.1\r\nHost: a\r\nX: ${'a'.repeat(n - fixed)}\r\n\r\n`;
}

/** 62 fields, the last one with a value of `v` bytes (the HTX limit depends on the field count). */
function manyHeaders(v: number): string {
  const many = Array.from({ length: 60 }, (_, i) => `h${i}: value${i}\r\n`).join('');
  return `GET /some/path?q=1 HTTP/1.1\r\nHost: a\r\n${many}X: ${'a'.repeat(v)}\r\n\r\n`;
}

const CASES: ReadonlyArray<readonly [string, string]> = [
  ['plain GET', 'GET / HTTP/1.1\r\nHost: a\r\nX-Foo: bar\r\n\r\n'],
  ['LF line ends', 'GET / HTTP/1.1\nHost: a\n\n'],
  ['HTTP/1.0', 'GET / HTTP/1.0\r\nHost: a\r\n\r\n'],
  ['CL.TE', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG'],
  ['TE.CL', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n'],
  ['TE.TE obfuscated value', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n'],
  ['TE.TE space before colon', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n'],
  ['TE.TE two headers', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n'],
  ['TE.TE tab', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\tchunked\r\n\r\n0\r\n\r\n'],
  ['TE.TE gzip, chunked', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n'],
  ['TE.TE chunked, gzip', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n'],
  ['TE.TE upper case', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: CHUNKED\r\n\r\n3\r\nabc\r\n0\r\n\r\n'],
  ['TE on HTTP/1.0', 'POST / HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n'],
  ['duplicate CL equal', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc'],
  ['duplicate CL different', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd'],
  ['CL list equal', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc'],
  ['CL list different', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 4\r\n\r\nabcd'],
  ['CL signed', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\nabc'],
  ['CL negative', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n'],
  ['CL hex', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x3\r\n\r\nabc'],
  ['CL huge', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n'],
  ['chunk size not hex', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n'],
  ['chunk size too long', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n00000000000000003\r\nabc\r\n0\r\n\r\n'],
  ['chunk data longer than size', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n'],
  ['chunk extension', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\n\r\n'],
  ['chunk LF only', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\n0\n\n'],
  ['chunk trailers', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n'],
  ['obs-fold', 'GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n'],
  ['bare CR in value', 'GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n'],
  ['header injection via LF in value', 'GET / HTTP/1.1\r\nHost: a\r\nX: a\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
  ['space in header name', 'GET / HTTP/1.1\r\nHost: a\r\nX y: a\r\n\r\n'],
  ['empty header name', 'GET / HTTP/1.1\r\nHost: a\r\n: a\r\n\r\n'],
  ['NUL in value', 'GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n'],
  ['control char in URI', 'GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n'],
  ['fragment in URI', 'GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n'],
  ['quotes in URI', 'GET /a?b="c" HTTP/1.1\r\nHost: a\r\n\r\n'],
  ['HTTP/0.9', 'GET /\r\n\r\n'],
  ['unknown version', 'GET / HTTP/2.0\r\nHost: a\r\n\r\n'],
  ['two hosts', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'],
  ['absolute URI host mismatch', 'GET http://a/ HTTP/1.1\r\nHost: b\r\n\r\n'],
  // The hidden request is exactly the announced body (32 bytes): it must reach the server as a
  // body, never as a request. (A length leaving bytes over would race the client's close.)
  ['pipelined smuggle after GET body', 'GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 32\r\n\r\nGET /admin HTTP/1.1\r\nHost: a\r\n\r\n'],
  ['leading empty lines', '\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n'],
  ['head of 15273 bytes', bigHead(15273)],
  ['head of 15274 bytes', bigHead(15274)],
  ['many headers near the limit', manyHeaders(14168)],
  ['many headers over the limit', manyHeaders(14169)],
  ['head of 20000 bytes', bigHead(20000)],
  ['websocket upgrade without key', 'GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n'],
  ['websocket upgrade with key', 'GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n'],
  ['websocket key of 23 bytes', 'GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=\r\n\r\n'],
  ['websocket among upgrade tokens, no key', 'GET /ws HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\nUpgrade: foo, WebSocket\r\n\r\n'],
  ['upgrade without connection upgrade', 'GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n'],
  ['h2c upgrade', 'GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n'],
  ['upgrade on HTTP/1.0', 'GET /ws HTTP/1.0\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n'],
  ['connection header with other tokens', 'GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, X-Secret\r\nX-Secret: 1\r\n\r\n'],
];

interface Outcome {
  readonly statuses: number[];
  readonly backend: string[];
}

async function run(port: number, be: HttpBackend, payload: string): Promise<Outcome> {
  be.heads.length = 0;
  be.bodies.length = 0;
  const sock = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  let got = '';
  sock.on('data', (d: Buffer) => (got += d.toString('latin1')));
  sock.on('error', () => undefined);
  await once(sock, 'connect');
  sock.end(Buffer.from(payload, 'latin1'));
  const closed = new Promise<void>((resolve) => sock.on('close', () => resolve()));
  const timer = setTimeout(() => sock.destroy(), 3000);
  await closed;
  clearTimeout(timer);
  const statuses = [...got.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((m) => Number(m[1]));
  return { statuses, backend: be.heads.map((h, i) => h + be.bodies[i]) };
}

let haproxy: HaproxyRun | undefined;
let proxy: TestProxy | undefined;
let haBackend: HttpBackend;
let hpBackend: HttpBackend;
let haPort = 0;

beforeAll(async () => {
  haBackend = await httpBackend('ok');
  hpBackend = await httpBackend('ok');
  haPort = await freePort();
  haproxy = await startHaproxy(
    `global\n  nbthread 1\ndefaults\n  mode http\n  timeout connect 2s\n  timeout client 5s\n  timeout server 5s\nlisten p\n  bind 127.0.0.1:${haPort}\n  server s1 127.0.0.1:${haBackend.port}\n`,
    [haPort],
  );
  proxy = await startProxy(configOf([httpSpec({ name: 'p', binds: [tcpBind(0)], servers: [serverSpec('s1', hpBackend.port)] })]));
}, 20_000);

afterAll(async () => {
  await haproxy?.stop();
  await proxy?.runtime.stop();
  await haBackend?.close();
  await hpBackend?.close();
});

describe('request smuggling corpus: hapair answers and forwards as HAProxy 2.6', () => {
  it.each(CASES)('%s', async (_name, payload) => {
    const expected = await run(haPort, haBackend, payload);
    const actual = await run(proxy!.port(), hpBackend, payload);
    expect(actual).toEqual(expected);
  });
});
