// `tcp-check` and `http-check` proxy lines into rules (src/tcpcheck.c parse_tcpcheck_connect,
// parse_tcpcheck_send[_http], parse_tcpcheck_expect), with HAProxy's error texts. Log-format
// strings (`*-lf`, on-success/on-error, status-code, port expressions) are accepted only when
// they are plain text: hapair has no sample fetches in checks yet, and refuses rather than ignores.
import type { CheckStatus } from './check-status.ts';
import type { ConnectRule, ExpectPattern, ExpectRule, HeaderMatch, HttpHeader, HttpSendRule, SendRule } from './tcpcheck-rules.ts';
import { parseHex } from './ruleset-helpers.ts';

export interface CommentRule {
  readonly action: 'comment';
  readonly index: number;
  readonly comment: string;
}

export type ParsedRule = ConnectRule | SendRule | HttpSendRule | ExpectRule | CommentRule;

export type LineResult =
  | { readonly rule: ParsedRule }
  | { readonly flag: 'disable-on-404' | 'send-state' }
  | { readonly error: string };

/** Plain text of a log-format string, or undefined when it holds an expression (`%[..]`, `%ci`...). */
export function literalLogFormat(s: string): string | undefined {
  if (/%(?!%)/.test(s.replace(/%%/g, ''))) return undefined;
  return s.replace(/%%/g, '%');
}

class ArgError extends Error {}

/** Parse one `tcp-check ...` or `http-check ...` line; `index` is its position among the rule lines. */
export function parseCheckLine(args: readonly string[], index: number): LineResult {
  const family = args[0] === 'http-check' ? 'http' : 'tcp';
  const verb = args[1] ?? '';
  try {
    if (family === 'http' && (verb === 'disable-on-404' || verb === 'send-state')) {
      if (args.length > 2) throw new ArgError(`'${args[0]} ${verb}' cannot handle unexpected argument '${args[2]}'.`);
      return { flag: verb };
    }
    let rule: ParsedRule;
    if (verb === 'connect') rule = parseConnect(args, index);
    else if (verb === 'send' && family === 'http') rule = parseHttpSend(args, index);
    else if (family === 'tcp' && ['send', 'send-binary', 'send-lf', 'send-binary-lf'].includes(verb)) rule = parseSend(args, index);
    else if (verb === 'expect') rule = parseExpect(args, index, family);
    else if (verb === 'comment') {
      if (!args[2]) throw new ArgError('expects a string as argument');
      rule = { action: 'comment', index, comment: args[2] };
    } else {
      const list =
        family === 'http'
          ? "'disable-on-404', 'send-state', 'comment', 'connect', 'send', 'expect'"
          : "'comment', 'connect', 'send', 'send-binary', 'expect'";
      return { error: `'${args[0]}' only supports ${list}. but got '${verb}'` };
    }
    return { rule };
  } catch (err) {
    if (!(err instanceof ArgError)) throw err;
    return { error: err.message.startsWith(`'${args[0]}`) ? err.message : `'${args[0]} ${verb}' : ${err.message}.` };
  }
}

function need(args: readonly string[], i: number, what: string): string {
  const v = args[i];
  if (v === undefined || v === '') throw new ArgError(`'${args[i - 1]}' expects ${what} as argument`);
  return v;
}

function literal(v: string, kw: string): string {
  const s = literalLogFormat(v);
  if (s === undefined) throw new ArgError(`'${v}' : log-format expressions in '${kw}' are not supported by hapair health checks`);
  return s;
}

