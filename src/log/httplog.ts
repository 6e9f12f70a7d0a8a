// HAProxy's HTTP log format (`option httplog`, configuration.txt 8.2.3), declared as the
// log-format string HAProxy 2.6 uses (src/log.c default_http_log_format) and compiled once.
import { compileLogFormat, type CompiledLogFormat } from './log-format.ts';

export const HTTPLOG_FORMAT = '%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r';

function compileHttplog(logasap: boolean): CompiledLogFormat {
  const r = compileLogFormat(HTTPLOG_FORMAT, { mode: 'http', logasap });
  if (!r.ok) throw new Error(`built-in httplog format does not compile: ${r.error}`);
  return r.format;
}

export const HTTPLOG: CompiledLogFormat = compileHttplog(false);
export const HTTPLOG_LOGASAP: CompiledLogFormat = compileHttplog(true);
