// Syslog framing of one log line for one `log` target, byte for byte as HAProxy 2.6 frames it
// (src/log.c build_log_header() and __do_send_log(); configuration.txt 4.2 "log" <format>):
//   local     <PRI>Mmm dd HH:MM:SS TAG[PID]: MSG            (HAProxy's default without log-send-hostname)
//   rfc3164   <PRI>Mmm dd HH:MM:SS HOST TAG[PID]: MSG       (HOST 'localhost' without log-send-hostname)
//   rfc5424   <PRI>1 ISO-TIME HOST TAG PID - SD MSG          (HOST '-' without log-send-hostname, SD '-')
//   priority  <PRI>MSG        short  <LEVEL>MSG        timed  <LEVEL>ISO-TIME MSG
//   iso       ISO-TIME MSG    raw    MSG
// then a '\n'. The whole line (header + message) is cut at `len` bytes, plus the '\n' for UDP;
// for fd targets (stdout/stderr) the '\n' counts in `len` (src/fd.c fd_write_frag_line()).
import type { LogTarget } from '../config/model.ts';
import { formatIsoTimeUs, formatLegacySyslogTime } from './log-time.ts';
import { facilityCode, levelCode, LogTargetError, syslogPri } from './syslog-levels.ts';

export type SyslogFormat = LogTarget['format'];
export type FramedTarget = Pick<LogTarget, 'format' | 'defaultFormat' | 'facility' | 'len' | 'kind' | 'level' | 'minlevel'>;

export interface SyslogMeta {
  /** Syslog tag (HAProxy `log-tag`). */
  readonly tag: string;
  readonly pid: number;
  /** `log-send-hostname` value; undefined when the keyword is absent. */
  readonly hostname?: string;
  /** rfc5424 structured data (HAProxy `log-format-sd`, default '-'). */
  readonly structuredData?: string;
}

/** Frames lines for one target: the constant parts of its header are built once. */
export class SyslogFramer {
  readonly format: SyslogFormat;
  readonly #maxLen: number;
  readonly #fd: boolean;
  /** `<PRI>` per level 0..7 (facility folded in where the format has it). */
  readonly #pri: readonly string[];
  /** Everything after the timestamp, e.g. `haproxy[123]: `. */
  readonly #suffix: string;

  readonly #maxLevel: number;
  readonly #minLevel: number;

  constructor(target: FramedTarget, meta: SyslogMeta) {
    this.format = target.defaultFormat && meta.hostname !== undefined ? 'rfc3164' : target.format;
    this.#maxLen = target.len;
    this.#fd = target.kind === 'stdout' || target.kind === 'stderr';
    const facility = facilityCode(target.facility);
    if (facility < 0) throw new LogTargetError(`unknown syslog facility '${target.facility}'`);
    this.#maxLevel = target.level === undefined ? 7 : levelCode(target.level);
    this.#minLevel = target.minlevel === undefined ? 0 : levelCode(target.minlevel);
    if (this.#maxLevel < 0) throw new LogTargetError(`unknown log level '${target.level}'`);
    if (this.#minLevel < 0) throw new LogTargetError(`unknown log level '${target.minlevel}'`);
    // short and timed carry the level only (configuration.txt 4.2 "log": "<3>").
    const levelOnly = target.format === 'short' || target.format === 'timed';
    this.#pri = Array.from({ length: 8 }, (_, level) => '<' + (levelOnly ? level : syslogPri(facility, level)) + '>');
    this.#suffix = headerSuffix(this.format, meta);
  }

  /**
   * The level this target sends a `level` message at, or -1 when it filters it out: above the
   * target's <level> is dropped, more severe than <minlevel> is capped (4.2 "log").
   */
  levelFor(level: number): number {
    if (level > this.#maxLevel) return -1;
    return level < this.#minLevel ? this.#minLevel : level;
  }

  /** The header for a line sent now (`nowUs`: wall clock in microseconds). */
  header(level: number, nowUs: number): string {
    switch (this.format) {
      case 'local':
      case 'rfc3164':
        return this.#pri[level] + formatLegacySyslogTime(nowUs / 1000) + this.#suffix;
      case 'rfc5424':
        return this.#pri[level] + '1 ' + formatIsoTimeUs(nowUs) + this.#suffix;
      case 'timed':
        return this.#pri[level] + formatIsoTimeUs(nowUs) + ' ';
      case 'iso':
        return formatIsoTimeUs(nowUs) + ' ';
      case 'priority':
      case 'short':
        return this.#pri[level];
      case 'raw':
        return '';
    }
  }

  /** The bytes to send: header + message cut at `len`, then '\n'. */
  frame(level: number, msg: string, nowUs: number): string | Buffer {
    const line = this.header(level, nowUs) + stripTrailingNewlines(msg);
    const max = this.#fd ? this.#maxLen - 1 : this.#maxLen;
    // A UTF-16 unit is at most 3 UTF-8 bytes: most lines skip the byte count entirely.
    if (line.length * 3 <= max || Buffer.byteLength(line) <= max) return line + '\n';
    // HAProxy cuts bytes, even inside a UTF-8 sequence.
    const out = Buffer.allocUnsafe(max + 1);
    Buffer.from(line, 'utf8').copy(out, 0, 0, max);
    out[max] = 0x0a;
    return out;
  }
}

/** HAProxy removes the trailing LFs (and NULs) some messages carry before framing them. */
function stripTrailingNewlines(msg: string): string {
  let end = msg.length;
  while (end > 0 && (msg.charCodeAt(end - 1) === 0x0a || msg.charCodeAt(end - 1) === 0)) end--;
  return end === msg.length ? msg : msg.slice(0, end);
}

function headerSuffix(format: SyslogFormat, meta: SyslogMeta): string {
  const tagPid = meta.tag ? meta.tag + '[' + meta.pid + ']: ' : '';
  switch (format) {
    case 'local':
      return tagPid;
    case 'rfc3164':
      // "the caller MUST fill the hostname, this field is mandatory" (src/log.c)
      return (meta.hostname || 'localhost') + ' ' + tagPid;
    case 'rfc5424': {
      const sd = (meta.structuredData ?? '-').replace(/ +$/, '') || '-';
      return ' ' + (meta.hostname || '-') + ' ' + (meta.tag || '-') + ' ' + meta.pid + ' - ' + sd + ' ';
    }
    default:
      return '';
  }
}

