// `log-format` strings (HAProxy configuration.txt 8.2.6): compiled once into nodes at startup,
// rendered per session by a loop over them. The parsing rules follow HAProxy 2.6's
// parse_logformat_string() (src/log.c), including its error messages.
import type { TcpLogRecord } from './record.ts';
import { K, LOG_FORMAT_VARS, OPT, OPT_NAMES, type LogFormatNode } from './log-format-nodes.ts';
import { renderVar, type LogFormatEnv } from './log-format-render.ts';
import { LOG_TLS_SAMPLES } from './log-format-tls.ts';

export type { LogFormatEnv } from './log-format-render.ts';

export interface CompileOptions {
  /** The frontend's mode: HTTP-only variables are an error in a TCP frontend. Default 'tcp'. */
  readonly mode?: 'tcp' | 'http';
  /** `option logasap`: %Tt, %Tu and %B get a leading '+' (configuration.txt 8.3.2). */
  readonly logasap?: boolean;
  /**
   * Empty variables print '-' (default true, as for log-format). `unique-id-format` is compiled
   * without it (cfgparse.c: LOG_OPT_HTTP|LOG_OPT_MERGE_SPACES): an empty field prints nothing.
   */
  readonly mandatory?: boolean;
}

export type CompileResult =
  | { readonly ok: true; readonly format: CompiledLogFormat; readonly error?: undefined }
  | { readonly ok: false; readonly error: string; readonly format?: undefined };

/** A compiled log-format: render it once per finished session. */
export class CompiledLogFormat {
  readonly source: string;
  readonly nodes: readonly LogFormatNode[];
  readonly #logasap: boolean;

  constructor(source: string, nodes: readonly LogFormatNode[], logasap: boolean) {
    this.source = source;
    this.nodes = nodes;
    this.#logasap = logasap;
  }

  render(rec: TcpLogRecord, env: LogFormatEnv): string {
    let out = '';
    let lastIsSpace = true; // leading separators print nothing
    const nodes = this.nodes;
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      if (n.kind === K.SEPARATOR) {
        if (!lastIsSpace) out += ' ';
        lastIsSpace = true;
      } else {
        const text = n.kind === K.TEXT ? n.text : renderVar(n, rec, env, this.#logasap);
        if (text === '' && isCaptureBlock(n)) continue;
        out += text;
        lastIsSpace = false;
      }
    }
    return out;
  }

  /**
   * The line as HAProxy's build_logline() writes it into a buffer of `size` bytes (the unique id's
   * is UNIQUEID_LEN, 128): at most size - 1 characters; text and string fields are cut where the
   * buffer ends, a number that does not fit ends the line before it.
   */
  renderBounded(rec: TcpLogRecord, env: LogFormatEnv, size: number): string {
    const max = size - 1;
    let out = '';
    let lastIsSpace = true;
    for (const n of this.nodes) {
      if (n.kind === K.SEPARATOR) {
        if (lastIsSpace) continue;
        if (out.length >= max) break;
        out += ' ';
        lastIsSpace = true;
        continue;
      }
      const text = n.kind === K.TEXT ? n.text : renderVar(n, rec, env, this.#logasap);
      if (text === '' && isCaptureBlock(n)) continue;
      if (out.length + text.length <= max) {
        out += text;
        lastIsSpace = false;
        continue;
      }
      // lf_text_len() and strlcpy2() copy what fits (they need room for one character); numbers do not.
      if (isCutToFit(n) && out.length < max) out += text.slice(0, max - out.length);
      break;
    }
    return out;
  }
}

/**
 * Header captures (%hr %hs %hrl %hsl) print nothing at all, not even an empty field, when none is configured
 * or the line has no stream (src/log.c: they leave last_isspace alone), so the next separator prints nothing.
 */
function isCaptureBlock(n: LogFormatNode): boolean {
  return n.kind === K.REQ_HEADERS || n.kind === K.RES_HEADERS || n.kind === K.REQ_HEADERS_LIST || n.kind === K.RES_HEADERS_LIST;
}

/** Nodes HAProxy writes with strlcpy2/lf_text (cut at the end of the buffer), not as numbers. */
function isCutToFit(n: LogFormatNode): boolean {
  switch (n.kind) {
    case K.TEXT: case K.FRONTEND: case K.FRONTEND_XPRT: case K.BACKEND: case K.SERVER: case K.HOSTNAME:
    case K.UNIQUE_ID: case K.SSL_CIPHER: case K.SSL_VERSION: case K.TLS_SAMPLE: case K.REQ_LINE: case K.METHOD:
    case K.URI: case K.PATH: case K.PATH_QUERY: case K.QUERY: case K.VERSION:
      return true;
    case K.CLIENT_IP: case K.FRONTEND_IP: case K.BACKEND_IP: case K.SERVER_IP:
      return (n.opts & OPT.HEXA) === 0;
    default:
      return false;
  }
}

/** Applies `%{+Q,-M}`: per item, the last sign and the name after it; unknown names are ignored. */
function applyArgs(args: string, opts: number): number {
  for (const item of args.split(',')) {
    const at = Math.max(item.lastIndexOf('+'), item.lastIndexOf('-'));
    if (at < 0) continue;
    const bit = OPT_NAMES[item.slice(at + 1)];
    if (bit === undefined) continue;
    opts = item[at] === '+' ? opts | bit : opts & ~bit;
  }
  return opts;
}

const isAlpha = (c: string): boolean => /^[A-Za-z]$/.test(c);
const isAlnum = (c: string): boolean => /^[A-Za-z0-9]$/.test(c);

class Compiler {
  readonly #fmt: string;
  readonly #mode: 'tcp' | 'http';
  readonly nodes: LogFormatNode[] = [];
  #text = '';
  // log-format variables are mandatory by default: empty ones print '-' (cfgparse.c LOG_OPT_MANDATORY).
  #defaultOpts: number;

