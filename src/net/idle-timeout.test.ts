import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { useLazyIdleTimeout } from './idle-timeout.ts';

const open: net.Socket[] = [];
const servers: net.Server[] = [];

afterEach(() => {
  for (const s of open.splice(0)) s.destroy();
  for (const s of servers.splice(0)) s.close();
});

/** A connected pair on loopback: `ours` has the lazy timeout, `peer` is the other end. */
async function pair(): Promise<{ ours: net.Socket; peer: net.Socket }> {
  const server = net.createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const ours = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  expect(useLazyIdleTimeout(ours)).toBe(true);
  await new Promise<void>((resolve) => ours.once('connect', resolve));
  const peer = await accepted;
  peer.on('data', () => {});
  ours.on('data', () => {});
  open.push(ours, peer);
  return { ours, peer };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with the ms from now to the socket's next 'timeout', or -1 if none came within `limit`. */
function nextTimeout(s: net.Socket, limit: number): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      s.off('timeout', on);
      resolve(-1);
    }, limit);
    const on = (): void => {
      clearTimeout(timer);
      resolve(performance.now() - t0);
    };
    s.once('timeout', on);
  });
}

describe('lazy idle timeout', () => {
  it('emits timeout once the socket was idle for the whole timeout, not before', async () => {
    const { ours } = await pair();
    ours.setTimeout(150);
    const after = await nextTimeout(ours, 3000);
    expect(after).toBeGreaterThanOrEqual(149);
  });

  it('counts writes, reads and write completions as activity', async () => {
    const { ours, peer } = await pair();
    ours.setTimeout(200);
    const fired = nextTimeout(ours, 1200);
    // 10 rounds of 50 ms: 500 ms with activity at least every 50 ms, half of it reads, half writes.
    for (let i = 0; i < 10; i++) {
      await sleep(50);
      if (i % 2 === 0) ours.write('x');
      else peer.write('y');
    }
    const t = await fired;
    // No timeout during the 500 ms of activity: the first one comes at least 200 ms after the last byte.
    expect(t).toBeGreaterThanOrEqual(500 + 199 - 50);
  });

  it('is disarmed by setTimeout(0)', async () => {
    const { ours } = await pair();
    ours.setTimeout(100);
    ours.setTimeout(0);
    expect(await nextTimeout(ours, 400)).toBe(-1);
  });

  it('takes a shorter timeout at once and a longer one from now', async () => {
    const { ours } = await pair();
    ours.setTimeout(5000);
    ours.setTimeout(100);
    expect(await nextTimeout(ours, 2500)).toBeGreaterThan(0);
    ours.setTimeout(100);
    await sleep(50);
    ours.setTimeout(300); // counts from here: not at the 100 ms mark
    const t = await nextTimeout(ours, 3000);
    expect(t).toBeGreaterThanOrEqual(299);
  });

  it('arms again on activity after a timeout, as Node does', async () => {
    const { ours, peer } = await pair();
    ours.setTimeout(100);
    expect(await nextTimeout(ours, 2000)).toBeGreaterThan(0);
    // Idle after a timeout: no second event without activity.
    expect(await nextTimeout(ours, 300)).toBe(-1);
    peer.write('wake');
    expect(await nextTimeout(ours, 2000)).toBeGreaterThan(0);
  });

  it('stops with the socket', async () => {
    const { ours } = await pair();
    let events = 0;
    ours.on('timeout', () => events++);
    ours.setTimeout(100);
    ours.destroy();
    await sleep(300);
    expect(events).toBe(0);
  });
});
