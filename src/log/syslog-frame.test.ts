import { describe, expect, it } from 'vitest';
import { useTimeZone } from './time-zone.test-helper.ts';
import type { LogTarget } from '../config/model.ts';
import { SyslogFramer, type SyslogMeta } from './syslog-frame.ts';
import { facilityCode, LOG_FACILITIES, LOG_LEVEL, LOG_LEVELS, levelCode, LogTargetError, syslogPri } from './syslog-levels.ts';

useTimeZone('UTC');

// 2024-03-05 07:08:09.123456 UTC
const NOW = Date.UTC(2024, 2, 5, 7, 8, 9, 123) * 1000 + 456;
const META: SyslogMeta = { tag: 'hapair', pid: 77 };

function framer(t: Partial<LogTarget>, meta: SyslogMeta = META): SyslogFramer {
  return new SyslogFramer({ kind: 'udp', format: 'rfc3164', facility: 'local0', len: 1024, ...t }, meta);
}

const text = (d: string | Buffer): string => (typeof d === 'string' ? d : d.toString('utf8'));

describe('facilities, levels and PRI', () => {
  it('numbers the 24 facilities and 8 levels as syslog does', () => {
    expect(LOG_FACILITIES).toHaveLength(24);
    expect(facilityCode('kern')).toBe(0);
    expect(facilityCode('daemon')).toBe(3);
    expect(facilityCode('local0')).toBe(16);
    expect(facilityCode('local7')).toBe(23);
    expect(facilityCode('nope')).toBe(-1);
    expect(LOG_LEVELS.map(levelCode)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(levelCode('warn')).toBe(-1);
  });

  it('computes PRI = facility * 8 + level', () => {
    expect(syslogPri(16, LOG_LEVEL.info)).toBe(134);
    expect(syslogPri(23, LOG_LEVEL.debug)).toBe(191);
    expect(syslogPri(0, LOG_LEVEL.emerg)).toBe(0);
  });
});

describe('headers per format', () => {
  it.each([
    ['local', {}, '<134>Mar  5 07:08:09 hapair[77]: msg\n'],
    ['rfc3164', {}, '<134>Mar  5 07:08:09 localhost hapair[77]: msg\n'],
    ['rfc3164', { hostname: 'lb1' }, '<134>Mar  5 07:08:09 lb1 hapair[77]: msg\n'],
    ['local', { hostname: 'lb1' }, '<134>Mar  5 07:08:09 hapair[77]: msg\n'],
    ['rfc5424', {}, '<134>1 2024-03-05T07:08:09.123456+00:00 - hapair 77 - - msg\n'],
    ['rfc5424', { hostname: 'lb1', structuredData: '[x@1 a="b"]  ' }, '<134>1 2024-03-05T07:08:09.123456+00:00 lb1 hapair 77 - [x@1 a="b"] msg\n'],
    ['priority', {}, '<134>msg\n'],
    ['short', {}, '<6>msg\n'],
    ['timed', {}, '<6>2024-03-05T07:08:09.123456+00:00 msg\n'],
    ['iso', {}, '2024-03-05T07:08:09.123456+00:00 msg\n'],
    ['raw', {}, 'msg\n'],
  ] as const)('%s %j', (format, meta, expected) => {
    expect(text(framer({ format }, { ...META, ...meta }).frame(LOG_LEVEL.info, 'msg', NOW))).toBe(expected);
  });

  it('omits TAG[PID]: when the tag is empty, and prints - for it in rfc5424', () => {
    expect(text(framer({ format: 'local' }, { tag: '', pid: 1 }).frame(6, 'm', NOW))).toBe('<134>Mar  5 07:08:09 m\n');
    expect(text(framer({ format: 'rfc5424' }, { tag: '', pid: 1 }).frame(6, 'm', NOW))).toContain(' - - 1 - - m\n');
  });

  it('puts the facility in PRI except for short and timed', () => {
    expect(text(framer({ format: 'priority', facility: 'daemon' }).frame(LOG_LEVEL.err, 'x', NOW))).toBe('<27>x\n');
    expect(text(framer({ format: 'short', facility: 'daemon' }).frame(LOG_LEVEL.err, 'x', NOW))).toBe('<3>x\n');
  });

  it('strips the trailing newlines and NULs of a message', () => {
    expect(text(framer({ format: 'raw' }).frame(6, 'line\n\n\0', NOW))).toBe('line\n');
  });
});

describe('len truncation', () => {
  it('cuts header + message at len for UDP, then adds the newline', () => {
    const out = text(framer({ format: 'local', len: 80 }).frame(6, 'x'.repeat(100), NOW));
    expect(out).toHaveLength(81);
    expect(out.endsWith('x\n')).toBe(true);
  });

  it('counts the newline inside len for stdout/stderr', () => {
    const out = text(framer({ kind: 'stdout', format: 'raw', len: 80 }).frame(6, 'y'.repeat(100), NOW));
    expect(out).toBe('y'.repeat(79) + '\n');
  });

  it('does not touch a line that fits exactly', () => {
    expect(text(framer({ format: 'raw', len: 80 }).frame(6, 'z'.repeat(80), NOW))).toBe('z'.repeat(80) + '\n');
  });

  it('cuts bytes, not characters, like HAProxy', () => {
    // 'é' is 2 bytes in UTF-8: 79 ASCII bytes + 1 of the 2 bytes of 'é'.
    const out = framer({ format: 'raw', len: 80 }).frame(6, 'a'.repeat(79) + 'éé', NOW);
    expect(Buffer.isBuffer(out)).toBe(true);
    const bytes = out as Buffer;
    expect(bytes).toHaveLength(81);
    expect(bytes[79]).toBe(0xc3);
    expect(bytes[80]).toBe(0x0a);
  });
});

describe('level filter', () => {
  it('sends every level without <level>', () => {
    const f = framer({});
    expect([0, 3, 6, 7].map((l) => f.levelFor(l))).toEqual([0, 3, 6, 7]);
  });

  it('drops messages less important than <level> and caps the ones above <minlevel>', () => {
    const f = framer({ level: 'notice', minlevel: 'err' });
    expect(f.levelFor(LOG_LEVEL.info)).toBe(-1);
    expect(f.levelFor(LOG_LEVEL.debug)).toBe(-1);
    expect(f.levelFor(LOG_LEVEL.notice)).toBe(LOG_LEVEL.notice);
    expect(f.levelFor(LOG_LEVEL.err)).toBe(LOG_LEVEL.err);
    expect(f.levelFor(LOG_LEVEL.emerg)).toBe(LOG_LEVEL.err);
  });

  it('rejects unknown facilities and levels', () => {
    expect(() => framer({ facility: 'local8' })).toThrow(LogTargetError);
    expect(() => framer({ level: 'warn' })).toThrow("unknown log level 'warn'");
    expect(() => framer({ minlevel: 'x' })).toThrow(LogTargetError);
  });
});

describe('default format (no `format` on the log line)', () => {
  const base = { kind: 'udp' as const, facility: 'local0', len: 1024, format: 'local' as const, defaultFormat: true };
  it('frames like local without log-send-hostname', () => {
    expect(new SyslogFramer(base, { tag: 'hapair', pid: 7 }).format).toBe('local');
  });
  it('frames like rfc3164 with the host name when log-send-hostname is set', () => {
    expect(new SyslogFramer(base, { tag: 'hapair', pid: 7, hostname: 'lb1' }).format).toBe('rfc3164');
  });
});
