// Differential test of `http-send-name-header <name>`: the same configuration text runs in HAProxy
// 2.6 and in `hapair proxy`; compared per request: the status the client gets and every request
// head each server got, in order. Covers the header written last (after x-forwarded-for,
// x-original-to and the connection header the proxy adds), a client's own fields of that name
// removed whatever their case, `Host` as the name, forwardfor's header of the same name replaced,
// the keyword inherited from defaults and ignored in a frontend, roundrobin, and the name of the
// server of each attempt on a connect-failure redispatch and on a layer-7 retry.
import net from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distinctFreePorts, type HaproxyRun, rawRequest, startHapairProxy, startHaproxy } from './http-oracle-harness.ts';

/** A backend that records each request head with its name and answers `status`. */
interface Recorder {
  readonly name: string;
  readonly port: number;
  close(): Promise<void>;
}

const received: string[] = [];

async function startRecorder(name: string, status: number): Promise<Recorder> {
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
      received.push(`${name} <- ${buf.slice(0, end)}`);
      buf = '';
      s.end(`HTTP/1.1 ${status} X\r\ncontent-length: ${name.length}\r\nconnection: close\r\n\r\n${name}`);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    name,
    port: (server.address() as net.AddressInfo).port,
    async close() {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Listen (or frontend) sections; `A`, `B`, `BAD`, `DEAD` stand for the servers' ports. */
const SECTIONS: Record<string, string[]> = {
  plain: ['http-send-name-header X-Server', 'server a 127.0.0.1:A'],
  host: ['http-send-name-header Host', 'server a 127.0.0.1:A'],
  ffsame: ['option forwardfor header X-Server', 'http-send-name-header x-SERVER', 'server a 127.0.0.1:A'],
  withall: ['option forwardfor', 'option originalto', 'option http-server-close', 'http-send-name-header X-Srv', 'server a 127.0.0.1:A'],
  rr: ['balance roundrobin', 'http-send-name-header X-Server', 'server a 127.0.0.1:A', 'server b 127.0.0.1:B'],
  redisp: ['balance first', 'retries 1', 'option redispatch', 'timeout connect 1s', 'http-send-name-header X-Server', 'server dead 127.0.0.1:DEAD', 'server a 127.0.0.1:A'],
  l7: ['balance first', 'retries 1', 'option redispatch', 'retry-on 503', 'http-send-name-header X-Server', 'server bad 127.0.0.1:BAD', 'server a 127.0.0.1:A'],
};
/** Frontends: `fekw` has the keyword itself (ignored there), `fe` uses a backend that has it. */
const FRONTENDS: Record<string, { fe: string[]; be: string[] }> = {
  fekw: { fe: ['http-send-name-header X-Fe'], be: ['server a 127.0.0.1:A'] },
  fe: { fe: [], be: ['http-send-name-header X-Be', 'server a 127.0.0.1:A'] },
};
/** After a second defaults section that has the keyword. */
const INHERITED = 'inherited';
const NAMES = [...Object.keys(SECTIONS), ...Object.keys(FRONTENDS), INHERITED];

function config(ports: readonly number[], servers: Readonly<Record<string, number>>): string {
  const fill = (l: string): string => l.replace(/:(A|B|BAD|DEAD)$/, (_m, k: string) => `:${servers[k]}`);
  const port = (name: string): number => ports[NAMES.indexOf(name)]!;
  const defaults = 'defaults\n    mode http\n    timeout client 5s\n    timeout connect 5s\n    timeout server 5s\n';
  const listens = Object.entries(SECTIONS).map(([name, lines]) => `listen ${name}\n    bind 127.0.0.1:${port(name)}\n${lines.map((l) => `    ${fill(l)}\n`).join('')}`);
  const fes = Object.entries(FRONTENDS).map(([name, { fe, be }]) => `frontend ${name}
    bind 127.0.0.1:${port(name)}
${fe.map((l) => `    ${l}\n`).join('')}    default_backend be_${name}
backend be_${name}
${be.map((l) => `    ${fill(l)}\n`).join('')}`);
  return `${defaults}${listens.join('')}${fes.join('')}${defaults}    http-send-name-header X-Inherited
listen ${INHERITED}
    bind 127.0.0.1:${port(INHERITED)}
    server a 127.0.0.1:${servers.A}
`;
}

const HEADER_SETS: readonly (readonly string[])[] = [
  [],
  ['X-Server: fake', 'x-server: fake2', 'X-Srv: s', 'X-Be: b', 'X-Fe: f', 'X-Inherited: i', 'X-Other: o'],
];

let recorders: Recorder[] = [];
let haproxy: HaproxyRun | undefined;
let hapair: HaproxyRun | undefined;
let ports: number[];

beforeAll(async () => {
  recorders = [await startRecorder('a', 200), await startRecorder('b', 200), await startRecorder('bad', 503)];
  const [dead] = await distinctFreePorts(1);
  const servers = { A: recorders[0]!.port, B: recorders[1]!.port, BAD: recorders[2]!.port, DEAD: dead! };
  ports = await distinctFreePorts(2 * NAMES.length);
  haproxy = await startHaproxy(config(ports.slice(0, NAMES.length), servers), ports.slice(0, NAMES.length));
  hapair = await startHapairProxy(config(ports.slice(NAMES.length), servers), ports.slice(NAMES.length));
}, 60_000);

afterAll(async () => {
  await haproxy?.stop();
  await hapair?.stop();
  for (const r of recorders) await r.close();
});

/** Status and the heads the servers got for `count` requests, one connection each. */
async function through(port: number, headers: readonly string[], count: number): Promise<{ statuses: number[]; heads: string[] }> {
  const before = received.length;
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) {
    const r = await rawRequest(port, ['GET /sn HTTP/1.1', 'Host: example.com', ...headers].join('\r\n'));
    statuses.push(r.status);
  }
  return { statuses, heads: received.slice(before) };
}

const CASES = NAMES.flatMap((name) => HEADER_SETS.map((headers) => [`${name}: ${headers.join(' | ') || '(no headers)'}`, name, headers] as const));

describe('http-send-name-header: the servers get the heads HAProxy 2.6 sends', () => {
  it.each(CASES)('%s', async (_label, name, headers) => {
    const i = NAMES.indexOf(name);
    // Two requests, so that roundrobin shows both servers.
    const ref = await through(ports[i]!, headers, 2);
    const ours = await through(ports[NAMES.length + i]!, headers, 2);
    expect(ref.heads.length).toBeGreaterThanOrEqual(2);
    expect(ours).toEqual(ref);
  });

  it('names the server of each attempt: the redispatched one, the one a layer-7 retry moved to', async () => {
    const redisp = await through(ports[NAMES.length + NAMES.indexOf('redisp')]!, [], 1);
    expect(redisp.heads).toEqual(['a <- GET /sn HTTP/1.1\r\nhost: example.com\r\nx-server: a']);
    const l7 = await through(ports[NAMES.length + NAMES.indexOf('l7')]!, ['X-Server: fake'], 1);
    expect(l7.heads).toEqual(['bad <- GET /sn HTTP/1.1\r\nhost: example.com\r\nx-server: bad', 'a <- GET /sn HTTP/1.1\r\nhost: example.com\r\nx-server: a']);
  });
});
