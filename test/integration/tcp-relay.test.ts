// The L4 relay through the real runtime: integrity both ways, half-close, backpressure.
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/proxy/runtime.ts';
import { BULK_BUFSIZE } from '../../src/tcp/buffer-pool.ts';
import {
  configOf,
  echoServer,
  exchange,
  proxySpec,
  serverSpec,
  startProxy,
  tcpBind,
  TestServer,
  waitFor,
  type ProxyInput,
  type TestProxy,
} from './proxy-harness.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function proxyTo(port: number, extra: Partial<ProxyInput> = {}): Promise<TestProxy> {
  const px = await startProxy(configOf([proxySpec({ name: 'relay', binds: [tcpBind(0)], servers: [serverSpec('s1', port)], ...extra })]));
  cleanups.push(() => px.runtime.stop());
  return px;
}

const CHUNK = 1024 * 1024;
const TOTAL_CHUNKS = 50;

/** Deterministic 1 MiB blocks, each stamped with its index so reordering changes the hash. */
function block(base: Buffer, i: number): Buffer {
  const b = Buffer.from(base);
  b.writeUInt32BE(i, 0);
  return b;
}

/** Writes `count` blocks with backpressure, then ends; returns the sha256 of what was sent. */
async function sendBlocks(sock: net.Socket, base: Buffer, count: number): Promise<string> {
  const hash = createHash('sha256');
  for (let i = 0; i < count; i++) {
    const b = block(base, i);
    hash.update(b);
    if (!sock.write(b)) await once(sock, 'drain');
  }
  sock.end();
  return hash.digest('hex');
}

function hashIncoming(sock: net.Socket): Promise<{ sha: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  sock.on('data', (c: Buffer) => {
    hash.update(c);
    bytes += c.length;
  });
  return new Promise((resolve, reject) => {
    sock.on('end', () => resolve({ sha: hash.digest('hex'), bytes }));
    sock.on('error', reject);
  });
}

