// Differential test of `monitor-uri` and `monitor fail` (configuration.txt 4.2) with the `nbsrv`
// fetch: the same config and the same bytes go through HAProxy 2.6 and `hapair proxy`. Compared:
// every response byte for byte (status line, headers, body), whether the connection then serves a
// second request, for monitor hits (1.0, 1.1, close, keep-alive, HEAD, POST with a whole, chunked
// or partial body, absolute URI, `*`, inherited from defaults, a 1.0 errorfile 200), near misses
// (query string, trailing slash, other case, pipelined after a hit), `monitor fail` on a request
// header, with a backend
// whose only checked server refuses connections, with backups (`option allbackups` or not), and
// before/after the runtime API disables a server; then the access-log lines (monitor requests are
// not logged) and the `show stat` counters. Waits are on `show stat`, the log and the responses.
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ask, showStatRows } from './api-harness.ts';
import { distinctFreePorts, type NameServer, type OracleKind, oracleSides, startNameServer, starterOf } from './http-oracle-harness.ts';
import { logLineWith, type LoggedRun, startLoggedRun, stopLoggedRuns } from './logged-run.ts';

const dir = mkdtempSync(join(tmpdir(), 'hapair-monitor-'));
const ERRORFILE = join(dir, '200.http');
writeFileSync(ERRORFILE, 'HTTP/1.0 200 OK\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\ncustom ok\n');

/** The frontends, in port order, with their own lines (the defaults set `monitor-uri /dmon`). */
const FRONTENDS: Record<string, string[]> = {
  up: ['monitor-uri /mon', 'acl dead nbsrv(be_up) lt 1', 'monitor fail if dead', 'http-request deny if { path /mon }', 'default_backend be_up'],
  down: ['monitor-uri /mon', 'monitor fail if { nbsrv(be_down) lt 1 }', 'default_backend be_up'],
  star: ['monitor-uri *', 'default_backend be_up'],
  inherit: ['monitor fail unless { nbsrv(bk) eq 1 }', 'default_backend be_up'],
  custom: ['monitor-uri /mon', `errorfile 200 ${ERRORFILE}`, 'default_backend be_up'],
  emptyif: ['monitor-uri /mon', 'monitor fail if', 'default_backend be_up'],
  emptyunless: ['monitor-uri /mon', 'monitor fail unless', 'default_backend be_up'],
  hdrfail: ['monitor-uri /mon', 'monitor fail if { req.hdr(x-fail) -m found }', 'default_backend be_up'],
};
const NAMES = Object.keys(FRONTENDS);
/** `nbsrv` of each backend, and without argument in a listen (its own one server). */
const COUNTS = 'http-request return status 200 content-type text/plain lf-string "%[nbsrv(bk)] %[nbsrv(bkall)] %[nbsrv(be_down)] %[nbsrv(be_up)] %[nbsrv]" if { path /n }';

interface Side {
  readonly run: LoggedRun;
  readonly sock: string;
  readonly up: NameServer;
  port(name: string): number;
}

async function startSide(kind: OracleKind): Promise<Side> {
  const up = await startNameServer('up');
  const [refused] = await distinctFreePorts(1);
  const sock = join(dir, `${kind}.sock`);
  const srv = `127.0.0.1:${up.port}`;
  const run = await startLoggedRun(starterOf(kind), NAMES.length + 1, (logPort, ports) => `global
    nbthread 1
    stats socket ${sock} level admin
defaults
    mode http
    timeout client 5s
    timeout connect 5s
    timeout server 5s
    log 127.0.0.1:${logPort} local0
    option httplog
    monitor-uri /dmon
${NAMES.map((name, i) => `frontend ${name}
    bind 127.0.0.1:${ports[i]}
${FRONTENDS[name]!.map((l) => `    ${l}\n`).join('')}`).join('')}listen counts
    bind 127.0.0.1:${ports[NAMES.length]}
    ${COUNTS}
    server s ${srv}
backend be_up
    server s1 ${srv}
backend be_down
    server s1 127.0.0.1:${refused} check inter 100 fall 1 rise 1
    server s2 ${srv} disabled
backend bk
    server a ${srv} disabled
    server b1 ${srv} backup
    server b2 ${srv} backup
backend bkall
    option allbackups
    server a ${srv} disabled
    server b1 ${srv} backup
    server b2 ${srv} backup
`);
  const all = [...NAMES, 'counts'];
  return { run, sock, up, port: (name) => run.ports[all.indexOf(name)]! };
}

