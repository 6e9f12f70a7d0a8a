// log/ — hapair's logging. Contract:
//   * Diagnostics: one pino root (JSON lines on stdout, level from `-d` or HAPAIR_LOG_LEVEL);
//     subsystems take `childLogger('mod')` and log structured fields.
//   * Access logs: the runtime fills a TcpLogRecord when a session ends and calls the sink from
//     createAccessLogSink(); the sink formats the line once (HAProxy's tcplog, or a compiled
//     `log-format`) and sends it to the frontend's `log` targets and to pino (`mod: 'access'`).
//   * Other syslog events (server up/down ...) go through a SyslogSender at their level.
//   * Output is byte-compatible with HAProxy 2.6 (line formats, syslog headers, truncation), so
//     existing log tooling keeps working; the syslog tag defaults to 'hapair' (see syslog.ts).
//   * Sending never throws: failures are counted in LogTransport.stats.

export type { TcpLogRecord } from './record.ts';
export {
  childLogger,
  createLogger,
  initRootLogger,
  memoryDestination,
  resolveLogLevel,
  rootLogger,
  setLogLevel,
  LOG_LEVEL_ENV,
  type Logger,
  type LoggerOptions,
  type MemoryDestination,
} from './logger.ts';
export { formatTcpLog, TCPLOG, TCPLOG_FORMAT, TCPLOG_LOGASAP } from './tcplog.ts';
export {
  compileLogFormat,
  CompiledLogFormat,
  type CompileOptions,
  type CompileResult,
  type LogFormatEnv,
} from './log-format.ts';
export {
  checkLogTarget,
  DEFAULT_LOG_TAG,
  getDefaultLogTransport,
  LogTransport,
  resolveLogSendHostname,
  SyslogSender,
  SYSLOG_PORT,
  type LogTransportStats,
  type LogWriter,
  type SyslogSenderOptions,
} from './syslog.ts';
export { SyslogFramer, type SyslogMeta } from './syslog-frame.ts';
export {
  facilityCode,
  levelCode,
  syslogPri,
  LOG_FACILITIES,
  LOG_LEVEL,
  LOG_LEVELS,
  LogTargetError,
  type LogFacility,
  type LogLevelName,
} from './syslog-levels.ts';
export { createAccessLogSink, isErrorSession, type AccessLogOptions, type AccessLogSink } from './access-log.ts';
