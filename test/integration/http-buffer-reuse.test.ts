// Byte-exact relaying through the read buffers `mode http` sessions reuse (src/http/http-io.ts):
// large bodies of varied bytes both ways, with a client and a server that stop reading for a
// while, so writes stay pending while more bytes arrive; then a second request on the same
// connections. Then a download that outlasts `timeout client` while the client only reads (the
// writes to it are its only activity, ../../src/net/idle-timeout.ts).
import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { configOf, serverSpec, startProxy, tcpBind, type TestProxy } from './proxy-harness.ts';
import { httpSpec } from './http-harness.ts';

const UP = 2 * 1024 * 1024 + 17;
const DOWN = 4 * 1024 * 1024 + 3;
const STALL_MS = 300;

let proxy: TestProxy | undefined;
const sockets: net.Socket[] = [];
const servers: net.Server[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await proxy?.runtime.stop();
  proxy = undefined;
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** Bytes that differ from one position to the next (a reused buffer shows as a mismatch). */
function pattern(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

/** Collects what a socket receives; `message()` takes one head + content-length body from it. */
class Reader {
  buf = Buffer.alloc(0);
  #wake: (() => void) | null = null;

  constructor(s: net.Socket) {
    s.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.#wake?.();
    });
    s.on('close', () => this.#wake?.());
  }

  async message(): Promise<{ head: string; body: Buffer }> {
    for (let guard = 0; guard < 100_000; guard++) {
      const at = this.buf.indexOf('\r\n\r\n');
      if (at >= 0) {
        const head = this.buf.subarray(0, at).toString('latin1');
        const m = /content-length: *(\d+)/i.exec(head);
        const len = m === null ? 0 : Number(m[1]);
        if (this.buf.length >= at + 4 + len) {
          const body = Buffer.from(this.buf.subarray(at + 4, at + 4 + len));
          this.buf = this.buf.subarray(at + 4 + len);
          return { head, body };
        }
      }
      await new Promise<void>((r) => (this.#wake = r));
      this.#wake = null;
    }
    throw new Error('message not complete');
  }
}

/** A backend that waits STALL_MS before reading each request, then answers DOWN bytes. */
async function slowBackend(received: Buffer[]): Promise<number> {
  const server = net.createServer((s) => {
    sockets.push(s);
    s.on('error', () => s.destroy());
    const reader = new Reader(s);
    void (async () => {
      for (let n = 0; n < 2; n++) {
        // Not reading for a while: the proxy's writes to the server stay pending.
        s.pause();
        await new Promise((r) => setTimeout(r, STALL_MS));
        s.resume();
        const { body } = await reader.message();
        received.push(body);
        s.write(`HTTP/1.1 200 OK\r\ncontent-length: ${DOWN}\r\n\r\n`);
        s.write(pattern(DOWN, 1000 + n));
      }
    })().catch(() => s.destroy());
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as net.AddressInfo).port;
}

describe('http read buffers', () => {
  it('relays large bodies byte for byte both ways through stalled readers, twice on one connection', async () => {
    const received: Buffer[] = [];
    const port = await slowBackend(received);
    proxy = await startProxy(configOf([httpSpec({ name: 'web', binds: [tcpBind(0)], servers: [serverSpec('s1', port)] })]));
    const c = net.connect(proxy.port(), '127.0.0.1');
    sockets.push(c);
    await once(c, 'connect');
    const reader = new Reader(c);
    for (let n = 0; n < 2; n++) {
      c.write(`POST /up${n} HTTP/1.1\r\nhost: t\r\ncontent-length: ${UP}\r\n\r\n`);
      c.write(pattern(UP, 7 + n));
      // The client does not read for a while: the proxy's writes to it stay pending.
      c.pause();
      await new Promise((r) => setTimeout(r, STALL_MS));
      c.resume();
      const { head, body } = await reader.message();
      expect(head.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
      expect(body.length).toBe(DOWN);
      expect(body.equals(pattern(DOWN, 1000 + n))).toBe(true);
    }
    expect(received.map((b) => b.length)).toEqual([UP, UP]);
    expect(received[0].equals(pattern(UP, 7))).toBe(true);
    expect(received[1].equals(pattern(UP, 8))).toBe(true);
  }, 30_000);
});

describe('client inactivity while a long response is relayed', () => {
  it('a download that outlasts `timeout client` completes: the relayed writes count as client activity', async () => {
    const size = 64 * 1024 * 1024;
    const body = pattern(size, 99);
    const server = net.createServer((s) => {
      sockets.push(s);
      s.on('error', () => s.destroy());
      s.once('data', () => {
        s.write(`HTTP/1.1 200 OK\r\ncontent-length: ${size}\r\n\r\n`);
        s.write(body);
      });
    });
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const spec = httpSpec({
      name: 'web', binds: [tcpBind(0)], servers: [serverSpec('s1', (server.address() as net.AddressInfo).port)],
      timeouts: { client: 1000, server: 10_000 },
    });
    proxy = await startProxy(configOf([spec]));
    const c = net.connect(proxy.port(), '127.0.0.1');
    sockets.push(c);
    await once(c, 'connect');
    const chunks: Buffer[] = [];
    let bytes = 0;
    c.on('data', (d: Buffer) => {
      chunks.push(d);
      bytes += d.length;
    });
    let closed = false;
    c.once('close', () => (closed = true));
    const t0 = performance.now();
    c.write('GET /big HTTP/1.1\r\nhost: t\r\n\r\n');
    // The client stops reading for 200 ms at a time (well under the 1 s timeout, so a loaded
    // machine's late timers do not matter) and drains what waits in between; it sends nothing
    // more, so only the proxy's writes to it are activity. Bounded: 200 cycles.
    const total = (): number => size + chunks[0]!.indexOf('\r\n\r\n') + 4;
    for (let i = 0; i < 200 && !closed && (chunks.length === 0 || bytes < total()); i++) {
      c.pause();
      await new Promise((r) => setTimeout(r, 200));
      c.resume();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect({ closed, complete: bytes === total() }).toEqual({ closed: false, complete: true });
    // The case is only one if the download outlasted the timeout (the kernel buffers hold a few MB per pause).
    expect(performance.now() - t0).toBeGreaterThan(1000);
    const all = Buffer.concat(chunks);
    const at = all.indexOf('\r\n\r\n');
    expect(all.subarray(0, at).toString('latin1').split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    expect(all.subarray(at + 4).equals(body)).toBe(true);
  }, 60_000);
});
