// The runtime's life: routing frontends to backends, disabled proxies, dontlognull, soft stop
// (SIGUSR1 semantics) and hard stop.
import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import { Runtime } from '../../src/proxy/runtime.ts';
import {
  configOf,
  echoServer,
  exchange,
  freePort,
  nameServer,
  proxySpec,
  serverSpec,
  startProxy,
  tcpBind,
  TestClient,
  waitFor,
  type TestProxy,
  type TestServer,
} from './proxy-harness.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function server(make: () => Promise<TestServer>): Promise<TestServer> {
  const s = await make();
  cleanups.push(() => s.close());
  return s;
}

async function started(px: Promise<TestProxy>): Promise<TestProxy> {
  const p = await px;
  cleanups.push(() => p.runtime.stop());
  return p;
}

const refused = (port: number) => exchange(port, 'x').then(() => false, (e: NodeJS.ErrnoException) => e.code === 'ECONNREFUSED');

describe('routing', () => {
  it('sends a frontend to its use_backend, else its default_backend; a listen serves itself', async () => {
    const a = await server(() => nameServer('a'));
    const b = await server(() => nameServer('b'));
    const c = await server(() => nameServer('c'));
    const fe1 = proxySpec({ kind: 'frontend', name: 'fe1', binds: [tcpBind(0)], defaultBackend: 'be_b' });
    const fe2 = { ...proxySpec({ kind: 'frontend', name: 'fe2', binds: [tcpBind(0)], defaultBackend: 'be_b' }) };
    const withRule = { ...fe2, useBackends: [{ backend: 'be_a', loc: fe2.loc }] };
    const px = await started(
      startProxy(
        configOf([
          fe1,
          withRule,
          proxySpec({ kind: 'backend', name: 'be_a', servers: [serverSpec('a', a.port)] }),
          proxySpec({ kind: 'backend', name: 'be_b', servers: [serverSpec('b', b.port)] }),
          proxySpec({ name: 'li', binds: [tcpBind(0)], servers: [serverSpec('c', c.port)] }),
        ]),
      ),
    );
    expect((await exchange(px.port('fe1'), '', { end: false })).toString()).toBe('b');
    expect((await exchange(px.port('fe2'), '', { end: false })).toString()).toBe('a');
    expect((await exchange(px.port('li'), '', { end: false })).toString()).toBe('c');
    const recs = await px.waitLogs(3);
    expect(recs.map((r) => `${r.frontend} ${r.backend}/${r.server}`)).toEqual(['fe1 be_b/b', 'fe2 be_a/a', 'li li/c']);
  });

  it('fills the address fields of the record when a log-format may print them', async () => {
    const echo = await server(echoServer);
    const spec = { ...proxySpec({ name: 'lf', binds: [tcpBind(0)], servers: [serverSpec('s1', echo.port)] }), logFormat: '%fi:%fp %si:%sp %bi:%bp' };
    const px = await started(startProxy(configOf([spec])));
    await exchange(px.port(), 'x');
    const [rec] = await px.waitLogs(1);
    expect(rec).toMatchObject({ frontendIp: '127.0.0.1', frontendPort: px.port(), serverIp: '127.0.0.1', serverPort: echo.port, backendSourceIp: '127.0.0.1' });
    expect(rec.backendSourcePort).toBeGreaterThan(0);
  });

  it('does not start disabled proxies', async () => {
    const a = await server(() => nameServer('a'));
    const off = await freePort();
    const px = await started(
      startProxy(
        configOf([
          proxySpec({ name: 'on', binds: [tcpBind(0)], servers: [serverSpec('a', a.port)] }),
          proxySpec({ name: 'off', binds: [tcpBind(off)], servers: [serverSpec('a', a.port)], disabled: true }),
        ]),
      ),
    );
    expect([...px.runtime.frontends.keys()]).toEqual(['on']);
    expect(await refused(off)).toBe(true);
  });

  it('refuses to start what it cannot serve (balance rdp-cookie) with a ConfigError', async () => {
    const base = proxySpec({ name: 'rdp', binds: [tcpBind(0)] });
    const spec = { ...base, balance: { ...base.balance, algorithm: 'rdp-cookie' as const } };
    const rt = new Runtime(configOf([spec]));
    await expect(rt.start()).rejects.toBeInstanceOf(ConfigError);
    await expect(new Runtime(configOf([spec])).start()).rejects.toThrow("test.cfg:1: listen 'rdp': 'balance rdp-cookie' is not supported yet");
  });
});

