// Evaluation of a non-HTTP `tcp-check expect` rule against the bytes received so far
// (src/tcpcheck.c tcpcheck_eval_expect, tcpcheck_expect_onerror_message). Pure: no socket.
import type { AgentReply, CheckReport } from './check.ts';
import type { CheckStatus } from './check-status.ts';
import { stepId, type ExpectRule, type RulesetKind } from './tcpcheck-rules.ts';

/** HAProxy's check buffer size (tune.bufsize): a full buffer counts as the last read. */
export const CHECK_BUFSIZE = 16384;

export type ExpectOutcome =
  | { readonly kind: 'continue'; readonly report?: CheckReport }
  | { readonly kind: 'wait' }
  | { readonly kind: 'fail'; readonly status: CheckStatus; readonly code: number; readonly info: string }
  | { readonly kind: 'agent'; readonly reply: AgentReply }
  | { readonly kind: 'agent-incomplete' };

/** Bytes as a string, one char per byte, so regexes see raw bytes like PCRE does. */
export function bytesToLatin1(data: Buffer): string {
  return data.toString('latin1');
}

/** Upper-case hex dump used by `rbinary` (src/tools.c dump_binary). */
export function hexDump(data: Buffer): string {
  return data.toString('hex').toUpperCase();
}

export function evalExpect(
  rule: ExpectRule,
  data: Buffer,
  lastReadIn: boolean,
  kind: RulesetKind,
  isLastRule: boolean,
): ExpectOutcome {
  const lastRead = lastReadIn || data.length >= CHECK_BUFSIZE;
  const p = rule.pattern;
  if (!lastRead && mustWaitForLength(rule, data)) return { kind: 'wait' };
  if (p.type === 'custom') return customOutcome(rule, data, lastRead, isLastRule, kind);
  const match = matches(rule, data);
  // No min-recv: a mismatch may still turn into a match with more data.
  if (!match && !lastRead && rule.minRecv === -1) return { kind: 'wait' };
  if (match !== rule.inverse) return { kind: 'continue' };
  const status = rule.errorStatus ?? 'L7RSP';
  return { kind: 'fail', status, code: ruleCode(rule, data), info: errorMessage(rule, data, match, kind, '') };
}

function mustWaitForLength(rule: ExpectRule, data: Buffer): boolean {
  const p = rule.pattern;
  if (p.type === 'string' && data.length < Buffer.byteLength(p.text, 'latin1')) return true;
  if (p.type === 'binary' && data.length < p.bytes.length) return true;
  return rule.minRecv > 0 && data.length < rule.minRecv;
}

function matches(rule: ExpectRule, data: Buffer): boolean {
  const p = rule.pattern;
  switch (p.type) {
    case 'string':
      return data.indexOf(Buffer.from(p.text, 'latin1')) >= 0;
    case 'binary':
      return data.indexOf(p.bytes) >= 0;
    case 'rstring':
      return p.regex.test(bytesToLatin1(data.subarray(0, CHECK_BUFSIZE - 1)));
    case 'rbinary':
      return p.regex.test(hexDump(data));
    default:
      throw new Error(`tcp-check expect: pattern '${p.type}' needs the HTTP engine`);
  }
}

function customOutcome(
  rule: ExpectRule,
  data: Buffer,
  lastRead: boolean,
  isLastRule: boolean,
  kind: RulesetKind,
): ExpectOutcome {
  if (rule.pattern.type !== 'custom') throw new Error('not a custom expect');
  const out = rule.pattern.fn(data, lastRead, isLastRule);
  if (out.kind !== 'fail') return out;
  const status = out.status;
  return { kind: 'fail', status, code: out.code, info: errorMessage(rule, data, false, kind, out.desc) };
}

/** The L7 code of a rule: `status-code` when set, else 0 (HAProxy resets it at each rule). */
export function ruleCode(rule: ExpectRule, data: Buffer): number {
  return rule.statusCode?.(data) ?? 0;
}

/** tcpcheck_expect_onerror_message: given info, else on-error, else a generic text for tcp-check. */
export function errorMessage(rule: ExpectRule, data: Buffer, match: boolean, kind: RulesetKind, info: string): string {
  let msg: string;
  if (info) msg = info;
  else if (rule.onError !== undefined) msg = typeof rule.onError === 'string' ? rule.onError : rule.onError(data);
  else if (kind !== 'tcp') msg = '';
  else msg = genericMismatch(rule, match);
  if (rule.comment) msg += ` comment: ${rule.comment}`;
  return msg;
}

function genericMismatch(rule: ExpectRule, match: boolean): string {
  const head = match ? 'TCPCHK matched unwanted content' : 'TCPCHK did not match content';
  const step = stepId(rule);
  switch (rule.pattern.type) {
    case 'string':
      return `${head} '${rule.pattern.text}' at step ${step}`;
    case 'binary':
      return `${head} (binary) at step ${step}`;
    case 'rstring':
      return `${head} (regex) at step ${step}`;
    case 'rbinary':
      return `${head} (binary regex) at step ${step}`;
    case 'custom':
      return `${head} (custom function) at step ${step}`;
    default:
      return `${head} at step ${step}`;
  }
}

/** tcpcheck_expect_onsuccess_message: on-success, else "(tcp-check)" for plain tcp-check rulesets. */
export function successMessage(rule: ExpectRule, data: Buffer, kind: RulesetKind): string {
  if (rule.onSuccess !== undefined) return typeof rule.onSuccess === 'string' ? rule.onSuccess : rule.onSuccess(data);
  return kind === 'tcp' ? '(tcp-check)' : '';
}

/** The "(expect ...)" part of a timeout or connection error message at an expect step (chk_report_conn_err). */
export function expectStepLabel(rule: ExpectRule): string {
  const p = rule.pattern;
  switch (p.type) {
    case 'string':
      return ` (expect string '${p.text}')`;
    case 'binary':
      return ` (expect binary '${bytesToLatin1(p.bytes)}')`;
    case 'rstring':
      return ' (expect regex)';
    case 'rbinary':
      return ' (expect binary regex)';
    case 'custom':
      return ' (expect custom function)';
    case 'status':
      return ' (expect HTTP status codes)';
    case 'rstatus':
      return ' (expect HTTP status regex)';
    case 'hdr':
      return ' (expect HTTP header pattern)';
    case 'body':
      return ` (expect HTTP body content '${p.text}')`;
    case 'rbody':
      return ' (expect HTTP body regex)';
  }
}
