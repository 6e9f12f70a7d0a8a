// Differential: the same TCP sessions through HAProxy 2.6 and through hapair — one the client
// resets while the server stays silent, one it closes normally, one the server resets, one that
// ends normally — must count the same cli_abrt, srv_abrt, eresp and stot in `show stat`.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiConfigHead } from './api-harness.ts';
import { freePort } from './proxy-harness.ts';
import { startHapairRuntime, startHaproxy, statColumns, tempDir, type Oracle } from './server-state-file-harness.ts';

/** The first byte says what the server does: h = hold silently, r = reset, n = reply and close. */
function behaviourServer(): Promise<{ port: number; server: net.Server; got: () => number }> {
  let got = 0;
  const server = net.createServer((s) => {
    s.on('error', () => {});
    s.once('data', (d) => {
      got++;
      const c = d.toString('latin1')[0];
      if (c === 'r') s.resetAndDestroy();
      else if (c === 'n') s.end('bye');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as net.AddressInfo).port, server, got: () => got })));
}

let peer: Awaited<ReturnType<typeof behaviourServer>>;
const dir = tempDir();
let theirs: Oracle;
let ours: Oracle;
let ports: { ha: number; hp: number };

beforeAll(async () => {
  peer = await behaviourServer();
  ports = { ha: await freePort(), hp: await freePort() };
  const cfg = (port: number) => (_dir: string, sock: string) => `${apiConfigHead(sock, 'admin', 'tcp')}listen app
    bind 127.0.0.1:${port}
    server s1 127.0.0.1:${peer.port}
`;
  theirs = await startHaproxy(dir.dir, 'ha', cfg(ports.ha));
  ours = await startHapairRuntime(dir.dir, 'hp', cfg(ports.hp));
}, 30_000);

afterAll(async () => {
  await theirs?.stop();
  await ours?.stop();
  await new Promise<void>((r) => peer.server.close(() => r()));
  dir.remove();
});

/**
 * One session: send `what`; for 'h' the client closes once the server got it (`reset`: with an
 * RST, an abort; else a FIN, a normal end); otherwise wait for the proxy to close.
 */
async function session(port: number, what: 'h' | 'r' | 'n', reset = false): Promise<void> {
  const before = peer.got();
  const sock = net.connect({ port, host: '127.0.0.1' });
  sock.on('error', () => {});
  sock.on('data', () => {});
  const closed = new Promise((r) => sock.once('close', r));
  sock.write(what);
  if (what === 'h') {
    for (let i = 0; i < 500 && peer.got() === before; i++) await new Promise((r) => setTimeout(r, 10));
    if (reset) sock.resetAndDestroy();
    else sock.destroy();
  }
  await closed;
}

async function settle(sock: string): Promise<string[]> {
  // The proxy settles its counters once both sides are closed: wait until nothing is current.
  for (let i = 0; i < 300; i++) {
    const rows = await statColumns(sock, ['scur']);
    if (rows.every((r) => r.endsWith('scur=0'))) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  return statColumns(sock, ['stot', 'cli_abrt', 'srv_abrt', 'eresp']);
}

describe('abort counters against HAProxy 2.6', () => {
  it('counts client aborts, server resets and normal ends alike', async () => {
    const plan = [['h', true], ['r', false], ['n', false], ['h', false], ['r', false], ['h', true]] as const;
    for (const [what, reset] of plan) {
      await session(ports.ha, what, reset);
      await session(ports.hp, what, reset);
    }
    const mine = await settle(ours.sock);
    expect(mine).toContain('app/s1 stot=6 cli_abrt=2 srv_abrt=2 eresp=2');
    expect(mine).toEqual(await settle(theirs.sock));
  }, 30_000);
});
