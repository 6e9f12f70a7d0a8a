// mode http forwarding: keep-alive on both sides, pipelining, the connection modes
// (http-keep-alive, http-server-close, httpclose), http-reuse, and applets answering requests.
import { afterEach, describe, expect, it } from 'vitest';
import { registerAppletRoute, unregisterAppletRoute, type AppletRouteFactory } from '../../src/http/applet-routes.ts';
import { configOf, serverSpec, startProxy, tcpBind, type TestProxy } from './proxy-harness.ts';
import { endHttpTest, httpBackend, httpClient, httpSpec, type HttpBackend, type HttpClient } from './http-harness.ts';

let proxy: TestProxy | undefined;
const backends: HttpBackend[] = [];
const clients: HttpClient[] = [];
const factories: AppletRouteFactory[] = [];

afterEach(async () => {
  await endHttpTest(clients, proxy, backends);
  proxy = undefined;
  for (const f of factories.splice(0)) unregisterAppletRoute(f);
});

async function setup(lines: string[][] = [], names = ['s1']): Promise<{ port: number; bes: HttpBackend[] }> {
  const bes = await Promise.all(names.map((n) => httpBackend(n)));
  backends.push(...bes);
  const spec = httpSpec({ name: 'web', binds: [tcpBind(0)], servers: bes.map((b, i) => serverSpec(names[i], b.port)), lines });
  proxy = await startProxy(configOf([spec]));
  return { port: proxy.port(), bes };
}

async function client(port: number): Promise<HttpClient> {
  const c = await httpClient(port);
  clients.push(c);
  return c;
}

const GET = (path: string, extra = ''): string => `GET ${path} HTTP/1.1\r\nhost: t\r\n${extra}\r\n`;

describe('keep-alive (option http-keep-alive, the default)', () => {
  it('serves several requests on one client connection over one server connection', async () => {
    const { port, bes } = await setup();
    const c = await client(port);
    for (let i = 0; i < 5; i++) {
      c.send(GET(`/r${i}`));
      const r = await c.read();
      expect(r.status).toBe(200);
      expect(r.body).toBe('s1');
    }
    expect(bes[0].accepted).toBe(1);
    expect(bes[0].heads.map((h) => h.split(' ')[1])).toEqual(['/r0', '/r1', '/r2', '/r3', '/r4']);
    expect(c.closed).toBe(false);
  });

  it('answers pipelined requests in order', async () => {
    const { port, bes } = await setup();
    const c = await client(port);
    c.send(GET('/a') + 'POST /b HTTP/1.1\r\nhost: t\r\ncontent-length: 3\r\n\r\nxyz' + GET('/c'));
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await c.read()).status);
    expect(statuses).toEqual([200, 200, 200]);
    expect(bes[0].heads.map((h) => h.split(' ').slice(0, 2).join(' '))).toEqual(['GET /a', 'POST /b', 'GET /c']);
    expect(bes[0].bodies[1]).toBe('xyz');
  });

  it('forwards lower-case header names and drops the client connection header, like HAProxy', async () => {
    const { port, bes } = await setup();
    const c = await client(port);
    c.send('GET /x HTTP/1.1\r\nHost: t\r\nX-Foo: Bar\r\nConnection: keep-alive\r\n\r\n');
    await c.read();
    expect(bes[0].heads[0]).toBe('GET /x HTTP/1.1\r\nhost: t\r\nx-foo: Bar\r\n\r\n');
  });

  it('keeps an HTTP/1.0 client alive only when it asks, with connection: keep-alive both ways', async () => {
    const { port, bes } = await setup();
    const c = await client(port);
    c.send('GET /k HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    const r = await c.read();
    expect(r.headers.get('connection')).toBe('keep-alive');
    expect(bes[0].heads[0]).toBe('GET /k HTTP/1.0\r\nconnection: keep-alive\r\n\r\n');
    c.send('GET /close HTTP/1.0\r\n\r\n');
    const r2 = await c.read();
    expect(r2.headers.get('connection')).toBe('close');
    await c.waitClosed();
  });

  it('closes after connection: close from the client', async () => {
    const { port } = await setup();
    const c = await client(port);
    c.send(GET('/', 'connection: close\r\n'));
    const r = await c.read();
    expect(r.headers.get('connection')).toBe('close');
    await c.waitClosed();
  });

  it('balances each request (roundrobin) and reuses each server connection', async () => {
    const { port, bes } = await setup([], ['a', 'b']);
    const c = await client(port);
    const got = [];
    for (let i = 0; i < 4; i++) {
      c.send(GET('/'));
      got.push((await c.read()).body);
    }
    expect(got).toEqual(['a', 'b', 'a', 'b']);
    expect(bes[0].accepted + bes[1].accepted).toBeLessThanOrEqual(3);
  });
});

