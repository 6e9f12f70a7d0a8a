// HAProxy time values (configuration.txt 2.5 "Time format"): a number with an optional unit
// us, ms, s, m, h, d; a bare number is milliseconds.

const UNITS: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds, or undefined when `text` is not a time value. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(us|ms|s|m|h|d)?$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * UNITS[m[2] ?? 'ms'];
}

/** Short human form for status output: 1500 → "1.5s", 200 → "200ms". */
export function formatDuration(ms: number): string {
  if (ms >= 1000 && ms % 100 === 0) return `${ms / 1000}s`;
  return `${Math.round(ms)}ms`;
}
