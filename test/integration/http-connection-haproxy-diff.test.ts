// Differential test of the connection header and of connection persistence on both sides: for
// each connection mode (keep-alive, http-server-close, httpclose), each kind of client request
// (HTTP/1.1 or 1.0, with or without `connection: close|keep-alive`) and each kind of server
// response (1.1, 1.1 + close or keep-alive, 1.0, 1.0 + keep-alive, close-delimited, chunked), the same request
// goes through HAProxy 2.6 and through `hapair proxy`. Compared: the request line and connection
// header the server got, the client's status line, framing and connection headers and body,
// and whether a second request on the same client connection is answered, and on the same
// server connection. The same for local answers (deny, return, redirect, auth, 503 without a
// server, 502 for an invalid response, 504 after timeout server). No timing: the second request
// is what tells whether a side was kept.
import { once } from 'node:events';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { HttpClient } from './http-harness.ts';
import { distinctFreePorts, type HaproxyRun, type OracleKind, oracleSides, starterOf } from './http-oracle-harness.ts';

const MODES: Record<string, string[]> = {
  keepalive: [],
  serverclose: ['option http-server-close'],
  httpclose: ['option httpclose'],
  /** The section of local answers (LOCAL below), in keep-alive mode. */
  local: [],
};
const MODE_NAMES = Object.keys(MODES);

/** The section of local answers (and of the 502/504 the proxy makes of a bad or silent server). */
const LOCAL = `    http-request deny if { path /deny }
    http-request deny deny_status 429 if { path /deny429 }
    http-request return status 200 content-type text/plain string ok if { path /ret }
    http-request redirect location /elsewhere code 302 if { path /redir }
    http-request auth realm R if { path /auth }
    use_backend nosrv if { path /nosrv }
`;
/** Paths of the local-answer cases. */
const LOCAL_PATHS = ['deny', 'deny429', 'ret', 'redir', 'auth', 'nosrv', 'bad', 'silent'];

/** Client request kinds: the request line's version and extra header lines. */
const CLIENTS: Record<string, { version: string; headers: string[] }> = {
  h11: { version: 'HTTP/1.1', headers: [] },
  h11close: { version: 'HTTP/1.1', headers: ['Connection: close'] },
  h11ka: { version: 'HTTP/1.1', headers: ['Connection: keep-alive'] },
  h10: { version: 'HTTP/1.0', headers: [] },
  h10ka: { version: 'HTTP/1.0', headers: ['Connection: keep-alive'] },
  h10close: { version: 'HTTP/1.0', headers: ['Connection: close'] },
};

