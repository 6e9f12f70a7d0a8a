// directWrite() with real loopback sockets: immediate writes, pending writes under backpressure
// (the callback comes once the peer reads), the socket.write() fallback, and byte order.
import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { directWrite } from '../../src/tcp/direct-write.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

/** `writer` is the socket directWrite() writes to; `reader` the peer, paused. */
async function pair(): Promise<{ writer: net.Socket; reader: net.Socket }> {
  const server = net.createServer({ pauseOnConnect: true });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => server.close());
  const port = (server.address() as net.AddressInfo).port;
  const writer = net.connect(port, '127.0.0.1');
  const [reader] = (await Promise.all([once(server, 'connection'), once(writer, 'connect')]))[0] as [net.Socket];
  cleanups.push(() => writer.destroy(), () => reader.destroy());
  return { writer, reader };
}

async function readAll(reader: net.Socket, bytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let got = 0;
  reader.on('data', (c: Buffer) => {
    chunks.push(c);
    got += c.length;
  });
  reader.resume();
  for (let i = 0; i < 500 && got < bytes; i++) await new Promise((r) => setTimeout(r, 10));
  return Buffer.concat(chunks);
}

describe('directWrite', () => {
  it('writes a small chunk at once, without calling back', async () => {
    const { writer, reader } = await pair();
    let calls = 0;
    expect(directWrite(writer, Buffer.from('hello'), () => calls++)).toBe(true);
    expect((await readAll(reader, 5)).toString()).toBe('hello');
    expect(calls).toBe(0);
  });

  it('reports a write the kernel cannot take at once as pending, then calls back once', async () => {
    const { writer, reader } = await pair();
    const big = Buffer.alloc(32 * 1024 * 1024, 7);
    let calls = 0;
    expect(directWrite(writer, big, () => calls++)).toBe(false);
    expect(calls).toBe(0);
    const got = await readAll(reader, big.length);
    for (let i = 0; i < 200 && calls === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(got.length).toBe(big.length);
    expect(got.equals(big)).toBe(true);
    expect(calls).toBe(1);
  });

  it('falls back to socket.write() behind queued stream data, keeping the order', async () => {
    const { writer, reader } = await pair();
    writer.cork();
    writer.write('first,');
    let calls = 0;
    expect(directWrite(writer, Buffer.from('second'), () => calls++)).toBe(false);
    writer.uncork();
    expect((await readAll(reader, 12)).toString()).toBe('first,second');
    for (let i = 0; i < 200 && calls === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(calls).toBe(1);
  });
});
