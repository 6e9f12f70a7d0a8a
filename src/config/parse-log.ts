// `log <target> [len <n>] [format <fmt>] [sample <ranges>:<size>] <facility> [<level> [<minlevel>]]`
// in global and proxy sections (configuration.txt 4.2 "log", log.c parse_logsrv).
import { parseLogAddress } from './address.ts';
import { didYouMean } from './did-you-mean.ts';
import type { Env } from './lexer.ts';
import type { ConfigLine, LogTarget } from './model.ts';
import type { Parsed } from './units.ts';

export const LOG_FACILITIES = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'auth2', 'ftp',
  'ntp', 'audit', 'alert', 'cron2', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
] as const;
export const LOG_LEVELS = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;
export const LOG_FORMATS = ['rfc3164', 'rfc5424', 'short', 'raw', 'iso', 'local', 'priority', 'timed'] as const;

/** HAProxy MAX_SYSLOG_LEN. */
export const DEFAULT_LOG_LEN = 1024;

const isIn = <T extends string>(list: readonly T[], v: string): v is T => (list as readonly string[]).includes(v);

function fail(error: string): Parsed<LogTarget> {
  return { ok: false, error };
}

/** Parse the words after `log` (not `log global`, not `no log`) into a target with defaults applied. */
export function parseLogTarget(line: ConfigLine, env: Env, inGlobal: boolean): Parsed<LogTarget> {
  const a = line.args;
  if (a.length < 3) return fail(`'log' expects <address> and <facility>${inGlobal ? '' : ' or global'} as arguments`);
  let i = 2;
  let len = DEFAULT_LOG_LEN;
  if (a[i] === 'len') {
    const n = Number(a[i + 1]);
    if (!/^\d+$/.test(a[i + 1] ?? '') || n < 80 || n > 65535) return fail(`invalid log length '${a[i + 1] ?? ''}', must be between 80 and 65535`);
    len = n;
    i += 2;
  }
  let format: LogTarget['format'] = 'local';
  const defaultFormat = a[i] !== 'format';
  if (a[i] === 'format') {
    const f = a[i + 1] ?? '';
    if (!isIn(LOG_FORMATS, f)) return fail(`unknown log format '${f}'${didYouMean(f, LOG_FORMATS)}`);
    format = f;
    i += 2;
  }
  if (a[i] === 'sample') return fail("'log ... sample' is not supported yet");
  const facility = a[i] ?? '';
  if (!isIn(LOG_FACILITIES, facility)) return fail(`unknown log facility '${facility}'${didYouMean(facility, LOG_FACILITIES)}`);
  const level = a[i + 1] ?? 'debug';
  if (!isIn(LOG_LEVELS, level)) return fail(`unknown optional log level '${level}'${didYouMean(level, LOG_LEVELS)}`);
  const minlevel = a[i + 2] ?? 'emerg';
  if (!isIn(LOG_LEVELS, minlevel)) return fail(`unknown optional minimum log level '${minlevel}'${didYouMean(minlevel, LOG_LEVELS)}`);
  if (a[i + 3] !== undefined) return fail(`'log' cannot handle unexpected argument '${a[i + 3]}'`);
  const address = parseLogAddress(a[1], env);
  if (!address.ok) return fail(address.error);
  return { ok: true, value: { ...address.value, format, ...(defaultFormat ? { defaultFormat } : {}), len, facility, level, minlevel, loc: line.loc } };
}
