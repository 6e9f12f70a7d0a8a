// Differential test against the real HAProxy 2.6 (/usr/sbin/haproxy): it relays one connection
// to a local echo server and logs it over UDP to this test in every syslog format; our
// formatters, fed the values parsed back from HAProxy's lines, must produce the same bytes.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogTarget } from '../../src/config/model.ts';
import { compileLogFormat } from '../../src/log/log-format.ts';
import { MONTH_NAMES } from '../../src/log/log-time.ts';
import type { TcpLogRecord } from '../../src/log/record.ts';
import { SyslogFramer } from '../../src/log/syslog-frame.ts';
import { formatTcpLog } from '../../src/log/tcplog.ts';

const HAPROXY = '/usr/sbin/haproxy';
// A zone with a half-hour offset and no DST: local time, not UTC, and the offset's minutes show.
const TZ = 'Asia/Kolkata';
const FORMATS = ['local', 'rfc3164', 'rfc5424', 'short', 'timed', 'iso', 'priority', 'raw', 'len80'] as const;
type Fmt = (typeof FORMATS)[number];

// Every variable hapair renders. The first 25 fields are parsed back into the record.
const CUSTOM_FORMAT =
  '  %ci %cp %t %ft %b %s %Tw %Tc %Tt %B %U %ts %ac %fc %bc %sc %rc %sq %bq %fi %fp %si %sp %bi %bp |' +
  ' %{+Q}ci %{+X}ci %{+X}cp %{+X}fp %f %{+Q}f %{+Q}ft %{+Q}b %{+Q}s %T %Tl %Ts %{+X}Ts %ms %{+X}ms' +
  ' %H %{+Q}H %pid %{+X}pid %Tu %tsc %ST %{+Q}o %ci %b %{-Q}o %{+E}b %{-M}o %f x%%y  z   [%t]' +
  ' %-x %{+Z,+Q}b %{Q}b %{-Q+Q}b ';

interface Listener {
  readonly socket: dgram.Socket;
  readonly port: number;
  readonly datagrams: Buffer[];
}

let tmp = '';
let haproxy: ChildProcess | undefined;
let echo: net.Server | undefined;
const listeners = new Map<Fmt, Listener>();
let savedTz: string | undefined;
let tcplogPort = 0;
let customPort = 0;

async function udpListener(): Promise<Listener> {
  const socket = dgram.createSocket('udp4');
  const datagrams: Buffer[] = [];
  socket.on('message', (m) => datagrams.push(m));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, port: socket.address().port, datagrams };
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 1000 && Date.now() < deadline; i++) {
    const v = probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

/** One echo round trip through HAProxy; returns the client's local port and wall-clock bounds. */
async function roundTrip(port: number): Promise<{ clientPort: number; t0: number; t1: number }> {
  const t0 = Date.now();
  const c = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    c.once('connect', resolve);
    c.once('error', reject);
  });
  const clientPort = c.localPort!;
  c.write('hello hapair\n');
  await new Promise<void>((resolve, reject) => {
    let got = '';
    c.on('data', (d) => {
      got += d.toString();
      if (got.includes('\n')) c.end();
    });
    c.once('close', () => resolve());
    c.once('error', reject);
  });
  return { clientPort, t0, t1: Date.now() };
}

function configText(echoPort: number): string {
  const log = (f: Fmt): string => {
    const l = listeners.get(f)!;
    if (f === 'local') return `    log 127.0.0.1:${l.port} local0`;
    if (f === 'len80') return `    log 127.0.0.1:${l.port} len 80 local0`;
    return `    log 127.0.0.1:${l.port} format ${f} local0`;
  };
  return [
    'global',
    ...FORMATS.map(log),
    'defaults',
    '    mode tcp',
    '    log global',
    '    timeout connect 2s',
    '    timeout client 10s',
    '    timeout server 10s',
    'listen tcplog_fe',
    `    bind 127.0.0.1:${tcplogPort}`,
    '    option tcplog',
    `    server echo1 127.0.0.1:${echoPort}`,
    'listen custom_fe',
    `    bind 127.0.0.1:${customPort}`,
    `    log-format "${CUSTOM_FORMAT}"`,
    `    server echo2 127.0.0.1:${echoPort}`,
    '',
  ].join('\n');
}

