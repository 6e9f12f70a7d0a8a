// tcp-check rules (include/haproxy/tcpcheck-t.h): every check type is an ordered ruleset of
// connect / send / expect steps. Built by tcpcheck-parse.ts from config lines, or by the
// protocol files (redis-check.ts, ldap-check.ts...) the way HAProxy builds its shared rulesets.
import type { AgentReply, CheckReport, CheckRunContext } from './check.ts';
import type { CheckStatus } from './check-status.ts';

/**
 * What the ruleset is for: it changes default messages and the HTTP engine (TCPCHK_RULES_*_CHK).
 * 'connect' is the plain check of a server with `check` and no check option; 'tcp' is `option tcp-check`.
 */
export type RulesetKind = 'connect' | 'tcp' | 'http' | 'redis' | 'ssl-hello' | 'smtp' | 'pgsql' | 'mysql' | 'ldap' | 'agent';

interface RuleBase {
  /** Position in the declared list, comments included (step number = index + 1). */
  readonly index: number;
  readonly comment?: string;
}

export interface ConnectRule extends RuleBase {
  readonly action: 'connect';
  /** Inserted because no rule started with a connect (step 0 in messages). */
  readonly implicit: boolean;
  /** `default`: use the server's check settings (addr, port, ssl, sni, send-proxy). */
  readonly useDefaults: boolean;
  readonly port?: number;
  readonly addr?: string;
  readonly sendProxy: boolean;
  readonly ssl: boolean;
  readonly sni?: string;
  readonly alpn?: readonly string[];
  readonly linger: boolean;
}

/** Bytes a send rule writes; a function when they depend on the run (date, agent-send). */
export type SendData = Buffer | ((ctx: CheckRunContext) => Buffer);

export interface SendRule extends RuleBase {
  readonly action: 'send';
  readonly kind: 'string' | 'binary';
  readonly data: SendData;
}

export interface HttpHeader {
  readonly name: string;
  readonly value: string;
}

/** `option httpchk` / `http-check send`: an HTTP/1 request (HAProxy TCPCHK_SEND_HTTP). */
export interface HttpSendRule extends RuleBase {
  readonly action: 'send-http';
  readonly method: string;
  readonly uri: string;
  readonly version: string;
  readonly headers: readonly HttpHeader[];
  readonly body: string;
  /** Comes from an `option httpchk` line (merged with the first explicit send rule). */
  readonly fromOption: boolean;
}

/** Messages on-success / on-error: literal text, or built from the received data. */
export type ExpectMessage = string | ((data: Buffer) => string);

/** A custom expect (HAProxy TCPCHK_EXPECT_CUSTOM) used by LDAP, MySQL and agent checks. */
export type CustomExpect = (data: Buffer, lastRead: boolean, isLastRule: boolean) => CustomOutcome;

export type CustomOutcome =
  | { readonly kind: 'wait' }
  /** Go on with the next rule; `report` is a status the function recorded on its way. */
  | { readonly kind: 'continue'; readonly report?: CheckReport }
  | { readonly kind: 'fail'; readonly status: CheckStatus; readonly code: number; readonly desc: string }
  | { readonly kind: 'agent'; readonly reply: AgentReply }
  | { readonly kind: 'agent-incomplete' };

export type HeaderMatch = 'str' | 'beg' | 'end' | 'sub' | 'reg';

export type ExpectPattern =
  | { readonly type: 'string'; readonly text: string }
  | { readonly type: 'binary'; readonly bytes: Buffer }
  | { readonly type: 'rstring'; readonly regex: RegExp; readonly source: string }
  | { readonly type: 'rbinary'; readonly regex: RegExp; readonly source: string }
  | { readonly type: 'custom'; readonly fn: CustomExpect }
  // http-check only
  | { readonly type: 'status'; readonly ranges: readonly (readonly [number, number])[] }
  | { readonly type: 'rstatus'; readonly regex: RegExp }
  | { readonly type: 'body'; readonly text: string }
  | { readonly type: 'rbody'; readonly regex: RegExp }
  | {
      readonly type: 'hdr';
      readonly full: boolean;
      readonly name: { readonly match: HeaderMatch; readonly text: string; readonly regex?: RegExp };
      readonly value?: { readonly match: HeaderMatch; readonly text: string; readonly regex?: RegExp };
    };

export interface ExpectRule extends RuleBase {
  readonly action: 'expect';
  readonly pattern: ExpectPattern;
  readonly inverse: boolean;
  /** Bytes to wait for before matching; -1 = not set (keep waiting on mismatch). */
  readonly minRecv: number;
  readonly okStatus?: CheckStatus;
  readonly errorStatus?: CheckStatus;
  readonly toutStatus?: CheckStatus;
  readonly onSuccess?: ExpectMessage;
  readonly onError?: ExpectMessage;
  /** `status-code`: the L7 code taken from the response (the SMTP reply code). */
  readonly statusCode?: (data: Buffer) => number | undefined;
}

export type TcpCheckRule = ConnectRule | SendRule | HttpSendRule | ExpectRule;

export interface TcpCheckRuleset {
  readonly kind: RulesetKind;
  /** Rules in order; the first is always a connect (implicit when not declared). */
  readonly rules: readonly TcpCheckRule[];
  /** `http-check disable-on-404`. */
  readonly disableOn404?: boolean;
  /** `http-check send-state`. */
  readonly sendState?: boolean;
}

/** The connect HAProxy inserts when a ruleset does not start with one (check_proxy_tcpcheck). */
export const IMPLICIT_CONNECT: ConnectRule = {
  action: 'connect',
  index: 0,
  implicit: true,
  useDefaults: true,
  sendProxy: false,
  ssl: false,
  linger: false,
};

/** Prepend the implicit connect when the first rule is not a connect. */
export function withImplicitConnect(rules: readonly TcpCheckRule[]): TcpCheckRule[] {
  return rules[0]?.action === 'connect' ? [...rules] : [IMPLICIT_CONNECT, ...rules];
}

/** The step number HAProxy prints in messages (tcpcheck_get_step_id). */
export function stepId(rule: TcpCheckRule | undefined): number {
  if (!rule) return 1;
  if (rule.action === 'connect' && rule.implicit) return 0;
  return rule.index + 1;
}
