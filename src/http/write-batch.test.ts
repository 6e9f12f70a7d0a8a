import net from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { BATCH_MAX, WriteBatch } from './write-batch.ts';

interface Pair {
  readonly sender: net.Socket;
  readonly batch: WriteBatch;
  /** Everything the peer received so far, and whether it saw the FIN. */
  readonly got: { text: string; ended: boolean };
}

const open: net.Socket[] = [];
const servers: net.Server[] = [];

let peers: net.Socket[] = [];

async function pair(): Promise<Pair> {
  const got = { text: '', ended: false };
  const server = net.createServer({ allowHalfOpen: true }, (peer) => {
    open.push(peer);
    peers.push(peer);
    peer.setEncoding('latin1');
    peer.on('data', (d: string) => (got.text += d));
    peer.on('end', () => ((got.ended = true), peer.end()));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sender = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  open.push(sender);
  await new Promise<void>((resolve) => sender.once('connect', () => resolve()));
  return { sender, batch: new WriteBatch(sender), got };
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
}

afterEach(() => {
  peers = [];
  for (const s of open.splice(0)) s.destroy();
  for (const s of servers.splice(0)) s.close();
});

describe('write batching', () => {
  it('holds small writes until the loop turns, then writes them in order', async () => {
    const { sender, batch, got } = await pair();
    expect(batch.hold('GET / HTTP/1.1\r\n')).toBe(true);
    expect(batch.hold(Buffer.from('host: a\r\n\r\n'))).toBe(true);
    expect(sender.bytesWritten).toBe(0);
    await nextTurn();
    await until(() => got.text.length >= 27);
    expect(got.text).toBe('GET / HTTP/1.1\r\nhost: a\r\n\r\n');
  });

  it('writes held bytes before a later write(), end() or destroy() of the same socket', async () => {
    const a = await pair();
    a.batch.hold('held ');
    a.sender.write('then written');
    a.sender.end(' and ended');
    await until(() => a.got.ended);
    expect(a.got.text).toBe('held then written and ended');

    const b = await pair();
    b.batch.hold('last words');
    b.sender.destroy();
    await until(() => b.got.ended);
    expect(b.got.text).toBe('last words');
  });

  it('keeps each socket its own bytes when writes to several sockets interleave', async () => {
    const a = await pair();
    const b = await pair();
    a.batch.hold('a1 ');
    b.batch.hold('b1 ');
    a.batch.hold('a2');
    b.batch.hold('b2');
    await until(() => a.got.text.length >= 5 && b.got.text.length >= 5);
    expect([a.got.text, b.got.text]).toEqual(['a1 a2', 'b1 b2']);
  });

  it('does not hold a large write, and flushes what the socket held before it', async () => {
    const { sender, batch, got } = await pair();
    batch.hold('small ');
    const big = Buffer.alloc(BATCH_MAX + 1, 0x78);
    expect(batch.hold(big)).toBe(false);
    expect(sender.bytesWritten).toBe(6);
    sender.write(big);
    await until(() => got.text.length >= 6 + big.length);
    expect(got.text).toBe('small ' + big.toString('latin1'));
  });

  it('copies the bytes: the caller may reuse its buffer at once', async () => {
    const { batch, got } = await pair();
    const buf = Buffer.from('first');
    batch.hold(buf);
    buf.write('XXXXX');
    await until(() => got.text.length >= 5);
    expect(got.text).toBe('first');
  });

  it('holds nothing while a flushed write is still in progress (back-pressure goes to the caller)', async () => {
    const { batch } = await pair();
    await until(() => peers.length === 1);
    peers[0].pause();
    const chunk = Buffer.alloc(BATCH_MAX, 0x79);
    for (let i = 0; i < 10000 && !batch.congested; i++) {
      expect(batch.hold(chunk)).toBe(true);
      batch.flush();
    }
    expect(batch.congested).toBe(true);
    expect(batch.hold('x')).toBe(false);
    peers[0].resume();
    await until(() => !batch.congested);
    expect(batch.hold('x')).toBe(true);
  });
});
