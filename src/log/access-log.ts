// The access log: what the runtime calls once per finished session. The line is formatted once
// (tcplog or the frontend's log-format), sent to every `log` target of the frontend and written
// through pino as `{ mod: 'access', msg }`. HAProxy src/log.c strm_log() decides what to log.
import os from 'node:os';
import type { Logger } from 'pino';
import type { LogTarget } from '../config/model.ts';
import type { CompiledLogFormat, LogFormatEnv } from './log-format.ts';
import type { TcpLogRecord } from './record.ts';
import { LOG_LEVEL } from './syslog-levels.ts';
import { SyslogSender, type LogTransport } from './syslog.ts';
import { TCPLOG, TCPLOG_LOGASAP } from './tcplog.ts';
import { HTTPLOG, HTTPLOG_CLF, HTTPLOG_CLF_LOGASAP, HTTPLOG_LOGASAP, HTTPSLOG, HTTPSLOG_LOGASAP } from './httplog.ts';

export type AccessLogSink = ((rec: TcpLogRecord) => void) & {
  /** A connection that never became a session (failed TLS handshake): HAProxy's plain message line. */
  readonly connectionError?: (line: string) => void;
  /** Lines sent so far (HAProxy's fe->log_count, %lc): a skipped session does not count. */
  readonly logged?: number;
};

export interface AccessLogOptions {
  /** The frontend's `log` targets (after `log global` / `no log`). */
  readonly logs: readonly LogTarget[];
  /** `option tcplog`, `option httplog [clf]`, `option httpslog`, or a compiled `log-format` (compileLogFormat). */
  readonly format: 'tcplog' | 'httplog' | 'httplog-clf' | 'httpslog' | CompiledLogFormat;
  readonly pino: Logger;
  /** `log-tag` (DEFAULT_LOG_TAG when unset). */
  readonly tag: string;
  readonly pid: number;
  /** Resolved `log-send-hostname`, undefined when absent. */
  readonly hostname?: string;
  /** `log-format-sd` for rfc5424 targets, default '-'. */
  readonly structuredData?: string;
  /** `option dontlognull`: skip sessions that received nothing from the client. */
  readonly dontlognull?: boolean;
  /** `option dontlog-normal`: log only sessions with errors (configuration.txt 8.3.4). */
  readonly dontlogNormal?: boolean;
  /** `option log-separate-errors`: log error sessions at `err` instead of `info` (8.3.3). */
  readonly logSeparateErrors?: boolean;
  /** `option logasap` for the tcplog format ('+' on %Tt and %B). */
  readonly logasap?: boolean;
  readonly transport?: LogTransport;
  /** Wall clock in microseconds for syslog headers; tests pin it. */
  readonly now?: () => number;
}

/**
 * A session "with errors" as strm_log() counts them: redispatched, ended by anything but a
 * normal or local close, retried, or in mode http answered with a status of 500 or more.
 */
export function isErrorSession(rec: TcpLogRecord): boolean {
  const cause = rec.termination[0];
  return rec.redispatched || (cause !== '-' && cause !== 'L') || (cause === '-' && rec.retries > 0) ||
    (rec.http !== undefined && rec.http.status >= 500);
}

export function createAccessLogSink(opts: AccessLogOptions): AccessLogSink {
  const format = opts.format === 'tcplog' ? (opts.logasap ? TCPLOG_LOGASAP : TCPLOG)
    : opts.format === 'httplog' ? (opts.logasap ? HTTPLOG_LOGASAP : HTTPLOG)
    : opts.format === 'httplog-clf' ? (opts.logasap ? HTTPLOG_CLF_LOGASAP : HTTPLOG_CLF)
    : opts.format === 'httpslog' ? (opts.logasap ? HTTPSLOG_LOGASAP : HTTPSLOG) : opts.format;
  const env: LogFormatEnv = { pid: opts.pid, hostname: os.hostname() };
  const sender = new SyslogSender({
    targets: opts.logs,
    tag: opts.tag,
    pid: opts.pid,
    hostname: opts.hostname,
    structuredData: opts.structuredData,
    transport: opts.transport,
    now: opts.now,
  });
  const access = opts.pino.child({ mod: 'access' });
  const { dontlognull = false, dontlogNormal = false, logSeparateErrors = false } = opts;
  let logged = 0;

  const sink = (rec: TcpLogRecord): void => {
    if (dontlognull && rec.bytesUploaded === 0) return;
    const err = isErrorSession(rec);
    if (!err && dontlogNormal) return;
    const line = format.render(rec, env);
    if (err && logSeparateErrors) {
      sender.send(LOG_LEVEL.err, line);
      access.error(line);
    } else {
      // "Connections are logged at level info" (configuration.txt 4.2 "log").
      sender.send(LOG_LEVEL.info, line);
      access.info(line);
    }
    logged++;
  };
  // session_kill_embryonic: level err under `option log-separate-errors`, info otherwise.
  const connectionError = (line: string): void => {
    sender.send(logSeparateErrors ? LOG_LEVEL.err : LOG_LEVEL.info, line);
    if (logSeparateErrors) access.error(line);
    else access.info(line);
  };
  Object.defineProperty(sink, 'logged', { get: () => logged });
  return Object.assign(sink, { connectionError }) as AccessLogSink;
}
