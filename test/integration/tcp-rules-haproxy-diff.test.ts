// `tcp-request connection|content accept|reject` and `tcp-request inspect-delay` in mode tcp,
// differential against HAProxy 2.6: the same config (ports aside) and the same client bytes; the
// client must get the same bytes back (the backend echoes its name and what it got), be closed
// about as soon, and the tcplog lines carry the same backend/server and termination state.
import { once } from 'node:events';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHapairProxy, startHaproxy } from './http-oracle-harness.ts';
import { startLoggedRun, stopLoggedRuns, type LoggedRun } from './logged-run.ts';
import { startTcpServer, type TestTcpServer } from '../support/servers.ts';

const DELAY = 400;

/** A backend that answers `NAME:` + each chunk it gets. */
function echoServer(name: string): Promise<TestTcpServer> {
  return startTcpServer((s) => {
    s.on('data', (d: Buffer) => s.write(`${name}:${d.toString('latin1')}`));
    s.on('end', () => s.end());
  });
}

interface Run extends LoggedRun {
  readonly port: number;
}

const backends: Awaited<ReturnType<typeof echoServer>>[] = [];
const runs: Run[] = [];

function config(logPort: number, port: number): string {
  return [
    'global', '  nbthread 1',
    'defaults', '  mode tcp', '  timeout connect 1s', '  timeout client 3s', '  timeout server 3s',
    `  log 127.0.0.1:${logPort} format raw local0`, '  option tcplog',
    'frontend F', `  bind 127.0.0.1:${port}`,
    '  tcp-request connection reject if { src 127.0.0.3 }',
    '  tcp-request connection accept if { src 127.0.0.4 }',
    `  tcp-request inspect-delay ${DELAY}ms`,
    '  tcp-request content reject if { req.len ge 9 }',
    '  tcp-request content accept if { req.len ge 4 }',
    '  tcp-request content reject if { req.len gt 0 } WAIT_END',
    '  use_backend two if { req.len 5 }',
    '  default_backend one',
    'backend one', `  server s1 127.0.0.1:${backends[0].port}`,
    'backend two', `  server s2 127.0.0.1:${backends[1].port}`,
    '',
  ].join('\n');
}

async function startRun(start: typeof startHaproxy): Promise<Run> {
  const run = await startLoggedRun(start, 1, (log, [port]) => config(log, port!));
  await new Promise((r) => setTimeout(r, 100));
  run.lines.length = 0; // the harness's port probes
  return { ...run, port: run.ports[0]! };
}

beforeAll(async () => {
  backends.push(await echoServer('one'), await echoServer('two'));
  runs.push(await startRun(startHaproxy), await startRun(startHapairProxy));
}, 30_000);

afterAll(async () => {
  await stopLoggedRuns(runs);
  for (const b of backends) await b.close();
});

interface Outcome {
  readonly got: string;
  /** Closed by the proxy: at once (< DELAY/2), about at the inspect delay, or not within 1.5 s. */
  readonly closed: 'soon' | 'at-delay' | 'open';
  /** `backend/server termination-state` of the new tcplog line, '' when none was logged. */
  readonly log: string;
}

async function session(run: Run, localAddress: string, steps: (string | number)[]): Promise<Outcome> {
  const before = run.lines.length;
  const t0 = performance.now();
  const s = net.connect({ port: run.port, host: '127.0.0.1', localAddress });
  s.on('error', () => undefined);
  let got = '';
  let closedAt = -1;
  s.on('data', (d: Buffer) => (got += d.toString('latin1')));
  s.on('close', () => (closedAt = performance.now() - t0));
  await once(s, 'connect').catch(() => undefined);
  for (const step of steps) {
    if (typeof step === 'number') await new Promise((r) => setTimeout(r, step));
    else if (closedAt < 0) s.write(step);
  }
  for (let i = 0; i < 150 && closedAt < 0; i++) await new Promise((r) => setTimeout(r, 10));
  s.destroy();
  const closed = closedAt < 0 ? 'open' : closedAt < DELAY / 2 ? 'soon' : closedAt < DELAY + 300 ? 'at-delay' : 'open';
  await new Promise((r) => setTimeout(r, 150));
  const line = run.lines.slice(before).find((l) => / F /.test(l)) ?? '';
  // tcplog: ... F backend/server Tw/Tc/Tt bytes STATE ...
  const m = / F (\S+) \S+ \d+ (\S\S) /.exec(line);
  return { got, closed, log: m ? `${m[1]} ${m[2]}` : line };
}

const CASES: [string, string, (string | number)[]][] = [
  ['enough data at once: accepted and switched on the payload', '127.0.0.1', ['two-x']],
  ['default backend', '127.0.0.1', ['abcd']],
  ['data dribbled in: accepted once 4 bytes are there', '127.0.0.1', ['ab', 100, 'cd']],
  ['too little data: rejected when the delay ends', '127.0.0.1', ['ab']],
  ['a silent client: forwarded when the delay ends', '127.0.0.1', [DELAY + 150, 'late']],
  ['payload rejected at once', '127.0.0.1', ['123456789']],
  ['connection rejected by address: closed, nothing logged', '127.0.0.3', ['abcd']],
  ['connection accepted by address: content rules still apply', '127.0.0.4', ['123456789']],
];

describe('tcp-request rules in mode tcp like HAProxy 2.6', () => {
  it.each(CASES)('%s', async (_name, src, steps) => {
    const ref = await session(runs[0], src, steps);
    const ours = await session(runs[1], src, steps);
    expect(ours).toEqual(ref);
  }, 15_000);
});
