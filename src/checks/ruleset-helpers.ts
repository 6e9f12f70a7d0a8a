// Small builders for the protocol rulesets, and the few sample fetches and converters their
// messages use in HAProxy (`res.payload(o,l)`, `cut_crlf`, `ltrim`), written as plain functions.
import type { ConnectRule, ExpectPattern, ExpectRule, SendData, SendRule } from './tcpcheck-rules.ts';

type ExpectOpts = Partial<Omit<ExpectRule, 'action' | 'index' | 'pattern'>>;

export function sendRule(index: number, data: SendData, kind: 'string' | 'binary' = 'string'): SendRule {
  return { action: 'send', index, kind, data };
}

export function expectRule(index: number, pattern: ExpectPattern, opts: ExpectOpts = {}): ExpectRule {
  return { action: 'expect', index, pattern, inverse: false, minRecv: -1, ...opts };
}

/** `tcp-check connect default linger` as HAProxy's smtp, pgsql and mysql rulesets start. */
export function defaultLingerConnect(index = 0): ConnectRule {
  return { action: 'connect', index, implicit: false, useDefaults: true, sendProxy: false, ssl: false, linger: true };
}

/** `res.payload(offset,0)` rendered as text: the bytes from `offset`, up to a NUL like a C string. */
export function payloadText(data: Buffer, offset: number): string {
  if (data.length <= offset) return '';
  const rest = data.subarray(offset);
  const nul = rest.indexOf(0);
  return (nul >= 0 ? rest.subarray(0, nul) : rest).toString('latin1');
}

/** The `cut_crlf` converter: cut at the first CR or LF. */
export function cutCrlf(s: string): string {
  const m = /[\r\n]/.exec(s);
  return m ? s.slice(0, m.index) : s;
}

/** The `ltrim(' ')` converter. */
export function ltrimSpaces(s: string): string {
  return s.replace(/^ +/, '');
}

/** `status-code res.payload(0,3)`: the reply code as a number, undefined when not numeric. */
export function leadingCode(data: Buffer): number | undefined {
  const m = /^[+-]?\d+/.exec(data.toString('latin1', 0, Math.min(3, data.length)));
  return m ? Number(m[0]) : undefined;
}

/** Hex string (config `send-binary` / `expect binary` form) to bytes; undefined when invalid. */
export function parseHex(hex: string): Buffer | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  return Buffer.from(hex, 'hex');
}
