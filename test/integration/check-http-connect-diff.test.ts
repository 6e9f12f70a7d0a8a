// Differential: `http-check connect port P` + `http-check send` + `http-check expect` sequences
// on HAProxy 2.6 and on hapair. The server's own port is closed; the check connects to P, where a
// real HTTP peer records the request bytes. Both must send the same bytes and show the same check
// columns; a second sequence (HEAD, expect 204) fails on the peer's 200.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, TestServer } from './proxy-harness.ts';
import { ask, startApiProxy, type ApiProxy } from './api-harness.ts';
import { startHaproxyApi, type HaproxyApi } from './haproxy-api-oracle.ts';

/** An HTTP peer that records each request head and answers 200 with a body. */
class RecordingPeer {
  readonly requests: string[] = [];
  server!: TestServer;

  async start(): Promise<this> {
    this.server = await new TestServer((s) => {
      let buf = '';
      s.on('data', (c: Buffer) => {
        buf += c.toString('latin1');
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        this.requests.push(buf.slice(0, end + 4));
        s.end('HTTP/1.1 200 OK\r\ncontent-length: 7\r\n\r\nhealthy');
      });
    }).listen();
    return this;
  }
}

const cfg = (dir: string, closed: number, peer: number): string => `global
    stats socket ${dir}/api.sock level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    timeout check 1s
backend ok
    option httpchk
    http-check connect port ${peer}
    http-check send meth GET uri /health ver HTTP/1.1 hdr Host lb.example
    http-check expect status 200
    http-check expect string healthy
    server s1 127.0.0.1:${closed} check inter 1s
backend bad
    option httpchk
    http-check connect port ${peer}
    http-check send meth HEAD uri /ready
    http-check expect status 204
    server s2 127.0.0.1:${closed} check inter 1s
`;

const theirPeer = new RecordingPeer();
const ourPeer = new RecordingPeer();
let ha: HaproxyApi | undefined;
let px: ApiProxy | undefined;

const COLUMNS = ['status', 'check_status', 'check_code', 'check_desc', 'last_chk'];

async function checkColumns(sock: string, be: string, srv: string): Promise<Record<string, string>> {
  const lines = (await ask(sock, 'show stat')).split('\n');
  const header = lines[0]!.replace(/^# /, '').split(',');
  const row = lines.find((l) => l.startsWith(`${be},${srv},`))!.split(',');
  return Object.fromEntries(COLUMNS.map((c) => [c, row[header.indexOf(c)] ?? '']));
}

beforeAll(async () => {
  await theirPeer.start();
  await ourPeer.start();
  const closed = await freePort();
  ha = await startHaproxyApi('hapair-hcconnect-ha-', (dir) => cfg(dir, closed, theirPeer.server.port));
  px = await startApiProxy((dir) => cfg(dir, closed, ourPeer.server.port));
  // HAProxy spreads the first checks over `inter`: wait until both sides ran both servers' checks.
  for (let i = 0; i < 200; i++) {
    const done = await Promise.all([ha.sock('api.sock'), px.sock('api.sock')].map(async (s) => (await checkColumns(s, 'bad', 's2')).check_status));
    if (done.every((st) => st === 'L7STS')) break;
    await new Promise((r) => setTimeout(r, 25));
  }
}, 30_000);

afterAll(async () => {
  await ha?.stop();
  await px?.stop();
  await theirPeer.server?.close();
  await ourPeer.server?.close();
});

describe('http-check connect against HAProxy 2.6', () => {
  it('sends the same request bytes to the connect port', () => {
    const byPath = (reqs: string[]) => [...new Set(reqs)].sort();
    expect(byPath(ourPeer.requests)).toEqual(byPath(theirPeer.requests));
    expect(ourPeer.requests.some((r) => r.startsWith('GET /health HTTP/1.1\r\n'))).toBe(true);
  });

  it('shows the same check columns for a passing and a failing sequence', async () => {
    for (const [be, srv] of [['ok', 's1'], ['bad', 's2']] as const) {
      const theirs = await checkColumns(ha!.sock('api.sock'), be, srv);
      expect({ be, cols: await checkColumns(px!.sock('api.sock'), be, srv) }).toEqual({ be, cols: theirs });
    }
    expect((await checkColumns(px!.sock('api.sock'), 'ok', 's1')).check_status).toBe('L7OK');
    expect((await checkColumns(px!.sock('api.sock'), 'bad', 's2')).check_status).toBe('L7STS');
  });
});