  constructor(fmt: string, mode: 'tcp' | 'http', mandatory: boolean) {
    this.#fmt = fmt;
    this.#mode = mode;
    this.#defaultOpts = mandatory ? OPT.MANDATORY : 0;
  }

  #flush(): void {
    if (this.#text) this.nodes.push({ kind: K.TEXT, opts: 0, text: this.#text });
    this.#text = '';
  }

  /** Returns an error message, or undefined once every character is consumed. */
  run(): string | undefined {
    const fmt = this.#fmt;
    let i = 0;
    while (i < fmt.length) {
      const c = fmt[i];
      if (c === ' ') {
        this.#flush();
        this.nodes.push({ kind: K.SEPARATOR, opts: 0, text: '' });
        i++;
      } else if (c !== '%') {
        this.#text += c;
        i++;
      } else {
        const next = this.#percent(i + 1);
        if (typeof next === 'string') return next;
        i = next;
      }
    }
    this.#flush();
    return undefined;
  }

  /** After a '%' at `i - 1`: returns where to continue, or an error message. */
  #percent(i: number): number | string {
    const fmt = this.#fmt;
    if (i >= fmt.length) return "truncated line after '%'";
    const c = fmt[i];
    if (c === '%') {
      this.#text += '%';
      return i + 1;
    }
    if (c === '{') return this.#withArgs(i + 1);
    if (c === '[') return this.#sample(i + 1, undefined);
    if (isAlpha(c)) return this.#variable(i, undefined);
    if (/[0-9 \t]/.test(c)) {
      return `unexpected variable name near '${c}' at position ${i} line : '${fmt}'. Maybe you want to write a single '%', use the syntax '%%'`;
    }
    return i; // HAProxy drops a '%' before any other character and keeps the character
  }

  #withArgs(start: number): number | string {
    const fmt = this.#fmt;
    const end = fmt.indexOf('}', start);
    if (end < 0) return `truncated line after '${fmt.slice(start)}'`;
    const args = fmt.slice(start, end);
    const c = fmt[end + 1] ?? '';
    if (c === '[') return this.#sample(end + 2, args);
    if (!isAlnum(c)) return `parse argument modifier without variable name near '%{${args}}'`;
    return this.#variable(end + 1, args);
  }

  /** `%[expr]` from `start` (after '['): only `unique-id` and the TLS samples of log-format-tls.ts are served. */
  #sample(start: number, args: string | undefined): number | string {
    const fmt = this.#fmt;
    const end = fmt.indexOf(']', start);
    if (end < 0) return `missing ']' after sample expression near '${fmt.slice(start)}'`;
    const expr = fmt.slice(start, end).replaceAll(' ', '');
    const opts = args === undefined ? this.#defaultOpts : applyArgs(args, this.#defaultOpts);
    // `unique-id` reads the id strm_log() generated before the line: the same text as %ID.
    if (expr === 'unique-id') {
      this.#flush();
      this.nodes.push({ kind: K.UNIQUE_ID, opts, text: '' });
      return end + 1;
    }
    if (!LOG_TLS_SAMPLES.has(expr)) return 'sample expressions (%[...]) are not supported by hapair yet';
    this.#flush();
    this.nodes.push({ kind: K.TLS_SAMPLE, opts, text: expr });
    return end + 1;
  }

  #variable(start: number, args: string | undefined): number | string {
    const fmt = this.#fmt;
    let end = start;
    while (end < fmt.length && isAlnum(fmt[end])) end++;
    const name = fmt.slice(start, end);
    const def = Object.hasOwn(LOG_FORMAT_VARS, name) ? LOG_FORMAT_VARS[name] : undefined;
    if (def === undefined) {
      return `no such format variable '${name}'. If you wanted to emit the '%' character verbatim, you need to use '%%'`;
    }
    if (def.http && this.#mode !== 'http') return `format variable '${name}' is reserved for HTTP mode`;
    if (def.kind === undefined) return `format variable '${name}' is not supported by hapair yet`;
    const opts = args === undefined ? this.#defaultOpts : applyArgs(args, this.#defaultOpts);
    if (def.kind === K.GLOBAL) {
      this.#defaultOpts = opts;
    } else {
      this.#flush();
      this.nodes.push({ kind: def.kind, opts, text: '' });
    }
    return end;
  }
}

/**
 * Compiles a log-format string. On error, `error` is HAProxy's message for the same string
 * (the config layer prefixes it with `file:line`).
 */
export function compileLogFormat(fmt: string, options: CompileOptions = {}): CompileResult {
  const compiler = new Compiler(fmt, options.mode ?? 'tcp', options.mandatory ?? true);
  const error = compiler.run();
  if (error !== undefined) return { ok: false, error };
  return { ok: true, format: new CompiledLogFormat(fmt, compiler.nodes, options.logasap ?? false) };
}
