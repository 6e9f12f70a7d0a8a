// Assembling parsed tcp-check / http-check lines into a ruleset the way HAProxy does after
// parsing (src/tcpcheck.c tcpcheck_add_http_rule, check_proxy_tcpcheck): merge the `option
// httpchk` request with the first `http-check send`, add the implicit expect and connect,
// and hand comments to the rules that follow them.
import { DEFAULT_HTTPCHK } from './http-check.ts';
import { IMPLICIT_CONNECT, type HttpSendRule, type TcpCheckRule, type TcpCheckRuleset } from './tcpcheck-rules.ts';
import { parseStatusRanges, type ParsedRule } from './tcpcheck-parse.ts';

type SendWithSet = HttpSendRule & { readonly set?: ReadonlySet<string> };

export interface RulesetResult {
  readonly ruleset: TcpCheckRuleset;
  readonly errors: readonly { readonly line: number; readonly message: string }[];
}

/** `option tcp-check` with its `tcp-check` rules (one entry per config line, in order). */
export function buildTcpRuleset(rules: readonly ParsedRule[]): RulesetResult {
  const errors: { line: number; message: string }[] = [];
  const list: ParsedRule[] = [];
  rules.forEach((r, line) => {
    if (r.action === 'connect' && !connectAllowed(list)) {
      errors.push({ line, message: connectNotFirst('tcp-check') });
      return;
    }
    list.push(r);
  });
  return { ruleset: { kind: 'tcp', rules: finish(list) }, errors };
}

/** parse_tcpcheck_connect: a connect is fine when the rules before the first connect are only comments. */
function connectAllowed(list: readonly ParsedRule[]): boolean {
  for (const p of list) {
    if (p.action === 'connect') return true;
    if (p.action === 'comment' || (p.action === 'send-http' && p.fromOption)) continue;
    return false;
  }
  return true;
}

function connectNotFirst(family: string): string {
  return (
    `'${family} connect' : first step MUST also be a 'connect', optionally preceded by a 'set-var', ` +
    "an 'unset-var' or a 'comment', when there is a 'connect' step in the tcp-check ruleset."
  );
}

/** `option httpchk [meth] [uri] [ver]`: the implicit request (proxy_parse_httpchk_req). */
export function httpchkOptionRule(args: readonly string[]): { rule: HttpSendRule; warning?: string } {
  const [a0, a1, a2] = args;
  let method: string = DEFAULT_HTTPCHK.method;
  let uri: string = DEFAULT_HTTPCHK.uri;
  let version: string = DEFAULT_HTTPCHK.version;
  if (a0 !== undefined && a0 !== '') {
    if (a1 === undefined || a1 === '') uri = a0;
    else method = a0;
  }
  if (a1) uri = a1;
  const headers: { name: string; value: string }[] = [];
  let body = '';
  let warning: string | undefined;
  if (a2) {
    // Legacy: headers and a body hidden after the version ("HTTP/1.1\r\nHost:\ www").
    const bodyAt = a2.indexOf('\r\n\r\n');
    const hdrAt = a2.indexOf('\r\n');
    version = hdrAt >= 0 ? a2.slice(0, hdrAt) : a2;
    if (hdrAt >= 0) {
      warning = "hiding headers or body at the end of the version string is deprecated. Please, consider to use 'http-check send' directive instead.";
      const hdrText = a2.slice(hdrAt + 2, bodyAt >= 0 && bodyAt !== hdrAt ? bodyAt : undefined);
      if (bodyAt >= 0) body = a2.slice(bodyAt + 4);
      for (const line of bodyAt === hdrAt ? [] : hdrText.split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) headers.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
      }
    }
  }
  const set = new Set<string>();
  if (a0) set.add('uri');
  if (a0 && a1) set.add('meth');
  if (a2) set.add('ver');
  if (headers.length) set.add('hdr');
  if (body) set.add('body');
  const rule: SendWithSet = { action: 'send-http', index: 0, method, uri, version, headers, body, fromOption: true, set };
  return { rule, ...(warning ? { warning } : {}) };
}

/** Overwrite `old` with the fields `neu` sets (tcpcheck_overwrite_send_http_rule; headers only if given). */
function mergeSend(old: SendWithSet, neu: SendWithSet): SendWithSet {
  const set = neu.set ?? new Set<string>();
  return {
    ...old,
    method: set.has('meth') ? neu.method : old.method,
    uri: set.has('uri') ? neu.uri : old.uri,
    version: set.has('ver') ? neu.version : old.version,
    body: set.has('body') ? neu.body : old.body,
    headers: set.has('hdr') ? neu.headers : old.headers,
    set: new Set([...(old.set ?? []), ...set]),
    ...(neu.comment ? { comment: neu.comment } : {}),
  };
}

