// Runs one tcp-check ruleset against a target and reports one status, following HAProxy 2.6's
// tcpcheck_main() / tcpcheck_eval_* / chk_report_conn_err() (src/tcpcheck.c, src/check.c):
// the same steps, waits, timeouts, statuses and info texts. Never rejects.
import { realClock, type Clock, type TimerHandle } from '../clock.ts';
import type { CheckReport, CheckResult, CheckRunContext, CheckTarget, HealthCheck } from './check.ts';
import type { CheckStatus } from './check-status.ts';
import { CheckConnection, strerror } from './check-socket.ts';
import { buildHttpRequest, evalHttpExpect } from './http-check.ts';
import {
  CHECK_BUFSIZE,
  evalExpect,
  expectStepLabel,
  ruleCode,
  successMessage,
  type ExpectOutcome,
} from './tcpcheck-expect.ts';
import { stepId, type ConnectRule, type ExpectRule, type TcpCheckRule, type TcpCheckRuleset } from './tcpcheck-rules.ts';

export function runTcpCheck(
  ruleset: TcpCheckRuleset,
  target: CheckTarget,
  ctx: CheckRunContext = {},
  clock: Clock = realClock,
): Promise<CheckResult> {
  return new TcpCheckRun(ruleset, target, ctx, clock).run();
}

/** A ruleset as a HealthCheck (the check.ts contract). */
export function rulesetCheck(ruleset: TcpCheckRuleset, clock: Clock = realClock): HealthCheck {
  return { run: (target, ctx) => runTcpCheck(ruleset, target, ctx, clock) };
}

type Step = CheckReport | null;

class TcpCheckRun {
  readonly #rs: TcpCheckRuleset;
  readonly #target: CheckTarget;
  readonly #ctx: CheckRunContext;
  readonly #clock: Clock;
  #conn: CheckConnection | null = null;
  #in: Buffer = Buffer.alloc(0);
  #current: TcpCheckRule | undefined;
  #expired = false;
  #timer: TimerHandle | null = null;
  #code = 0;
  #earlier: CheckReport[] = [];
  #agent: CheckResult['agent'];
  #headRequest = false;

  constructor(rs: TcpCheckRuleset, target: CheckTarget, ctx: CheckRunContext, clock: Clock) {
    this.#rs = rs;
    this.#target = target;
    this.#ctx = ctx;
    this.#clock = clock;
  }

  async run(): Promise<CheckResult> {
    const start = this.#clock.now();
    let report: CheckReport;
    try {
      report = await this.#evaluate();
    } catch (err) {
      report = { status: 'SOCKERR', code: 0, info: err instanceof Error ? err.message : String(err) };
    } finally {
      this.#conn?.close();
      this.#timer?.cancel();
    }
    const durationMs = Math.max(0, Math.floor(this.#clock.now() - start));
    return {
      ...report,
      durationMs,
      ...(this.#earlier.length > 0 ? { earlier: this.#earlier } : {}),
      ...(this.#agent ? { agent: this.#agent } : {}),
    };
  }

  #arm(ms: number): void {
    this.#timer?.cancel();
    this.#expired = false;
    this.#timer = this.#clock.setTimer(ms, () => {
      this.#expired = true;
      this.#conn?.interrupt();
    });
  }

  async #evaluate(): Promise<CheckReport> {
    const rules = this.#rs.rules;
    let mustRead = true;
    let i = 0;
    while (i < rules.length) {
      const rule = rules[i]!;
      this.#current = rule;
      this.#code = 0;
      if (rule.action === 'connect') {
        const failed = await this.#connect(rule);
        if (failed) return failed;
        mustRead = true;
      } else if (rule.action === 'send' || rule.action === 'send-http') {
        const failed = this.#send(rule);
        if (failed) return failed;
        mustRead = true;
      } else {
        if (mustRead) {
          const failed = await this.#recv(rule);
          if (failed) return failed;
        }
        mustRead = false;
        const out = this.#expect(rule, i === rules.length - 1);
        if (out === 'wait') {
          // Resume at the head of the expect chain once more data arrived (tcpcheck_main).
          i = expectHead(rules, i);
          mustRead = true;
          continue;
        }
        if (out) return out;
      }
      i++;
    }
    return this.#success();
  }