describe('option dontlognull', () => {
  it('logs only sessions in which the client sent something', async () => {
    const echo = await server(echoServer);
    const px = await started(
      startProxy(configOf([proxySpec({ name: 'dn', binds: [tcpBind(0)], servers: [serverSpec('s1', echo.port)], options: { dontlognull: true } })])),
    );
    // Established first (the server greets nothing; wait on the proxy side), then closed empty.
    const empty = new TestClient(px.port());
    cleanups.push(() => empty.destroy());
    await waitFor(() => (px.runtime.backends.get('dn')!.servers[0].served === 1 ? true : undefined));
    empty.socket.end();
    await empty.closed;
    expect((await exchange(px.port(), 'data')).toString()).toBe('data');
    await waitFor(() => (px.runtime.actconn === 0 ? true : undefined));
    expect(px.logs).toHaveLength(1);
    expect(px.logs[0].bytesUploaded).toBe(4);
    expect(px.runtime.frontends.get('dn')!.counters.stot).toBe(2);
  });
});

describe('descriptors', () => {
  const openFds = () => readdirSync('/proc/self/fd').length;

  async function workload(): Promise<void> {
    const echo = await echoServer();
    const dead = await freePort();
    const px = await startProxy(
      configOf([
        proxySpec({ name: 'ok', binds: [tcpBind(0)], servers: [serverSpec('s1', echo.port)] }),
        proxySpec({ name: 'bad', binds: [tcpBind(0)], servers: [serverSpec('s1', dead)], retries: 1, timeouts: { connect: 50 } }),
        proxySpec({ name: 'none', binds: [tcpBind(0)], servers: [serverSpec('s1', echo.port, { disabled: true })] }),
      ]),
    );
    await Promise.all(Array.from({ length: 20 }, (_, i) => exchange(px.port('ok'), `x${i}`)));
    await Promise.all(Array.from({ length: 5 }, () => exchange(px.port('bad'), 'x')));
    await Promise.all(Array.from({ length: 5 }, () => exchange(px.port('none'), 'x')));
    const hanging = new TestClient(px.port('ok'));
    await waitFor(() => (px.runtime.actconn === 1 ? true : undefined));
    await px.runtime.stop();
    await hanging.closed;
    await echo.close();
  }

  it('leaves no descriptor open once stopped, whatever the sessions went through', async () => {
    await workload(); // warm-up: lazily created descriptors (epoll, io_uring...) exist after it
    await new Promise((r) => setTimeout(r, 50));
    const before = openFds();
    await workload();
    await new Promise((r) => setTimeout(r, 50));
    expect(openFds()).toBe(before);
  });
});

describe('stopping', () => {
  it('soft stop closes the listeners, lets sessions finish, then resolves', async () => {
    const echo = await server(echoServer);
    const px = await started(startProxy(configOf([proxySpec({ name: 'ss', binds: [tcpBind(0)], servers: [serverSpec('s1', echo.port)] })])));
    const port = px.port();
    const c = new TestClient(port);
    cleanups.push(() => c.destroy());
    c.socket.write('one');
    await waitFor(() => (c.text === 'one' ? true : undefined));

    let done = false;
    const stopping = px.runtime.softStop().then(() => (done = true));
    await waitFor(() => (px.runtime.listeners.every((l) => !l.server.listening) ? true : undefined));
    expect(await refused(port)).toBe(true);
    // The running session is untouched.
    c.socket.write('two');
    await waitFor(() => (c.text === 'onetwo' ? true : undefined));
    expect(done).toBe(false);
    expect(px.runtime.state).toBe('stopping');

    c.socket.end();
    await stopping;
    expect(px.runtime.state).toBe('stopped');
    expect(px.logs).toHaveLength(1);
    expect(px.logs[0].termination).toBe('--');
  });

  it('hard stop kills running sessions (K) and closes everything', async () => {
    const echo = await server(echoServer);
    const px = await started(startProxy(configOf([proxySpec({ name: 'hs', binds: [tcpBind(0)], servers: [serverSpec('s1', echo.port)] })])));
    const port = px.port();
    const clients = [new TestClient(port), new TestClient(port)];
    for (const c of clients) cleanups.push(() => c.destroy());
    await waitFor(() => (px.runtime.backends.get('hs')!.servers[0].served === 2 ? true : undefined));
    await px.runtime.stop();
    await Promise.all(clients.map((c) => c.closed));
    expect(px.runtime.actconn).toBe(0);
    expect(px.logs.map((r) => r.termination)).toEqual(['KD', 'KD']);
    expect(echo.sockets.size).toBe(0);
    expect(await refused(port)).toBe(true);
  });
});
