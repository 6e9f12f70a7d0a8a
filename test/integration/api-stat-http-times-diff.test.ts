// Differential: `show stat` time averages and `lastsess` of a `mode http` proxy on HAProxy 2.6 and
// on hapair after the same requests to a server that answers after 200 ms: rtime (the server's
// response time) and ttime follow the requests, qtime/ctime stay near 0, lastsess counts from the
// last request, and a server that never got one shows -1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchange, freePort, TestServer } from './proxy-harness.ts';
import { showStatRows, startApiProxy, type ApiProxy } from './api-harness.ts';
import { startHaproxyApi, type HaproxyApi } from './haproxy-api-oracle.ts';

const DELAY = 200;
let slow: TestServer;

const cfg = (dir: string, port: number): string => `global
    stats socket ${dir}/api.sock level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
listen app
    bind 127.0.0.1:${port}
    server s1 127.0.0.1:${slow.port}
    server s2 127.0.0.1:${slow.port} backup
`;

let ha: HaproxyApi | undefined;
let px: ApiProxy | undefined;
let haPort: number;
let ourPort: number;

beforeAll(async () => {
  slow = await new TestServer((s) => {
    s.once('data', () => setTimeout(() => s.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok'), DELAY));
  }).listen();
  haPort = await freePort();
  ourPort = await freePort();
  ha = await startHaproxyApi('hapair-times-ha-', (dir) => cfg(dir, haPort));
  px = await startApiProxy((dir) => cfg(dir, ourPort));
}, 30_000);

afterAll(async () => {
  await ha?.stop();
  await px?.stop();
  await slow?.close();
});

/** The rows of proxy `app`, keyed by svname. */
async function rows(sock: string): Promise<Map<string, Map<string, string>>> {
  const all = [...(await showStatRows(sock)).values()];
  return new Map(all.filter((r) => r.get('pxname') === 'app').map((r) => [r.get('svname')!, r]));
}

/** What both must show after the requests (the same checks for both). */
function summary(r: Map<string, Map<string, string>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of ['s1', 'BACKEND']) {
    const row = r.get(name)!;
    const n = (f: string) => Number(row.get(f));
    out[name] = {
      rtimeNearDelay: n('rtime') >= DELAY - 20 && n('rtime') < DELAY + 300,
      rtimeMaxAtLeastAvg: n('rtime_max') >= n('rtime'),
      ttimeCoversRtime: n('ttime') >= n('rtime') && n('ttime_max') >= n('ttime'),
      qtime: n('qtime'),
      ctimeSmall: n('ctime') <= 50,
      lastsessRecent: n('lastsess') >= 0 && n('lastsess') <= 1,
    };
  }
  out.s2 = { lastsess: r.get('s2')!.get('lastsess'), rtime: r.get('s2')!.get('rtime') };
  return out;
}

describe('show stat times in mode http against HAProxy 2.6', () => {
  it('shows -1 as lastsess and 0 times before any request', async () => {
    for (const sock of [ha!.sock('api.sock'), px!.sock('api.sock')]) {
      const r = await rows(sock);
      expect({ sock, s1: r.get('s1')!.get('lastsess'), be: r.get('BACKEND')!.get('lastsess'), rtime: r.get('s1')!.get('rtime') }).toEqual({ sock, s1: '-1', be: '-1', rtime: '0' });
    }
  });

  it('averages the response and total times of the requests, and dates the last session', async () => {
    for (const port of [haPort, ourPort]) {
      for (let i = 0; i < 3; i++) {
        const reply = (await exchange(port, 'GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n', { end: false })).toString();
        expect(reply).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nok$/);
      }
    }
    const theirs = summary(await rows(ha!.sock('api.sock')));
    const ours = summary(await rows(px!.sock('api.sock')));
    expect(ours).toEqual(theirs);
    expect(ours).toEqual({
      s1: { rtimeNearDelay: true, rtimeMaxAtLeastAvg: true, ttimeCoversRtime: true, qtime: 0, ctimeSmall: true, lastsessRecent: true },
      BACKEND: { rtimeNearDelay: true, rtimeMaxAtLeastAvg: true, ttimeCoversRtime: true, qtime: 0, ctimeSmall: true, lastsessRecent: true },
      s2: { lastsess: '-1', rtime: '0' },
    });
  });
});
