// Timeouts that shape a connection, differential against HAProxy 2.6 on the same config: a
// WebSocket-style upgrade lives on `timeout tunnel` (not client/server) once switched; a slowloris
// client dribbling its head gets 408 at `timeout http-request` counted from the first byte; a
// silent connection also gets its 408. The client sees the same bytes and the same close time
// (within a tolerance), and the log lines carry the same status and termination state.
import { once } from 'node:events';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHapairProxy, startHaproxy } from './http-oracle-harness.ts';
import { startLoggedRun, stopLoggedRuns, type LoggedRun } from './logged-run.ts';
import { startTcpServer, type TestTcpServer } from '../support/servers.ts';

const CLIENT = 300;
const TUNNEL = 1500;
const HTTP_REQUEST = 600;

/** An upgrade backend: 101 on the first head, then echoes `echo:` + bytes. */
function startEchoUpgrade(): Promise<TestTcpServer> {
  return startTcpServer((s) => {
    let head = '';
    const onHead = (d: Buffer): void => {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      s.off('data', onHead);
      s.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n');
      s.on('data', (x: Buffer) => s.write(Buffer.concat([Buffer.from('echo:'), x])));
    };
    s.on('data', onHead);
  });
}

interface Run extends LoggedRun {
  readonly port: number;
}

let backend: Awaited<ReturnType<typeof startEchoUpgrade>>;
const runs: Run[] = [];

function config(logPort: number, port: number, server: number): string {
  return [
    'global', '  nbthread 1',
    'defaults', '  mode http', '  timeout connect 1s', `  timeout client ${CLIENT}ms`, `  timeout server ${CLIENT}ms`,
    `  timeout tunnel ${TUNNEL}ms`, `  timeout http-request ${HTTP_REQUEST}ms`,
    `  log 127.0.0.1:${logPort} format raw local0`,
    'listen web', `  bind 127.0.0.1:${port}`, '  log-format "%{+Q}r %ST %ts"', `  server s1 127.0.0.1:${server}`,
    '',
  ].join('\n');
}

async function startRun(start: typeof startHaproxy): Promise<Run> {
  const run = await startLoggedRun(start, 1, (log, [port]) => config(log, port!, backend.port));
  // The harness's port probe is a connection without a request; its log line is not compared.
  await new Promise((r) => setTimeout(r, 50));
  return { ...run, port: run.ports[0]! };
}

beforeAll(async () => {
  backend = await startEchoUpgrade();
  runs.push(await startRun(startHaproxy), await startRun(startHapairProxy));
}, 30_000);

afterAll(async () => {
  await stopLoggedRuns(runs);
  await backend?.close();
});

