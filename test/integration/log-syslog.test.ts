// Syslog over real UDP sockets on loopback: what a syslog server receives from hapair's
// SyslogSender and access-log sink.
import dgram from 'node:dgram';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LogTarget } from '../../src/config/model.ts';
import { createAccessLogSink } from '../../src/log/access-log.ts';
import { createLogger, memoryDestination } from '../../src/log/logger.ts';
import type { TcpLogRecord } from '../../src/log/record.ts';
import { LOG_LEVEL } from '../../src/log/syslog-levels.ts';
import { LogTransport, SyslogSender } from '../../src/log/syslog.ts';

interface Received {
  readonly text: string;
  readonly bytes: number;
  readonly fromPort: number;
}

interface Listener {
  readonly socket: dgram.Socket;
  readonly port: number;
  readonly got: Received[];
}

async function listen(type: 'udp4' | 'udp6', host: string): Promise<Listener> {
  const socket = dgram.createSocket(type);
  const got: Received[] = [];
  socket.on('message', (m, rinfo) => got.push({ text: m.toString('utf8'), bytes: m.length, fromPort: rinfo.port }));
  await new Promise<void>((resolve) => socket.bind(0, host, resolve));
  return { socket, port: socket.address().port, got };
}

async function waitCount(l: Listener, n: number, timeoutMs = 5000): Promise<Received[]> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 500 && Date.now() < deadline && l.got.length < n; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  return l.got;
}

