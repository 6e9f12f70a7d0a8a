// Server-side keep-alive surviving server restarts and servers that close idle connections: the
// client never sees an error (a request that met a dead idle connection is sent again on a new
// one), plus retries and redispatch when connecting fails.
import { describe, expect, it } from 'vitest';
import { configOf, serverSpec, startProxy, tcpBind } from './proxy-harness.ts';
import { httpBackend, httpClient, httpSpec, HttpBackend, okResponder, type HttpClient, useHttpTest } from './http-harness.ts';
import { freePort } from '../support/process.ts';

const t = useHttpTest();
const { backends, clients } = t;

async function start(ports: number[], lines: string[][] = [], extra: { retries?: number; redispatch?: number } = {}): Promise<number> {
  const spec = httpSpec({ name: 'web', binds: [tcpBind(0)], servers: ports.map((p, i) => serverSpec(`s${i + 1}`, p)), lines, timeouts: { connect: 500 }, ...extra });
  t.proxy = await startProxy(configOf([spec]));
  return t.proxy.port();
}

async function client(port: number): Promise<HttpClient> {
  const c = await httpClient(port);
  clients.push(c);
  return c;
}

const GET = 'GET / HTTP/1.1\r\nhost: t\r\n\r\n';

describe('idle server connections', () => {
  it('a server restart between requests is invisible to a keep-alive client', async () => {
    const port = await freePort();
    const first = await new HttpBackend(okResponder('old')).listen(port);
    backends.push(first);
    const c = await client(await start([port]));
    c.send(GET);
    expect((await c.read()).body).toBe('old');
    await first.close();
    const second = await new HttpBackend(okResponder('new')).listen(port);
    backends.push(second);
    for (let i = 0; i < 3; i++) {
      c.send(GET);
      const r = await c.read();
      expect(r.status).toBe(200);
      expect(r.body).toBe('new');
    }
    expect(c.closed).toBe(false);
  });

  it('a server closing each connection after its response (no connection: close) never fails a request', async () => {
    const be = await httpBackend((_h, _b, s) => {
      s.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    });
    backends.push(be);
    const c = await client(await start([be.port]));
    for (let i = 0; i < 30; i++) {
      c.send(GET);
      const r = await c.read();
      expect(r.status).toBe(200);
    }
    expect(be.heads).toHaveLength(30);
  });

  it('idle connections are shared between clients (not the first request with http-reuse safe)', async () => {
    const be = await httpBackend('ok');
    backends.push(be);
    const port = await start([be.port]);
    const a = await client(port);
    a.send(GET);
    await a.read();
    a.send(GET);
    await a.read();
    a.close();
    await new Promise((r) => setTimeout(r, 50));
    const b = await client(port);
    b.send(GET);
    await b.read();
    // safe: b's first request took a new connection; its second may use the pooled one.
    expect(be.accepted).toBe(2);
    b.send(GET);
    await b.read();
    expect(be.accepted).toBe(2);
  });
});

describe('connect failures', () => {
  it('retries, then redispatches to a live server', async () => {
    const dead = await freePort();
    const be = await httpBackend('alive');
    backends.push(be);
    const c = await client(await start([dead, be.port], [], { retries: 1, redispatch: -1 }));
    const bodies = [];
    for (let i = 0; i < 4; i++) {
      c.send(GET);
      bodies.push((await c.read()).body);
    }
    expect(bodies).toEqual(['alive', 'alive', 'alive', 'alive']);
    const logs = await t.proxy!.waitLogs(4);
    expect(logs.some((l) => l.redispatched)).toBe(true);
  });

  it('answers 503 after the retries when nothing listens', async () => {
    const dead = await freePort();
    const c = await client(await start([dead], [], { retries: 1 }));
    c.send(GET);
    const r = await c.read();
    expect(r.status).toBe(503);
    const [log] = await t.proxy!.waitLogs(1);
    expect([log.termination, log.retries]).toEqual(['SC', 1]);
  });
});