/** A client connection recording what it got and when it was closed (ms after `t0`). */
class Client {
  readonly sock: net.Socket;
  got = '';
  closedAt = -1;
  readonly t0 = performance.now();
  constructor(port: number) {
    this.sock = net.connect({ port, host: '127.0.0.1' });
    this.sock.on('data', (d: Buffer) => (this.got += d.toString('latin1')));
    this.sock.on('error', () => undefined);
    this.sock.on('close', () => (this.closedAt = performance.now() - this.t0));
  }
  async until(pred: () => boolean, ms: number): Promise<void> {
    const deadline = performance.now() + ms;
    while (!pred() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function logLine(run: Run, marker: string): Promise<string> {
  for (let i = 0; i < 150; i++) {
    const line = run.lines.find((l) => l.includes(marker));
    if (line !== undefined) return line;
    await sleep(20);
  }
  throw new Error(`no log line with ${marker}: ${JSON.stringify(run.lines)}`);
}

interface TunnelOutcome {
  status: string;
  echoedAfterIdle: boolean;
  closedNearTunnelTimeout: boolean;
  log: string;
}

async function tunnel(run: Run): Promise<TunnelOutcome> {
  const c = new Client(run.port);
  await once(c.sock, 'connect');
  c.sock.write('GET /ws-tunnel HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
  await c.until(() => c.got.includes('\r\n\r\n'), 2000);
  const status = c.got.slice(0, c.got.indexOf('\r\n'));
  // Idle for more than timeout client and server: the tunnel must still be open.
  await sleep(CLIENT * 2 + 100);
  c.got = '';
  c.sock.write('frame');
  await c.until(() => c.got.includes('echo:frame'), 2000);
  const echoedAfterIdle = c.got === 'echo:frame' && c.closedAt < 0;
  const lastActivity = performance.now() - c.t0;
  await c.until(() => c.closedAt >= 0, TUNNEL * 3);
  const idle = c.closedAt - lastActivity;
  c.sock.destroy();
  // HAProxy blames the side silent the longest: the client here (cD), the server answered last.
  const log = await logLine(run, '/ws-tunnel');
  return { status, echoedAfterIdle, closedNearTunnelTimeout: idle > TUNNEL - 200 && idle < TUNNEL + 700, log };
}

interface SlowOutcome {
  response: string;
  /** Closed about `timeout http-request` after the first byte, or about `timeout client`. */
  closedNearTimeout: boolean;
  closedNearClientTimeout: boolean;
  log: string;
}

/** Sends `head` one byte every 100 ms (at once unless `dribble`) and waits for the proxy to answer and close. */
async function slowloris(run: Run, head: string, marker: string, dribble = true): Promise<SlowOutcome> {
  const c = new Client(run.port);
  await once(c.sock, 'connect');
  const start = performance.now() - c.t0;
  if (!dribble && head !== '') c.sock.write(head);
  for (let i = 0; dribble && i < head.length && c.closedAt < 0; i++) {
    c.sock.write(head[i]);
    await sleep(100);
  }
  await c.until(() => c.closedAt >= 0, HTTP_REQUEST * 4);
  const after = c.closedAt - start;
  c.sock.destroy();
  const response = c.got.slice(0, c.got.indexOf('\r\n'));
  const log = await logLine(run, marker);
  return {
    response, log,
    closedNearTimeout: after > HTTP_REQUEST - 100 && after < HTTP_REQUEST + 250,
    closedNearClientTimeout: after > CLIENT - 100 && after < CLIENT + 250,
  };
}

describe('timeouts like HAProxy 2.6', () => {
  it('an upgraded connection lives on timeout tunnel, past timeout client and server', async () => {
    const [ref, ours] = [await tunnel(runs[0]), await tunnel(runs[1])];
    expect(ref.status).toBe('HTTP/1.1 101 Switching Protocols');
    expect(ref.echoedAfterIdle && ref.closedNearTunnelTimeout).toBe(true);
    expect(ours).toEqual(ref);
  }, 20_000);

  it('a head dribbled one byte at a time gets 408 at timeout http-request from the first byte', async () => {
    const head = 'GET /slowloris HTTP/1.1\r\nHost: a\r\nX-Pad: 0123456789abcdef\r\n\r\n';
    const [ref, ours] = [await slowloris(runs[0], head, ' 408 '), await slowloris(runs[1], head, ' 408 ')];
    expect(ref.response).toBe('HTTP/1.1 408 Request Time-out');
    expect(ref.closedNearTimeout).toBe(true);
    expect(ours).toEqual(ref);
  }, 20_000);

  it('a connection that sends nothing, or stalls, gets 408 at the earlier of timeout client and http-request', async () => {
    for (const r of runs) r.lines.length = 0;
    const [ref, ours] = [await slowloris(runs[0], '', ' 408 '), await slowloris(runs[1], '', ' 408 ')];
    expect(ref.closedNearClientTimeout).toBe(true);
    expect(ours).toEqual(ref);
    for (const r of runs) r.lines.length = 0;
    const [stalledRef, stalled] = [await slowloris(runs[0], 'GET / HT', ' 408 ', false), await slowloris(runs[1], 'GET / HT', ' 408 ', false)];
    expect(stalledRef.closedNearClientTimeout).toBe(true);
    expect(stalled).toEqual(stalledRef);
  }, 20_000);
});
