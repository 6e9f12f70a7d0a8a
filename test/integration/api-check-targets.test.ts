// `set server ... agent-port|agent-send|check-port` change where the next checks connect and what
// the agent receives: a real agent on a TCP port and a real listener for the health check.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ask } from './api-harness.ts';
import { startHapairRuntime, tempDir } from './server-state-file-harness.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A TCP server that records what each connection sent and answers `reply` (if any), then closes. */
async function peer(reply: string | null): Promise<{ port: number; received: string[] }> {
  const received: string[] = [];
  const server = net.createServer((s) => {
    let got = '';
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('error', () => {});
    s.on('close', () => received.push(got));
    if (reply !== null) setTimeout(() => s.end(reply), 20);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return { port: (server.address() as net.AddressInfo).port, received };
}

async function until(probe: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out: ${what}`);
}

/** Runtime with be/s1 at `addr` (a closed port) checked every 50 ms; resolves once s1 is DOWN. */
async function checkedServerDown(addr: string): Promise<{ p: { sock: string }; status: () => Promise<string | undefined> }> {
  const d = tempDir();
  cleanups.push(() => d.remove());
  const p = await startHapairRuntime(d.dir, 'p', (_dir, sock) => `global
    stats socket ${sock} level admin
backend be
    server s1 ${addr} check inter 50 rise 1 fall 1
`);
  cleanups.push(() => p.stop());
  const status = async () => (await ask(p.sock, 'show stat')).split('\n').find((l) => l.startsWith('be,s1,'))?.split(',')[17];
  await until(async () => (await status()) === 'DOWN', 'the check to the closed port fails');
  return { p, status };
}

describe('set server check and agent targets', () => {
  it('sends the agent to the new port with the new agent-send text', async () => {
    const agent = await peer('25%\n');
    const d = tempDir();
    cleanups.push(() => d.remove());
    const p = await startHapairRuntime(d.dir, 'p', (_dir, sock) => `global
    stats socket ${sock} level admin
backend be
    server s1 127.0.0.1:1 weight 40 agent-check agent-port 1 agent-inter 50
`);
    cleanups.push(() => p.stop());
    expect(await ask(p.sock, `set server be/s1 agent-port ${agent.port}`)).toBe('\n');
    expect(await ask(p.sock, 'set server be/s1 agent-send hello\\n')).toBe('\n');
    await until(async () => (await ask(p.sock, 'get weight be/s1')).startsWith('10 '), 'the agent reply sets 25% of 40');
    expect(agent.received.some((r) => r.startsWith('hello'))).toBe(true);
  }, 30_000);

  it('moves the health check to the new port', async () => {
    const target = await peer(null);
    const { p, status } = await checkedServerDown('127.0.0.1:1');
    expect(await ask(p.sock, `set server be/s1 check-port ${target.port}`)).toBe('\n');
    await until(async () => (await status()) === 'UP', 'the check to the new port passes');
    expect(target.received.length).toBeGreaterThan(0);
  }, 30_000);

  it('follows the server to the address and port `set server addr` gives it', async () => {
    const target = await peer(null);
    const { p, status } = await checkedServerDown('127.0.0.2:1');
    expect(await ask(p.sock, `set server be/s1 addr 127.0.0.1 port ${target.port}`)).toContain("IP changed from '127.0.0.2' to '127.0.0.1'");
    await until(async () => (await status()) === 'UP', 'the check follows the server');
  }, 30_000);
});