function parseConnect(args: readonly string[], index: number): ConnectRule {
  const r: { -readonly [K in keyof ConnectRule]: ConnectRule[K] } = {
    action: 'connect',
    index,
    implicit: false,
    useDefaults: false,
    sendProxy: false,
    ssl: false,
    linger: false,
  };
  for (let i = 2; i < args.length; i++) {
    const a = args[i]!;
    if (a === 'default') r.useDefaults = true;
    else if (a === 'addr') r.addr = need(args, ++i, '<ipv4|ipv6>');
    else if (a === 'port') {
      const v = need(args, ++i, 'a port number or a sample expression');
      const n = /^\d+$/.test(v) ? Number(v) : NaN;
      if (Number.isNaN(n)) throw new ArgError(`'port' : sample expressions are not supported by hapair health checks (got '${v}')`);
      if (n < 1 || n > 65535) throw new ArgError(`expects a valid TCP port (from range 1 to 65535) or a sample expression, got ${v}`);
      r.port = n;
    } else if (a === 'send-proxy') r.sendProxy = true;
    else if (a === 'linger') r.linger = true;
    else if (a === 'ssl') r.ssl = true;
    else if (a === 'sni') r.sni = need(args, ++i, 'a string');
    else if (a === 'alpn') r.alpn = need(args, ++i, 'a string').split(',');
    else if (a === 'comment') r.comment = need(args, ++i, 'a string');
    else if (a === 'via-socks4' || a === 'proto') throw new ArgError(`'${a}' is not supported by hapair health checks`);
    else {
      throw new ArgError(
        `expects 'comment', 'port', 'addr', 'send-proxy', 'ssl', 'sni', 'alpn' or 'via-socks4', 'linger', 'default' but got '${a}' as argument`,
      );
    }
  }
  return r;
}

function parseSend(args: readonly string[], index: number): SendRule {
  const verb = args[1]!;
  const raw = args[2];
  if (!raw) throw new ArgError(`'${verb}' expects a ${verb === 'send-binary' ? 'binary string' : 'string'} as argument`);
  let comment: string | undefined;
  for (let i = 3; i < args.length; i++) {
    if (args[i] !== 'comment') throw new ArgError(`expects 'comment' but got '${args[i]}' as argument`);
    comment = need(args, ++i, 'a string');
  }
  const binary = verb === 'send-binary' || verb === 'send-binary-lf';
  const text = verb.endsWith('-lf') ? literal(raw, verb) : raw;
  let data: Buffer;
  if (binary) {
    const b = parseHex(text);
    if (!b) throw new ArgError(`'${raw}' invalid binary string (an even number of hex digit is expected)`);
    data = b;
  } else data = Buffer.from(text, 'latin1');
  return { action: 'send', index, kind: binary ? 'binary' : 'string', data, ...(comment ? { comment } : {}) };
}

function parseHttpSend(args: readonly string[], index: number): HttpSendRule & { readonly set: ReadonlySet<string> } {
  const set = new Set<string>();
  let method = 'OPTIONS';
  let uri = '/';
  let version = 'HTTP/1.0';
  let body = '';
  let comment: string | undefined;
  const headers: HttpHeader[] = [];
  for (let i = 2; i < args.length; i++) {
    const a = args[i]!;
    if (a === 'meth') method = need(args, ++i, 'a string');
    else if (a === 'uri' || a === 'uri-lf') uri = a === 'uri' ? need(args, ++i, 'a string') : literal(need(args, ++i, 'a string'), a);
    else if (a === 'ver') version = need(args, ++i, 'a string');
    else if (a === 'body' || a === 'body-lf') body = a === 'body' ? need(args, ++i, 'a string') : literal(need(args, ++i, 'a string'), a);
    else if (a === 'comment') comment = need(args, ++i, 'a string');
    else if (a === 'hdr') {
      const name = args[i + 1];
      const value = args[i + 2];
      if (!name || value === undefined || value === '') throw new ArgError(`'hdr' expects <name> and <value> as arguments`);
      i += 2;
      const lower = name.toLowerCase();
      const prevHost = headers.find((h) => h.name.toLowerCase() === 'host');
      if (lower === 'host' && prevHost) throw new ArgError(`'${name}' header already defined (previous value is '${prevHost.value}')`);
      if (lower === 'content-length' || lower === 'transfer-encoding') continue;
      headers.push({ name, value: literal(value, 'hdr') });
    } else {
      throw new ArgError(`expects 'comment', 'meth', 'uri', 'uri-lf', 'ver', 'hdr', 'body' or 'body-lf' but got '${a}' as argument`);
    }
    set.add(a.replace(/-lf$/, ''));
  }
  return { action: 'send-http', index, method, uri, version, headers, body, fromOption: false, set, ...(comment ? { comment } : {}) };
}

