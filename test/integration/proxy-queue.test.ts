// Queues and connection limits: server maxconn/maxqueue, `timeout queue` (sQ), client abort
// in the queue (CQ), frontend and global maxconn (listeners stop serving, nothing is refused).
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerSpec } from '../../src/config/model.ts';
import {
  configOf,
  proxySpec,
  serverSpec,
  startProxy,
  tcpBind,
  TestClient,
  TestServer,
  waitFor,
  type ProxyInput,
  type TestProxy,
} from './proxy-harness.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Greets with its name and holds the connection until the client ends. */
async function greeter(name: string): Promise<TestServer> {
  const s = await new TestServer((sock) => {
    sock.write(name);
    sock.on('end', () => sock.end());
  }).listen();
  cleanups.push(() => s.close());
  return s;
}

async function proxyOver(server: TestServer, srv: Partial<ServerSpec>, extra: Partial<ProxyInput> = {}): Promise<TestProxy> {
  const px = await startProxy(configOf([proxySpec({ name: 'q', binds: [tcpBind(0)], servers: [serverSpec('s1', server.port, srv)], ...extra })]));
  cleanups.push(() => px.runtime.stop());
  return px;
}

function client(px: TestProxy, frontend?: string): TestClient {
  const c = new TestClient(px.port(frontend));
  cleanups.push(() => c.destroy());
  return c;
}

const greeted = (c: TestClient) => waitFor(() => (c.text.length > 0 ? c.text : undefined), 10_000, 'greeting');

/** Let the event loop turn a few times so that anything that would happen, happens. */
const settle = () => new Promise((r) => setTimeout(r, 150));

describe('queueing', () => {
  it('queues the second client while the server is at maxconn and serves it when the first leaves', async () => {
    const srv = await greeter('s1');
    const px = await proxyOver(srv, { maxconn: 1 });
    const first = client(px);
    expect(await greeted(first)).toBe('s1');
    const second = client(px);
    await waitFor(() => (px.runtime.backends.get('q')!.core.queueLength === 1 ? true : undefined));
    await settle();
    expect(second.text).toBe('');
    expect(srv.accepted).toBe(1);

    first.socket.end();
    expect(await greeted(second)).toBe('s1');
    expect(srv.accepted).toBe(2);
    second.socket.end();
    const recs = await px.waitLogs(2);
    const queued = recs.find((r) => r.backendQueue > 0)!;
    expect(queued.termination).toBe('--');
    expect(queued.backendQueue).toBe(1);
    // %Tw (HAProxy prints queue time + 1 in TCP mode) covers the wait for the first client.
    expect(queued.Tw).toBeGreaterThan(1);
    expect(queued.Tc).toBeGreaterThanOrEqual(0);
  });

  it('expires a queued session after `timeout queue` with sQ and <NOSRV>', async () => {
    const srv = await greeter('s1');
    const px = await proxyOver(srv, { maxconn: 1 }, { timeouts: { queue: 300 } });
    const first = client(px);
    await greeted(first);
    const second = client(px);
    await second.closed;
    expect(second.text).toBe('');
    const [rec] = await px.waitLogs(1);
    expect(rec).toMatchObject({ termination: 'sQ', server: '<NOSRV>', Tc: -1, backendQueue: 1, bytesRead: 0 });
    expect(rec.Tw).toBeGreaterThanOrEqual(300);
    expect(px.runtime.backends.get('q')!.counters.econ).toBe(1);
    // The first client is still served.
    expect(first.socket.destroyed).toBe(false);
  });

  it('drops a queued session whose client leaves without sending anything (CQ)', async () => {
    const srv = await greeter('s1');
    const px = await proxyOver(srv, { maxconn: 1 });
    const first = client(px);
    await greeted(first);
    const second = client(px);
    await waitFor(() => (px.runtime.backends.get('q')!.core.queueLength === 1 ? true : undefined));
    second.socket.end();
    const [rec] = await px.waitLogs(1);
    expect(rec).toMatchObject({ termination: 'CQ', server: '<NOSRV>', Tc: -1 });
    expect(px.runtime.backends.get('q')!.core.queueLength).toBe(0);
    // The queue slot is gone: when the first leaves, nobody is dequeued onto the server.
    first.socket.end();
    await px.waitLogs(2);
    expect(srv.accepted).toBe(1);
  });

  it('refuses at once when the server queue is at maxqueue (SQ)', async () => {
    const srv = await greeter('s1');
    // `source` hashes to the one server even when it is full: its own queue is used.
    const px = await proxyOver(srv, { maxconn: 1, maxqueue: 1 }, { balance: 'source' });
    const first = client(px);
    await greeted(first);
    const second = client(px);
    await waitFor(() => (px.runtime.backends.get('q')!.servers[0].queued === 1 ? true : undefined));
    const third = client(px);
    await third.closed;
    const [rec] = await px.waitLogs(1);
    expect(rec.termination).toBe('SQ');
    first.socket.end();
    expect(await greeted(second)).toBe('s1');
  });
});

describe('connection limits', () => {
  it('frontend maxconn: the extra connection waits unread, then is served when a slot frees', async () => {
    const srv = await greeter('s1');
    const px = await proxyOver(srv, {}, { maxconn: 1 });
    const first = client(px);
    await greeted(first);
    const second = client(px);
    await second.connected();
    await waitFor(() => (px.runtime.parked === 1 ? true : undefined));
    await settle();
    expect(second.text).toBe('');
    expect(srv.accepted).toBe(1);
    expect(px.runtime.frontends.get('q')!.feconn).toBe(1);

    first.socket.end();
    expect(await greeted(second)).toBe('s1');
    expect(px.runtime.parked).toBe(0);
    expect(second.error).toBeUndefined();
  });

  it('global maxconn applies across frontends', async () => {
    const srv = await greeter('s1');
    const px = await startProxy(
      configOf(
        [
          proxySpec({ name: 'one', binds: [tcpBind(0)], servers: [serverSpec('s1', srv.port)] }),
          proxySpec({ name: 'two', binds: [tcpBind(0)], servers: [serverSpec('s1', srv.port)] }),
        ],
        { maxconn: 1 },
      ),
    );
    cleanups.push(() => px.runtime.stop());
    const a = client(px, 'one');
    await greeted(a);
    const b = client(px, 'two');
    await b.connected();
    await waitFor(() => (px.runtime.parked === 1 ? true : undefined));
    await settle();
    expect(b.text).toBe('');
    a.socket.end();
    expect(await greeted(b)).toBe('s1');
    expect(px.runtime.actconn).toBe(1);
  });

  it('bind maxconn limits one listener only', async () => {
    const srv = await greeter('s1');
    const px = await startProxy(
      configOf([proxySpec({ name: 'b', binds: [tcpBind(0, '127.0.0.1', { maxconn: 1 }), tcpBind(0)], servers: [serverSpec('s1', srv.port)] })]),
    );
    cleanups.push(() => px.runtime.stop());
    const [limited, open] = px.runtime.frontends.get('b')!.listeners;
    const a = new TestClient(limited.port);
    const b = new TestClient(limited.port);
    const c = new TestClient(open.port);
    cleanups.push(() => a.destroy(), () => b.destroy(), () => c.destroy());
    await greeted(a);
    expect(await greeted(c)).toBe('s1');
    await settle();
    expect(b.text).toBe('');
    a.socket.end();
    expect(await greeted(b)).toBe('s1');
  });
});
