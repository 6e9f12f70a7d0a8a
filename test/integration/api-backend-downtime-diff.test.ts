// Differential: a backend's own state history in `show stat` (BACKEND row: status, chkdown,
// lastchg, downtime) on HAProxy 2.6 and on hapair, while its only server goes DOWN (its port is
// closed) and comes back (a server starts listening there). Both check the same port.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, TestServer } from './proxy-harness.ts';
import { ask, startApiProxy, type ApiProxy } from './api-harness.ts';
import { startHaproxyApi, type HaproxyApi } from './haproxy-api-oracle.ts';

let port: number;
let revived: TestServer | undefined;
let ha: HaproxyApi | undefined;
let px: ApiProxy | undefined;

const cfg = (dir: string): string => `global
    stats socket ${dir}/api.sock level admin
defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
backend be
    server s1 127.0.0.1:${port} check inter 100 rise 1 fall 1
`;

beforeAll(async () => {
  port = await freePort();
  ha = await startHaproxyApi('hapair-bedown-ha-', cfg);
  px = await startApiProxy(cfg);
}, 30_000);

afterAll(async () => {
  await ha?.stop();
  await px?.stop();
  await revived?.close();
});

const FIELDS = ['status', 'chkdown', 'lastchg', 'downtime'];

async function backendRow(sock: string): Promise<Record<string, string>> {
  const lines = (await ask(sock, 'show stat')).split('\n');
  const header = lines[0]!.replace(/^# /, '').split(',');
  const row = lines.find((l) => l.startsWith('be,BACKEND,'))!.split(',');
  return Object.fromEntries(FIELDS.map((f) => [f, row[header.indexOf(f)]!]));
}

const both = async () => ({ theirs: await backendRow(ha!.sock('api.sock')), ours: await backendRow(px!.sock('api.sock')) });

/** Same status and chkdown; lastchg and downtime within a second of each other (two processes). */
function expectAlike(r: { theirs: Record<string, string>; ours: Record<string, string> }): void {
  expect({ status: r.ours.status, chkdown: r.ours.chkdown }).toEqual({ status: r.theirs.status, chkdown: r.theirs.chkdown });
  for (const f of ['lastchg', 'downtime']) expect(Math.abs(Number(r.ours[f]) - Number(r.theirs[f])), `${f}: ${JSON.stringify(r)}`).toBeLessThanOrEqual(1);
}

describe('backend state history against HAProxy 2.6', () => {
  it('counts the backend going down and the time it stays down', async () => {
    for (let i = 0; i < 200; i++) {
      const r = await both();
      if (r.theirs.status === 'DOWN' && r.ours.status === 'DOWN') break;
      await new Promise((res) => setTimeout(res, 25));
    }
    await new Promise((res) => setTimeout(res, 1300));
    const r = await both();
    expectAlike(r);
    expect(r.ours.status).toBe('DOWN');
    expect(r.ours.chkdown).toBe('1');
    expect(Number(r.ours.downtime)).toBeGreaterThanOrEqual(1);
    expect(Number(r.ours.lastchg)).toBeGreaterThanOrEqual(1);
  });

  it('keeps the downtime once a server is back, and dates the change', async () => {
    revived = await new TestServer((s) => s.end()).listen(port);
    for (let i = 0; i < 200; i++) {
      const r = await both();
      if (r.theirs.status === 'UP' && r.ours.status === 'UP') break;
      await new Promise((res) => setTimeout(res, 25));
    }
    const r = await both();
    expectAlike(r);
    expect(r.ours.status).toBe('UP');
    expect(r.ours.chkdown).toBe('1');
    expect(Number(r.ours.downtime)).toBeGreaterThanOrEqual(1);
    expect(Number(r.ours.lastchg)).toBeLessThanOrEqual(1);
  });
});
