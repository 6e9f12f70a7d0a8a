// Numbers with units as HAProxy parses them: durations (tools.c parse_time_err, configuration.txt
// 2.5 "Time format"), sizes (parse_size_err) and plain integers (strict, where HAProxy uses atol).

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** Largest timer HAProxy accepts: values >= 2^31 ms overflow (tools.c parse_time_err). */
export const MAX_TIMER_MS = 2147483647;

export type TimeUnit = 'us' | 'ms' | 's' | 'm' | 'h' | 'd';

/** Microseconds per unit, as BigInt so that huge inputs never lose precision. */
const MICROS: Readonly<Record<TimeUnit, bigint>> = {
  us: 1n,
  ms: 1000n,
  s: 1_000_000n,
  m: 60_000_000n,
  h: 3_600_000_000n,
  d: 86_400_000_000n,
};

function ok<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

function fail<T>(error: string): Parsed<T> {
  return { ok: false, error };
}

/**
 * Parse `<digits>[us|ms|s|m|h|d]` into `outUnit` (default ms). A bare number is in `outUnit`,
 * as HAProxy's "default unit" (ms for timeouts). The result is rounded up like HAProxy; a result
 * of 2^31 or more is an overflow and a non-zero input rounding to 0 an underflow. HAProxy 2.6
 * only warns about characters after the unit; hapair refuses them (a typo must not pass).
 */
export function parseDuration(text: string, outUnit: 'ms' | 's' = 'ms'): Parsed<number> {
  const m = /^(\d+)(us|ms|s|m|h|d)?(.*)$/s.exec(text);
  if (!m) return fail(text === '' ? 'missing value' : `unexpected character '${text[0]}'`);
  const [, digits, unit, rest] = m;
  if (rest !== '') return fail(`unexpected character '${rest[0]}'${unit ? ' after the unit' : ''}`);
  const value = BigInt(digits);
  const inMicros = MICROS[(unit as TimeUnit | undefined) ?? outUnit];
  const outMicros = MICROS[outUnit];
  const result = (value * inMicros + outMicros - 1n) / outMicros;
  const maxUnits = outUnit === 'ms' ? `${MAX_TIMER_MS} ms or ~24.8 days` : `${MAX_TIMER_MS} s`;
  if (result > BigInt(MAX_TIMER_MS)) return fail(`timer overflow (maximum value is ${maxUnits})`);
  if (result === 0n && value !== 0n) return fail(`timer underflow (minimum non-null value is 1 ${outUnit})`);
  return ok(Number(result));
}

const SIZE_SHIFT: Readonly<Record<string, number>> = { k: 10, m: 20, g: 30 };

/** Parse `<digits>[k|m|g]` (case-insensitive, powers of 1024) into bytes; 32-bit unsigned like HAProxy. */
export function parseSize(text: string): Parsed<number> {
  const m = /^(\d+)([kKmMgG])?(.*)$/s.exec(text);
  if (!m) return fail(text === '' ? 'missing value' : `unexpected character '${text[0]}'`);
  const [, digits, suffix, rest] = m;
  if (rest !== '') return fail(`unexpected character '${rest[0]}'`);
  const shift = suffix ? SIZE_SHIFT[suffix.toLowerCase()] : 0;
  const value = BigInt(digits) << BigInt(shift);
  if (value > 0xffffffffn) return fail('value too large (maximum is 4294967295 bytes)');
  return ok(Number(value));
}

export interface IntegerRange {
  readonly min?: number;
  readonly max?: number;
}

/**
 * A decimal integer, optionally bounded. HAProxy reads most integers with atol(), which turns
 * "12abc" into 12 and "abc" into 0; hapair refuses such values instead.
 */
export function parseInteger(text: string, range: IntegerRange = {}): Parsed<number> {
  if (!/^[+-]?\d+$/.test(text)) return fail(text === '' ? 'missing value' : `'${text}' is not an integer`);
  const value = Number(text);
  if (!Number.isSafeInteger(value)) return fail(`'${text}' is out of range`);
  const { min, max } = range;
  if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
    const bounds = max === undefined ? `>= ${min}` : min === undefined ? `<= ${max}` : `between ${min} and ${max}`;
    return fail(`'${text}' must be ${bounds}`);
  }
  return ok(value);
}