/** Waits until `transport` has accounted for `n` sends (ok or failed). */
async function waitSettled(transport: LogTransport, n: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 500 && Date.now() < deadline; i++) {
    const s = transport.stats;
    if (s.sent + s.failed >= n) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

function udpTarget(host: string, port: number, extra: Partial<LogTarget> = {}): LogTarget {
  return { kind: 'udp', host, port, format: 'rfc3164', len: 1024, facility: 'local0', loc: { file: 't.cfg', line: 1 }, ...extra };
}

// 2024-03-05 07:08:09.123456 UTC
const NOW_US = Date.UTC(2024, 2, 5, 7, 8, 9, 123) * 1000 + 456;
const PID = 4242;

let v4: Listener;
let v6: Listener;
let transport: LogTransport;
let savedTz: string | undefined;

beforeAll(async () => {
  savedTz = process.env.TZ;
  process.env.TZ = 'UTC';
  v4 = await listen('udp4', '127.0.0.1');
  v6 = await listen('udp6', '::1');
});

afterAll(() => {
  v4.socket.close();
  v6.socket.close();
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

afterEach(async () => {
  await transport?.close();
  v4.got.length = 0;
  v6.got.length = 0;
});

function sender(targets: LogTarget[], extra: { hostname?: string; tag?: string } = {}): SyslogSender {
  transport = new LogTransport();
  return new SyslogSender({ targets, tag: extra.tag ?? 'hapair', pid: PID, hostname: extra.hostname, transport, now: () => NOW_US });
}

describe('syslog over UDP', () => {
  it('delivers an rfc3164 line to 127.0.0.1 with PRI, time, host, tag and pid', async () => {
    sender([udpTarget('127.0.0.1', v4.port)], { hostname: 'lb1' }).send(LOG_LEVEL.info, 'hello');
    const [d] = await waitCount(v4, 1);
    expect(d.text).toBe('<134>Mar  5 07:08:09 lb1 hapair[4242]: hello\n');
  });

  it('delivers an rfc5424 line to ::1 with the ISO time and nil MSGID and SD', async () => {
    sender([udpTarget('::1', v6.port, { format: 'rfc5424', facility: 'daemon' })], { hostname: 'lb1' }).send(LOG_LEVEL.notice, 'up');
    const [d] = await waitCount(v6, 1);
    // daemon(3) * 8 + notice(5) = 29
    expect(d.text).toBe('<29>1 2024-03-05T07:08:09.123456+00:00 lb1 hapair 4242 - - up\n');
  });

  it('uses one socket per family for every target and line', async () => {
    const s = sender([udpTarget('127.0.0.1', v4.port), udpTarget('127.0.0.1', v4.port, { format: 'raw' })]);
    for (let i = 0; i < 3; i++) s.send(LOG_LEVEL.info, `line ${i}`);
    const got = await waitCount(v4, 6);
    expect(got).toHaveLength(6);
    expect(new Set(got.map((d) => d.fromPort)).size).toBe(1);
  });

  it('drops lines above the target level and caps levels below minlevel', async () => {
    const s = sender([udpTarget('127.0.0.1', v4.port, { format: 'short', level: 'notice', minlevel: 'err' })]);
    s.send(LOG_LEVEL.info, 'dropped');
    s.send(LOG_LEVEL.emerg, 'capped');
    s.send(LOG_LEVEL.notice, 'kept');
    const got = await waitCount(v4, 2);
    await waitSettled(transport, 2);
    expect(got.map((d) => d.text).sort()).toEqual(['<3>capped\n', '<5>kept\n']);
  });

  it('truncates header + message to len and still ends the datagram with a newline', async () => {
    sender([udpTarget('127.0.0.1', v4.port, { format: 'local', len: 80 })]).send(LOG_LEVEL.info, 'x'.repeat(200));
    const [d] = await waitCount(v4, 1);
    expect(d.bytes).toBe(81);
    expect(d.text).toBe('<134>Mar  5 07:08:09 hapair[4242]: ' + 'x'.repeat(80 - 35) + '\n');
  });

  it('counts a failed send (datagram over the UDP maximum) without throwing', async () => {
    const s = sender([udpTarget('127.0.0.1', v4.port, { format: 'raw', len: 65535 })]);
    expect(() => s.send(LOG_LEVEL.info, 'y'.repeat(70_000))).not.toThrow();
    s.send(LOG_LEVEL.info, 'small');
    await waitSettled(transport, 2);
    expect(transport.stats).toEqual({ sent: 1, failed: 1 });
    const got = await waitCount(v4, 1);
    expect(got.map((d) => d.text)).toEqual(['small\n']);
  });
});

describe('access-log sink over UDP', () => {
  const rec: TcpLogRecord = {
    clientIp: '192.0.2.7',
    clientPort: 51000,
    acceptDate: Date.UTC(2024, 2, 5, 7, 8, 1, 9),
    frontend: 'fe_ldap',
    backend: 'be_ldap',
    server: 'ldap1',
    Tw: 0,
    Tc: 1,
    Tt: 7001,
    bytesRead: 1234,
    bytesUploaded: 99,
    termination: '--',
    actconn: 3,
    feconn: 2,
    beconn: 1,
    srvconn: 1,
    retries: 0,
    redispatched: false,
    srvQueue: 0,
    backendQueue: 0,
  };

  it('sends the tcplog line to every target and writes it through pino once', async () => {
    transport = new LogTransport();
    const mem = memoryDestination();
    const sink = createAccessLogSink({
      logs: [udpTarget('127.0.0.1', v4.port, { format: 'local' }), udpTarget('::1', v6.port, { format: 'rfc5424' })],
      format: 'tcplog',
      pino: createLogger({ level: 'info', destination: mem }),
      tag: 'haproxy',
      pid: PID,
      transport,
      now: () => NOW_US,
    });
    sink(rec);
    const line = '192.0.2.7:51000 [05/Mar/2024:07:08:01.009] fe_ldap be_ldap/ldap1 0/1/7001 1234 -- 3/2/1/1/0 0/0';
    expect((await waitCount(v4, 1))[0].text).toBe(`<134>Mar  5 07:08:09 haproxy[4242]: ${line}\n`);
    expect((await waitCount(v6, 1))[0].text).toBe(`<134>1 2024-03-05T07:08:09.123456+00:00 - haproxy 4242 - - ${line}\n`);
    expect(mem.lines).toHaveLength(1);
    expect(mem.lines[0]).toMatchObject({ mod: 'access', msg: line, level: 30 });
  });
});
