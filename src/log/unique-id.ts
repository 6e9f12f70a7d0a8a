// `unique-id-format` (configuration.txt 4.2): a log-format string rendered once per stream into
// the request's unique id, shown by %ID, the `unique-id` fetch and `unique-id-header`. As
// HAProxy 2.6 compiles it (cfgparse.c check_config_validity): empty fields print nothing, and
// the id is written into a UNIQUEID_LEN buffer (src/stream.c stream_generate_unique_id).
import { compileLogFormat, type CompiledLogFormat, type LogFormatEnv } from './log-format.ts';
import type { TcpLogRecord } from './record.ts';

/** include/haproxy/log-t.h: the id is at most 127 characters. */
export const UNIQUEID_LEN = 128;

export type UniqueIdCompileResult =
  | { readonly ok: true; readonly format: UniqueIdFormat; readonly error?: undefined }
  | { readonly ok: false; readonly error: string; readonly format?: undefined };

export class UniqueIdFormat {
  readonly #format: CompiledLogFormat;
  readonly #env: LogFormatEnv;

  constructor(format: CompiledLogFormat, env: LogFormatEnv) {
    this.#format = format;
    this.#env = env;
  }

  /** The id from the stream's state now (`rec`: its log record as it stands). */
  generate(rec: TcpLogRecord): string {
    return this.#format.renderBounded(rec, this.#env, UNIQUEID_LEN);
  }
}

/** Compile a frontend's `unique-id-format`; `error` is HAProxy's message (without its prefix). */
export function compileUniqueIdFormat(fmt: string, mode: 'tcp' | 'http', env: LogFormatEnv): UniqueIdCompileResult {
  const r = compileLogFormat(fmt, { mode, mandatory: false });
  if (!r.ok) return { ok: false, error: r.error };
  return { ok: true, format: new UniqueIdFormat(r.format, env) };
}
