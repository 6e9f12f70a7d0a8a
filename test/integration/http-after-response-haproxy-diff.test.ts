// `http-after-response` rules (HAProxy configuration.txt 4.2): applied to server responses after
// the http-response rules and to the responses the proxy makes itself (deny, tarpit, auth, return,
// redirect, http-response deny, 502, 503 without a server, 504, the 408 of a late body, the stats
// page), not to a 1xx nor to the H1 layer's 400/408 for a bad or late head; the backend's rules
// then the frontend's, `allow` ending one proxy's list only; set-status changing the logged status
// and the proxies' hrsp_* but not the server's; req. variables gone, res. ones seen; %B counting a
// server's head as it came. The same config and requests go through HAProxy 2.6 and hapair;
// compared: the raw head (status line and fields in order) and body the client gets, the log line
// and `show stat` counters.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startHttpResponder, startTcpServer, type TestTcpServer } from '../support/servers.ts';
import { showStatRows } from './api-harness.ts';
import { distinctFreePorts, type OracleKind, oracleSides, starterOf } from './http-oracle-harness.ts';
import { logLineWith, type LoggedRun, startLoggedRun, stopLoggedRuns } from './logged-run.ts';

/** Entry points: a frontend with after-response rules, one without (its backend has some), a listen. */
const ENTRIES = ['fe', 'fe2', 'ls'] as const;
type Entry = (typeof ENTRIES)[number];

