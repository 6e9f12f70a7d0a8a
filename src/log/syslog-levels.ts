// Syslog facilities and levels as HAProxy names them (configuration.txt 4.2 "log"; src/log.c
// log_facilities[], log_levels[]): the index is the code, PRI = facility * 8 + level (RFC 5424 §6.2.1).
import { HapairError } from '../errors.ts';

export const LOG_FACILITIES = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news',
  'uucp', 'cron', 'auth2', 'ftp', 'ntp', 'audit', 'alert', 'cron2',
  'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
] as const;
export type LogFacility = (typeof LOG_FACILITIES)[number];

export const LOG_LEVELS = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** Level codes by name, for call sites (`LOG_LEVEL.info` = 6). */
export const LOG_LEVEL = {
  emerg: 0, alert: 1, crit: 2, err: 3, warning: 4, notice: 5, info: 6, debug: 7,
} as const satisfies Record<LogLevelName, number>;

/** Facility code, or -1 if `name` is not one of the 24 facilities. */
export function facilityCode(name: string): number {
  return (LOG_FACILITIES as readonly string[]).indexOf(name);
}

/** Level code, or -1 if `name` is not one of the 8 levels. */
export function levelCode(name: string): number {
  return (LOG_LEVELS as readonly string[]).indexOf(name);
}

/** The syslog PRI value. */
export function syslogPri(facility: number, level: number): number {
  return facility * 8 + level;
}

/** A log target hapair cannot use (unknown facility or level, unsupported kind). */
export class LogTargetError extends HapairError {
  constructor(message: string) {
    super('HAPAIR_E_LOG_TARGET', message);
  }
}