beforeAll(async () => {
  savedTz = process.env.TZ;
  process.env.TZ = TZ;
  tmp = await mkdtemp(path.join(os.tmpdir(), 'hapair-log-diff-'));
  // A proxy's readiness probe or a client leaving early resets the echo's side: not a failure.
  echo = net.createServer((s) => {
    s.on('error', () => undefined);
    s.pipe(s);
  });
  await new Promise<void>((resolve) => echo!.listen(0, '127.0.0.1', resolve));
  for (const f of FORMATS) listeners.set(f, await udpListener());
  tcplogPort = await freePort();
  customPort = await freePort();
  const cfg = path.join(tmp, 'haproxy.cfg');
  await writeFile(cfg, configText((echo.address() as net.AddressInfo).port));
  haproxy = spawn(HAPROXY, ['-f', cfg, '-db'], { env: { ...process.env, TZ }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  haproxy.stderr!.on('data', (d) => (stderr += d.toString()));
  haproxy.stdout!.resume();
  for (let i = 0; i < 200 && !(await tryConnect(customPort)); i++) {
    if (haproxy.exitCode !== null) throw new Error(`haproxy exited: ${stderr}`);
    await new Promise((r) => setTimeout(r, 25));
  }
});

afterAll(async () => {
  if (haproxy && haproxy.exitCode === null) {
    const exited = new Promise((r) => haproxy!.once('exit', r));
    haproxy.kill('SIGTERM');
    const timer = setTimeout(() => haproxy!.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
  for (const l of listeners.values()) l.socket.close();
  await new Promise<void>((resolve) => (echo ? echo.close(() => resolve()) : resolve()));
  if (tmp) await rm(tmp, { recursive: true, force: true });
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

/** The datagram of `fmt` that logs the session from `clientPort`. */
function datagramFor(fmt: Fmt, clientPort: number): Promise<string> {
  const needle = `:${clientPort} [`;
  const needleCustom = ` ${clientPort} `;
  return waitFor(`${fmt} log line for port ${clientPort}`, () =>
    listeners
      .get(fmt)!
      .datagrams.map((d) => d.toString('latin1'))
      .find((d) => d.includes(needle) || d.includes(needleCustom)),
  );
}

const TCPLOG_LINE =
  /^(\S+):(\d+) \[(\d\d)\/(\w{3})\/(\d{4}):(\d\d):(\d\d):(\d\d)\.(\d{3})\] (\S+) ([^/ ]+)\/(\S+) (-?\d+)\/(-?\d+)\/(\d+) (\d+) (\S\S) (\d+)\/(\d+)\/(\d+)\/(\d+)\/(\+?)(\d+) (\d+)\/(\d+)$/;

function localEpochMs(day: string, mon: string, year: string, h: string, m: string, s: string, ms: string): number {
  const month = (MONTH_NAMES as readonly string[]).indexOf(mon);
  return new Date(+year, month, +day, +h, +m, +s, +ms).getTime();
}

function recordFromTcplog(msg: string): TcpLogRecord {
  const m = TCPLOG_LINE.exec(msg);
  if (!m) throw new Error(`not a tcplog line: ${msg}`);
  return {
    clientIp: m[1],
    clientPort: +m[2],
    acceptDate: localEpochMs(m[3], m[4], m[5], m[6], m[7], m[8], m[9]),
    frontend: m[10],
    backend: m[11],
    server: m[12],
    Tw: +m[13],
    Tc: +m[14],
    Tt: +m[15],
    bytesRead: +m[16],
    bytesUploaded: 0,
    termination: m[17],
    actconn: +m[18],
    feconn: +m[19],
    beconn: +m[20],
    srvconn: +m[21],
    redispatched: m[22] === '+',
    retries: +m[23],
    srvQueue: +m[24],
    backendQueue: +m[25],
  };
}

function recordFromCustom(msg: string): TcpLogRecord {
  const f = msg.split('|')[0].trim().split(' ');
  expect(f).toHaveLength(25);
  const [d, mon, rest] = f[2].split('/');
  const [year, h, mi, sms] = rest.split(':');
  const [s, ms] = sms.split('.');
  return {
    clientIp: f[0],
    clientPort: +f[1],
    acceptDate: localEpochMs(d, mon, year, h, mi, s, ms),
    frontend: f[3],
    backend: f[4],
    server: f[5],
    Tw: +f[6],
    Tc: +f[7],
    Tt: +f[8],
    bytesRead: +f[9],
    bytesUploaded: +f[10],
    termination: f[11],
    actconn: +f[12],
    feconn: +f[13],
    beconn: +f[14],
    srvconn: +f[15],
    redispatched: f[16].startsWith('+'),
    retries: +f[16].replace('+', ''),
    srvQueue: +f[17],
    backendQueue: +f[18],
    frontendIp: f[19],
    frontendPort: +f[20],
    serverIp: f[21],
    serverPort: +f[22],
    backendSourceIp: f[23],
    backendSourcePort: +f[24],
  };
}

/** Splits a `local`-format datagram: `<134>Mmm dd HH:MM:SS haproxy[PID]: MSG\n`. */
const LOCAL_HEADER = /^<134>(\w{3}) ([ \d]\d) (\d\d):(\d\d):(\d\d) haproxy\[(\d+)\]: (.*)\n$/s;

describe('tcplog against HAProxy 2.6', () => {
  let session: { clientPort: number; t0: number; t1: number };
  let local = '';

  beforeAll(async () => {
    session = await roundTrip(tcplogPort);
    local = await datagramFor('local', session.clientPort);
  });

  it('sends `<134>Mmm dd HH:MM:SS haproxy[PID]: MSG\\n` by default (local0.info, no hostname)', () => {
    const m = LOCAL_HEADER.exec(local);
    expect(m, local).not.toBeNull();
    expect(Number(m![6])).toBe(haproxy!.pid);
  });

  it('formats the identical tcplog message from the parsed record', () => {
    const msg = LOCAL_HEADER.exec(local)![7];
    const rec = recordFromTcplog(msg);
    expect(rec.server).toBe('echo1');
    expect(rec.termination).toBe('--');
    expect(rec.bytesRead).toBe('hello hapair\n'.length);
    expect(formatTcpLog(rec)).toBe(msg);
  });

  it('prints %t in local time (the parsed accept date falls within the round trip)', () => {
    const rec = recordFromTcplog(LOCAL_HEADER.exec(local)![7]);
    // A wrong zone would be off by 5h30; the slack only covers HAProxy's cached clock.
    expect(rec.acceptDate).toBeGreaterThanOrEqual(session.t0 - 2000);
    expect(rec.acceptDate).toBeLessThanOrEqual(session.t1 + 2000);
  });

  it.each(FORMATS)('frames the %s datagram byte for byte', async (fmt) => {
    const got = await datagramFor(fmt, session.clientPort);
    const msg = LOCAL_HEADER.exec(local)![7];
    const target: LogTarget = {
      kind: 'udp',
      host: '127.0.0.1',
      port: 514,
      format: fmt === 'len80' ? 'local' : fmt,
      len: fmt === 'len80' ? 80 : 1024,
      facility: 'local0',
      loc: { file: 'test', line: 1 },
    };
    const framer = new SyslogFramer(target, { tag: 'haproxy', pid: haproxy!.pid! });
    const ours = framer.frame(6, msg, headerTimeUs(got));
    expect(typeof ours === 'string' ? ours : ours.toString('latin1')).toBe(got);
  });

  it('puts the local offset (+05:30) in rfc5424 timestamps', async () => {
    const got = await datagramFor('rfc5424', session.clientPort);
    expect(got).toMatch(/^<134>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+05:30 - haproxy \d+ - - /);
  });
});

/** The send time HAProxy put in a header, in microseconds (legacy headers have whole seconds). */
function headerTimeUs(datagram: string): number {
  const iso = /(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{6})([+-]\d\d:\d\d) /.exec(datagram);
  if (iso) return Date.parse(`${iso[1]}.${iso[2].slice(0, 3)}${iso[3]}`) * 1000 + (+iso[2] % 1000);
  const legacy = /^<\d+>(\w{3}) ([ \d]\d) (\d\d):(\d\d):(\d\d) /.exec(datagram);
  if (legacy) {
    const year = new Date().getFullYear();
    const month = (MONTH_NAMES as readonly string[]).indexOf(legacy[1]);
    return new Date(year, month, +legacy[2], +legacy[3], +legacy[4], +legacy[5]).getTime() * 1000;
  }
  return 0; // formats without a timestamp
}

describe('log-format against HAProxy 2.6', () => {
  it('renders every supported variable, flag and separator rule identically', async () => {
    const { clientPort } = await roundTrip(customPort);
    const raw = await datagramFor('raw', clientPort);
    const msg = raw.slice(0, -1);
    const rec = recordFromCustom(msg);
    expect(rec.backend).toBe('custom_fe');
    expect(rec.bytesUploaded).toBe('hello hapair\n'.length);
    const compiled = compileLogFormat(CUSTOM_FORMAT);
    expect(compiled.error).toBeUndefined();
    expect(compiled.format!.render(rec, { pid: haproxy!.pid!, hostname: os.hostname() })).toBe(msg);
  });
});

describe('log-format errors against haproxy -c', () => {
  it.each(['%', '%{+Q', '%{+Q}', '%zz', '50%1', 'a % b', '%Ta'])('reports %j with HAProxy\'s message', async (fmt) => {
    const cfg = path.join(tmp, 'check.cfg');
    await writeFile(
      cfg,
      ['defaults', '    mode tcp', 'listen chk', `    bind 127.0.0.1:${customPort}`, '    log 127.0.0.1:514 local0', `    log-format "${fmt}"`, ''].join('\n'),
    );
    const r = spawnSync(HAPROXY, ['-c', '-f', cfg], { encoding: 'utf8', timeout: 10_000 });
    expect(r.status).not.toBe(0);
    const ours = compileLogFormat(fmt);
    expect(ours.ok).toBe(false);
    expect(r.stderr + r.stdout).toContain(`failed to parse log-format : ${ours.error}.`);
  });
});
