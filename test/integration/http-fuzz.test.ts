// Fuzzed requests through a running proxy: whatever the bytes (split anywhere, closed anywhere),
// the proxy answers or closes that connection only, never crashes, and keeps serving others.
import fc from 'fast-check';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configOf, serverSpec, startProxy, tcpBind, type TestProxy } from './proxy-harness.ts';
import { httpBackend, httpClient, httpSpec, type HttpBackend } from './http-harness.ts';

let proxy: TestProxy | undefined;
let be: HttpBackend;

beforeAll(async () => {
  be = await httpBackend('ok');
  proxy = await startProxy(configOf([httpSpec({ name: 'web', binds: [tcpBind(0)], servers: [serverSpec('s1', be.port)], timeouts: { httpRequest: 500, server: 1000 } })]));
});

afterAll(async () => {
  await proxy?.runtime.stop();
  await be?.close();
});

const PIECES = ['GET ', 'POST ', '/', ' HTTP/1.1', ' HTTP/1.0', '\r\n', '\n', '\r', 'Host: a', 'Content-Length: ', '3', '-1', 'Transfer-Encoding: chunked', '0\r\n\r\n',
  'Connection: close', 'Upgrade: x', ':', ' ', '\t', 'abc', '\x00', '\xff', 'Expect: 100-continue', ',', '5\r\nhello\r\n', 'zz\r\n'];

/** Send the pieces (each a separate write), maybe close; resolves when the proxy closed or after 0.7 s. */
async function blast(port: number, pieces: string[], endIt: boolean): Promise<void> {
  const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  s.on('error', () => undefined);
  s.on('data', () => undefined);
  await new Promise<void>((r) => s.on('connect', () => r()));
  for (const p of pieces) s.write(Buffer.from(p, 'latin1'));
  if (endIt) s.end();
  await new Promise<void>((r) => {
    s.on('close', () => r());
    setTimeout(() => {
      s.destroy();
      r();
    }, 700);
  });
}

describe('fuzzed client bytes', () => {
  it('never take the proxy down', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 30 }), fc.boolean(), async (pieces, endIt) => {
        await blast(proxy!.port(), pieces, endIt);
      }),
      { numRuns: 40 },
    );
    const c = await httpClient(proxy!.port());
    c.send('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    const r = await c.read();
    c.close();
    expect(r.status).toBe(200);
    expect(proxy!.runtime.state).toBe('running');
  }, 120_000);
});
