// Differential test of server connection reuse: the same script of keep-alive clients runs
// through HAProxy 2.6 and through `hapair proxy` on the same configuration text, once per
// `http-reuse` mode and connection option; for every request the backend reports which of its
// connections carried it (numbered in order of arrival) and whether the client connection stayed
// open (the response's connection header). The two traces must be equal. Between steps, a closed client is waited for in `show
// stat` (the frontend's scur), so the script does not depend on timing.
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { showStatRows } from './api-harness.ts';
import { HttpClient } from './http-harness.ts';
import { distinctFreePorts, type HaproxyRun, type OracleKind, oracleSides, starterOf } from './http-oracle-harness.ts';

/** Section name → its extra lines. */
const MODES: Record<string, string[]> = {
  safe: [],
  never: ['http-reuse never'],
  aggressive: ['http-reuse aggressive'],
  always: ['http-reuse always'],
  serverclose: ['option http-server-close'],
  httpclose: ['option httpclose'],
};
const NAMES = Object.keys(MODES);

/** A backend answering each request with the number of the connection it came on. */
interface CountingServer {
  readonly port: number;
  close(): Promise<void>;
}

async function countingServer(): Promise<CountingServer> {
  let conns = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    const id = conns++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
    let buf = '';
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
        const head = buf.slice(0, end);
        buf = buf.slice(end + 4);
        const body = `conn${id}`;
        const close = /\r\nconnection: *close/i.test(head);
        s.write(`HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n${close ? 'connection: close\r\n' : ''}\r\n${body}`);
        if (close) s.end();
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

function config(sock: string, ports: readonly number[], backends: readonly CountingServer[]): string {
  return `global
    nbthread 1
    stats socket ${sock} level admin
defaults
    mode http
    timeout client 10s
    timeout connect 5s
    timeout server 10s
${NAMES.map((name, i) => `listen ${name}
    bind 127.0.0.1:${ports[i]}
${MODES[name]!.map((l) => `    ${l}\n`).join('')}    server s 127.0.0.1:${backends[i]!.port}
`).join('')}`;
}

/** A step: a client opens, sends a request (path; a trailing `!` adds `connection: close`), or closes. */
type Step = readonly [client: string, action: 'open' | 'close' | `/${string}`];

const SCRIPT: Step[] = [
  ['A', 'open'], ['A', '/a1'],
  ['B', 'open'], ['B', '/b1'], ['A', '/a2'], ['B', '/b2'], ['A', '/a3'],
  ['A', 'close'],
  ['C', 'open'], ['C', '/c1'], ['C', '/c2'], ['B', '/b3'],
  ['B', 'close'], ['C', '/c3!'],
  ['D', 'open'], ['D', '/d1'], ['D', '/d2'],
  ['E', 'open'], ['E', '/e1'], ['D', 'close'], ['E', '/e2'], ['E', '/e3'],
];

interface Proxy {
  readonly run: HaproxyRun;
  readonly sock: string;
  readonly ports: number[];
  readonly backends: CountingServer[];
}

const dir = mkdtempSync(join(tmpdir(), 'hapair-reuse-'));
async function startOne(kind: OracleKind): Promise<Proxy> {
  const backends: CountingServer[] = [];
  for (let i = 0; i < NAMES.length; i++) backends.push(await countingServer());
  const ports = await distinctFreePorts(NAMES.length);
  const sock = join(dir, `${kind}.sock`);
  return { run: await starterOf(kind)(config(sock, ports, backends), ports), sock, ports, backends };
}

const proxies = oracleSides(startOne, async (p) => {
  await p.run.stop();
  for (const b of p.backends) await b.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the script on one section; the trace: per request, its server connection and whether the client stayed open. */
async function trace(p: Proxy, name: string): Promise<string[]> {
  const port = p.ports[NAMES.indexOf(name)]!;
  const clients = new Map<string, HttpClient>();
  const out: string[] = [];
  try {
    for (const [who, action] of SCRIPT) {
      const c = clients.get(who);
      if (action === 'open') {
        const client = new HttpClient(port);
        await once(client.socket, 'connect');
        clients.set(who, client);
      } else if (action === 'close') {
        // A client the proxy closed already is gone from `clients`.
        if (c === undefined) continue;
        c.socket.end();
        clients.delete(who);
        await waitForSessions(p, name, clients.size);
      } else if (c === undefined) {
        out.push(`${who} ${action}: not connected`);
      } else {
        const close = action.endsWith('!');
        c.send(`GET ${close ? action.slice(0, -1) : action} HTTP/1.1\r\nhost: t\r\n${close ? 'connection: close\r\n' : ''}\r\n`);
        const r = await c.read();
        out.push(`${who} ${action}: ${r.body} connection: ${r.headers.get('connection') ?? '-'}`);
        // A client the proxy closes is then waited for, as one that closes itself.
        if (r.headers.get('connection') === 'close') {
          await c.waitClosed();
          clients.delete(who);
          await waitForSessions(p, name, clients.size);
        }
      }
    }
  } finally {
    for (const c of clients.values()) c.socket.destroy();
  }
  await waitForSessions(p, name, 0);
  return out;
}

/** Wait (bounded) until the section's frontend counts `n` current sessions. */
async function waitForSessions(p: Proxy, name: string, n: number): Promise<void> {
  const deadline = Date.now() + 5000;
  for (let i = 0; i < 500; i++) {
    const rows = await showStatRows(p.sock);
    if (rows.get(`${name}/FRONTEND`)?.get('scur') === String(n)) return;
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${name}: the frontend did not come to ${n} sessions`);
}

describe('server connection reuse: the same connections carry the same requests as in HAProxy 2.6', () => {
  it.each(NAMES)('%s', async (name) => {
    const ref = await trace(proxies.haproxy, name);
    const ours = await trace(proxies.hapair, name);
    expect(ours).toEqual(ref);
  }, 30_000);
});
