// `http-request tarpit [deny_status N]` and `timeout tarpit` (HAProxy configuration.txt 4.2): the
// request is dropped and the client held for the tarpit timeout of the proxy whose rule matched
// (a frontend without one answers at once, a section with a connect timeout falls back to it),
// then it gets the status page as a server error, logged `PT`. The same requests go through
// HAProxy 2.6 and hapair; compared: the client's bytes and whether its connection serves a next
// request, the log line (timers as -1 or not), the order in which concurrent tarpits end (their
// timeouts differ by 100 ms or more: the order shows which timeout each used, with no timing
// assertion), clients that leave or half-close while held, and the dreq/hrsp counters.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startHttpResponder, type TestTcpServer } from '../support/servers.ts';
import { showStatRows } from './api-harness.ts';
import { type OracleKind, oracleSides, starterOf } from './http-oracle-harness.ts';
import { logLineWith, type LoggedRun, startLoggedRun, stopLoggedRuns } from './logged-run.ts';

/** Entry points: a frontend with timeout tarpit 300ms, one without, a listen falling back to timeout connect (400ms). */
const ENTRIES = ['fe', 'fe0', 'ls'] as const;
type Entry = (typeof ENTRIES)[number];

const dir = mkdtempSync(join(tmpdir(), 'hapair-tarpit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Side {
  readonly run: LoggedRun;
  readonly sock: string;
  readonly web: TestTcpServer;
}

const OK = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok';

async function startSide(kind: OracleKind): Promise<Side> {
  const web = await startHttpResponder(() => OK);
  const sock = join(dir, `${kind}.sock`);
  const server = `    server s 127.0.0.1:${web.port}\n`;
  const run = await startLoggedRun(starterOf(kind), ENTRIES.length, (logPort, ports) => `global
    nbthread 1
    stats socket ${sock} level admin
defaults
    mode http
    timeout client 5s
    timeout connect 400ms
    timeout server 5s
    log 127.0.0.1:${logPort} format raw local0
    log-format "%HU %ST %ts %B %U %b/%s %TR/%Tw/%Tc/%Tr/%Ta"
frontend fe
    bind 127.0.0.1:${ports[0]}
    timeout tarpit 300ms
    http-request tarpit if { path_beg /tp }
    http-request tarpit deny_status 429 if { path_beg /t429 }
    use_backend be_rule if { path_beg /be }
    default_backend be
frontend fe0
    bind 127.0.0.1:${ports[1]}
    http-request tarpit if { path_beg /tp }
    default_backend be
listen ls
    bind 127.0.0.1:${ports[2]}
    http-request tarpit if { path_beg /tp }
${server}backend be_rule
    timeout tarpit 200ms
    http-request tarpit if { path_beg /be/tp }
${server}backend be
${server}`);
  return { run, sock, web };
}

const sides = oracleSides(startSide, async (s) => {
  await stopLoggedRuns([s.run]);
  await s.web.close();
});

function port(side: Side, entry: Entry): number {
  return side.run.ports[ENTRIES.indexOf(entry)]!;
}

/** A client connection collecting what it receives. */
function connect(p: number): { socket: net.Socket; got: () => string; closed: Promise<void> } {
  const socket = net.connect(p, '127.0.0.1');
  let got = '';
  socket.on('data', (d: Buffer) => (got += d.toString('latin1')));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return { socket, got: () => got, closed };
}

/** Until `cond` holds (bounded: 5 s). */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 250; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const complete = (text: string, n: number): boolean => {
  let count = 0;
  let at = 0;
  for (;;) {
    const head = text.indexOf('\r\n\r\n', at);
    if (head < 0) return false;
    const len = Number(/content-length: (\d+)/i.exec(text.slice(at, head))?.[1] ?? 0);
    if (text.length < head + 4 + len) return false;
    at = head + 4 + len;
    if (++count === n) return true;
  }
};

/** The log line of `path`, its timers shown as `-1` or `N`. */
async function logOf(side: Side, path: string): Promise<string> {
  const line = await logLineWith(side.run, `${path} `);
  return line.replace(/(-?\d+)\/(-?\d+)\/(-?\d+)\/(-?\d+)\/(-?\d+)$/, (...m: string[]) => m.slice(1, 6).map((t) => (t === '-1' ? '-1' : 'N')).join('/'));
}

/** `path` on `entry`, then `/ok` on the same connection: the bytes received and the log line. */
async function exchange(side: Side, entry: Entry, path: string): Promise<{ got: string; log: string }> {
  const c = connect(port(side, entry));
  try {
    c.socket.write(`GET ${path} HTTP/1.1\r\nhost: x\r\n\r\n`);
    await until(() => complete(c.got(), 1), `the answer to ${path}`);
    c.socket.write('GET /ok HTTP/1.1\r\nhost: x\r\n\r\n');
    await until(() => complete(c.got(), 2) || c.socket.destroyed, `the answer to /ok after ${path}`);
    return { got: c.got(), log: await logOf(side, path) };
  } finally {
    c.socket.destroy();
  }
}

const CASES: [Entry, string][] = [
  ['fe', '/tp1'], ['fe', '/t429'], ['fe', '/be/tp1'], ['fe', '/be/x'], ['fe', '/x'], ['fe0', '/tp1'], ['ls', '/tp1'],
];

describe('http-request tarpit: what HAProxy 2.6 does', () => {
  it.each(CASES)('%s %s: the answer, the next request on the connection and the log', async (entry, path) => {
    const ref = await exchange(sides.haproxy, entry, path);
    const ours = await exchange(sides.hapair, entry, path);
    expect(ours).toEqual(ref);
  });

  it('concurrent tarpits end in the order of the timeout each proxy applies', async () => {
    const orders: string[][] = [];
    for (const side of [sides.haproxy, sides.hapair]) {
      const order: string[] = [];
      const runs = ([['ls', '/tp-order'], ['fe', '/tp-order'], ['fe', '/be/tp-order'], ['fe0', '/tp-order']] as const).map(async ([entry, path]) => {
        const c = connect(port(side, entry));
        c.socket.write(`GET ${path} HTTP/1.1\r\nhost: x\r\n\r\n`);
        await until(() => complete(c.got(), 1), `${entry} ${path}`);
        order.push(`${entry} ${path}`);
        c.socket.destroy();
      });
      await Promise.all(runs);
      orders.push(order);
    }
    expect(orders[0]).toEqual(['fe0 /tp-order', 'fe /be/tp-order', 'fe /tp-order', 'ls /tp-order']);
    expect(orders[1]).toEqual(orders[0]);
  });

  it.each(['leaves', 'half-closes'] as const)('a client that %s while held: what it gets and the log', async (how) => {
    const got: unknown[] = [];
    for (const side of [sides.haproxy, sides.hapair]) {
      const path = `/tp-${how}`;
      const c = connect(port(side, 'fe'));
      c.socket.write(`GET ${path} HTTP/1.1\r\nhost: x\r\n\r\n`);
      // Time for the request to reach the proxy (the tarpit holds it 300 ms, so nothing has come back).
      await new Promise((r) => setTimeout(r, 50));
      if (how === 'leaves') c.socket.destroy();
      else c.socket.end();
      await c.closed;
      got.push({ answer: c.got().split('\r\n')[0], log: await logOf(side, path) });
    }
    expect(got[1]).toEqual(got[0]);
  });

  it('dreq and the hrsp counters of the frontends and the backend whose rule matched', async () => {
    const pick = async (side: Side): Promise<string[]> => {
      const rows = await showStatRows(side.sock);
      return ['fe/FRONTEND', 'fe0/FRONTEND', 'ls/FRONTEND', 'ls/BACKEND', 'be_rule/BACKEND', 'be/BACKEND'].map((k) => {
        const r = rows.get(k)!;
        return `${k} dreq=${r.get('dreq')} 2xx=${r.get('hrsp_2xx')} 4xx=${r.get('hrsp_4xx')} 5xx=${r.get('hrsp_5xx')}`;
      });
    };
    expect(await pick(sides.hapair)).toEqual(await pick(sides.haproxy));
  });
});
