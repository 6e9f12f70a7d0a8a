// `agent-check` and `track` through the real Runtime: an agent saying "down" takes its server out
// of the farm and "up" brings it back; a tracking server follows the state of the one it tracks.
import net from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/config.ts';
import { formatDiagnostic } from '../../src/config/diagnostics.ts';
import { Runtime } from '../../src/proxy/runtime.ts';
import { exchange, freePort, nameServer, TestServer, waitFor } from './proxy-harness.ts';

let rt: Runtime | undefined;
let closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  await rt?.stop();
  rt = undefined;
  await Promise.all(closers.map((c) => c()));
  closers = [];
});

async function start(text: string): Promise<Runtime> {
  const parsed = parseConfigText(text, 'w.cfg', { env: {} });
  expect(parsed.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([]);
  rt = new Runtime(parsed.config!);
  await rt.start();
  return rt;
}

async function servers(...names: string[]): Promise<TestServer[]> {
  const out = await Promise.all(names.map((n) => nameServer(n)));
  for (const s of out) closers.push(() => s.close());
  return out;
}

/** An agent answering with the current `reply` line, then closing. */
async function agent(): Promise<{ port: number; reply: string }> {
  const state = { port: 0, reply: 'up\n' };
  const srv = net.createServer((s) => {
    s.on('error', () => {});
    s.end(state.reply);
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  state.port = (srv.address() as net.AddressInfo).port;
  closers.push(async () => {
    srv.close();
    await once(srv, 'close');
  });
  return state;
}

const TIMEOUTS = '    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n';

describe('agent-check', () => {
  it('takes the server out on "down" and back on "up"', async () => {
    const [a, b] = await servers('A', 'B');
    const ag = await agent();
    const port = await freePort();
    const runtime = await start(`listen L\n    bind 127.0.0.1:${port}\n    mode tcp\n${TIMEOUTS}    server A 127.0.0.1:${a!.port} agent-check agent-port ${ag.port} agent-inter 100\n    server B 127.0.0.1:${b!.port}\n`);
    const A = runtime.backends.get('L')!.servers[0]!;
    ag.reply = 'down\n';
    await waitFor(() => (A.oper === 'DOWN' ? true : undefined), 10_000, 'A DOWN by agent');
    for (let i = 0; i < 4; i++) expect((await exchange(port, 'x')).toString()).toBe('B');
    ag.reply = 'up\n';
    await waitFor(() => (A.oper === 'UP' ? true : undefined), 10_000, 'A UP by agent');
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add((await exchange(port, 'x')).toString());
    expect([...seen].sort()).toEqual(['A', 'B']);
  }, 30_000);
});

describe('track', () => {
  it('a tracking server goes DOWN and UP with the server it tracks', async () => {
    const [a, t, b] = await servers('A', 'T', 'B');
    const port = await freePort();
    const runtime = await start(`listen L\n    bind 127.0.0.1:${port}\n    mode tcp\n${TIMEOUTS}    server A 127.0.0.1:${a!.port} check inter 100 fall 1 rise 1\n    server T 127.0.0.1:${t!.port} track A\n    server B 127.0.0.1:${b!.port}\n`);
    const [A, T] = runtime.backends.get('L')!.servers;
    const aPort = a!.port;
    await a!.close();
    await waitFor(() => (A!.oper === 'DOWN' ? true : undefined), 10_000, 'A DOWN');
    expect(T!.oper).toBe('DOWN');
    for (let i = 0; i < 4; i++) expect((await exchange(port, 'x')).toString()).toBe('B');
    const back = await new TestServer((s) => s.end('A')).listen(aPort);
    closers.push(() => back.close());
    await waitFor(() => (A!.oper === 'UP' && T!.oper === 'UP' ? true : undefined), 10_000, 'A and T UP');
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add((await exchange(port, 'x')).toString());
    expect([...seen].sort()).toEqual(['A', 'B', 'T']);
  }, 30_000);
});
