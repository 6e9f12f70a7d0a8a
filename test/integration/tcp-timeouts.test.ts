// Inactivity timeouts of the relay: `timeout client` (cD), `timeout server` (sD), `timeout
// tunnel` superseding both, and `timeout client-fin` / `server-fin` once a side has shut.
import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Timeouts } from '../../src/config/model.ts';
import { configOf, proxySpec, serverSpec, startProxy, tcpBind, TestClient, TestServer, waitFor, type TestProxy } from './proxy-harness.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A server that greets, then stays silent; it ends only when asked to by `serverEnds`. */
async function silentServer(serverEnds = false): Promise<TestServer> {
  const s = await new TestServer((sock) => {
    sock.write('hi');
    if (serverEnds) sock.end();
  }).listen();
  cleanups.push(() => s.close());
  return s;
}

async function proxyWith(server: TestServer, timeouts: Timeouts): Promise<TestProxy> {
  const px = await startProxy(configOf([proxySpec({ name: 't', binds: [tcpBind(0)], servers: [serverSpec('s1', server.port)], timeouts })]));
  cleanups.push(() => px.runtime.stop());
  return px;
}

/**
 * A raw client that does not close when the proxy half-closes towards it; resolves once the
 * server's greeting arrived (the session is established: an earlier FIN would be a CC abort).
 */
async function rawClient(port: number): Promise<net.Socket> {
  const sock = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  sock.on('error', () => {});
  cleanups.push(() => void sock.destroy());
  await once(sock, 'data');
  return sock;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('relay timeouts', () => {
  it('closes an idle session on `timeout client` with cD', async () => {
    const srv = await silentServer();
    const px = await proxyWith(srv, { client: 300, server: 60_000 });
    const c = new TestClient(px.port());
    cleanups.push(() => c.destroy());
    await c.closed;
    expect(c.text).toBe('hi');
    const [rec] = await px.waitLogs(1);
    expect(rec.termination).toBe('cD');
    expect(px.runtime.backends.get('t')!.counters.cliAbrt).toBe(1);
  });

  it('closes an idle session on `timeout server` with sD', async () => {
    const srv = await silentServer();
    const px = await proxyWith(srv, { client: 60_000, server: 300 });
    const c = new TestClient(px.port());
    cleanups.push(() => c.destroy());
    await c.closed;
    const [rec] = await px.waitLogs(1);
    expect(rec.termination).toBe('sD');
    expect(px.runtime.backends.get('t')!.counters.srvAbrt).toBe(1);
  });

  it('lets `timeout tunnel` supersede client and server timeouts once connected', async () => {
    const srv = await silentServer();
    const px = await proxyWith(srv, { client: 150, server: 150, tunnel: 900 });
    const c = new TestClient(px.port());
    cleanups.push(() => c.destroy());
    await waitFor(() => (c.text === 'hi' ? true : undefined));
    // Well past the client and server timeouts, the tunnel is still up and relays.
    await sleep(450);
    expect(c.socket.destroyed).toBe(false);
    expect(px.logs).toHaveLength(0);
    await c.closed;
    const [rec] = await px.waitLogs(1);
    // Both sides idle on the same tunnel timeout: whichever timer fires first names the side.
    expect(['cD', 'sD']).toContain(rec.termination);
    expect(rec.Tt).toBeGreaterThanOrEqual(450);
  });

  it('applies `timeout client-fin` to a client left half-open after the server closed', async () => {
    const srv = await silentServer(true);
    const px = await proxyWith(srv, { client: 60_000, server: 60_000, clientFin: 300 });
    // The server's FIN reaches the client, which neither sends nor closes: cD after client-fin.
    await rawClient(px.port());
    const [rec] = await px.waitLogs(1);
    expect(rec.termination).toBe('cD');
  });

  it('applies `timeout server-fin` to a server left half-open after the client closed', async () => {
    const srv = await silentServer();
    const px = await proxyWith(srv, { client: 60_000, server: 60_000, serverFin: 300 });
    const sock = await rawClient(px.port());
    sock.end(); // the client's FIN reaches the server, which neither answers nor closes
    const [rec] = await px.waitLogs(1);
    expect(rec.termination).toBe('sD');
  });

  it('does not time out a client that shut its side while nothing is sent to it: the server side does', async () => {
    const srv = await silentServer();
    // Short client timeout, longer server timeout: HAProxy waits on the server, not the client.
    const px = await proxyWith(srv, { client: 200, server: 900 });
    const sock = await rawClient(px.port());
    sock.end();
    await sleep(450);
    expect(px.logs).toHaveLength(0);
    expect((await px.waitLogs(1))[0].termination).toBe('sD');
  });
});
