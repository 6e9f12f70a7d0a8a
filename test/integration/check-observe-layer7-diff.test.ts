// Differential: `observe layer7` + `error-limit` + `on-error mark-down` fed by live HTTP traffic,
// on HAProxy 2.6 and on hapair. A server answering 500 to every request is marked DOWN by the
// traffic itself (its first check passed and the next one is an hour away), with the same
// status, check status, description, last_chk and counters in `show stat`; then every request goes
// to the healthy server. A 501 and a 404 are not errors for layer7 (check.c analyze_statuses). In
// the same http proxy, `observe layer4` marks down a server whose traffic connections are refused
// before its first check (on another port) is due.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchange, freePort, TestServer } from './proxy-harness.ts';
import { ask, startApiProxy, type ApiProxy } from './api-harness.ts';
import { startHaproxyApi, type HaproxyApi } from './haproxy-api-oracle.ts';

/** An HTTP server answering every request with `status` and its name in the body. */
function httpServer(name: string, status: () => number): Promise<TestServer> {
  return new TestServer((s) => {
    let buf = '';
    s.on('data', (c: Buffer) => {
      buf += c.toString('latin1');
      while (buf.includes('\r\n\r\n')) {
        buf = buf.slice(buf.indexOf('\r\n\r\n') + 4);
        s.write(`HTTP/1.1 ${status()} X\r\ncontent-length: ${name.length}\r\n\r\n${name}`);
      }
    });
  }).listen();
}

let badStatus = 404;
let bad: TestServer;
let good: TestServer;

let closed: number;

const cfg = (dir: string, port: number, port4: number): string => `global
    stats socket ${dir}/api.sock level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
listen L
    bind 127.0.0.1:${port}
    balance roundrobin
    server A 127.0.0.1:${bad.port} check inter 1h observe layer7 error-limit 2 on-error mark-down
    server B 127.0.0.1:${good.port} check inter 1h
listen L4
    bind 127.0.0.1:${port4}
    balance roundrobin
    retries 0
    server C 127.0.0.1:${closed} check port ${good.port} inter 1h observe layer4 error-limit 2 on-error mark-down
    server D 127.0.0.1:${good.port} check inter 1h
`;

let ha: HaproxyApi | undefined;
let px: ApiProxy | undefined;
let haPort: number;
let ourPort: number;
let haPort4: number;
let ourPort4: number;

beforeAll(async () => {
  bad = await httpServer('A', () => badStatus);
  good = await httpServer('B', () => 200);
  closed = await freePort();
  [haPort, ourPort, haPort4, ourPort4] = [await freePort(), await freePort(), await freePort(), await freePort()];
  ha = await startHaproxyApi('hapair-observe-ha-', (dir) => cfg(dir, haPort, haPort4));
  px = await startApiProxy((dir) => cfg(dir, ourPort, ourPort4));
  // Both have run their first checks (L4OK) before traffic starts.
  for (const sock of [ha.sock('api.sock'), px.sock('api.sock')]) {
    for (let i = 0; i < 200 && (await columns(sock, 'A')).check_status !== 'L4OK'; i++) await new Promise((r) => setTimeout(r, 25));
  }
}, 30_000);

afterAll(async () => {
  await ha?.stop();
  await px?.stop();
  await bad?.close();
  await good?.close();
});

const FIELDS = ['status', 'check_status', 'check_desc', 'last_chk', 'chkdown', 'hanafail', 'check_health', 'hrsp_5xx'];

async function columns(sock: string, server: string, proxy = 'L'): Promise<Record<string, string>> {
  const lines = (await ask(sock, 'show stat')).split('\n');
  const header = lines[0]!.replace(/^# /, '').split(',');
  const row = lines.find((l) => l.startsWith(`${proxy},${server},`))?.split(',') ?? [];
  return Object.fromEntries(FIELDS.map((f) => [f, row[header.indexOf(f)] ?? '']));
}

/** One request on its own connection; the server that answered (the body). */
async function request(port: number): Promise<string> {
  const reply = (await exchange(port, 'GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n', { end: false })).toString('latin1');
  return reply.slice(reply.indexOf('\r\n\r\n') + 4);
}

describe('observe layer7 against HAProxy 2.6', () => {
  it('does not count 404 nor 501 answers as errors', async () => {
    for (const s of [404, 501]) {
      badStatus = s;
      for (const port of [haPort, ourPort]) for (let i = 0; i < 6; i++) await request(port);
    }
    const theirs = await columns(ha!.sock('api.sock'), 'A');
    expect(await columns(px!.sock('api.sock'), 'A')).toEqual(theirs);
    expect(theirs.status).toBe('UP');
  });

  it('marks the server DOWN after error-limit consecutive 500s, without a check', async () => {
    badStatus = 500;
    const served: Record<number, string[]> = {};
    for (const port of [haPort, ourPort]) {
      served[port] = [];
      for (let i = 0; i < 8; i++) served[port]!.push(await request(port));
    }
    // Two 500s from A (roundrobin: A, B, A), then only B.
    expect(served[ourPort]).toEqual(served[haPort]);
    expect(served[ourPort]!.slice(3)).toEqual(['B', 'B', 'B', 'B', 'B']);
    const theirs = await columns(ha!.sock('api.sock'), 'A');
    expect(await columns(px!.sock('api.sock'), 'A')).toEqual(theirs);
    expect(theirs.status).toBe('DOWN');
    expect(theirs.check_status).toBe('HANA');
  });

  it('observe layer4: refused traffic connections mark the server DOWN before any check', async () => {
    // HAProxy spreads the first checks over `inter`: C's is not due yet on either side.
    expect((await columns(px!.sock('api.sock'), 'C', 'L4')).check_status).toBe('INI');
    expect((await columns(ha!.sock('api.sock'), 'C', 'L4')).check_status).toBe('INI');
    const served: Record<number, string[]> = {};
    for (const port of [haPort4, ourPort4]) {
      served[port] = [];
      for (let i = 0; i < 8; i++) served[port]!.push((await request(port)).includes('503') ? '503' : 'ok');
    }
    expect(served[ourPort4]).toEqual(served[haPort4]);
    expect(served[ourPort4]!.slice(3)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    const theirs = await columns(ha!.sock('api.sock'), 'C', 'L4');
    expect(await columns(px!.sock('api.sock'), 'C', 'L4')).toEqual(theirs);
    expect({ status: theirs.status, check: theirs.check_status }).toEqual({ status: 'DOWN', check: 'HANA' });
  });
});
