// Test harness for differential tests against HAProxy 2.6 in `mode http`: a haproxy process on a
// config text, HTTP backends on loopback that answer their name and record the request head they
// got, and a raw HTTP/1.1 client (one request per connection, head sent as written).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startHapair, waitForPort } from '../support/process.ts';

export const HAPROXY = '/usr/sbin/haproxy';

export interface HaproxyRun {
  readonly output: () => string;
  stop(): Promise<void>;
}

/** Run haproxy in the foreground on `cfg`; resolves once every port of `ports` accepts. */
export async function startHaproxy(cfg: string, ports: readonly number[]): Promise<HaproxyRun> {
  const dir = mkdtempSync(join(tmpdir(), 'hapair-oracle-'));
  writeFileSync(join(dir, 'h.cfg'), cfg);
  const child: ChildProcess = spawn(HAPROXY, ['-f', join(dir, 'h.cfg'), '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const p of ports) await waitForPort(p);
  } catch (err) {
    await stop();
    throw new Error(`haproxy did not start: ${out}`, { cause: err });
  }
  return { output: () => out, stop };
}

/** Run `hapair proxy -f` on `cfg` (a child process on the pinned Node), like startHaproxy. */
export async function startHapairProxy(cfg: string, ports: readonly number[]): Promise<HaproxyRun> {
  const dir = mkdtempSync(join(tmpdir(), 'hapair-oracle-'));
  writeFileSync(join(dir, 'p.cfg'), cfg);
  const run = startHapair(['proxy', '-f', join(dir, 'p.cfg')]);
  const stop = async (): Promise<void> => {
    if (run.child.exitCode === null && run.child.signalCode === null) {
      run.child.kill('SIGKILL');
      await run.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const p of ports) await waitForPort(p);
  } catch (err) {
    await stop();
    throw new Error(`hapair did not start: ${run.stdout}${run.stderr}`, { cause: err });
  }
  return { output: () => run.stdout + run.stderr, stop };
}

export type OracleKind = 'haproxy' | 'hapair';

/** startHaproxy or startHapairProxy by name. */
export function starterOf(kind: OracleKind): typeof startHaproxy {
  return kind === 'haproxy' ? startHaproxy : startHapairProxy;
}

/**
 * The beforeAll and afterAll of a differential test: `start` builds the HAProxy side, then the
 * hapair side; afterAll hands each side that started to `stop`, also when the other one failed.
 * The sides are read from the returned object inside the tests.
 */
export function oracleSides<S>(start: (kind: OracleKind) => Promise<S>, stop: (side: S) => Promise<void>): { readonly haproxy: S; readonly hapair: S } {
  const sides = {} as { haproxy: S; hapair: S };
  const started: S[] = [];
  beforeAll(async () => {
    for (const kind of ['haproxy', 'hapair'] as const) {
      sides[kind] = await start(kind);
      started.push(sides[kind]);
    }
  }, 60_000);
  afterAll(async () => {
    for (const side of started) await stop(side);
  });
  return sides;
}

/** `n` distinct ports free a moment ago (held open together so the kernel cannot hand one out twice). */
export async function distinctFreePorts(n: number): Promise<number[]> {
  const servers = Array.from({ length: n }, () => net.createServer().listen(0, '127.0.0.1'));
  try {
    await Promise.all(servers.map((srv) => once(srv, 'listening')));
    return servers.map((srv) => (srv.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((srv) => new Promise((r) => srv.close(r))));
  }
}

export interface RawResponse {
  readonly status: number;
  /** Header lines as [name, value], in order. */
  readonly headers: [string, string][];
  readonly body: string;
}

/** Send `head` (CRLF line ends, no final blank line) and `body` on a new connection; read to close. */
export async function rawRequest(port: number, head: string, body = '', localAddress?: string, host = '127.0.0.1'): Promise<RawResponse> {
  const sock = net.connect({ port, host, localAddress });
  const chunks: Buffer[] = [];
  sock.on('data', (d) => chunks.push(d));
  const timer = setTimeout(() => sock.destroy(new Error('response timeout')), 5000);
  try {
    await once(sock, 'connect');
    const withLength = body !== '' || /^(POST|PUT) /.test(head) ? `\r\ncontent-length: ${Buffer.byteLength(body, 'latin1')}` : '';
    sock.end(Buffer.from(`${head}${withLength}\r\nconnection: close\r\n\r\n${body}`, 'latin1'));
    await once(sock, 'close');
  } finally {
    clearTimeout(timer);
    sock.destroy();
  }
  return parseResponse(Buffer.concat(chunks).toString('latin1'));
}

function parseResponse(text: string): RawResponse {
  const split = text.indexOf('\r\n\r\n');
  if (split < 0) throw new Error(`no response head in ${JSON.stringify(text)}`);
  const [status, ...lines] = text.slice(0, split).split('\r\n');
  const headers = lines.map((l): [string, string] => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]);
  return { status: Number(status.split(' ')[1]), headers, body: text.slice(split + 4) };
}

export interface NameServer {
  readonly name: string;
  readonly port: number;
  /** Request heads received, latest last. */
  readonly heads: string[];
  /** Extra response header lines (e.g. `Set-Cookie: JSESSIONID=x`) for the next responses. */
  responseHeaders: string[];
  close(): Promise<void>;
}

/** An HTTP/1.1 backend answering `200` with its name as the body, then closing. */
export async function startNameServer(name: string): Promise<NameServer> {
  const sockets = new Set<net.Socket>();
  const state: NameServer = { name, port: 0, heads: [], responseHeaders: [], close: async () => {} };
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      state.heads.push(buf.slice(0, end));
      const extra = state.responseHeaders.map((h) => `${h}\r\n`).join('');
      s.end(`HTTP/1.1 200 OK\r\ncontent-length: ${name.length}\r\n${extra}connection: close\r\n\r\n${name}`);
      buf = '';
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  const close = async (): Promise<void> => {
    for (const s of sockets) s.destroy();
    server.close();
    await once(server, 'close');
  };
  return Object.assign(state, { port, close });
}
