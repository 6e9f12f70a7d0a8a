// Every `balance` algorithm of mode tcp, observed through the real proxy and real servers.
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerSpec } from '../../src/config/model.ts';
import {
  configOf,
  exchange,
  nameServer,
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

/** Servers that answer their name and close: one short exchange per connection. */
async function shortServers(names: string[]): Promise<Map<string, TestServer>> {
  const m = new Map<string, TestServer>();
  for (const n of names) {
    const s = await nameServer(n);
    cleanups.push(() => s.close());
    m.set(n, s);
  }
  return m;
}

/** Servers that answer their name and hold the connection until the client leaves. */
async function longServers(names: string[]): Promise<Map<string, TestServer>> {
  const m = new Map<string, TestServer>();
  for (const n of names) {
    const s = await new TestServer((sock) => {
      sock.write(n);
      sock.on('end', () => sock.end());
    }).listen();
    cleanups.push(() => s.close());
    m.set(n, s);
  }
  return m;
}

async function proxyOver(servers: Map<string, TestServer>, extra: Partial<ProxyInput>, specs: Partial<Record<string, Partial<ServerSpec>>> = {}): Promise<TestProxy> {
  const list = [...servers].map(([name, s]) => serverSpec(name, s.port, specs[name] ?? {}));
  const px = await startProxy(configOf([proxySpec({ name: 'lb', binds: [tcpBind(0)], servers: list, ...extra })]), extra.balance === 'random' ? { random: seeded(42) } : {});
  cleanups.push(() => px.runtime.stop());
  return px;
}

/** Sequential short exchanges; returns how many each server answered. */
async function tally(px: TestProxy, n: number, localAddress?: () => string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const name = (await exchange(px.port(), '', { end: false, localAddress: localAddress?.() })).toString();
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

/** A long-lived client; resolves once the server's name arrived. */
async function hold(px: TestProxy): Promise<TestClient & { server: string }> {
  const c = new TestClient(px.port());
  cleanups.push(() => c.destroy());
  await waitFor(() => (c.text.length > 0 ? true : undefined), 10_000, 'server greeting');
  return Object.assign(c, { server: c.text });
}

function seeded(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

describe('balance through the proxy', () => {
  it('roundrobin follows 3:1 weights exactly over whole cycles', async () => {
    const servers = await shortServers(['a', 'b']);
    const px = await proxyOver(servers, { balance: 'roundrobin' }, { a: { weight: 3 }, b: { weight: 1 } });
    expect(await tally(px, 40)).toEqual({ a: 30, b: 10 });
  });

  it('static-rr follows 3:1 weights exactly over whole cycles', async () => {
    const servers = await shortServers(['a', 'b']);
    const px = await proxyOver(servers, { balance: 'static-rr' }, { a: { weight: 3 }, b: { weight: 1 } });
    expect(await tally(px, 40)).toEqual({ a: 30, b: 10 });
  });

  it('leastconn sends new sessions to the server with the fewest long-lived ones', async () => {
    const servers = await longServers(['a', 'b', 'c']);
    const px = await proxyOver(servers, { balance: 'leastconn' });
    const clients: (TestClient & { server: string })[] = [];
    for (let i = 0; i < 6; i++) clients.push(await hold(px));
    const per = (name: string) => clients.filter((c) => c.server === name && !c.socket.destroyed).length;
    expect([per('a'), per('b'), per('c')]).toEqual([2, 2, 2]);
    // Free both sessions on 'b': the next two go there, not round the ring.
    for (const c of clients.filter((c) => c.server === 'b')) c.destroy();
    await waitFor(() => (px.runtime.backends.get('lb')!.countersOf(px.runtime.backends.get('lb')!.servers[1]).scur === 0 ? true : undefined));
    const next = [await hold(px), await hold(px)];
    expect(next.map((c) => c.server)).toEqual(['b', 'b']);
  });

  it('first fills the first server up to its maxconn before using the next', async () => {
    const servers = await longServers(['a', 'b']);
    const px = await proxyOver(servers, { balance: 'first' }, { a: { maxconn: 2 }, b: { maxconn: 2 } });
    const c1 = await hold(px);
    const c2 = await hold(px);
    const c3 = await hold(px);
    expect([c1.server, c2.server, c3.server]).toEqual(['a', 'a', 'b']);
    c1.destroy();
    await waitFor(() => (servers.get('a')!.sockets.size === 1 ? true : undefined));
    await waitFor(() => (px.runtime.backends.get('lb')!.servers[0].served === 1 ? true : undefined));
    expect((await hold(px)).server).toBe('a');
  });

  it('source keeps each client address on one server and spreads addresses', async () => {
    const servers = await shortServers(['a', 'b', 'c']);
    const px = await proxyOver(servers, { balance: 'source' });
    const seen = new Map<string, Set<string>>();
    for (let round = 0; round < 3; round++) {
      for (let i = 1; i <= 12; i++) {
        const src = `127.0.0.${i}`;
        const name = (await exchange(px.port(), '', { end: false, localAddress: src })).toString();
        if (!seen.has(src)) seen.set(src, new Set());
        seen.get(src)!.add(name);
      }
    }
    for (const names of seen.values()) expect(names.size).toBe(1);
    const used = new Set([...seen.values()].map((s) => [...s][0]));
    expect(used.size).toBeGreaterThan(1);
    const recs = await px.waitLogs(36);
    expect(new Set(recs.map((r) => r.clientIp)).size).toBe(12);
  });

  it('random uses every server, with the injected random source', async () => {
    const servers = await shortServers(['a', 'b']);
    const px = await proxyOver(servers, { balance: 'random' });
    const counts = await tally(px, 60);
    expect(counts.a + counts.b).toBe(60);
    expect(counts.a).toBeGreaterThan(10);
    expect(counts.b).toBeGreaterThan(10);
  });
});