/**
 * `option httpchk` plus `http-check` rules, in config order: `entries` holds each rule and
 * whether it came from an `option httpchk` line.
 */
export function buildHttpRuleset(entries: readonly ParsedRule[], flags: { disableOn404: boolean; sendState: boolean }): RulesetResult {
  const errors: { line: number; message: string }[] = [];
  let list: ParsedRule[] = [];
  const real = (): ParsedRule[] => list.filter((r) => r.action !== 'comment');
  entries.forEach((chk, line) => {
    if (chk.action === 'send-http' && chk.fromOption) {
      const rs = real();
      let first = rs[0];
      if (first?.action === 'connect') first = rs[1];
      if (!first || first.action !== 'send-http') list = [chk, ...list];
      else if (first.fromOption) list = [chk, ...list.filter((r) => r !== first)];
      else list = list.map((r) => (r === first ? { ...mergeSend(first as SendWithSet, chk), fromOption: false } : r));
      return;
    }
    const rs = real();
    const last = rs.at(-1);
    const step = chk.index + 1;
    if (chk.action === 'connect' && !connectAllowed(list)) {
      errors.push({ line, message: connectNotFirst('http-check') });
      return;
    }
    if (last && !(last.action === 'send-http' && last.fromOption)) {
      if (last.action !== 'connect' && chk.action === 'send-http') {
        errors.push({ line, message: `'http-check send' : unable to add http-check send rule at step ${step} (missing connect rule).` });
        return;
      }
      if (last.action !== 'send-http' && last.action !== 'expect' && chk.action === 'expect') {
        errors.push({ line, message: `'http-check expect' : unable to add http-check expect rule at step ${step} (missing send rule).` });
        return;
      }
      if (last.action !== 'expect' && chk.action === 'connect') {
        errors.push({ line, message: `'http-check connect' : unable to add http-check connect rule at step ${step} (missing expect rule).` });
        return;
      }
    }
    if (chk.action === 'send-http') {
      const first = rs[0];
      if (first?.action === 'send-http' && first.fromOption) {
        list = list.filter((r) => r !== first);
        list.push({ ...mergeSend(first, chk as SendWithSet), fromOption: false, index: chk.index });
        return;
      }
    }
    list.push(chk);
  });
  // check_proxy_tcpcheck: the option's request goes after a leading connect...
  const rs = real();
  if (rs[0]?.action === 'send-http' && rs[0].fromOption && rs[1]?.action === 'connect') {
    const send = rs[0];
    list = list.filter((r) => r !== send);
    list.splice(list.indexOf(rs[1]) + 1, 0, { ...send, index: rs[1].index + 1 });
  }
  // ...and a request without expect is checked for a 2xx or 3xx status.
  const last = real().at(-1);
  if (last?.action === 'send-http') {
    list.push({ action: 'expect', index: last.index + 1, pattern: { type: 'status', ranges: parseStatusRanges('200-399') }, inverse: false, minRecv: -1 });
  }
  const ruleset: TcpCheckRuleset = { kind: 'http', rules: finish(list), disableOn404: flags.disableOn404, sendState: flags.sendState };
  return { ruleset, errors };
}

/** Add the implicit connect and give comments to the rules that follow them. */
function finish(list: readonly ParsedRule[]): TcpCheckRule[] {
  const out: TcpCheckRule[] = [];
  let comment: string | undefined;
  let prev: ParsedRule['action'] = 'comment';
  for (const r of list) {
    if (r.action !== prev && prev !== 'comment') comment = undefined;
    prev = r.action;
    if (r.action === 'comment') {
      comment = r.comment;
      continue;
    }
    const withComment = !r.comment && comment ? { ...r, comment } : r;
    out.push(stripSet(withComment));
    if (r.action === 'connect') comment = undefined;
  }
  return out[0]?.action === 'connect' ? out : [IMPLICIT_CONNECT, ...out];
}

function stripSet(r: Exclude<ParsedRule, { action: 'comment' }>): TcpCheckRule {
  if (r.action !== 'send-http') return r;
  const { set: _set, ...rest } = r as SendWithSet;
  return rest;
}