describe('connection modes', () => {
  it('option http-server-close: client kept alive, a new server connection per request', async () => {
    const { port, bes } = await setup([['option', 'http-server-close']]);
    const c = await client(port);
    for (let i = 0; i < 3; i++) {
      c.send(GET('/'));
      expect((await c.read()).status).toBe(200);
    }
    expect(bes[0].accepted).toBe(3);
    expect(bes[0].heads[0]).toContain('\r\nconnection: close\r\n');
    expect(c.closed).toBe(false);
  });

  it('option httpclose: both sides closed after the response', async () => {
    const { port, bes } = await setup([['option', 'httpclose']]);
    const c = await client(port);
    c.send(GET('/'));
    const r = await c.read();
    expect(r.headers.get('connection')).toBe('close');
    expect(bes[0].heads[0]).toContain('\r\nconnection: close\r\n');
    await c.waitClosed();
  });

  it('http-reuse never: each client connection gets its own server connection', async () => {
    const { port, bes } = await setup([['http-reuse', 'never']]);
    for (let i = 0; i < 2; i++) {
      const c = await client(port);
      c.send(GET('/'));
      await c.read();
      c.close();
    }
    expect(bes[0].accepted).toBe(2);
  });

  it('http-reuse always: a second client reuses the first one\'s idle server connection', async () => {
    const { port, bes } = await setup([['http-reuse', 'always']]);
    const c1 = await client(port);
    c1.send(GET('/'));
    await c1.read();
    c1.close();
    await new Promise((r) => setTimeout(r, 50));
    const c2 = await client(port);
    c2.send(GET('/'));
    expect((await c2.read()).status).toBe(200);
    expect(bes[0].accepted).toBe(1);
  });

  it('option forwardfor adds x-forwarded-for; if-none keeps the client\'s', async () => {
    const { port, bes } = await setup([['option', 'forwardfor', 'if-none']]);
    const c = await client(port);
    c.send(GET('/a'));
    await c.read();
    c.send(GET('/b', 'x-forwarded-for: 9.9.9.9\r\n'));
    await c.read();
    expect(bes[0].heads[0]).toContain('\r\nx-forwarded-for: 127.0.0.1\r\n');
    expect(bes[0].heads[1]).toContain('\r\nx-forwarded-for: 9.9.9.9\r\n');
    expect(bes[0].heads[1].match(/x-forwarded-for/g)).toHaveLength(1);
  });
});

describe('forwardfor except and abortonclose', () => {
  it('option forwardfor except skips clients of that network', async () => {
    const { port, bes } = await setup([['option', 'forwardfor', 'except', '127.0.0.0/8']]);
    const c = await client(port);
    c.send(GET('/'));
    await c.read();
    expect(bes[0].heads[0]).not.toContain('x-forwarded-for');
  });

  it('option abortonclose: a client closing while its request waits for a server is logged CQ', async () => {
    const be = await httpBackend('slow');
    backends.push(be);
    const spec = httpSpec({ name: 'web', binds: [tcpBind(0)], servers: [serverSpec('s1', be.port, { maxconn: 1 })], lines: [['option', 'abortonclose']], timeouts: { queue: 5000 } });
    be.responder = () => undefined; // never answers: the first request holds the only slot
    proxy = await startProxy(configOf([spec]));
    const a = await client(proxy.port());
    a.send(GET('/a'));
    const deadline = Date.now() + 5000;
    while (be.heads.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const b = await client(proxy.port());
    b.send(GET('/b'));
    await new Promise((r) => setTimeout(r, 50));
    b.socket.end();
    const logs = await proxy.waitLogs(1);
    expect(logs[0].termination).toBe('CQ');
    expect(be.heads).toHaveLength(1);
  });
});

describe('applets', () => {
  it('answers a matching request with an applet and forwards the others', async () => {
    const f: AppletRouteFactory = (px) => (px.name !== 'web' ? undefined : {
      matches: (req) => req.uri.startsWith('/applet'),
      applet: (req) => ({ status: 200, headers: [['content-type', 'text/plain']], body: `hello ${req.method} ${req.body.toString()}` }),
    });
    registerAppletRoute(f);
    factories.push(f);
    const { port, bes } = await setup();
    const c = await client(port);
    c.send('POST /applet HTTP/1.1\r\nhost: t\r\ncontent-length: 2\r\n\r\nhi');
    const r = await c.read();
    expect(r.status).toBe(200);
    expect(r.body).toBe('hello POST hi');
    expect(r.headers.get('content-type')).toBe('text/plain');
    c.send(GET('/other'));
    expect((await c.read()).body).toBe('s1');
    expect(bes[0].heads).toHaveLength(1);
    const logs = await proxy!.waitLogs(2);
    expect(logs[0].server).toBe('<APPLET>');
  });

  it('waits for an asynchronous applet', async () => {
    const f: AppletRouteFactory = () => ({
      matches: () => true,
      applet: async () => {
        await new Promise((r) => setTimeout(r, 20));
        return { status: 404, reason: 'Nope', headers: [], body: Buffer.from('x') };
      },
    });
    registerAppletRoute(f);
    factories.push(f);
    const { port } = await setup();
    const c = await client(port);
    c.send(GET('/'));
    const r = await c.read();
    expect(r.head.startsWith('HTTP/1.1 404 Nope\r\n')).toBe(true);
    expect(r.body).toBe('x');
  });
});