const sides = oracleSides(startSide, async (s) => {
  await stopLoggedRuns([s.run]);
  await s.up.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A client connection that reads whole responses (content-length, bodiless, or up to the close). */
class Conn {
  readonly sock: net.Socket;
  #buf = '';
  #ended = false;
  #wake: (() => void) | null = null;

  constructor(port: number) {
    this.sock = net.connect({ port, host: '127.0.0.1' });
    this.sock.on('data', (d: Buffer) => {
      this.#buf += d.toString('latin1');
      this.#notify();
    });
    const end = (): void => {
      this.#ended = true;
      this.#notify();
    };
    this.sock.on('end', end);
    this.sock.on('close', end);
    this.sock.on('error', end);
    // Bounds every wait of this connection.
    this.sock.setTimeout(5000, () => this.sock.destroy());
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  /** The next response; `<closed>` marks a close before (or instead of) its end. */
  async response(head: boolean): Promise<string> {
    for (;;) {
      const n = completeLength(this.#buf, head, this.#ended);
      if (n > 0) {
        const r = this.#buf.slice(0, n);
        this.#buf = this.#buf.slice(n);
        return r;
      }
      if (this.#ended) {
        const rest = this.#buf;
        this.#buf = '';
        return `${rest}<closed>`;
      }
      await new Promise<void>((r) => (this.#wake = r));
    }
  }

  send(bytes: string): void {
    if (!this.#ended) this.sock.write(bytes, 'latin1');
  }
}

/** Length of the first whole response in `buf`, 0 when incomplete. */
function completeLength(buf: string, head: boolean, ended: boolean): number {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return 0;
  const headLen = end + 4;
  const status = Number(buf.slice(9, 12));
  if (head || status === 204 || status === 304 || (status >= 100 && status < 200)) return headLen;
  const cl = /\r\ncontent-length: *(\d+)/i.exec(buf.slice(0, end));
  if (cl === null) return ended ? buf.length : 0;
  const total = headLen + Number(cl[1]);
  return buf.length >= total ? total : 0;
}

interface Case {
  readonly fe: string;
  /** Bytes sent, each followed by reading `responses` responses (1 by default). */
  readonly writes: readonly (string | { readonly bytes: string; readonly responses: number })[];
  readonly head?: boolean;
}

const GET = (target: string, extra = ''): string => `GET ${target} HTTP/1.1\r\nhost: x\r\n${extra}\r\n`;

const CASES: Record<string, Case> = {
  hit: { fe: 'up', writes: [GET('/mon')] },
  hit10: { fe: 'up', writes: ['GET /mon HTTP/1.0\r\n\r\n'] },
  hit10ka: { fe: 'up', writes: ['GET /mon HTTP/1.0\r\nconnection: keep-alive\r\n\r\n'] },
  hit11close: { fe: 'up', writes: [GET('/mon', 'connection: close\r\n')] },
  head: { fe: 'up', writes: ['HEAD /mon HTTP/1.1\r\nhost: x\r\n\r\n'], head: true },
  post: { fe: 'up', writes: ['POST /mon HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\n\r\nhello'] },
  postPartial: { fe: 'up', writes: ['POST /mon HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\n\r\nhe'] },
  chunked: { fe: 'up', writes: ['POST /mon HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'] },
  absolute: { fe: 'up', writes: ['GET http://example.com/mon HTTP/1.1\r\nhost: example.com\r\n\r\n'] },
  // Not the monitor URI: the http-request rules run (deny on `path /mon`), a whole body skipped as for a monitor request.
  upQuery: { fe: 'up', writes: [GET('/mon?x')] },
  denyPost: { fe: 'up', writes: ['POST /mon?x HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\n\r\nhello'] },
  denyChunked: { fe: 'up', writes: ['POST /mon?x HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'] },
  denyPartial: { fe: 'up', writes: ['POST /mon?x HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\n\r\nhe'] },
  downHit: { fe: 'down', writes: [GET('/mon')] },
  downQuery: { fe: 'down', writes: [GET('/mon?x')] },
  downSlash: { fe: 'down', writes: [GET('/mon/')] },
  downCase: { fe: 'down', writes: [GET('/MON')] },
  downDefault: { fe: 'down', writes: [GET('/dmon')] },
  pipelined: { fe: 'down', writes: [{ bytes: GET('/mon') + GET('/other'), responses: 2 }] },
  star: { fe: 'star', writes: ['OPTIONS * HTTP/1.1\r\nhost: x\r\n\r\n'] },
  starPath: { fe: 'star', writes: [GET('/mon')] },
  inherit: { fe: 'inherit', writes: [GET('/dmon')] },
  custom: { fe: 'custom', writes: [GET('/mon')] },
  emptyif: { fe: 'emptyif', writes: [GET('/mon')] },
  emptyunless: { fe: 'emptyunless', writes: [GET('/mon')] },
  hdrfail: { fe: 'hdrfail', writes: [GET('/mon', 'x-fail: 1\r\n')] },
  hdrpass: { fe: 'hdrfail', writes: [GET('/mon')] },
  // A listen: its own section has no monitor-uri, the defaults' applies.
  listen: { fe: 'counts', writes: [GET('/dmon')] },
};

/** Each write's responses, then whether a second request (a monitor hit) is still answered. */
async function play(side: Side, c: Case): Promise<string[]> {
  const conn = new Conn(side.port(c.fe));
  await once(conn.sock, 'connect');
  const out: string[] = [];
  try {
    for (const w of c.writes) {
      const { bytes, responses } = typeof w === 'string' ? { bytes: w, responses: 1 } : w;
      conn.send(bytes);
      for (let i = 0; i < responses; i++) out.push(await conn.response(c.head === true));
    }
    if (!out.at(-1)!.endsWith('<closed>')) {
      conn.send(GET('/mon'));
      out.push(`second: ${await conn.response(false)}`);
    }
  } finally {
    conn.sock.destroy();
  }
  return out;
}

async function stat(side: Side, key: string, field: string): Promise<string> {
  return (await showStatRows(side.sock)).get(key)?.get(field) ?? '';
}

/** Poll `show stat` (bounded) until `key`'s `field` reads `want` (a server without checks that is up reads `no check`). */
async function untilStat(side: Side, key: string, field: string, want: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const v = await stat(side, key, field);
    if (v === want || (want === 'UP' && v === 'no check')) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${key} ${field} never became ${want}: ${await stat(side, key, field)}`);
}

const played: Record<OracleKind, Record<string, string[]>> = { haproxy: {}, hapair: {} };
/** `show stat` before the cases: the counters compared are what the cases added. */
const before: Record<OracleKind, Map<string, Map<string, string>>> = { haproxy: new Map(), hapair: new Map() };

describe('monitor-uri and monitor fail: the same answers as HAProxy 2.6', () => {
  it('every case', async () => {
    for (const kind of ['haproxy', 'hapair'] as const) {
      const side = sides[kind];
      // be_down's only enabled server refuses connections: down after its first check.
      await untilStat(side, 'be_down/s1', 'status', 'DOWN');
      before[kind] = await showStatRows(side.sock);
      for (const [name, c] of Object.entries(CASES)) played[kind][name] = await play(side, c);
    }
    for (const name of Object.keys(CASES)) expect(played.hapair[name], name).toEqual(played.haproxy[name]);
    // What the cases are about, so that equal but wrong answers cannot pass.
    const first = (name: string): string => played.haproxy[name]![0]!;
    expect(first('hit')).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*Service ready/);
    expect(first('downHit')).toMatch(/^HTTP\/1\.1 503 /);
    expect(first('upQuery')).toMatch(/^HTTP\/1\.1 403 /);
    expect(first('hdrfail')).toMatch(/^HTTP\/1\.1 503 /);
    expect(first('listen')).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*Service ready/);
    expect(first('downQuery')).toMatch(/\r\n\r\nup$/);
    expect(played.haproxy.postPartial!.at(-1)).toMatch(/<closed>$/);
    expect(played.haproxy.post!.at(-1)).toMatch(/^second: HTTP\/1\.1 200 /);
    expect(played.haproxy.denyPost!.at(-1)).toMatch(/^second: HTTP\/1\.1 200 /);
    expect(played.haproxy.denyPartial!.at(-1)).toMatch(/<closed>$/);
  }, 60_000);

  it('nbsrv counts usable servers as be_usable_srv does (backups, allbackups, disabled, no argument)', async () => {
    const answers: string[] = [];
    for (const kind of ['haproxy', 'hapair'] as const) {
      const r = await play(sides[kind], { fe: 'counts', writes: [GET('/n')] });
      answers.push(r[0]!);
    }
    expect(answers[0]!.slice(answers[0]!.indexOf('\r\n\r\n') + 4)).toBe('1 2 0 1 1');
    expect(answers[1]).toBe(answers[0]);
  });

  it('a server disabled and enabled again through the runtime API flips monitor fail', async () => {
    const seen: Record<OracleKind, string[]> = { haproxy: [], hapair: [] };
    for (const kind of ['haproxy', 'hapair'] as const) {
      const side = sides[kind];
      await ask(side.sock, 'disable server be_up/s1');
      await untilStat(side, 'be_up/s1', 'status', 'MAINT');
      seen[kind].push(...(await play(side, CASES.hit!)));
      await ask(side.sock, 'enable server be_up/s1');
      await untilStat(side, 'be_up/s1', 'status', 'UP');
      seen[kind].push(...(await play(side, CASES.hit!)));
    }
    expect(seen.hapair).toEqual(seen.haproxy);
    expect(seen.haproxy[0]).toMatch(/^HTTP\/1\.1 503 /);
    expect(seen.haproxy[2]).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('monitor requests are not logged; the counters are the same', async () => {
    const logged: Record<OracleKind, string[]> = { haproxy: [], hapair: [] };
    const stats: Record<OracleKind, string[]> = { haproxy: [], hapair: [] };
    const FIELDS = ['stot', 'req_tot', 'hrsp_2xx', 'hrsp_4xx', 'hrsp_5xx', 'intercepted', 'dreq', 'ereq', 'bin', 'bout'];
    for (const kind of ['haproxy', 'hapair'] as const) {
      const side = sides[kind];
      // A last logged request: every earlier one has ended (and been logged) before it.
      await play(side, { fe: 'down', writes: [GET('/log-marker')] });
      await logLineWith(side.run, '/log-marker');
      // fe, server, status, bytes, termination state and request line of each access-log line
      // (the server state messages are not compared here).
      logged[kind] = side.run.lines.flatMap((l) => {
        const m = / (\S+) (\S+) \S+ (\d+) (\d+) \S+ \S+ (\S{4}) .* "(.*)"$/.exec(l);
        return m === null ? [] : [`${m[1]} ${m[2]} ${m[3]} ${m[4]} ${m[5]} ${m[6]}`];
      });
      const rows = await showStatRows(side.sock);
      for (const key of [...NAMES.map((n) => `${n}/FRONTEND`), 'be_up/BACKEND', 'be_down/BACKEND']) {
        const delta = (f: string): number => Number(rows.get(key)?.get(f) ?? 0) - Number(before[kind].get(key)?.get(f) ?? 0);
        stats[kind].push(`${key} ${FIELDS.map((f) => `${f}=${delta(f)}`).join(' ')}`);
      }
    }
    expect(logged.hapair).toEqual(logged.haproxy);
    expect(logged.haproxy.join('\n')).not.toMatch(/"(GET|HEAD|POST|OPTIONS) (\/mon|\/dmon|\*|http:\/\/example.com\/mon) /);
    expect(logged.haproxy.some((l) => l.includes('/mon?x'))).toBe(true);
    expect(stats.hapair).toEqual(stats.haproxy);
    expect(stats.haproxy.find((l) => l.startsWith('up/'))).toMatch(/ intercepted=[1-9]/);
  }, 30_000);
});