const OK_STATUS: Readonly<Record<string, CheckStatus>> = { L7OK: 'L7OK', L7OKC: 'L7OKC', L6OK: 'L6OK', L4OK: 'L4OK' };
const ERR_STATUS: Readonly<Record<string, CheckStatus>> = { L7RSP: 'L7RSP', L7STS: 'L7STS', L7OKC: 'L7OKC', L6RSP: 'L6RSP', L4CON: 'L4CON' };
const TOUT_STATUS: Readonly<Record<string, CheckStatus>> = { L7TOUT: 'L7TOUT', L6TOUT: 'L6TOUT', L4TOUT: 'L4TOUT' };

function statusArg(v: string, table: Readonly<Record<string, CheckStatus>>, kw: string, names: string): CheckStatus {
  const s = table[v.toUpperCase()];
  if (!s) throw new ArgError(`'${kw}' only supports ${names} status (got '${v}')`);
  return s;
}

function regex(src: string, flags = ''): RegExp {
  try {
    return new RegExp(src, flags);
  } catch (err) {
    throw new ArgError(`invalid regex '${src}' (${(err as Error).message})`);
  }
}

function parseExpect(args: readonly string[], index: number, family: 'tcp' | 'http'): ExpectRule {
  if (!args[2]) throw new ArgError('expects at least a matching pattern as arguments');
  const r: { -readonly [K in keyof ExpectRule]?: ExpectRule[K] } = { action: 'expect', index, inverse: false, minRecv: -1 };
  const badKw = (a: string): ArgError =>
    new ArgError(
      family === 'http'
        ? `'only supports min-recv, [!]string', '[!]rstring', '[!]string-lf', '[!]status', '[!]rstatus', [!]hdr, [!]fhdr or comment but got '${a}' as argument`
        : `'only supports min-recv, '[!]binary', '[!]string', '[!]rstring', '[!]string-lf''[!]rbinary', '[!]binary-lf' or comment but got '${a}' as argument`,
    );
  let pattern: ExpectPattern | undefined;
  const setPattern = (p: ExpectPattern): void => {
    if (pattern) throw new ArgError('only on pattern expected');
    pattern = p;
  };
  for (let i = 2; i < args.length; i++) {
    let a = args[i]!;
    if (a.startsWith('!')) {
      while (a.startsWith('!')) {
        r.inverse = !r.inverse;
        a = a.slice(1);
      }
      if (a === '') a = args[++i] ?? '';
      if (['min-recv', 'comment', 'on-success', 'on-error', 'ok-status', 'error-status', 'tout-status', 'status-code'].includes(a)) {
        throw new ArgError(`[!] not supported with '${a}'`);
      }
    }
    if (a === 'min-recv') {
      const v = need(args, ++i, 'a integer');
      const n = parseInt(v, 10);
      if (!(n >= -1)) throw new ArgError(`'min-recv' expects -1 or an integer from 0 to INT_MAX`);
      r.minRecv = n;
    } else if (a === 'string' || a === 'rstring' || a === 'string-lf') {
      const v = need(args, ++i, 'a <pattern>');
      const text = a === 'string-lf' ? literal(v, a) : v;
      if (a === 'rstring') setPattern(family === 'http' ? { type: 'rbody', regex: regex(v) } : { type: 'rstring', regex: regex(v), source: v });
      else setPattern(family === 'http' ? { type: 'body', text } : { type: 'string', text });
    } else if (a === 'binary' || a === 'rbinary' || a === 'binary-lf') {
      if (family === 'http') throw badKw(a);
      const v = need(args, ++i, 'a <pattern>');
      if (a === 'rbinary') setPattern({ type: 'rbinary', regex: regex(v), source: v });
      else {
        const bytes = parseHex(a === 'binary-lf' ? literal(v, a) : v);
        if (!bytes) throw new ArgError('invalid binary string (an even number of hex digit is expected)');
        setPattern({ type: 'binary', bytes });
      }
    } else if (a === 'status' || a === 'rstatus') {
      if (family !== 'http') throw badKw(a);
      const v = need(args, ++i, 'a <pattern>');
      setPattern(a === 'status' ? { type: 'status', ranges: parseStatusRanges(v) } : { type: 'rstatus', regex: regex(v) });
    } else if (a === 'hdr' || a === 'fhdr') {
      if (family !== 'http') throw badKw(a);
      i = parseHdrPattern(args, i, a === 'fhdr', setPattern);
    } else if (a === 'comment') r.comment = need(args, ++i, 'a string');
    else if (a === 'on-success') r.onSuccess = literal(need(args, ++i, 'a string'), a);
    else if (a === 'on-error') r.onError = literal(need(args, ++i, 'a string'), a);
    else if (a === 'ok-status') r.okStatus = statusArg(need(args, ++i, 'a string'), OK_STATUS, a, "'L4OK', 'L6OK', 'L7OK' or 'L7OKC'");
    else if (a === 'error-status')
      r.errorStatus = statusArg(need(args, ++i, 'a string'), ERR_STATUS, a, "'L4CON', 'L6RSP', 'L7RSP' or 'L7STS'");
    else if (a === 'tout-status') r.toutStatus = statusArg(need(args, ++i, 'a string'), TOUT_STATUS, a, "'L4TOUT', 'L6TOUT' or 'L7TOUT'");
    else if (a === 'status-code') throw new ArgError(`'status-code' expressions are not supported by hapair health checks`);
    else throw badKw(a);
  }
  if (!pattern) throw new ArgError('pattern not found');
  return { ...r, pattern } as ExpectRule;
}

