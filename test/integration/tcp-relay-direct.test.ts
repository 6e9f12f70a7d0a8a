// The Relay on its own, with real sockets: the phase before a server is attached (buffering,
// the request-buffer limit, early aborts) and client sockets in plain 'data' mode.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PENDING_LIMIT, Relay, relayClientRead, relayReadBuffer, relayServerRead, type RelayOwner, type RelayTimeouts } from '../../src/tcp/relay.ts';
import { waitFor } from './proxy-harness.ts';
import { BULK_BUFSIZE } from '../../src/tcp/buffer-pool.ts';

const NO_TIMEOUTS: RelayTimeouts = { client: 0, server: 0, clientFin: 0, serverFin: 0 };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

class Owner implements RelayOwner {
  aborts = 0;
  ended = false;
  onClientAbort(relay: Relay): void {
    this.aborts++;
    relay.abort(relay.cause);
  }
  onRelayEnd(): void {
    this.ended = true;
  }
}

/**
 * A connected pair: `peer` is the test's end, `accepted` the proxy-side socket handed to the
 * Relay, created either by Node (plain 'data' mode) or with a user buffer like the listeners do.
 */
async function acceptedPair(userBuffer: boolean): Promise<{ peer: net.Socket; accepted: net.Socket }> {
  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  const acceptedP = once(server, 'connection') as Promise<[net.Socket]>;
  const peer = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  peer.on('error', () => {});
  let [accepted] = await acceptedP;
  server.close();
  if (userBuffer) {
    // What the listener's accept path builds: the same handle, read through `onread`.
    const handle = (accepted as unknown as { _handle: unknown })._handle;
    (accepted as unknown as { _handle: unknown })._handle = null;
    accepted = new net.Socket({
      handle,
      allowHalfOpen: true,
      readable: true,
      writable: true,
      pauseOnCreate: true,
      onread: { buffer: relayReadBuffer, callback: relayClientRead },
    } as unknown as net.SocketConstructorOpts);
  }
  cleanups.push(() => {
    peer.destroy();
    accepted.destroy();
  });
  await once(peer, 'connect').catch(() => undefined);
  return { peer, accepted };
}

/** An upstream connection with the relay's server read callback, to a collecting server. */
async function upstream(): Promise<{ conn: net.Socket; received: () => Buffer; ended: Promise<void>; far: Promise<net.Socket> }> {
  const chunks: Buffer[] = [];
  let farSocket: (s: net.Socket) => void = () => {};
  const far = new Promise<net.Socket>((r) => (farSocket = r));
  let endedResolve: () => void = () => {};
  const ended = new Promise<void>((r) => (endedResolve = r));
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => endedResolve());
    s.on('error', () => {});
    cleanups.push(() => void s.destroy());
    farSocket(s);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  cleanups.push(() => void server.close());
  const conn = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true, onread: { buffer: relayReadBuffer, callback: relayServerRead } });
  cleanups.push(() => void conn.destroy());
  await once(conn, 'connect');
  return { conn, received: () => Buffer.concat(chunks), ended, far };
}

describe('relay before and at attach', () => {
  for (const userBuffer of [true, false]) {
    const mode = userBuffer ? 'user-buffer' : "'data' mode";
    it(`keeps what the client sent before the server exists, in order, then its FIN (${mode})`, async () => {
      const { peer, accepted } = await acceptedPair(userBuffer);
      const owner = new Owner();
      const relay = new Relay(accepted, owner, 0, userBuffer);
      peer.write('one ');
      peer.end('two');
      await waitFor(() => (relay.clientEof ? true : undefined));
      expect(relay.pendingBytes).toBe(7);
      expect(owner.aborts).toBe(0);

      const up = await upstream();
      expect(relay.attach(up.conn, NO_TIMEOUTS)).toBe(true);
      await up.ended;
      expect(up.received().toString()).toBe('one two');
      // The reply still flows back after the client's FIN (half-close).
      const far = await up.far;
      const replied: Buffer[] = [];
      peer.on('data', (c: Buffer) => replied.push(c));
      far.end('answer');
      await once(peer, 'end');
      expect(Buffer.concat(replied).toString()).toBe('answer');
      await waitFor(() => (owner.ended ? true : undefined));
      expect(relay.cause).toBe('-');
      expect(relay.bytesIn).toBe(7);
      expect(relay.bytesOut).toBe(6);
    });
  }

  it('stops reading the client at the request-buffer limit and delivers everything after attach', async () => {
    const { peer, accepted } = await acceptedPair(true);
    const relay = new Relay(accepted, new Owner(), 0, true);
    const payload = randomBytes(PENDING_LIMIT * 8);
    peer.write(payload);
    await waitFor(() => (relay.pendingBytes >= PENDING_LIMIT ? true : undefined));
    await new Promise((r) => setTimeout(r, 100));
    // One read past the limit at most: the rest waits in the kernel.
    expect(relay.pendingBytes).toBeLessThan(PENDING_LIMIT + BULK_BUFSIZE + 1);
    const up = await upstream();
    relay.attach(up.conn, NO_TIMEOUTS);
    peer.end();
    await up.ended;
    expect(up.received().equals(payload)).toBe(true);
  });

  it('reports an empty request whose client leaves as a client abort (C)', async () => {
    const { peer, accepted } = await acceptedPair(true);
    const owner = new Owner();
    const relay = new Relay(accepted, owner, 0, true);
    peer.end();
    await waitFor(() => (owner.ended ? true : undefined));
    expect(owner.aborts).toBe(1);
    expect(relay.cause).toBe('C');
  });

  it("reports the client timeout before attach as 'c' and refuses a late attach", async () => {
    const { accepted } = await acceptedPair(false);
    const owner = new Owner();
    const relay = new Relay(accepted, owner, 100, false);
    await waitFor(() => (owner.ended ? true : undefined));
    expect(relay.cause).toBe('c');
    const up = await upstream();
    expect(relay.attach(up.conn, NO_TIMEOUTS)).toBe(false);
  });
});
