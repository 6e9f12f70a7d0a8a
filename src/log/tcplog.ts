// HAProxy's TCP log format (`option tcplog`, configuration.txt 8.2.2). HAProxy declares it as a
// log-format string and so do we: one compiled format, no second implementation to drift.
import { compileLogFormat, type CompiledLogFormat } from './log-format.ts';
import type { TcpLogRecord } from './record.ts';

/** HAProxy 2.6 src/log.c default_tcp_log_format. */
export const TCPLOG_FORMAT = '%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq';

function compileTcplog(logasap: boolean): CompiledLogFormat {
  const r = compileLogFormat(TCPLOG_FORMAT, { logasap });
  if (!r.ok) throw new Error(`built-in tcplog format does not compile: ${r.error}`);
  return r.format;
}

/** The compiled tcplog format, and its `option logasap` variant ('+' on %Tt and %B). */
export const TCPLOG: CompiledLogFormat = compileTcplog(false);
export const TCPLOG_LOGASAP: CompiledLogFormat = compileTcplog(true);

// tcplog prints neither %pid nor %H.
const NO_ENV = { pid: 0, hostname: '' } as const;

/**
 * One tcplog line, e.g. `10.0.1.2:33313 [06/Feb/2009:12:12:51.443] fnt bck/srv1 0/0/5007 212 --
 * 0/0/0/0/3 0/0`. %t is the accept date in local time.
 */
export function formatTcpLog(rec: TcpLogRecord, logasap = false): string {
  return (logasap ? TCPLOG_LOGASAP : TCPLOG).render(rec, NO_ENV);
}