describe('tcp relay', () => {
  it('relays 50 MB each way at once without corruption', async () => {
    const serverBase = randomBytes(CHUNK);
    const clientBase = randomBytes(CHUNK);
    let serverSide: Promise<[{ sha: string; bytes: number }, string]> | undefined;
    const backend = await new TestServer((s) => {
      serverSide = Promise.all([hashIncoming(s), sendBlocks(s, serverBase, TOTAL_CHUNKS)]);
    }).listen();
    cleanups.push(() => backend.close());
    const px = await proxyTo(backend.port);

    const client = net.connect({ port: px.port(), host: '127.0.0.1', allowHalfOpen: true });
    cleanups.push(() => void client.destroy());
    await once(client, 'connect');
    // Both directions move bulk data: each socket switches to a large read buffer.
    let sawBulkBuffers = false;
    const watch = waitFor(() => {
      for (const s of px.runtime.sessions()) {
        if (s.relay.clientBuffer?.length === BULK_BUFSIZE && s.relay.serverBuffer?.length === BULK_BUFSIZE) sawBulkBuffers = true;
      }
      return sawBulkBuffers || px.runtime.actconn === 0 ? true : undefined;
    });
    const [received, sent] = await Promise.all([hashIncoming(client), sendBlocks(client, clientBase, TOTAL_CHUNKS)]);
    await watch;
    expect(sawBulkBuffers).toBe(true);
    const [serverReceived, serverSent] = await waitFor(() => serverSide).then((p) => p);

    expect(received.bytes).toBe(CHUNK * TOTAL_CHUNKS);
    expect(received.sha).toBe(serverSent);
    expect(serverReceived.bytes).toBe(CHUNK * TOTAL_CHUNKS);
    expect(serverReceived.sha).toBe(sent);

    const [rec] = await px.waitLogs(1);
    expect(rec.termination).toBe('--');
    expect(rec.bytesUploaded).toBe(CHUNK * TOTAL_CHUNKS);
    expect(rec.bytesRead).toBe(CHUNK * TOTAL_CHUNKS);
    const fe = px.runtime.frontends.get('relay')!;
    expect(fe.counters.bin).toBe(CHUNK * TOTAL_CHUNKS);
    expect(fe.counters.bout).toBe(CHUNK * TOTAL_CHUNKS);
  });

  it('forwards a half-close: the client shuts its write side and still gets the whole reply', async () => {
    const reply = randomBytes(3 * CHUNK);
    const backend = await new TestServer((s) => {
      const got: Buffer[] = [];
      s.on('data', (c: Buffer) => got.push(c));
      // Reply only once the client's FIN has arrived through the proxy.
      s.on('end', () => {
        s.write(`${Buffer.concat(got).toString()}|`);
        s.end(reply);
      });
    }).listen();
    cleanups.push(() => backend.close());
    const px = await proxyTo(backend.port);

    const out = await exchange(px.port(), 'question');
    expect(out.subarray(0, 9).toString()).toBe('question|');
    expect(out.subarray(9).equals(reply)).toBe(true);
    const [rec] = await px.waitLogs(1);
    expect(rec.termination).toBe('--');
    expect(rec.bytesUploaded).toBe(8);
    expect(rec.bytesRead).toBe(9 + reply.length);
  });

  it('forwards the server half-close: the client may keep sending after the server shut', async () => {
    let lastReceived: string | undefined;
    const backend = await new TestServer((s) => {
      s.write('bye');
      s.end(); // server's FIN first, then it keeps reading
      const got: Buffer[] = [];
      s.on('data', (c: Buffer) => got.push(c));
      s.on('end', () => (lastReceived = Buffer.concat(got).toString()));
    }).listen();
    cleanups.push(() => backend.close());
    const px = await proxyTo(backend.port);

    const client = net.connect({ port: px.port(), host: '127.0.0.1', allowHalfOpen: true });
    cleanups.push(() => void client.destroy());
    const chunks: Buffer[] = [];
    client.on('data', (c: Buffer) => chunks.push(c));
    await once(client, 'end');
    expect(Buffer.concat(chunks).toString()).toBe('bye');
    client.end('late data');
    await once(client, 'close');
    expect(await waitFor(() => lastReceived)).toBe('late data');
    const [rec] = await px.waitLogs(1);
    expect(rec.termination).toBe('--');
  });

  it('keeps memory bounded and loses nothing when the client reads slowly', async () => {
    const total = 64 * CHUNK;
    const base = randomBytes(CHUNK);
    let sent = '';
    const backend = await new TestServer((s) => {
      void sendBlocks(s, base, total / CHUNK).then((sha) => (sent = sha));
    }).listen();
    cleanups.push(() => backend.close());
    const px = await proxyTo(backend.port);

    const client = net.connect({ port: px.port(), host: '127.0.0.1' });
    cleanups.push(() => void client.destroy());
    await once(client, 'connect');
    client.pause();
    // The server pushes as fast as it can while nobody reads: the proxy must stop reading it.
    await new Promise((r) => setTimeout(r, 500));
    const held = proxyBufferedBytes(px.runtime);
    expect(held).toBeLessThan(4 * CHUNK);
    // Now drain slowly, in small reads.
    const hash = createHash('sha256');
    let bytes = 0;
    client.on('data', (c: Buffer) => {
      hash.update(c);
      bytes += c.length;
      client.pause();
      setImmediate(() => client.resume());
    });
    client.resume();
    await once(client, 'end');
    expect(bytes).toBe(total);
    await waitFor(() => sent || undefined);
    expect(hash.digest('hex')).toBe(sent);
  });

  it('ends with CD when the client resets mid-transfer, without disturbing anything else', async () => {
    let serverSocket: net.Socket | undefined;
    const backend = await new TestServer((s) => {
      serverSocket = s;
      s.resume(); // reads, so that a FIN from the proxy is seen as well as a reset
      s.write(randomBytes(CHUNK));
    }).listen();
    cleanups.push(() => backend.close());
    const px = await proxyTo(backend.port);
    expect(px.runtime.listeners[0].userBuffer).toBe(true);
    const client = net.connect({ port: px.port(), host: '127.0.0.1' });
    client.on('error', () => {});
    await once(client, 'data');
    client.resetAndDestroy();
    const [rec] = await px.waitLogs(1);
    expect(rec.termination).toBe('CD');
    expect(px.runtime.backends.get('relay')!.counters.cliAbrt).toBe(1);
    // The server side was closed too (a FIN or a reset, depending on what it had in flight).
    await waitFor(() => (serverSocket !== undefined && (serverSocket.destroyed || serverSocket.readableEnded) ? true : undefined));
    expect(px.runtime.actconn).toBe(0);
  });

  it('echoes many short exchanges concurrently', async () => {
    const backend = await echoServer();
    cleanups.push(() => backend.close());
    const px = await proxyTo(backend.port);
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => exchange(px.port(), `ping ${i}`)));
    replies.forEach((r, i) => expect(r.toString()).toBe(`ping ${i}`));
    await px.waitLogs(50);
    expect(px.logs.every((r) => r.termination === '--')).toBe(true);
    expect(px.runtime.actconn).toBe(0);
  });
});

/** Bytes the proxy holds in user space for its sessions (socket write queues and read buffers). */
function proxyBufferedBytes(rt: Runtime): number {
  let n = 0;
  for (const s of rt.sessions()) {
    for (const sock of [s.relay.client, s.relay.server]) {
      if (sock === null) continue;
      n += sock.writableLength + sock.readableLength;
    }
  }
  return n;
}
