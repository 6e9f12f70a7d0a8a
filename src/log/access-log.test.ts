import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { useTimeZone } from './time-zone.test-helper.ts';
import type { LogTarget } from '../config/model.ts';
import { createAccessLogSink, isErrorSession, type AccessLogOptions } from './access-log.ts';
import { compileLogFormat } from './log-format.ts';
import { createLogger, memoryDestination } from './logger.ts';
import type { TcpLogRecord } from './record.ts';
import { LogTransport } from './syslog.ts';

useTimeZone('UTC');

const REC: TcpLogRecord = {
  clientIp: '198.51.100.4',
  clientPort: 40000,
  acceptDate: Date.UTC(2024, 0, 2, 3, 4, 5, 6),
  frontend: 'fe',
  backend: 'be',
  server: 's1',
  Tw: 0,
  Tc: 0,
  Tt: 10,
  bytesRead: 5,
  bytesUploaded: 5,
  termination: '--',
  actconn: 1,
  feconn: 1,
  beconn: 1,
  srvconn: 1,
  retries: 0,
  redispatched: false,
  srvQueue: 0,
  backendQueue: 0,
};
const LINE = '198.51.100.4:40000 [02/Jan/2024:03:04:05.006] fe be/s1 0/0/10 5 -- 1/1/1/1/0 0/0';

const STDOUT: LogTarget = { kind: 'stdout', format: 'priority', len: 1024, facility: 'local0', loc: { file: 'f', line: 1 } };

function setup(opts: Partial<AccessLogOptions> = {}) {
  const out: string[] = [];
  const mem = memoryDestination();
  const sink = createAccessLogSink({
    logs: [STDOUT],
    format: 'tcplog',
    pino: createLogger({ level: 'info', destination: mem }),
    tag: 'hapair',
    pid: 321,
    transport: new LogTransport({ stdout: { write: (c) => out.push(String(c)) } }),
    ...opts,
  });
  return { sink, out, pino: mem.lines };
}

describe('isErrorSession (HAProxy strm_log)', () => {
  it.each([
    [{}, false],
    [{ termination: 'LR' }, false],
    [{ termination: 'CD' }, true],
    [{ termination: 'sC' }, true],
    [{ retries: 1 }, true],
    [{ termination: 'SC', retries: 0 }, true],
    [{ redispatched: true, retries: 3 }, true],
  ] as const)('%j → %s', (patch, expected) => {
    expect(isErrorSession({ ...REC, ...patch })).toBe(expected);
  });
});

describe('createAccessLogSink', () => {
  it('sends the tcplog line at local0.info and logs it through pino as mod=access', () => {
    const { sink, out, pino } = setup();
    sink(REC);
    expect(out).toEqual([`<134>${LINE}\n`]);
    expect(pino).toHaveLength(1);
    expect(pino[0]).toMatchObject({ level: 30, mod: 'access', msg: LINE });
  });

  it('uses a compiled log-format with %pid and %H', () => {
    const compiled = compileLogFormat('%pid %H %b');
    if (!compiled.ok) throw new Error(compiled.error);
    const { sink, out } = setup({ format: compiled.format });
    sink(REC);
    expect(out).toEqual([`<134>321 ${os.hostname()} be\n`]);
  });

  it("prefixes %Tt and %B with '+' under option logasap", () => {
    const { sink, out } = setup({ logasap: true });
    sink(REC);
    expect(out[0]).toContain(' 0/0/+10 +5 ');
  });

  it('skips sessions that received nothing under option dontlognull', () => {
    const { sink, out, pino } = setup({ dontlognull: true });
    sink({ ...REC, bytesUploaded: 0 });
    sink(REC);
    expect(out).toHaveLength(1);
    expect(pino).toHaveLength(1);
  });

  it('logs only error sessions under option dontlog-normal', () => {
    const { sink, out } = setup({ dontlogNormal: true });
    sink(REC);
    sink({ ...REC, termination: 'cD' });
    expect(out).toHaveLength(1);
    expect(out[0]).toContain(' cD ');
  });

  it('logs error sessions at err under option log-separate-errors, normal ones at info', () => {
    const { sink, out, pino } = setup({ logSeparateErrors: true });
    sink({ ...REC, termination: 'SC' });
    sink(REC);
    // local0 (16) * 8 + err (3) = 131
    expect(out.map((l) => l.slice(0, 5))).toEqual(['<131>', '<134>']);
    expect(pino.map((l) => l.level)).toEqual([50, 30]);
  });

  it('still logs error sessions at info without log-separate-errors', () => {
    const { sink, out } = setup();
    sink({ ...REC, termination: 'SC' });
    expect(out[0].slice(0, 5)).toBe('<134>');
  });
});