  async #connect(rule: ConnectRule): Promise<Step> {
    this.#conn?.close();
    this.#in = Buffer.alloc(0);
    const t = this.#target;
    const def = rule.useDefaults;
    const ssl = rule.ssl || (def && !!t.ssl);
    const sni = rule.sni ?? (def || rule.ssl ? t.sni : undefined);
    const alpn = rule.alpn ?? (def ? t.alpn : undefined);
    const sendProxy = rule.sendProxy ? 'v1' : def ? (t.sendProxy ?? false) : false;
    const { inter, connect, check } = t.timeout;
    this.#arm(check !== undefined && connect !== undefined ? Math.min(inter, connect) : inter);
    const conn = new CheckConnection({
      host: rule.addr ?? t.host,
      port: rule.port ?? t.port,
      ssl,
      ...(sni !== undefined ? { sni } : {}),
      ...(alpn !== undefined ? { alpn } : {}),
      sendProxy,
      linger: rule.linger,
      ...(ssl && t.tlsContext !== undefined ? { tlsContext: t.tlsContext } : {}),
    });
    this.#conn = conn;
    while (conn.phase !== 'ready') {
      if (conn.error) return this.#connError();
      if (this.#expired) return this.#timeout();
      await conn.next();
    }
    if (check !== undefined) this.#arm(check);
    return null;
  }

