// Differential test: the same configuration text run by HAProxy 2.6 (/usr/sbin/haproxy) and by
// hapair's runtime, the same client actions against each, and their tcplog lines compared field
// by field (timers that measure real time are compared by shape only).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { formatDiagnostic, parseConfigText } from '../../src/config/config.ts';
import { formatTcpLog } from '../../src/log/tcplog.ts';
import { Runtime } from '../../src/proxy/runtime.ts';
import { echoServer, exchange, freePort, holdServer, TestClient, waitFor, type TestServer } from './proxy-harness.ts';

const HAPROXY = '/usr/sbin/haproxy';
const dir = mkdtempSync(join(tmpdir(), 'hapair-diff-'));
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Ports {
  readonly ok: number;
  readonly nosrv: number;
  readonly refused: number;
  readonly redisp: number;
  readonly queue: number;
  readonly idle: number;
}

function configText(p: Ports, echo: number, hold: number, dead: number): string {
  return `global
    log stdout format raw local0
defaults
    mode tcp
    log global
    option tcplog
    timeout connect 150ms
    timeout client 5s
    timeout server 5s
listen ok
    bind 127.0.0.1:${p.ok}
    server s1 127.0.0.1:${echo}
listen nosrv
    bind 127.0.0.1:${p.nosrv}
    server s1 127.0.0.1:${echo} disabled
listen refused
    bind 127.0.0.1:${p.refused}
    retries 2
    server s1 127.0.0.1:${dead}
listen redisp
    bind 127.0.0.1:${p.redisp}
    option redispatch
    server dead 127.0.0.1:${dead}
    server alive 127.0.0.1:${echo}
listen queue
    bind 127.0.0.1:${p.queue}
    timeout queue 300ms
    server s1 127.0.0.1:${hold} maxconn 1
listen idle
    bind 127.0.0.1:${p.idle}
    timeout client 300ms
    server s1 127.0.0.1:${hold}
`;
}

async function ports(): Promise<Ports> {
  return { ok: await freePort(), nosrv: await freePort(), refused: await freePort(), redisp: await freePort(), queue: await freePort(), idle: await freePort() };
}

/** The same client actions for both proxies, one scenario at a time. */
async function drive(p: Ports, lines: () => string[]): Promise<void> {
  const next = async (n: number) => waitFor(() => (lines().length >= n ? true : undefined), 10_000, `${n} log lines (${lines().join(' | ')})`);
  expect((await exchange(p.ok, 'hello')).toString()).toBe('hello');
  await next(1);
  expect((await exchange(p.nosrv, 'x')).length).toBe(0);
  await next(2);
  expect((await exchange(p.refused, 'x')).length).toBe(0);
  await next(3);
  // Round robin starts on 'dead' for the first session: refused, redispatched to 'alive'.
  expect((await exchange(p.redisp, 'abc')).toString()).toBe('abc');
  await next(4);
  const holder = new TestClient(p.queue);
  cleanups.push(() => holder.destroy());
  await holder.connected();
  await new Promise((r) => setTimeout(r, 100));
  const waiter = new TestClient(p.queue);
  cleanups.push(() => waiter.destroy());
  await waiter.closed;
  await next(5);
  holder.socket.end();
  await next(6);
  const idle = new TestClient(p.idle);
  cleanups.push(() => idle.destroy());
  await idle.closed;
  await next(7);
}

/** tcplog fields: mask what depends on the moment (client port, date, measured timers). */
function normalize(line: string): string[] {
  const f = line.trim().split(' ');
  // ip:port [date] fe be/srv Tw/Tc/Tt B ts ac/fc/bc/sc/rc sq/bq
  const [tw, tc, tt] = f[4].split('/');
  // Tw keeps its sign and HAProxy's TCP-mode offset (never 0: queue time + 1); Tc and Tt their sign.
  const tw2 = tw === '-1' ? '-1' : Number(tw) >= 1 ? '>=1' : tw;
  const t = (v: string) => (v === '-1' ? '-1' : 'T');
  return [f[0].split(':')[0], f[2], f[3], `${tw2}/${t(tc)}/${t(tt)}`, f[5], f[6], f[7], f[8]];
}

async function runHaproxy(p: Ports, text: string): Promise<string[]> {
  const file = join(dir, `haproxy-${p.ok}.cfg`);
  writeFileSync(file, text);
  const child: ChildProcess = spawn(HAPROXY, ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.resume();
  const logLines = () => out.split('\n').filter((l) => /^\d+\.\d+\.\d+\.\d+:\d+ \[/.test(l));
  // Ready once a listener accepts; that probe's own log line is dropped.
  for (let i = 0; i < 100; i++) {
    const ok = await exchange(p.nosrv, '').then(
      () => true,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await waitFor(() => (logLines().length >= 1 ? true : undefined));
  out = '';
  await drive(p, logLines);
  return logLines();
}

async function runHapair(p: Ports, text: string): Promise<string[]> {
  const parsed = parseConfigText(text, 'diff.cfg');
  expect(parsed.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([]);
  const lines: string[] = [];
  const rt = new Runtime(parsed.config!, { accessLog: () => (rec) => lines.push(formatTcpLog(rec)) });
  await rt.start();
  cleanups.push(() => rt.stop());
  await drive(p, () => lines);
  return lines;
}

describe('tcplog lines match HAProxy 2.6', () => {
  it('for normal, no-server, refused, redispatched, queue-timeout and client-timeout sessions', async () => {
    const echo: TestServer = await echoServer();
    const hold = await holdServer();
    cleanups.push(
      () => echo.close(),
      () => hold.close(),
    );
    const dead = await freePort();
    // Ports are picked right before each run: other test files bind ephemeral ports meanwhile.
    const hp = await ports();
    const theirs = await runHaproxy(hp, configText(hp, echo.port, hold.port, dead));
    // Free the hold server's connections before our run.
    for (const s of hold.sockets) s.destroy();
    const ours = await ports();
    const mine = await runHapair(ours, configText(ours, echo.port, hold.port, dead));
    expect(mine.map(normalize)).toEqual(theirs.map(normalize));
  });
});