/** `status 200`, `status 200-399`, `status 200,301-302` (parse_tcpcheck_expect). */
export function parseStatusRanges(v: string): [number, number][] {
  const out: [number, number][] = [];
  for (const part of v.split(',')) {
    const m = /^(\d*)(?:-(\d*))?$/.exec(part);
    if (!m) throw new ArgError(`invalid character '${part.replace(/^[\d-]*/, '')[0]}' in the list of status codes`);
    const lo = Number(m[1] || 0);
    const hi = m[2] !== undefined ? Number(m[2] || 0) : lo;
    if (lo > hi) throw new ArgError(`invalid range of status codes '${v}'`);
    out.push([lo, hi]);
  }
  return out;
}

const METHS: readonly HeaderMatch[] = ['str', 'beg', 'end', 'sub', 'reg'];

function parseHdrPattern(args: readonly string[], start: number, full: boolean, set: (p: ExpectPattern) => void): number {
  const kw = args[start]!;
  let i = start + 1;
  if (args[i] !== 'name' || !args[i + 1]) throw new ArgError(`'${kw}' expects at the name keyword as first argument followed by a pattern`);
  i++;
  const matchOf = (): HeaderMatch => {
    if (args[i] !== '-m') return 'str';
    const m = args[i + 1] as HeaderMatch | undefined;
    if (!m) throw new ArgError(`'${kw}' : '-m' expects at a matching pattern ('str', 'beg', 'end', 'sub' or 'reg')`);
    if (!METHS.includes(m)) throw new ArgError(`'${kw}' : '-m' only supports 'str', 'beg', 'end', 'sub' or 'reg' (got '${m}')`);
    i += 2;
    return m;
  };
  const nameMatch = matchOf();
  const nameText = need(args, i, 'a pattern');
  const name = { match: nameMatch, text: nameText, ...(nameMatch === 'reg' ? { regex: regex(nameText, 'i') } : {}) };
  if (args[i + 1] !== 'value') {
    set({ type: 'hdr', full, name });
    return i;
  }
  i += 2;
  const valueMatch = matchOf();
  const valueText = args[i];
  if (!valueText) throw new ArgError(`'${kw}' expect a pattern with the value keyword`);
  const value = { match: valueMatch, text: valueText, ...(valueMatch === 'reg' ? { regex: regex(valueText) } : {}) };
  set({ type: 'hdr', full, name, value });
  return i;
}
