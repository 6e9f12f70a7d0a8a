// Differential test of clients that leave early, with and without `option abortonclose`: a
// client closes (half-close or full close) while its request waits in the queue of a server at
// maxconn, or while the server works on it. The same script runs through HAProxy 2.6 and
// `hapair proxy`; compared: the log lines (path, status, termination state, bytes), the
// requests the server got, and what each client received. The script waits on the proxies'
// `show stat` counters and on the log, not on time.
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { showStatRows } from './api-harness.ts';
import { type OracleKind, oracleSides, starterOf } from './http-oracle-harness.ts';
import { type LoggedRun, startLoggedRun, stopLoggedRuns } from './logged-run.ts';

const SECTIONS = { on: ['option abortonclose'], off: [] as string[] };
type Section = keyof typeof SECTIONS;
const NAMES = Object.keys(SECTIONS) as Section[];

/** A backend that holds every request until release() answers them all. */
interface HoldingServer {
  readonly port: number;
  readonly paths: string[];
  readonly held: number;
  release(): void;
  close(): Promise<void>;
}

async function holdingServer(): Promise<HoldingServer> {
  const paths: string[] = [];
  let held: net.Socket[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
    let buf = '';
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      paths.push(buf.split(' ')[1]!);
      buf = buf.slice(end + 4);
      held.push(s);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    paths,
    get held() {
      return held.length;
    },
    release() {
      for (const s of held) if (!s.destroyed) s.write('HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\ndone');
      held = [];
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

interface Side {
  readonly run: LoggedRun;
  readonly sock: string;
  readonly backends: Record<Section, HoldingServer>;
}

const dir = mkdtempSync(join(tmpdir(), 'hapair-abort-'));
async function startSide(kind: OracleKind): Promise<Side> {
  const backends = { on: await holdingServer(), off: await holdingServer() };
  const sock = join(dir, `${kind}.sock`);
  const run = await startLoggedRun(starterOf(kind), NAMES.length, (logPort, ports) => `global
    nbthread 1
    stats socket ${sock} level admin
defaults
    mode http
    timeout client 5s
    timeout connect 5s
    timeout server 5s
    timeout queue 5s
    log 127.0.0.1:${logPort} format raw local0
    log-format "%HP %ST %ts %B"
${NAMES.map((name, i) => `listen ${name}
    bind 127.0.0.1:${ports[i]}
${SECTIONS[name].map((l) => `    ${l}\n`).join('')}    server s 127.0.0.1:${backends[name].port} maxconn 1
`).join('')}`);
  return { run, sock, backends };
}

const sides = oracleSides(startSide, async (s) => {
  await stopLoggedRuns([s.run]);
  for (const b of Object.values(s.backends)) await b.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Poll (bounded) until `cond` holds; false if it did not within `ms`. */
async function until(cond: () => boolean | Promise<boolean>, ms = 3000): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (let i = 0; i < 1000 && Date.now() < deadline; i++) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

async function stat(side: Side, name: Section, field: string): Promise<string> {
  return (await showStatRows(side.sock)).get(`${name}/s`)?.get(field) ?? '';
}

interface Client {
  readonly socket: net.Socket;
  received: string;
}

async function send(side: Side, name: Section, path: string): Promise<Client> {
  const socket = net.connect({ port: side.run.ports[NAMES.indexOf(name)]!, host: '127.0.0.1', allowHalfOpen: true });
  const c: Client = { socket, received: '' };
  socket.on('data', (d: Buffer) => (c.received += d.toString('latin1')));
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  socket.write(`GET ${path} HTTP/1.1\r\nhost: t\r\n\r\n`);
  return c;
}

type How = 'end' | 'destroy';

/** A client leaves while its request is queued behind another one the server holds. */
async function leaveQueued(side: Side, name: Section, how: How): Promise<unknown> {
  const be = side.backends[name];
  const from = { log: side.run.lines.length, paths: be.paths.length };
  const tag = `/q-${how}`;
  const a = await send(side, name, `${tag}-a`);
  await until(() => be.held > 0);
  const b = await send(side, name, `${tag}-b`);
  await until(async () => (await stat(side, name, 'qcur')) === '1');
  b.socket[how]();
  // With abortonclose the queued request goes (qcur 0, a log line); without, it stays.
  await until(async () => (await stat(side, name, 'qcur')) === '0', name === 'on' ? 3000 : 300);
  be.release();
  await until(() => be.held > 0 || side.run.lines.length - from.log >= 2, 1000);
  be.release();
  await until(() => side.run.lines.length - from.log >= 2);
  const result = { log: side.run.lines.slice(from.log).sort(), server: be.paths.slice(from.paths), a: a.received.split('\r\n')[0], b: b.received.split('\r\n')[0] };
  a.socket.destroy();
  b.socket.destroy();
  await until(async () => (await stat(side, name, 'scur')) === '0');
  return result;
}

/** A client leaves while the server holds its request. */
async function leaveAtServer(side: Side, name: Section, how: How): Promise<unknown> {
  const be = side.backends[name];
  const from = { log: side.run.lines.length, paths: be.paths.length };
  const a = await send(side, name, `/s-${how}`);
  await until(() => be.held > 0);
  a.socket[how]();
  // With abortonclose the proxy gives up on the server (a log line); without, it waits for the answer.
  await until(() => side.run.lines.length > from.log, name === 'on' ? 3000 : 300);
  be.release();
  await until(() => side.run.lines.length > from.log);
  const result = { log: side.run.lines.slice(from.log), server: be.paths.slice(from.paths), a: a.received.split('\r\n')[0] };
  a.socket.destroy();
  await until(async () => (await stat(side, name, 'scur')) === '0');
  return result;
}

const CASES = NAMES.flatMap((name) => (['end', 'destroy'] as How[]).map((how) => [name, how] as const));

describe('clients leaving early, abortonclose on and off: as HAProxy 2.6', () => {
  it.each(CASES)('abortonclose %s, client %s while queued', async (name, how) => {
    const ref = await leaveQueued(sides.haproxy, name, how);
    const ours = await leaveQueued(sides.hapair, name, how);
    expect(ours).toEqual(ref);
  }, 30_000);

  it.each(CASES)('abortonclose %s, client %s while the server works', async (name, how) => {
    const ref = await leaveAtServer(sides.haproxy, name, how);
    const ours = await leaveAtServer(sides.hapair, name, how);
    expect(ours).toEqual(ref);
  }, 30_000);
});
