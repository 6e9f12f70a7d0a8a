// `option httplog clf` (HAProxy configuration.txt 8.2.5), differential against HAProxy 2.6: the same
// config (ports aside) under haproxy and `hapair proxy`, logs over UDP in `format raw`, the same
// requests. The lines must be equal once the per-process parts are checked for shape and against
// what they stand for (the client port, the GMT request date, the accept milliseconds, timers that
// ran) and replaced by placeholders. Also: the format inherited from defaults, `option httplog`
// replacing it, and a mode tcp listen falling back to tcplog.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MONTH_NAMES } from '../../src/log/log-time.ts';
import { startHapairProxy, startHaproxy, startNameServer, type NameServer } from './http-oracle-harness.ts';
import { startLoggedRun, stopLoggedRuns, type LoggedRun } from './logged-run.ts';

const NAMES = ['clf', 'nocap', 'plain', 'tcp'] as const;
type Name = (typeof NAMES)[number];

let backend: NameServer;
const runs: LoggedRun[] = [];

function config(logPort: number, ports: readonly number[], server: number): string {
  const port = (n: Name): number => ports[NAMES.indexOf(n)]!;
  return [
    'global', '  nbthread 1',
    'defaults', '  mode http', '  timeout connect 1s', '  timeout client 5s', '  timeout server 5s',
    `  log 127.0.0.1:${logPort} format raw local0`,
    '  option httplog clf',
    'listen clf', `  bind 127.0.0.1:${port('clf')}`,
    '  capture request header Host len 8',
    '  capture request header X-A len 20',
    '  capture response header X-R len 4',
    '  http-request deny if { path /deny }',
    '  use_backend none if { path /nosrv }',
    `  server s1 127.0.0.1:${server}`,
    'listen nocap', `  bind 127.0.0.1:${port('nocap')}`, `  server s1 127.0.0.1:${server}`,
    'listen plain', `  bind 127.0.0.1:${port('plain')}`, '  option httplog', `  server s1 127.0.0.1:${server}`,
    'listen tcp', '  mode tcp', `  bind 127.0.0.1:${port('tcp')}`, '  option httplog clf', `  server s1 127.0.0.1:${server}`,
    'backend none',
    '',
  ].join('\n');
}

beforeAll(async () => {
  backend = await startNameServer('b1');
  for (const start of [startHaproxy, startHapairProxy]) {
    runs.push(await startLoggedRun(start, NAMES.length, (log, ports) => config(log, ports, backend.port)));
  }
}, 30_000);

afterAll(async () => {
  await stopLoggedRuns(runs);
  await backend?.close();
});

interface Sent {
  readonly clientPort: number;
  readonly before: number;
  readonly after: number;
  readonly line: string;
}

/** Send `bytes` on a new connection to `name`, read until the proxy closes (5 s at most), return the line it logged. */
async function send(run: LoggedRun, name: Name, bytes: string): Promise<Sent> {
  const from = run.lines.length;
  const before = Date.now();
  const sock = net.connect({ port: run.ports[NAMES.indexOf(name)]!, host: '127.0.0.1' });
  sock.on('error', () => undefined);
  sock.resume();
  const timer = setTimeout(() => sock.destroy(), 5000);
  let clientPort = 0;
  try {
    await new Promise<void>((resolve) => sock.once('connect', resolve));
    clientPort = sock.localPort!;
    sock.write(bytes);
    await new Promise<void>((resolve) => sock.once('close', () => resolve()));
  } finally {
    clearTimeout(timer);
    sock.destroy();
  }
  // Found by the client port (clf: after the empty referer and user agent; httplog, tcplog: after the
  // address): the lines of the start-up probes (one connection per port) may still be arriving.
  const ours = (l: string): boolean => l.includes(`"" "" ${clientPort} `) || l.includes(`127.0.0.1:${clientPort} [`);
  for (let i = 0; i < 100 && !run.lines.slice(from).some(ours); i++) await new Promise((r) => setTimeout(r, 20));
  const lines = run.lines.slice(from).filter(ours);
  expect(lines, 'one log line').toHaveLength(1);
  return { clientPort, before, after: Date.now(), line: lines[0]! };
}