  #send(rule: TcpCheckRule & { action: 'send' | 'send-http' }): Step {
    const conn = this.#conn!;
    if (conn.error) return this.#connError();
    // HAProxy releases the input buffer on each send: later expects only see the new reply.
    conn.takeInput(Buffer.alloc(0));
    this.#in = Buffer.alloc(0);
    if (rule.action === 'send-http') {
      this.#headRequest = rule.method === 'HEAD';
      conn.write(buildHttpRequest(rule, this.#ctx, this.#rs.sendState === true));
    } else {
      conn.write(typeof rule.data === 'function' ? rule.data(this.#ctx) : rule.data);
    }
    return null;
  }

  /** tcpcheck_eval_recv: wait for new bytes, the end of the stream, an error or the deadline. */
  async #recv(rule: ExpectRule): Promise<Step> {
    const conn = this.#conn!;
    for (;;) {
      const before = this.#in.length;
      this.#in = conn.takeInput(this.#in);
      if (this.#in.length > CHECK_BUFSIZE) this.#in = this.#in.subarray(0, CHECK_BUFSIZE);
      const got = this.#in.length - before;
      if (this.#in.length === 0 && conn.error) return this.#connError();
      if (got > 0 || this.#in.length >= CHECK_BUFSIZE) return null;
      if (conn.eos || conn.error) {
        if (this.#in.length > 0 || this.#rs.kind === 'http') return null;
        const comment = rule.comment ? ` comment: '${rule.comment}'` : '';
        const info = `TCPCHK got an empty response at step ${stepId(rule)}${comment}`;
        return { status: rule.errorStatus ?? 'L7RSP', code: 0, info };
      }
      if (this.#expired) return this.#timeout();
      await conn.next();
    }
  }

  /** Evaluate an expect: a failure report, 'wait' for more data, or null to go on. */
  #expect(rule: ExpectRule, isLast: boolean): Step | 'wait' {
    const conn = this.#conn!;
    const lastRead = conn.eos || conn.error !== null;
    let out: ExpectOutcome & { code?: number };
    if (this.#rs.kind === 'http') {
      out = evalHttpExpect(rule, this.#in, lastRead, {
        disableOn404: this.#rs.disableOn404 === true,
        serverIsUp: this.#ctx.serverIsUp?.() ?? true,
        bodyless: this.#headRequest,
      });
    } else {
      out = evalExpect(rule, this.#in, lastRead, this.#rs.kind, isLast);
    }
    switch (out.kind) {
      case 'continue':
        if (out.report) this.#earlier.push(out.report);
        this.#code = out.code ?? out.report?.code ?? ruleCode(rule, this.#in);
        return null;
      case 'wait':
        if (!lastRead) return 'wait';
        // More data was wanted but the stream ended: HAProxy waits for the deadline.
        return { status: rule.toutStatus ?? 'L7TOUT', code: 0, info: '' };
      case 'fail':
        return { status: out.status, code: out.code, info: out.info };
      case 'agent':
        this.#agent = out.reply;
        return { status: 'CHECKED', code: 0, info: '' };
      case 'agent-incomplete':
        return { status: 'L7TOUT', code: 0, info: '' };
    }
  }

  #success(): CheckReport {
    const last = this.#current;
    if (last?.action === 'expect') {
      if (this.#rs.disableOn404 && this.#code === 404 && (this.#ctx.serverIsUp?.() ?? true)) {
        return { status: 'L7OKC', code: 404, info: '' };
      }
      const info = successMessage(last, this.#in, this.#rs.kind);
      return { status: last.okStatus ?? 'L7OK', code: this.#code || ruleCode(last, this.#in), info };
    }
    if (last?.action === 'connect') {
      const ssl = last.ssl || (last.useDefaults && !!this.#target.ssl);
      return { status: ssl ? 'L6OK' : 'L4OK', code: 0, info: last.implicit ? '' : '(tcp-check)' };
    }
    return { status: 'L7OK', code: 0, info: '(tcp-check)' };
  }

  /** chk_report_conn_err after an I/O error. */
  #connError(): CheckReport {
    const err = this.#conn!.error!;
    const errno = strerror(err.code);
    const suffix = this.#stepSuffix();
    if (err.phase === 'l4') return { status: 'L4CON', code: 0, info: `${errno ?? err.message}${suffix}` };
    if (err.phase === 'l6') return { status: 'L6RSP', code: 0, info: `${tlsErrorText(err.code, err.message)}${suffix}` };
    return { status: 'SOCKERR', code: 0, info: `${errno ?? err.message}${suffix}` };
  }

  /** chk_report_conn_err after the deadline. */
  #timeout(): CheckReport {
    const suffix = this.#stepSuffix();
    const phase = this.#conn?.phase;
    if (phase === 'l4') return { status: 'L4TOUT', code: 0, info: suffix };
    if (phase === 'l6') return { status: 'L6TOUT', code: 0, info: suffix };
    const cur = this.#current;
    const tout: CheckStatus = cur?.action === 'expect' && cur.toutStatus ? cur.toutStatus : 'L7TOUT';
    return { status: tout, code: 0, info: suffix };
  }

  /** Where a plain tcp-check failed (" at step 2 of tcp-check (expect string 'x')"). */
  #stepSuffix(): string {
    if (this.#rs.kind !== 'tcp') return '';
    const rule = this.#current;
    const step = stepId(rule);
    if (step === 0) return ' at initial connection step of tcp-check';
    let s = ` at step ${step} of tcp-check`;
    if (rule?.action === 'connect') s += rule.port ? ` (connect port ${rule.port})` : ' (connect)';
    else if (rule?.action === 'expect') s += expectStepLabel(rule);
    else if (rule?.action === 'send' || rule?.action === 'send-http') s += ' (send)';
    if (rule?.comment) s += ` comment: '${rule.comment}'`;
    return s;
  }
}

/** conn_err_code_str() for TLS handshake failures, with the errno text when there is one. */
function tlsErrorText(code: string, message: string): string {
  if (/disconnected before secure TLS/i.test(message)) return 'Connection closed during SSL handshake';
  // The certificate does not cover the SNI sent (CO_ER_SSL_MISMATCH from ssl_sock_srv_verifycbk).
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'Server presented an SSL certificate different from the expected one';
  const errno = strerror(code);
  if (errno) return `Connection error during SSL handshake (${errno})`;
  return 'SSL handshake failure';
}

/** The first inverse expect of the chain of expects ending at `i`, or `i` itself (expect.head). */
function expectHead(rules: readonly TcpCheckRule[], i: number): number {
  let head = i;
  for (let j = i - 1; j >= 0 && rules[j]!.action === 'expect'; j--) {
    if ((rules[j] as ExpectRule).inverse) head = j;
  }
  return head;
}
