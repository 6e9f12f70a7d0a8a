// Test peers for the health-check integration tests: small loopback servers that answer like a
// protocol (or misbehave), and helpers to run one check against them. Everything they open is
// closed by `closeAll()` (call it in afterEach).
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import net from 'node:net';
import type { CheckTarget } from '../../src/checks/check.ts';
import { killChild } from '../support/process.ts';

const open: { close(): Promise<void> }[] = [];

export interface Peer {
  readonly port: number;
  /** Bytes each connection received, by accept order. */
  readonly received: Buffer[];
  /** Indexes of the connections that are closed. */
  readonly closed: Set<number>;
  close(): Promise<void>;
}

/** A TCP server on 127.0.0.1:0; `onConn` gets each socket and a function returning its bytes so far. */
export async function peer(onConn: (sock: net.Socket, index: number) => void): Promise<Peer> {
  const received: Buffer[] = [];
  const closed = new Set<number>();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    const index = received.length;
    received.push(Buffer.alloc(0));
    sockets.add(sock);
    sock.on('data', (d) => {
      received[index] = Buffer.concat([received[index]!, d]);
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      sockets.delete(sock);
      closed.add(index);
    });
    onConn(sock, index);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const p: Peer = {
    port,
    received,
    closed,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  open.push(p);
  return p;
}

/** Reply to the first request chunk with `reply` (or write it at once with `banner`), then close. */
export function replyOnce(reply: string | Buffer, opts: { banner?: boolean; keepOpen?: boolean } = {}): (sock: net.Socket) => void {
  const data = typeof reply === 'string' ? Buffer.from(reply, 'latin1') : reply;
  return (sock) => {
    const send = (): void => {
      sock.write(data);
      if (!opts.keepOpen) sock.end();
    };
    if (opts.banner) send();
    else sock.once('data', send);
  };
}

/** Answer line-based conversations: `script(line)` returns what to send for each received line. */
export function lineScript(banner: string, script: (line: string) => string | null): (sock: net.Socket) => void {
  return (sock) => {
    let buf = '';
    if (banner) sock.write(banner);
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl).replace(/\r$/, '');
        buf = buf.slice(nl + 1);
        const out = script(line);
        if (out === null) sock.end();
        else sock.write(out);
      }
    });
  };
}

/**
 * A port nobody listens on. It is drawn below the kernel's ephemeral range (32768 and up), from
 * which every port-0 listener of the parallel test files and every outgoing connection take theirs:
 * a port found free there could be handed to another file's proxy a moment later, and checks sent
 * to it would then reach that proxy. Confirmed free by listening on it once.
 */
export async function closedPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const s = net.createServer();
    const free = await new Promise<boolean>((resolve) => {
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!free) continue;
    await new Promise<void>((resolve) => s.close(() => resolve()));
    return port;
  }
  throw new Error('no free port in 20000..31999 after 50 draws');
}

export function target(port: number, extra: Partial<CheckTarget> = {}): CheckTarget {
  return { host: '127.0.0.1', port, timeout: { inter: 2000, connect: 1000, check: 600 }, ...extra };
}

/** Register something to close after the test. */
export function track(c: { close(): Promise<void> }): void {
  open.push(c);
}

export async function closeAll(): Promise<void> {
  const all = open.splice(0);
  await Promise.all(all.map((c) => c.close().catch(() => {})));
}

/** Wait (bounded, 500 x 10 ms) until each peer saw its first check connection close. */
export async function firstChecksDone(peers: Iterable<Peer>): Promise<void> {
  const all = [...peers];
  for (let i = 0; i < 500 && !all.every((p) => p.closed.has(0)); i++) await new Promise((r) => setTimeout(r, 10));
}

/** End of a differential check test: kill the haproxy oracle, close every peer, remove `dir`. */
export async function endOracle(haproxy: ChildProcess | undefined, dir: string): Promise<void> {
  if (haproxy) await killChild(haproxy);
  await closeAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
