import { describe, expect, it } from 'vitest';
import { MAX_TIMER_MS, parseDuration, parseInteger, parseSize } from './units.ts';

const value = <T>(r: { ok: true; value: T } | { ok: false; error: string }): T | string => (r.ok ? r.value : `error: ${r.error}`);

describe('parseDuration (HAProxy parse_time_err)', () => {
  it.each([
    ['0', 0],
    ['1500', 1500], // a bare number is milliseconds
    ['250ms', 250],
    ['2s', 2000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1us', 1], // rounded up, like HAProxy
    ['1500us', 2],
    ['1000us', 1],
    [String(MAX_TIMER_MS), MAX_TIMER_MS],
  ])('%s → %d ms', (text, ms) => {
    expect(value(parseDuration(text))).toBe(ms);
  });

  it('converts into seconds when asked, rounding up', () => {
    expect(value(parseDuration('10', 's'))).toBe(10);
    expect(value(parseDuration('1500ms', 's'))).toBe(2);
    expect(value(parseDuration('2m', 's'))).toBe(120);
  });

  it('refuses garbage, a missing value, characters after the unit and overflows', () => {
    expect(value(parseDuration(''))).toBe('error: missing value');
    expect(value(parseDuration('abc'))).toBe("error: unexpected character 'a'");
    expect(value(parseDuration('10x'))).toBe("error: unexpected character 'x'");
    expect(value(parseDuration('10sx'))).toBe("error: unexpected character 'x' after the unit");
    expect(value(parseDuration('-1s'))).toBe("error: unexpected character '-'");
    expect(value(parseDuration('25d'))).toMatch(/timer overflow/);
    expect(value(parseDuration(String(MAX_TIMER_MS + 1)))).toMatch(/timer overflow/);
    expect(value(parseDuration('99999999999999999999999999h'))).toMatch(/timer overflow/);
  });

  it('reports an underflow when a non-zero value rounds to zero in the output unit', () => {
    // Rounding is upward, so no input underflows into milliseconds or seconds; zero stays zero.
    expect(value(parseDuration('1us', 's'))).toBe(1);
    expect(value(parseDuration('0us', 's'))).toBe(0);
  });
});

describe('parseSize (HAProxy parse_size_err)', () => {
  it.each([
    ['0', 0],
    ['512', 512],
    ['1k', 1024],
    ['1K', 1024],
    ['2m', 2 * 1024 * 1024],
    ['3g', 3 * 1024 ** 3],
    ['4294967295', 4294967295],
  ])('%s → %d bytes', (text, bytes) => {
    expect(value(parseSize(text))).toBe(bytes);
  });

  it('refuses garbage, unknown suffixes and values beyond 32 bits', () => {
    expect(value(parseSize(''))).toBe('error: missing value');
    expect(value(parseSize('1t'))).toBe("error: unexpected character 't'");
    expect(value(parseSize('1kb'))).toBe("error: unexpected character 'b'");
    expect(value(parseSize('4g'))).toMatch(/too large/);
    expect(value(parseSize('4294967296'))).toMatch(/too large/);
  });
});

describe('parseInteger', () => {
  it('accepts decimal integers within bounds', () => {
    expect(value(parseInteger('42'))).toBe(42);
    expect(value(parseInteger('-3'))).toBe(-3);
    expect(value(parseInteger('256', { min: 0, max: 256 }))).toBe(256);
  });

  it("refuses what atol() would silently truncate, and out-of-range values", () => {
    expect(value(parseInteger('12abc'))).toBe("error: '12abc' is not an integer");
    expect(value(parseInteger(''))).toBe('error: missing value');
    expect(value(parseInteger('257', { min: 0, max: 256 }))).toBe("error: '257' must be between 0 and 256");
    expect(value(parseInteger('0', { min: 1 }))).toBe("error: '0' must be >= 1");
    expect(value(parseInteger('99999999999999999999'))).toBe("error: '99999999999999999999' is out of range");
  });
});
