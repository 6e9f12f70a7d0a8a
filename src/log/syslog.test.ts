import { EventEmitter } from 'node:events';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import type { LogTarget } from '../config/model.ts';
import { LOG_LEVEL, LogTargetError } from './syslog-levels.ts';
import { checkLogTarget, DEFAULT_LOG_TAG, LogTransport, resolveLogSendHostname, SyslogSender } from './syslog.ts';

const LOC = { file: 'hapair.cfg', line: 3 };

function target(t: Partial<LogTarget>): LogTarget {
  return { kind: 'stdout', format: 'raw', len: 1024, facility: 'daemon', loc: LOC, ...t };
}

class MemoryWriter extends EventEmitter {
  readonly chunks: string[] = [];
  write(chunk: string | Uint8Array): boolean {
    this.chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
    return true;
  }
}

function setup(targets: LogTarget[]) {
  const stdout = new MemoryWriter();
  const stderr = new MemoryWriter();
  const transport = new LogTransport({ stdout, stderr });
  let clockCalls = 0;
  const sender = new SyslogSender({
    targets,
    tag: DEFAULT_LOG_TAG,
    pid: 9,
    transport,
    now: () => {
      clockCalls++;
      return 0;
    },
  });
  return { stdout, stderr, transport, sender, clockCalls: () => clockCalls };
}

describe('stdout and stderr targets', () => {
  it('write the framed line and a newline to the matching stream', () => {
    const { stdout, stderr, sender, transport } = setup([
      target({ kind: 'stdout', format: 'short' }),
      target({ kind: 'stderr', format: 'raw', level: 'err' }),
    ]);
    sender.send(LOG_LEVEL.info, 'one');
    sender.send(LOG_LEVEL.alert, 'two');
    expect(stdout.chunks).toEqual(['<6>one\n', '<1>two\n']);
    expect(stderr.chunks).toEqual(['two\n']);
    expect(transport.stats).toEqual({ sent: 3, failed: 0 });
  });

  it('does not read the clock when every target filters the line out', () => {
    const { stdout, sender, clockCalls } = setup([target({ level: 'err' })]);
    sender.send(LOG_LEVEL.debug, 'quiet');
    expect(stdout.chunks).toEqual([]);
    expect(clockCalls()).toBe(0);
  });

  it('counts a throwing writer and an error event instead of throwing', () => {
    const stdout = { write: () => { throw new Error('EPIPE'); } };
    const stderr = new MemoryWriter();
    const transport = new LogTransport({ stdout, stderr });
    const sender = new SyslogSender({ targets: [target({}), target({ kind: 'stderr' })], tag: 't', pid: 1, transport });
    expect(() => sender.send(LOG_LEVEL.info, 'x')).not.toThrow();
    stderr.emit('error', new Error('EPIPE'));
    expect(transport.stats).toEqual({ sent: 1, failed: 2 });
  });
});

describe('checkLogTarget', () => {
  it('accepts UDP on an IP address and stdout', () => {
    expect(checkLogTarget(target({ kind: 'udp', host: '127.0.0.1', port: 514 }))).toBeUndefined();
    expect(checkLogTarget(target({ kind: 'udp', host: '::1' }))).toBeUndefined();
    expect(checkLogTarget(target({}))).toBeUndefined();
  });

  it('rejects unix sockets, host names, bad lengths, facilities and levels', () => {
    expect(checkLogTarget(target({ kind: 'unix', path: '/dev/log' }))).toMatch(/^log target '\/dev\/log': unix datagram sockets are not supported/);
    expect(checkLogTarget(target({ kind: 'udp', host: 'syslog.example' }))).toBe("log target 'syslog.example': expects an IP address");
    expect(checkLogTarget(target({ len: 79 }))).toBe("invalid log length '79', must be between 80 and 65535");
    expect(checkLogTarget(target({ len: 65536 }))).toBe("invalid log length '65536', must be between 80 and 65535");
    expect(checkLogTarget(target({ facility: 'local9' }))).toBe("unknown syslog facility 'local9'");
    expect(checkLogTarget(target({ level: 'information' }))).toBe("unknown log level 'information'");
  });

  it('makes SyslogSender throw a coded error for a rejected target', () => {
    const make = () => new SyslogSender({ targets: [target({ kind: 'unix', path: '/dev/log' })], tag: 't', pid: 1, transport: new LogTransport() });
    const err = (() => {
      try {
        make();
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(LogTargetError);
    expect(err).toMatchObject({ code: 'HAPAIR_E_LOG_TARGET' });
  });
});

describe('resolveLogSendHostname', () => {
  it('is absent without the keyword, the system hostname without argument, else the argument', () => {
    expect(resolveLogSendHostname(undefined)).toBeUndefined();
    expect(resolveLogSendHostname('')).toBe(os.hostname());
    expect(resolveLogSendHostname('lb1.example')).toBe('lb1.example');
  });
});
