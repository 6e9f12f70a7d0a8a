// Check pacing and slow start through the real Runtime (configuration.txt 5.2 "fastinter",
// "downinter", "slowstart"): `inter` is far longer than every bounded wait here, so a server can
// only reach the awaited state through the interval under test. Slow start is watched the way an
// operator does: `show stat` over the runtime API (weight and throttle columns).
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ask, startApiProxy, type ApiProxy } from './api-harness.ts';
import { closeAll, closedPort, peer } from './check-peers.ts';
import { freePort, waitFor } from './proxy-harness.ts';

let proxy: ApiProxy | undefined;
const listeners: net.Server[] = [];
afterEach(async () => {
  await proxy?.stop();
  proxy = undefined;
  await Promise.all(listeners.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
  await closeAll();
});

const DEFAULTS = `defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    timeout check 500
`;

/** A tcp-check peer that closes at once: every check fails with an empty response. */
async function failingPeer() {
  return peer((sock) => sock.end());
}

/** A listen section running a tcp-check ping/pong against `servers` (one proxy, one API socket). */
async function start(servers: string): Promise<ApiProxy> {
  const port = await freePort();
  return startApiProxy((dir) => `global
    stats socket ${dir}/api.sock level admin
${DEFAULTS}listen L
    bind 127.0.0.1:${port}
    option tcp-check
    tcp-check send ping
    tcp-check expect string pong
${servers}`);
}

describe('fastinter and downinter', () => {
  // One server per runtime: HAProxy spreads first checks over `inter` (here 60s) between servers.
  const srv = () => proxy!.runtime.backends.get('L')!.servers[0]!;

  it('checks at downinter while down, not at inter', async () => {
    const down = await failingPeer();
    proxy = await start(`    server down 127.0.0.1:${down.port} check inter 60s downinter 50 rise 1 fall 1\n`);
    // Servers start UP with the health at `rise` (HAProxy): one failure with fall 1 takes it DOWN.
    await waitFor(() => (srv().oper === 'DOWN' ? true : undefined), 10_000, 'DOWN');
    await waitFor(() => (down.received.length >= 6 ? true : undefined), 10_000, 'checks at downinter');
    expect(proxy.runtime.health!.stateOf(srv())!.check.status).toBe('L7RSP');
  }, 30_000);

  it('checks at fastinter while the health moves up, not at inter', async () => {
    let healthy = false;
    const rising = await peer((sock) => {
      if (!healthy) return void sock.end();
      sock.once('data', () => sock.end('pong'));
    });
    proxy = await start(`    server rising 127.0.0.1:${rising.port} check inter 60s fastinter 50 downinter 50 rise 5 fall 1\n`);
    await waitFor(() => (srv().oper === 'DOWN' ? true : undefined), 10_000, 'DOWN');
    // The server heals: five successes are needed, the first at downinter, the next four at fastinter.
    healthy = true;
    await waitFor(() => (srv().oper === 'UP' ? true : undefined), 10_000, 'UP through fastinter');
    expect(rising.received.filter((b) => b.toString() === 'ping').length).toBeGreaterThanOrEqual(5);
  }, 30_000);
});

describe('slowstart', () => {
  it('ramps the weight after the server comes back UP, as show stat shows it', async () => {
    const port = await freePort();
    const backendPort = await closedPort();
    proxy = await startApiProxy((dir) => `global
    stats socket ${dir}/api.sock level admin
${DEFAULTS}listen L
    bind 127.0.0.1:${port}
    server s1 127.0.0.1:${backendPort} check inter 100 rise 1 fall 1 weight 40 slowstart 4s
`);
    const api = proxy.sock('api.sock');
    const row = async (): Promise<Record<string, string>> => {
      const csv = await ask(api, 'show stat');
      const [head, ...rows] = csv.split('\n');
      const cols = head!.replace(/^# /, '').split(',');
      const line = rows.find((r) => r.startsWith('L,s1,'))!.split(',');
      return Object.fromEntries(cols.map((c, i) => [c, line[i] ?? '']));
    };
    const server = proxy.runtime.backends.get('L')!.servers[0]!;
    await waitFor(() => (server.oper === 'DOWN' ? true : undefined), 10_000, 's1 DOWN');
    // The server comes back: one successful check brings it UP, and slow start begins.
    const back = net.createServer((s) => s.on('error', () => {}));
    listeners.push(back);
    await new Promise<void>((r) => back.listen(backendPort, '127.0.0.1', r));
    const throttles: number[] = [];
    const weights: number[] = [];
    const deadline = Date.now() + 15_000;
    for (;;) {
      const r = await row();
      if (r.status?.startsWith('UP')) {
        if (r.throttle !== '') throttles.push(Number(r.throttle));
        weights.push(Number(r.weight));
        if (r.throttle === '' && Number(r.weight) === 40) break;
      }
      if (Date.now() > deadline) throw new Error(`no full weight: throttles ${throttles.join(' ')} weights ${weights.join(' ')}`);
      await new Promise((res) => setTimeout(res, 50));
    }
    // Seen at least once part-way, then full weight (40) with the throttle column empty again.
    expect(throttles.some((t) => t > 0 && t < 100)).toBe(true);
    expect(weights.some((w) => w > 0 && w < 40)).toBe(true);
    expect(weights.at(-1)).toBe(40);
  }, 40_000);
});