/** Server response kinds: the bytes sent, and whether the server closes after them. */
const RESPONSES: Record<string, { bytes: string; close: boolean }> = {
  // For the local answers below: an invalid response (502), none at all (504).
  bad: { bytes: 'HTTP/1.1 abc\r\n\r\n', close: false },
  silent: { bytes: '', close: false },
  r11: { bytes: 'HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nr11', close: false },
  r11close: { bytes: 'HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 3\r\n\r\nr1c', close: true },
  r11ka: { bytes: 'HTTP/1.1 200 OK\r\nConnection: Keep-Alive\r\ncontent-length: 3\r\n\r\nrka', close: false },
  r10: { bytes: 'HTTP/1.0 200 OK\r\ncontent-length: 3\r\n\r\nr10', close: true },
  r10ka: { bytes: 'HTTP/1.0 200 OK\r\nconnection: keep-alive\r\ncontent-length: 3\r\n\r\nr1k', close: false },
  r11eof: { bytes: 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\neof-body', close: true },
  r11chunked: { bytes: 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nchk\r\n0\r\n\r\n', close: false },
};

interface Backend {
  readonly port: number;
  /** Per request: `conn<N> <request line> | connection: <value>`. */
  readonly seen: string[];
  close(): Promise<void>;
}

async function backend(): Promise<Backend> {
  let conns = 0;
  const seen: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    const id = conns++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
    let buf = '';
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [line, ...fields] = buf.slice(0, end).split('\r\n');
      buf = buf.slice(end + 4);
      const conn = fields.find((f) => /^connection:/i.test(f))?.slice(11).trim() ?? '-';
      seen.push(`conn${id} ${line} | connection: ${conn}`);
      const kind = RESPONSES[line!.split(' ')[1]!.slice(1)] ?? RESPONSES.r11!;
      if (kind.bytes !== '') s.write(kind.bytes);
      if (kind.close) s.end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    seen,
    close: async () => {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

function config(ports: readonly number[], backends: readonly Backend[]): string {
  return `global
    nbthread 1
defaults
    mode http
    timeout client 5s
    timeout connect 5s
    timeout server 5s
${MODE_NAMES.map((name, i) => `listen ${name}
    bind 127.0.0.1:${ports[i]}
    http-reuse never
${name === 'local' ? `${LOCAL}    timeout server 300ms\n` : ''}${MODES[name]!.map((l) => `    ${l}\n`).join('')}    server s 127.0.0.1:${backends[i]!.port}
`).join('')}backend nosrv
`;
}

interface Side {
  readonly run: HaproxyRun;
  readonly ports: number[];
  readonly backends: Backend[];
}

async function startSide(kind: OracleKind): Promise<Side> {
  const backends: Backend[] = [];
  for (let i = 0; i < MODE_NAMES.length; i++) backends.push(await backend());
  // After the backends took their ports: a port free a moment ago could be one of theirs.
  const ports = await distinctFreePorts(MODE_NAMES.length);
  return { run: await starterOf(kind)(config(ports, backends), ports), ports, backends };
}

const sides = oracleSides(startSide, async (s) => {
  await s.run.stop();
  for (const b of s.backends) await b.close();
});

/** Response header fields compared (framing and persistence). */
const SHOWN = ['connection', 'content-length', 'transfer-encoding'];

async function exchange(side: Side, mode: string, client: string, response: string): Promise<unknown> {
  const i = MODE_NAMES.indexOf(mode);
  const be = side.backends[i]!;
  const from = be.seen.length;
  const { version, headers } = CLIENTS[client]!;
  const c = new HttpClient(side.ports[i]!);
  try {
    await once(c.socket, 'connect');
    const request = (path: string): string => [`GET ${path} ${version}`, 'Host: t', ...headers, '', ''].join('\r\n');
    c.send(request(`/${response}`));
    const r = await c.read();
    const [status] = r.head.split('\r\n');
    const first = { status, headers: SHOWN.map((h) => `${h}: ${r.headers.get(h) ?? '-'}`), body: r.body };
    // The second request: answered (on which server connection) or not.
    let second: string;
    if (c.closed) second = 'client closed';
    else {
      c.send(request('/r11'));
      second = await c.read().then((r2) => r2.body, () => 'client closed');
    }
    return { first, second, server: be.seen.slice(from).map((l, k, all) => l.replace(/^conn\d+/, all[0]!.split(' ')[0] === l.split(' ')[0] ? 'same' : 'other')) };
  } finally {
    c.socket.destroy();
  }
}

const SERVED = Object.keys(RESPONSES).filter((r) => r !== 'bad' && r !== 'silent');
const CASES = MODE_NAMES.filter((m) => m !== 'local').flatMap((m) => Object.keys(CLIENTS).flatMap((c) => SERVED.map((r) => [m, c, r] as const)));

describe('local answers (deny, return, redirect, auth, 503, 502, 504) on kept-alive connections, as HAProxy 2.6', () => {
  const local = Object.keys(CLIENTS).flatMap((c) => LOCAL_PATHS.map((p) => [c, p] as const));
  it.each(local)('client %s, /%s', async (client, path) => {
    const ref = await exchange(sides.haproxy, 'local', client, path);
    const ours = await exchange(sides.hapair, 'local', client, path);
    expect(ours).toEqual(ref);
  });
});

describe('connection headers and persistence: hapair does what HAProxy 2.6 does', () => {
  it.each(CASES)('%s, client %s, server %s', async (mode, client, response) => {
    const ref = await exchange(sides.haproxy, mode, client, response);
    const ours = await exchange(sides.hapair, mode, client, response);
    expect(ours).toEqual(ref);
  });
});
