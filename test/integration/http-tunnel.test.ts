// Upgrade to a tunnel (WebSocket-style 101), `Expect: 100-continue`, HEAD and bodiless
// statuses, close-delimited responses, and the keep-alive / http-request timeouts.
import { describe, expect, it } from 'vitest';
import { configOf, serverSpec, startProxy, tcpBind } from './proxy-harness.ts';
import { httpBackend, httpClient, httpSpec, type HttpBackend, type HttpClient, useHttpTest } from './http-harness.ts';
import type { Timeouts } from '../../src/config/model.ts';
import type net from 'node:net';

const t = useHttpTest();
const { backends, clients } = t;

async function setup(responder: (head: string, body: string, s: net.Socket) => void, timeouts: Timeouts = {}): Promise<{ c: HttpClient; be: HttpBackend }> {
  const be = await httpBackend(responder);
  backends.push(be);
  t.proxy = await startProxy(configOf([httpSpec({ name: 'web', binds: [tcpBind(0)], servers: [serverSpec('s1', be.port)], timeouts })]));
  const c = await httpClient(t.proxy.port());
  clients.push(c);
  return { c, be };
}

describe('upgrade', () => {
  it('switches to a tunnel after 101 and relays bytes both ways', async () => {
    const { c, be } = await setup((_h, _b, s) => {
      s.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n');
      s.removeAllListeners('data');
      s.on('data', (d: Buffer) => s.write(Buffer.concat([Buffer.from('echo:'), d])));
    });
    // A WebSocket handshake needs its key (without, 400 as from HAProxy 2.6: http-smuggling.test.ts).
    c.send('GET /ws HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
    const r = await c.read();
    expect(r.status).toBe(101);
    expect(r.headers.get('upgrade')).toBe('websocket');
    expect(be.heads[0]).toContain('\r\nconnection: Upgrade\r\n');
    c.send('frame-1');
    const deadline = Date.now() + 5000;
    while (!c.pending.includes('echo:frame-1') && Date.now() < deadline) await new Promise((res) => setTimeout(res, 10));
    expect(c.pending).toBe('echo:frame-1');
  });
});

describe('message framing', () => {
  it('forwards 100 Continue, then the body and the final response', async () => {
    const { c, be } = await setup((_h, body, s) => {
      s.write(`HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
    });
    // The backend answers 100 as soon as it sees the head (its parser waits for the body).
    be.server.on('connection', (s: net.Socket) => s.once('data', () => s.write('HTTP/1.1 100 Continue\r\n\r\n')));
    c.send('PUT /up HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n');
    const interim = await c.read();
    expect(interim.status).toBe(100);
    c.send('data');
    const r = await c.read();
    expect([r.status, r.body]).toEqual([200, 'data']);
  });

  it('gives HEAD and 204/304 responses no body and keeps the connection', async () => {
    let n = 0;
    const { c } = await setup((_h, _b, s) => {
      n++;
      if (n === 1) s.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n');
      else if (n === 2) s.write('HTTP/1.1 204 No Content\r\n\r\n');
      else s.write('HTTP/1.1 304 Not Modified\r\netag: x\r\n\r\n');
    });
    c.send('HEAD / HTTP/1.1\r\nHost: t\r\n\r\n');
    const r1 = await c.read(5000, true);
    expect([r1.status, r1.headers.get('content-length')]).toEqual([200, '100']);
    c.send('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    expect((await c.read()).status).toBe(204);
    c.send('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    expect((await c.read()).status).toBe(304);
    expect(c.closed).toBe(false);
  });

  it('relays chunked responses and close-delimited ones (then closes the client)', async () => {
    let n = 0;
    const { c } = await setup((_h, _b, s) => {
      n++;
      if (n === 1) s.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
      else s.end('HTTP/1.0 200 OK\r\n\r\nuntil close');
    });
    c.send('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    expect((await c.read()).body).toBe('5\r\nhello\r\n0\r\n\r\n');
    c.send('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    await c.waitClosed();
    expect(c.pending).toContain('until close');
  });

  it('moves large bodies both ways (content-length up, chunked down) with back-pressure', async () => {
    const big = 'x'.repeat(3 * 1024 * 1024);
    const { c, be } = await setup((_h, body, s) => {
      s.write(`HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n`);
      for (let i = 0; i < 4; i++) s.write(`${(body.length / 4).toString(16)}\r\n${body.slice(0, body.length / 4)}\r\n`);
      s.write('0\r\n\r\n');
    });
    c.send(`POST /big HTTP/1.1\r\nHost: t\r\nContent-Length: ${big.length}\r\n\r\n${big}`);
    const r = await c.read(20_000);
    expect(r.status).toBe(200);
    expect(be.bodies[0].length).toBe(big.length);
    // The client gets the same data (chunk boundaries as the server's reads allowed).
    expect(r.body.replace(/(^|\r\n)[0-9a-f]+\r\n/g, '').replace(/\r\n$/, '').length).toBe(big.length);
  }, 30_000);

  it('streams a large chunked upload, re-encoded chunk by chunk', async () => {
    const { c, be } = await setup((_h, body, s) => s.write(`HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n${body}`));
    c.send('POST /up HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n');
    const piece = 'y'.repeat(100_000);
    for (let i = 0; i < 20; i++) c.send(`${piece.length.toString(16).toUpperCase()};n=${i}\r\n${piece}\r\n`);
    c.send('0\r\n\r\n');
    const r = await c.read(20_000);
    expect(r.status).toBe(200);
    const got = be.bodies[0];
    expect(got.replace(/(^|\r\n)[0-9a-f]+\r\n/g, '').replace(/\r\n$/, '').length).toBe(20 * piece.length);
    expect(got).not.toContain(';n=');
  }, 30_000);

  it('answers 502 when the server closes before a complete response head', async () => {
    const { c } = await setup((_h, _b, s) => s.end('HTTP/1.1 200 OK\r\n'));
    c.send('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    expect((await c.read()).status).toBe(502);
  });
});

describe('timeouts', () => {
  it('timeout http-keep-alive closes an idle client silently, timeout http-request answers 408', async () => {
    const { c } = await setup((_h, _b, s) => s.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'), { httpRequest: 300, httpKeepAlive: 100 });
    c.send('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    expect((await c.read()).status).toBe(200);
    await c.waitClosed();
    expect(c.pending).toBe('');
    const c2 = await httpClient(t.proxy!.port());
    clients.push(c2);
    c2.send('GET / HTTP/1.1\r\n');
    const r = await c2.read();
    expect(r.status).toBe(408);
  });

  it('answers 504 on timeout server and logs sH', async () => {
    const { c } = await setup(() => undefined, { server: 200 });
    c.send('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    expect((await c.read()).status).toBe(504);
    const [log] = await t.proxy!.waitLogs(1);
    expect(log.termination).toBe('sH');
  });
});