const dir = mkdtempSync(join(tmpdir(), 'hapair-after-response-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Side {
  readonly run: LoggedRun;
  readonly sock: string;
  readonly web: TestTcpServer;
}

/** A keep-alive backend answering 200 `ok` with fields the rules edit; `/slow...` gets no answer. */
function answer(head: string): string | undefined {
  if (/^\S+ \/slow/.test(head)) return undefined;
  if (/^\S+ \/junk/.test(head)) return 'junk\r\n\r\n';
  const early = /^\S+ \/early/.test(head) ? 'HTTP/1.1 103 Early Hints\r\nlink: </a.css>\r\n\r\n' : '';
  return `${early}HTTP/1.1 200 OK\r\nX-Drop: 1\r\nx-rep: a-old\r\ncache-control: no-cache\r\nx-srv: web\r\ncontent-length: 2\r\n\r\nok`;
}

function config(sock: string, web: number, dead: number, logPort: number, ports: readonly number[]): string {
  const server = `    server s 127.0.0.1:${web}\n`;
  return `global
    nbthread 1
    stats socket ${sock} level admin
defaults
    mode http
    timeout client 5s
    timeout connect 1s
    timeout server 5s
    log 127.0.0.1:${logPort} format raw local0
    log-format "%HU %ST %ts %b/%s %B"
frontend fe
    bind 127.0.0.1:${ports[0]}
    timeout tarpit 50ms
    http-request set-var(txn.p) path
    http-request set-var(req.p) path
    http-request deny if { path_beg /deny }
    http-request tarpit deny_status 429 if { path_beg /tarpit }
    http-request return status 200 content-type text/plain string hi hdr x-ret yes if { path_beg /return }
    http-request redirect location /elsewhere if { path_beg /redir }
    http-request auth if { path_beg /auth }
    http-response add-header x-order fe-resp
    http-response set-status 201 if { var(txn.p) -m beg /rst }
    http-response set-var(res.srv) res.hdr(x-srv)
    http-response deny deny_status 502 if { var(txn.p) -m beg /rdeny } { res.hdr(x-srv) -m found }
    http-after-response add-header x-order fe
    http-after-response add-header x-st %[status]
    http-after-response set-status 299 if { var(txn.p) -m beg /st299 }
    http-after-response set-status 404 reason "Gone Away" if { var(txn.p) -m beg /st404 }
    http-after-response set-status 200 if { status 503 } { var(txn.p) -m beg /down/ok }
    http-after-response del-header x-drop
    http-after-response replace-header x-rep (.*)-old \\1-new
    http-after-response replace-value cache-control ^no-cache$ private
    http-after-response set-header x-srv %[res.hdr(x-srv)]-seen if { res.hdr(x-srv) -m found }
    http-after-response set-var(txn.st) status
    http-after-response add-header x-var %[var(txn.st)] unless { status 302 }
    http-after-response add-header x-scopes req=%[var(req.p)],res=%[var(res.srv)]
    use_backend be_down if { path_beg /down }
    use_backend be_slow if { path_beg /slow }
    use_backend be_allow if { path_beg /allow }
    use_backend be_stats if { path_beg /stats }
    use_backend be_deny if { path_beg /bdeny }
    default_backend be
frontend fe2
    bind 127.0.0.1:${ports[1]}
    http-request deny if { path_beg /deny }
    use_backend be_down if { path_beg /down }
    default_backend be
backend be
    http-response add-header x-order be-resp
    http-after-response add-header x-order be
${server}backend be_down
    retries 0
    http-after-response add-header x-order be_down
    server s 127.0.0.1:${dead}
backend be_slow
    timeout server 300ms
    http-after-response add-header x-order be_slow
${server}backend be_allow
    http-after-response allow if { var(txn.p) -m beg /allow/stop }
    http-after-response add-header x-order be_allow
${server}backend be_deny
    http-request deny deny_status 429
    http-after-response add-header x-order be_deny
${server}backend be_stats
    stats enable
    stats uri /stats
    http-after-response add-header x-order be_stats
listen ls
    bind 127.0.0.1:${ports[2]}
    timeout http-request 300ms
    option http-buffer-request
    http-request set-var(txn.p) path
    http-after-response add-header x-order ls
    http-after-response set-status 203 if { var(txn.p) -m beg /st203 }
    http-after-response del-header content-type if { var(txn.p) -m beg /lstats }
    stats enable
    stats uri /lstats
${server}`;
}

async function startSide(kind: OracleKind): Promise<Side> {
  const web = await startHttpResponder(answer);
  // A port nothing listens on: connections to it are refused (503 without a server).
  const [dead] = await distinctFreePorts(1);
  const sock = join(dir, `${kind}.sock`);
  const run = await startLoggedRun(starterOf(kind), ENTRIES.length, (logPort, ports) => config(sock, web.port, dead!, logPort, ports));
  return { run, sock, web };
}

const sides = oracleSides(startSide, async (s) => {
  await stopLoggedRuns([s.run]);
  await s.web.close();
});

/** Until `cond` holds (bounded: 5 s). */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 250; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** One whole final response in `text` after any 1xx (content-length or chunked), or the connection closed. */
function complete(text: string, closed: boolean): boolean {
  while (/^HTTP\/1\.1 1\d\d /.test(text) && text.includes('\r\n\r\n')) text = text.slice(text.indexOf('\r\n\r\n') + 4);
  const head = text.indexOf('\r\n\r\n');
  if (head < 0) return closed;
  if (/\r\ntransfer-encoding: chunked/i.test(text.slice(0, head))) return text.endsWith('\r\n0\r\n\r\n') || closed;
  const len = Number(/\r\ncontent-length: (\d+)/i.exec(text.slice(0, head))?.[1] ?? 0);
  return text.length >= head + 4 + len || closed;
}

/** `request` on a new connection of `entry`: what comes back until one whole response (or `done`). */
async function send(side: Side, entry: Entry, request: string, done = (got: string, closed: boolean) => complete(got, closed)): Promise<string> {
  const socket = net.connect(side.run.ports[ENTRIES.indexOf(entry)]!, '127.0.0.1');
  let got = '';
  let closed = false;
  socket.on('data', (d: Buffer) => (got += d.toString('latin1')));
  socket.on('error', () => undefined);
  socket.on('close', () => (closed = true));
  try {
    socket.write(request);
    await until(() => done(got, closed), `the answer to ${JSON.stringify(request)}`);
    return got;
  } finally {
    socket.destroy();
  }
}

/**
 * The stats page's framing differs (hapair sends it with content-length, HAProxy chunked) and so
 * does its HTML: its head is compared without the framing field, its body and %B not at all.
 */
function comparable(got: string, stats: boolean): string {
  if (!stats) return got;
  const head = got.slice(0, got.indexOf('\r\n\r\n'));
  return head.split('\r\n').filter((l) => !/^(content-length|transfer-encoding):/i.test(l)).join('\r\n');
}

async function exchange(side: Side, entry: Entry, path: string): Promise<{ got: string; log: string }> {
  const got = await send(side, entry, `GET ${path} HTTP/1.1\r\nhost: x\r\n\r\n`);
  const stats = path.includes('stats');
  const log = await logLineWith(side.run, `${path} `);
  return { got: comparable(got, stats), log: stats ? log.replace(/ \d+$/, ' N') : log };
}

const CASES: [Entry, string][] = [
  ['fe', '/plain'], ['fe', '/st299'], ['fe', '/st404'], ['fe', '/rst'], ['fe', '/deny'], ['fe', '/tarpit'],
  ['fe', '/return'], ['fe', '/redir'], ['fe', '/auth'], ['fe', '/bdeny'], ['fe', '/down/x'], ['fe', '/down/ok'],
  ['fe', '/rdeny'], ['fe', '/slow'], ['fe', '/junk'], ['fe', '/early'], ['fe', '/allow/stop'], ['fe', '/allow/go'], ['fe', '/stats'],
  ['fe2', '/plain2'], ['fe2', '/deny2'], ['fe2', '/down2'],
  ['ls', '/plain3'], ['ls', '/st203'], ['ls', '/lstats'],
];

describe('http-after-response: what HAProxy 2.6 does', () => {
  it.each(CASES)('%s %s: the raw answer and the log line', async (entry, path) => {
    const ref = await exchange(sides.haproxy, entry, path);
    const ours = await exchange(sides.hapair, entry, path);
    expect(ours).toEqual(ref);
  });

  it('the H1 layer answers a bad request itself: no after-response rule sees its 400', async () => {
    const bad = 'GET /bad HTTP/1.1\r\nho st: x\r\n\r\n';
    const ref = await send(sides.haproxy, 'fe', bad);
    expect(ref).toMatch(/^HTTP\/1\.1 400 Bad request\r\nContent-length: 90\r\n/);
    expect(await send(sides.hapair, 'fe', bad)).toBe(ref);
  });

  it('an answer the rules edited keeps the connection alive for the next request', async () => {
    const twice = 'GET /deny/ka HTTP/1.1\r\nhost: x\r\n\r\nGET /plain/ka HTTP/1.1\r\nhost: x\r\n\r\n';
    const both = (side: Side) => send(side, 'fe', twice, (got) => (got.match(/\r\n\r\n/g) ?? []).length >= 2 && got.endsWith('ok'));
    const ref = await both(sides.haproxy);
    expect(ref).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n[^]*x-order: fe\r\n[^]*HTTP\/1\.1 200 OK\r\n/);
    expect(await both(sides.hapair)).toBe(ref);
  });

  it('timeout http-request: the 408 of a late body wait is the stream\'s (rules apply), that of a late head the H1 layer\'s', async () => {
    for (const [request, path] of [['POST /late-body HTTP/1.1\r\nhost: x\r\ncontent-length: 10\r\n\r\nabc', '/late-body'], ['GET /late-head HTTP/1.1\r\nhost', '']] as const) {
      const ref = await send(sides.haproxy, 'ls', request);
      const ours = await send(sides.hapair, 'ls', request);
      expect(ref).toMatch(/^HTTP\/1\.1 408 /);
      expect(ref.includes('x-order: ls')).toBe(path !== '');
      expect(ours).toBe(ref);
      if (path !== '') expect(await logLineWith(sides.hapair.run, `${path} `)).toBe(await logLineWith(sides.haproxy.run, `${path} `));
    }
  });

  it('hrsp_* of the proxies count the status after set-status, the server its own', async () => {
    const pick = async (side: Side): Promise<string[]> => {
      const rows = await showStatRows(side.sock);
      return ['fe/FRONTEND', 'fe2/FRONTEND', 'be/BACKEND', 'be/s', 'be_down/BACKEND', 'be_slow/BACKEND', 'be_deny/BACKEND', 'ls/FRONTEND', 'ls/BACKEND', 'ls/s'].map((k) => {
        const r = rows.get(k)!;
        return `${k} ${['hrsp_2xx', 'hrsp_3xx', 'hrsp_4xx', 'hrsp_5xx'].map((f) => `${f}=${r.get(f)}`).join(' ')}`;
      });
    };
    expect(await pick(sides.hapair)).toEqual(await pick(sides.haproxy));
  });
});
