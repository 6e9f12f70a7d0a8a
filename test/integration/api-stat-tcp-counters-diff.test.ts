// Differential: the counters of `show stat` for `mode tcp` proxies on HAProxy 2.6 and on hapair
// after the same traffic: sessions relayed to an echo server (bytes both ways) and sessions to a
// backend whose server refuses connections (retries, connection errors, connection attempts). Every counter that does
// not depend on timing must be equal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoServer, exchange, freePort, type TestServer } from './proxy-harness.ts';
import { showStatRows, startApiProxy, type ApiProxy } from './api-harness.ts';
import { startHaproxyApi, type HaproxyApi } from './haproxy-api-oracle.ts';

let echo: TestServer;
let closed: number;

const cfg = (dir: string, fe: number, fe2: number): string => `global
    stats socket ${dir}/api.sock level admin
defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:${fe}
    default_backend app
frontend fe2
    bind 127.0.0.1:${fe2}
    default_backend dead
backend app
    server s1 127.0.0.1:${echo.port}
    server s2 127.0.0.1:${echo.port}
backend dead
    retries 2
    server d1 127.0.0.1:${closed}
`;

let ha: HaproxyApi | undefined;
let px: ApiProxy | undefined;
const ports: Record<'ha' | 'ours', [number, number]> = { ha: [0, 0], ours: [0, 0] };

beforeAll(async () => {
  echo = await echoServer();
  closed = await freePort();
  ports.ha = [await freePort(), await freePort()];
  ports.ours = [await freePort(), await freePort()];
  ha = await startHaproxyApi('hapair-tcpctr-ha-', (dir) => cfg(dir, ...ports.ha));
  px = await startApiProxy((dir) => cfg(dir, ...ports.ours));
}, 30_000);

afterAll(async () => {
  await ha?.stop();
  await px?.stop();
  await echo?.close();
});

/** Timing-dependent fields (and slim, which HAProxy derives from ulimit). */
const TIMING = new Set(['lastchg', 'lastsess', 'rate', 'rate_max', 'conn_rate', 'conn_rate_max', 'qtime', 'ctime', 'rtime', 'ttime', 'qtime_max', 'ctime_max', 'rtime_max', 'ttime_max', 'slim', 'downtime', 'smax']);

const rows = showStatRows;

async function traffic([fe, fe2]: [number, number]): Promise<void> {
  for (const payload of ['hello', 'x'.repeat(3000), 'bye']) expect((await exchange(fe, payload)).toString()).toBe(payload);
  await exchange(fe2, 'lost');
}

describe('show stat tcp counters against HAProxy 2.6', () => {
  it('counts the same sessions, bytes, retries and errors', async () => {
    await traffic(ports.ha);
    await traffic(ports.ours);
    const theirs = await rows(ha!.sock('api.sock'));
    const ours = await rows(px!.sock('api.sock'));
    expect([...ours.keys()]).toEqual([...theirs.keys()]);
    const diffs: string[] = [];
    for (const [key, t] of theirs) {
      const o = ours.get(key)!;
      for (const [f, v] of t) if (!TIMING.has(f) && o.get(f) !== v) diffs.push(`${key} ${f}: ours=${o.get(f)} theirs=${v}`);
    }
    expect(diffs).toEqual([]);
  });
});
