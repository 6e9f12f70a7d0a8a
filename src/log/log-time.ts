// Date fragments of HAProxy's log lines, built from precomputed tables (pino habit: no
// per-call formatting helpers). Every date is LOCAL time unless the name says GMT, like
// HAProxy's get_localtime() (doc/configuration.txt 8.2.6 "%t", "%Tl", "%T").

export const MONTH_NAMES = [
  'Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec',
] as const;

/** '00'..'99' */
export const PAD2: readonly string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? '0' : '') + i);
/** '000'..'999' */
export const PAD3: readonly string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
/** ' 1'..'31': the space-padded day of the syslog header (`%2d` in HAProxy's src/log.c). */
const SPACE_DAY: readonly string[] = Array.from({ length: 32 }, (_, i) => (i < 10 ? ' ' : '') + i);

function pad4(n: number): string {
  return n >= 1000 ? String(n) : PAD3[n].padStart(4, '0');
}

/** `+hhmm` / `-hhmm`: the offset of local time from GMT at that instant (HAProxy get_gmt_offset). */
export function gmtOffset(d: Date, sep: '' | ':'): string {
  const east = -d.getTimezoneOffset();
  const abs = Math.abs(east);
  return (east < 0 ? '-' : '+') + PAD2[Math.floor(abs / 60)] + sep + PAD2[abs % 60];
}

/**
 * One-entry cache keyed by the epoch second: access logs are written in accept-time order give
 * or take a few seconds, so consecutive lines mostly share the second and skip Date's time-zone
 * lookups. Keyed by absolute time, so DST changes are still right.
 */
class SecondCache {
  #sec = Number.NaN;
  #value = '';
  readonly #build: (d: Date) => string;
  constructor(build: (d: Date) => string) {
    this.#build = build;
  }
  get(sec: number): string {
    if (sec !== this.#sec) {
      this.#value = this.#build(new Date(sec * 1000));
      this.#sec = sec;
    }
    return this.#value;
  }
}

const dateLogPrefix = new SecondCache(
  (d) =>
    PAD2[d.getDate()] + '/' + MONTH_NAMES[d.getMonth()] + '/' + pad4(d.getFullYear()) + ':' +
    PAD2[d.getHours()] + ':' + PAD2[d.getMinutes()] + ':' + PAD2[d.getSeconds()] + '.',
);

/** `%t`: `dd/Mmm/yyyy:HH:MM:SS.mmm`, local time (HAProxy src/tools.c date2str_log). */
export function formatDateLog(epochMs: number): string {
  const ms = Math.floor(epochMs);
  const sec = Math.floor(ms / 1000);
  return dateLogPrefix.get(sec) + PAD3[ms - sec * 1000];
}

const gmtDate = new SecondCache(
  (d) =>
    PAD2[d.getUTCDate()] + '/' + MONTH_NAMES[d.getUTCMonth()] + '/' + pad4(d.getUTCFullYear()) + ':' +
    PAD2[d.getUTCHours()] + ':' + PAD2[d.getUTCMinutes()] + ':' + PAD2[d.getUTCSeconds()] + ' +0000',
);

/** `%T`: `dd/Mmm/yyyy:HH:MM:SS +0000`, GMT (HAProxy gmt2str_log). */
export function formatGmtDateLog(epochMs: number): string {
  return gmtDate.get(Math.floor(epochMs / 1000));
}

const localDate = new SecondCache(
  (d) =>
    PAD2[d.getDate()] + '/' + MONTH_NAMES[d.getMonth()] + '/' + pad4(d.getFullYear()) + ':' +
    PAD2[d.getHours()] + ':' + PAD2[d.getMinutes()] + ':' + PAD2[d.getSeconds()] + ' ' + gmtOffset(d, ''),
);

/** `%Tl`: `dd/Mmm/yyyy:HH:MM:SS +hhmm`, local time with its offset (HAProxy localdate2str_log). */
export function formatLocalDateLog(epochMs: number): string {
  return localDate.get(Math.floor(epochMs / 1000));
}

const legacyHeader = new SecondCache(
  (d) =>
    MONTH_NAMES[d.getMonth()] + ' ' + SPACE_DAY[d.getDate()] + ' ' +
    PAD2[d.getHours()] + ':' + PAD2[d.getMinutes()] + ':' + PAD2[d.getSeconds()] + ' ',
);

/** The rfc3164/local syslog timestamp with its trailing space: `Mmm dd HH:MM:SS ` (day space-padded). */
export function formatLegacySyslogTime(epochMs: number): string {
  return legacyHeader.get(Math.floor(epochMs / 1000));
}

const isoPrefix = new SecondCache(
  (d) =>
    pad4(d.getFullYear()) + '-' + PAD2[d.getMonth() + 1] + '-' + PAD2[d.getDate()] + 'T' +
    PAD2[d.getHours()] + ':' + PAD2[d.getMinutes()] + ':' + PAD2[d.getSeconds()] + '.',
);
const isoOffset = new SecondCache((d) => gmtOffset(d, ':'));

/**
 * The rfc5424/timed/iso timestamp: `yyyy-mm-ddTHH:MM:SS.uuuuuu+hh:mm`, local time with
 * microseconds (HAProxy src/clock.c timeofday_as_iso_us).
 */
export function formatIsoTimeUs(epochUs: number): string {
  const us = Math.floor(epochUs);
  const sec = Math.floor(us / 1_000_000);
  const frac = us - sec * 1_000_000;
  return isoPrefix.get(sec) + PAD3[Math.floor(frac / 1000)] + PAD3[frac % 1000] + isoOffset.get(sec);
}

/**
 * Wall-clock time in microseconds for the syslog header. Node has no wall-clock microsecond
 * source: milliseconds come from Date.now() (follows clock steps, like gettimeofday) and the
 * sub-millisecond digits from the monotonic clock, which only makes them increase plausibly.
 */
export function nowUs(): number {
  return Date.now() * 1000 + Math.floor((performance.now() % 1) * 1000);
}