const CLF = /^127\.0\.0\.1 - - \[(\d\d)\/(\w{3})\/(\d{4}):(\d\d):(\d\d):(\d\d) \+0000\] (".*") (\d+) (\d+) "" "" (\d+) (\d{3}) ("[^"]*" "[^"]*" "[^"]*") (-?\d+) (-?\d+) (-?\d+) (-?\d+) (-?\d+) (.*)$/;

/** A clf line with the client port, date, milliseconds and timers that ran replaced, after checking them. */
function normalizeClf(s: Sent): string {
  const m = CLF.exec(s.line);
  expect(m, s.line).not.toBeNull();
  const [, dd, mon, yyyy, hh, mi, ss, r, st, bytes, cp, ms, names, ...rest] = m!;
  const date = Date.UTC(Number(yyyy), (MONTH_NAMES as readonly string[]).indexOf(mon!), Number(dd), Number(hh), Number(mi), Number(ss));
  expect(date).toBeGreaterThanOrEqual(Math.floor(s.before / 1000) * 1000);
  expect(date).toBeLessThanOrEqual(s.after);
  expect(Number(cp)).toBe(s.clientPort);
  expect(Number(ms)).toBeLessThan(1000);
  const timers = rest.slice(0, 5).map((t) => (Number(t) >= 0 ? '<t>' : t));
  return `127.0.0.1 - - [<date>] ${r} ${st} ${bytes} "" "" <cp> <ms> ${names} ${timers.join(' ')} ${rest[5]}`;
}

/** httplog / tcplog lines: the client port, the date and the timers that ran replaced. */
function normalizeOther(s: Sent): string {
  expect(s.line).toContain(`127.0.0.1:${s.clientPort} [`);
  return s.line
    .replace(`:${s.clientPort} [`, ':<cp> [')
    .replace(/\[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d\.\d{3}\]/, '[<date>]')
    .replace(/ (-?\d+)\/(-?\d+)\/(-?\d+)(?:\/(-?\d+)\/(-?\d+))? /, (t) => t.replace(/\b\d+\b/g, '<t>'));
}

const CASES: [string, Name, string][] = [
  ['captures, server response', 'clf', 'GET /a?b=1 HTTP/1.1\r\nHost: example.org\r\nX-A: x-a-value\r\nconnection: close\r\n\r\n'],
  ['denied (no server, -1 timers)', 'clf', 'GET /deny HTTP/1.1\r\nHost: h\r\nconnection: close\r\n\r\n'],
  ['no server in the backend (503 sC)', 'clf', 'GET /nosrv HTTP/1.1\r\nconnection: close\r\n\r\n'],
  ['bad request (400 from the H1 layer: no captures)', 'clf', 'GET / HTTP/1.1\r\nbad header\r\n\r\n'],
  ['inherited from defaults, no captures', 'nocap', 'POST /p HTTP/1.1\r\ncontent-length: 3\r\nconnection: close\r\n\r\nabc'],
  ['option httplog replaces the defaults clf', 'plain', 'GET /plain HTTP/1.1\r\nconnection: close\r\n\r\n'],
  ['mode tcp falls back to tcplog', 'tcp', 'GET /tcp HTTP/1.1\r\nconnection: close\r\n\r\n'],
];

describe('option httplog clf like HAProxy 2.6', () => {
  it.each(CASES)('%s', async (_title, name, bytes) => {
    const lines: string[] = [];
    for (const run of runs) {
      const s = await send(run, name, bytes);
      lines.push(name === 'clf' || name === 'nocap' ? normalizeClf(s) : normalizeOther(s));
    }
    expect(lines[1]).toBe(lines[0]);
  });

  it('writes the fields in the Common Log Format order, text quoted', async () => {
    const s = await send(runs[1]!, 'clf', 'GET /a HTTP/1.1\r\nHost: h\r\nconnection: close\r\n\r\n');
    expect(normalizeClf(s)).toBe('127.0.0.1 - - [<date>] "GET /a HTTP/1.1" 200 51 "" "" <cp> <ms> "clf" "clf" "s1" <t> <t> <t> <t> <t> ---- 1 1 0 0 0 0 0 "" "" "h" "" ""');
  });
});
