// HAProxy's HTTP log formats (`option httplog`, configuration.txt 8.2.3; `option httplog clf`, 8.2.5; `option
// httpslog`, 8.2.4), declared as the log-format strings HAProxy 2.6 uses (src/log.c default_http_log_format,
// clf_http_log_format, default_https_log_format) and compiled once.
import { compileLogFormat, type CompiledLogFormat } from './log-format.ts';

export const HTTPLOG_FORMAT = '%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r';

/**
 * `option httplog clf` (src/log.c clf_http_log_format): the Common Log Format's first seven fields (client, `-`
 * ident, `-` user, GMT date, quoted request line, status, bytes, empty referer and user agent), then httplog's
 * fields one per word; `%{+Q}o` quotes every text field after it (the client address excepted).
 */
export const HTTPLOG_CLF_FORMAT = '%{+Q}o %{-Q}ci - - [%trg] %r %ST %B "" "" %cp %ms %ft %b %s %TR %Tw %Tc %Tr %Ta %tsc %ac %fc %bc %sc %rc %sq %bq %CC %CS %hrl %hsl';

/** `option httpslog` (src/log.c default_https_log_format): httplog, the TLS errors and session. */
export const HTTPSLOG_FORMAT = `${HTTPLOG_FORMAT} %[fc_err]/%[ssl_fc_err,hex]/%[ssl_c_err]/%[ssl_c_ca_err]/%[ssl_fc_is_resumed] %[ssl_fc_sni]/%sslv/%sslc`;

function compileHttplog(logasap: boolean, format = HTTPLOG_FORMAT): CompiledLogFormat {
  const r = compileLogFormat(format, { mode: 'http', logasap });
  if (!r.ok) throw new Error(`built-in httplog format does not compile: ${r.error}`);
  return r.format;
}

export const HTTPLOG: CompiledLogFormat = compileHttplog(false);
export const HTTPLOG_LOGASAP: CompiledLogFormat = compileHttplog(true);
export const HTTPLOG_CLF: CompiledLogFormat = compileHttplog(false, HTTPLOG_CLF_FORMAT);
export const HTTPLOG_CLF_LOGASAP: CompiledLogFormat = compileHttplog(true, HTTPLOG_CLF_FORMAT);
export const HTTPSLOG: CompiledLogFormat = compileHttplog(false, HTTPSLOG_FORMAT);
export const HTTPSLOG_LOGASAP: CompiledLogFormat = compileHttplog(true, HTTPSLOG_FORMAT);
