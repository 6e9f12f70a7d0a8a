import { describe, expect, it } from 'vitest';
import { useTimeZone } from './time-zone.test-helper.ts';
import {
  formatDateLog,
  formatGmtDateLog,
  formatIsoTimeUs,
  formatLegacySyslogTime,
  formatLocalDateLog,
  gmtOffset,
  nowUs,
  PAD2,
  PAD3,
} from './log-time.ts';

// Newfoundland: a negative half-hour offset (-03:30) with DST (-02:30), so local-vs-UTC, the
// offset's sign and minutes, and DST all show.
useTimeZone('America/St_Johns');

const utc = (y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number =>
  Date.UTC(y, mo - 1, d, h, mi, s, ms);

describe('padding tables', () => {
  it('pads to 2 and 3 digits', () => {
    expect([PAD2[0], PAD2[7], PAD2[42], PAD2[99]]).toEqual(['00', '07', '42', '99']);
    expect([PAD3[0], PAD3[5], PAD3[45], PAD3[999]]).toEqual(['000', '005', '045', '999']);
  });
});

describe('%t (formatDateLog)', () => {
  it('prints local time with zero-padded fields and milliseconds', () => {
    // 2009-02-06 03:04:05.007 UTC is 23:34:05 the day before in St. John's (-03:30).
    expect(formatDateLog(utc(2009, 2, 6, 3, 4, 5, 7))).toBe('05/Feb/2009:23:34:05.007');
  });

  it('truncates fractional milliseconds instead of rounding', () => {
    expect(formatDateLog(utc(2021, 12, 31, 12, 0, 0, 999) + 0.9)).toBe('31/Dec/2021:08:30:00.999');
  });

  it('follows DST (summer offset -02:30)', () => {
    expect(formatDateLog(utc(2023, 7, 1, 12, 0, 0, 0))).toBe('01/Jul/2023:09:30:00.000');
  });

  it('serves consecutive lines of the same second and then the next second correctly', () => {
    const base = utc(2024, 1, 15, 10, 20, 30, 0);
    expect(formatDateLog(base + 1)).toBe('15/Jan/2024:06:50:30.001');
    expect(formatDateLog(base + 998)).toBe('15/Jan/2024:06:50:30.998');
    expect(formatDateLog(base + 1000)).toBe('15/Jan/2024:06:50:31.000');
    expect(formatDateLog(base + 1)).toBe('15/Jan/2024:06:50:30.001');
  });
});

describe('%T and %Tl', () => {
  it('%T prints GMT with +0000', () => {
    expect(formatGmtDateLog(utc(2009, 2, 6, 3, 4, 5, 7))).toBe('06/Feb/2009:03:04:05 +0000');
  });

  it('%Tl prints local time with its offset', () => {
    expect(formatLocalDateLog(utc(2009, 2, 6, 3, 4, 5, 7))).toBe('05/Feb/2009:23:34:05 -0330');
    expect(formatLocalDateLog(utc(2023, 7, 1, 12, 0, 0, 0))).toBe('01/Jul/2023:09:30:00 -0230');
  });

  it('gmtOffset formats with or without a colon', () => {
    const d = new Date(utc(2009, 2, 6, 3, 4, 5, 7));
    expect(gmtOffset(d, '')).toBe('-0330');
    expect(gmtOffset(d, ':')).toBe('-03:30');
  });
});

describe('syslog header times', () => {
  it('pads a one-digit day with a space (Mmm dd HH:MM:SS)', () => {
    expect(formatLegacySyslogTime(utc(2024, 3, 5, 12, 8, 9, 500))).toBe('Mar  5 08:38:09 ');
    expect(formatLegacySyslogTime(utc(2024, 11, 23, 12, 0, 0, 0))).toBe('Nov 23 08:30:00 ');
  });

  it('prints ISO time with microseconds and the local offset', () => {
    const us = utc(2024, 3, 5, 12, 8, 9, 0) * 1000 + 4567;
    expect(formatIsoTimeUs(us)).toBe('2024-03-05T08:38:09.004567-03:30');
  });

  it('nowUs follows the wall clock', () => {
    const before = Date.now() * 1000;
    const now = nowUs();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThan((Date.now() + 1) * 1000);
  });
});
