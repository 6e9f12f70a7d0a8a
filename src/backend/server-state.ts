// The server state machine: operational state (STOPPED/STARTING/RUNNING/STOPPING) and admin flags
// (MAINT/DRAIN, forced, inherited, config), driven by check results, agent replies, admin commands
// and tracking, combined as HAProxy 2.6 combines them (src/server.c srv_set_running/stopping/stopped,
// srv_set_admin_flag, srv_update_status; src/check.c set_server_check_status, check_notify_*,
// __health_adjust). Pure: no I/O, time from an injected clock; it emits log lines and 'change'.
import { EventEmitter } from 'node:events';
import type { TimerHandle } from '../clock.ts';
import type { AgentReply, CheckReport, CheckResult } from '../checks/check.ts';
import { agentReplyReport, parseMaxconnChange, parseWeightChange } from './server-state-commands.ts';
import { CHK_RES, CHECK_STATUSES, HANA_STATUSES, hasL7Code, type HanaStatus } from '../checks/check-status.ts';
import { CheckCounter, CHK_ST } from './server-state-check.ts';
import type { ServerStateGroup } from './server-state-group.ts';
import { appendStatus, causeSuffix, type StatusCause } from './server-state-messages.ts';
import {
  NO_HOOKS,
  SRV_ADMF,
  SRV_ST,
  type AdminCommand,
  type LogLevel,
  type ObserveMode,
  type OnError,
  type ServerStateHooks,
  type ServerStateLog,
  type ServerStateOptions,
  type SrvOpState,
} from './server-state-types.ts';

/** Who forced a health or agent state, as HAProxy words it in the log line. */
export type ChangeOrigin = 'CLI' | 'Web interface';

/** HAProxy's eweight scale (BE_WEIGHT_SCALE): effective weights are kept 16x finer. */
const WEIGHT_SCALE = 16;
const NO_CAUSE: StatusCause = { code: 0, desc: '', durationMs: -1 };

export interface ServerStateEvents {
  log: [ServerStateLog];
  /** State, admin flags, weights, maxconn or a check status changed (one per outermost operation). */
  change: [];
  /** `on-marked-down shutdown-sessions`: kill this server's sessions (termination flag D). */
  'shutdown-sessions': [];
  /** `on-marked-up shutdown-backup-sessions`: kill the backend's backup servers' sessions (flag U). */
  'shutdown-backup-sessions': [];
  /** `observe` triggered `on-error`: the health check should run at `fastinter` now. */
  fastinter: [];
}

export class ServerState extends EventEmitter<ServerStateEvents> {
  static #depth = 0;
  static #dirty = new Set<ServerState>();

  readonly proxy: string;
  readonly proxyType: 'backend' | 'proxy';
  readonly name: string;
  readonly backup: boolean;
  readonly check: CheckCounter;
  readonly agent: CheckCounter;
  readonly group: ServerStateGroup | undefined;
  hooks: ServerStateHooks = NO_HOOKS;
  /** Initial (configured) weight and current user weight. */
  readonly iweight: number;
  uweight: number;
  maxconn: number;
  minconn: number;
  /** Clock time of the last operational change, and accumulated downtime (ms). */
  lastChange: number;
  downTimeMs = 0;
  /** UP->DOWN transitions (CSV `chkdown`) and failed observed checks (`hanafail`). */
  downTransitions = 0;
  failedHana = 0;
  consecutiveErrors = 0;
  readonly #opts: ServerStateOptions;
  #cur: SrvOpState = SRV_ST.RUNNING;
  #next: SrvOpState = SRV_ST.RUNNING;
  #curAdmin = 0;
  #nextAdmin = 0;
  #curEweight16: number;
  #nextEweight16: number;
  #opChange: StatusCause = NO_CAUSE;
  #admCause = '';
  #track: ServerState | null = null;
  #trackers: ServerState[] = [];
  #warmup: TimerHandle | null = null;

  constructor(opts: ServerStateOptions, group?: ServerStateGroup) {
    super();
    this.#opts = opts;
    this.proxy = opts.proxy;
    this.proxyType = group?.proxyType ?? opts.proxyType ?? 'backend';
    this.name = opts.name;
    this.backup = opts.backup ?? false;
    this.iweight = opts.weight ?? 1;
    this.uweight = this.iweight;
    this.maxconn = opts.maxconn ?? 0;
    this.minconn = opts.minconn ?? 0;
    this.check = new CheckCounter(false, opts.check);
    this.agent = new CheckCounter(true, opts.agent);
    this.lastChange = opts.clock.now();
    this.#curEweight16 = this.#nextEweight16 = this.uweight * WEIGHT_SCALE;
    if (opts.disabled) {
      // `disabled` (server.c srv_parse_disabled): config + forced maintenance, down, checks paused.
      this.#curAdmin = this.#nextAdmin = SRV_ADMF.CMAINT | SRV_ADMF.FMAINT;
      this.#cur = this.#next = SRV_ST.STOPPED;
      this.check.setFlag(CHK_ST.PAUSED, true);
      this.check.health = 0;
    }
    this.group = group;
    group?.add(this);
  }

  // ---- read side -------------------------------------------------------------------------

  /** Committed operational state (`srv_op_state`). */
  get opState(): SrvOpState {
    return this.#cur;
  }

  /** Committed admin flags (`srv_admin_state`). */
  get adminState(): number {
    return this.#curAdmin;
  }

  get inMaintenance(): boolean {
    return (this.#curAdmin & SRV_ADMF.MAINT) !== 0;
  }

  get draining(): boolean {
    return (this.#curAdmin & SRV_ADMF.DRAIN) !== 0;
  }

  /** Effective weight as the stats page shows it (uweight scaled by slow start). */
  get eweight(): number {
    return Math.ceil(this.#curEweight16 / WEIGHT_SCALE);
  }

  /** Slow-start throttle in percent (server_throttle_rate). */
  get throttle(): number {
    if (!this.uweight) return 100;
    return Math.ceil((100 * this.#curEweight16) / (WEIGHT_SCALE * this.uweight));
  }

  get tracked(): ServerState | null {
    return this.#track;
  }

  get trackers(): readonly ServerState[] {
    return this.#trackers;
  }

  get observeMode(): ObserveMode {
    return this.#opts.observe ?? 'none';
  }

  /** May take new non-persistent traffic (srv_currently_usable). */
  isUsable(): boolean {
    if (!this.#curEweight16) return false;
    if (this.#curAdmin & (SRV_ADMF.MAINT | SRV_ADMF.DRAIN)) return false;
    return this.#cur === SRV_ST.STARTING || this.#cur === SRV_ST.RUNNING;
  }

  /** Interval before the next run of a check (server.c srv_getinter). */
  checkInterval(which: 'check' | 'agent'): number {
    const c = which === 'check' ? this.check : this.agent;
    if (c.configured && c.isFull()) return c.inter;
    if (this.#next === SRV_ST.STOPPED && c.health === 0) return c.downinter || c.inter;
    return c.fastinter || c.inter;
  }

  // ---- inputs from checks ------------------------------------------------------------------

  /** A check run starts (CSV shows "* " before the status while it runs). */
  checkStarted(which: 'check' | 'agent'): void {
    this.#tx(() => {
      (which === 'check' ? this.check : this.agent).setFlag(CHK_ST.INPROGRESS, true);
      this.#touch();
    });
  }

  /** A health check run finished (process_chk_conn end). */
  reportCheck(result: CheckResult): void {
    this.#tx(() => {
      const c = this.check;
      c.setFlag(CHK_ST.INPROGRESS, false);
      this.#touch();
      for (const r of result.earlier ?? []) this.#setCheckStatus(c, r, result.durationMs);
      this.#setCheckStatus(c, result, result.durationMs);
      this.#notify(c);
    });
  }

  /** An agent check run finished: apply the reply's words, then its health (tcpcheck_agent_expect_reply). */
  reportAgent(result: CheckResult): void {
    this.#tx(() => {
      const c = this.agent;
      c.setFlag(CHK_ST.INPROGRESS, false);
      this.#touch();
      if (result.agent) {
        // A reply arriving after the agent was disabled is ignored entirely.
        if (!c.enabled) return;
        this.#applyAgentReply(result.agent, result.durationMs);
      } else {
        this.#setCheckStatus(c, result, result.durationMs);
      }
      this.#notify(c);
    });
  }

  #applyAgentReply(reply: AgentReply, durationMs: number): void {
    const c = this.agent;
    if (reply.health) c.health = reply.health === 'up' ? c.maxHealth : 0;
    if (reply.admin) this.#adminCommand(reply.admin);
    let warning = reply.weight !== undefined ? (this.#changeWeight(reply.weight) ?? '') : '';
    if (reply.maxconn !== undefined) {
      const msg = this.#changeMaxconn(reply.maxconn) ?? '';
      if (!warning) warning = msg;
    }
    this.#setCheckStatus(c, agentReplyReport(reply, warning), durationMs);
  }

  /** Observed traffic outcome for `observe layer4|layer7` (check.c __health_adjust). */
  observe(status: HanaStatus): void {
    const mode = this.observeMode;
    if (mode === 'none') return;
    const verdict = HANA_STATUSES[status][mode === 'layer4' ? 'l4' : 'l7'];
    if (verdict === 0) return;
    if (verdict === 2) {
      this.consecutiveErrors = 0;
      return;
    }
    this.consecutiveErrors++;
    if (this.consecutiveErrors < (this.#opts.errorLimit ?? 10)) return;
    this.#tx(() => this.#onObservedErrors(status));
  }

  #onObservedErrors(status: HanaStatus): void {
    const desc = `Detected ${this.consecutiveErrors} consecutive errors, last one was: ${HANA_STATUSES[status].desc}`;
    const c = this.check;
    const onError: OnError = this.#opts.onError ?? 'fail-check';
    if (onError !== 'fastinter') {
      if (onError === 'sudden-death' && c.health > c.rise) c.health = c.rise + 1;
      if (onError === 'mark-down') c.health = c.rise;
      this.#setCheckStatus(c, { status: 'HANA', code: 0, info: desc }, -1);
      this.#notifyFailure(c);
    }
    this.consecutiveErrors = 0;
    this.failedHana++;
    this.#touch();
    if (c.fastinter) this.emit('fastinter');
  }

  // ---- admin commands (runtime API, stats page, agent) ------------------------------------

  /** `set server <b>/<s> state ready|drain|maint` (server.h srv_adm_set_*). */
  setAdminState(cmd: AdminCommand): void {
    this.#tx(() => this.#adminCommand(cmd));
  }

  #adminCommand(cmd: AdminCommand): void {
    if (cmd === 'maint') {
      this.#setAdminFlag(SRV_ADMF.FMAINT, '');
      this.#clearAdminFlag(SRV_ADMF.FDRAIN);
    } else if (cmd === 'drain') {
      this.#setAdminFlag(SRV_ADMF.FDRAIN, '');
      this.#clearAdminFlag(SRV_ADMF.FMAINT);
    } else {
      this.#clearAdminFlag(SRV_ADMF.FDRAIN);
      this.#clearAdminFlag(SRV_ADMF.FMAINT);
    }
  }

  /** Set one admin flag (e.g. RMAINT on a DNS failure), with an optional cause for the log. */
  setAdminFlag(flag: number, cause = ''): void {
    this.#tx(() => this.#setAdminFlag(flag, cause));
  }

  clearAdminFlag(flag: number): void {
    this.#tx(() => this.#clearAdminFlag(flag));
  }

  /**
   * `set server <b>/<s> health up|stopping|down`; returns HAProxy's error text or null. `from`
   * names the origin in the log line as HAProxy does (`CLI`, or `Web interface` for the stats page).
   */
  setHealth(cmd: 'up' | 'stopping' | 'down', from: ChangeOrigin = 'CLI'): string | null {
    if (this.#track) return 'cannot change health on a tracking server.\n';
    this.#tx(() => {
      const c = this.check;
      c.health = cmd === 'down' ? 0 : c.maxHealth;
      this.#touch();
      const cause = { code: 0, desc: `changed from ${from}`, durationMs: -1 };
      if (cmd === 'up') this.#setRunning(cause);
      else if (cmd === 'stopping') this.#setStopping(cause);
      else this.#setStopped(cause);
    });
    return null;
  }

  /** `set server <b>/<s> agent up|down`; `from` as for setHealth. */
  setAgent(cmd: 'up' | 'down', from: ChangeOrigin = 'CLI'): string | null {
    if (!this.agent.enabled) return 'agent checks are not enabled on this server.\n';
    this.#tx(() => {
      this.agent.health = cmd === 'up' ? this.agent.maxHealth : 0;
      this.#touch();
      const cause = { code: 0, desc: `changed from ${from}`, durationMs: -1 };
      if (cmd === 'up') this.#setRunning(cause);
      else this.#setStopped(cause);
    });
    return null;
  }

  /** `enable health` / `enable agent`. */
  enableCheck(which: 'check' | 'agent'): string | null {
    const c = which === 'check' ? this.check : this.agent;
    if (!c.configured) {
      return which === 'check'
        ? 'Health check was not configured on this server, cannot enable.\n'
        : 'Agent was not configured on this server, cannot enable.\n';
    }
    this.#tx(() => {
      c.setFlag(CHK_ST.ENABLED, true);
      this.#touch();
    });
    return null;
  }

  /** `disable health` / `disable agent`. */
  disableCheck(which: 'check' | 'agent'): void {
    this.#tx(() => {
      (which === 'check' ? this.check : this.agent).setFlag(CHK_ST.ENABLED, false);
      this.#touch();
    });
  }

  /** `set server <b>/<s> weight <w>[%]` (server_parse_weight_change_request); error text or null. */
  setWeight(spec: string): string | null {
    return this.#tx(() => this.#changeWeight(spec));
  }

  /** `set maxconn server <b>/<s> <n>` (server_parse_maxconn_change_request); error text or null. */
  setMaxconn(spec: string): string | null {
    return this.#tx(() => this.#changeMaxconn(spec));
  }

  /**
   * Server-state file (server_state.c srv_state_srv_update): the saved operational state and
   * health counter, bounded by this server's rise/fall as HAProxy bounds them after a reload.
   */
  restoreOpState(op: SrvOpState, health: number): void {
    this.#tx(() => {
      const c = this.check;
      const cause = { code: 0, desc: 'changed from server-state after a reload', durationMs: -1 };
      c.health = health;
      this.#touch();
      if (op === SRV_ST.STOPPED || (op === SRV_ST.STOPPING && c.fall === 1)) {
        c.health = 0;
        this.#setStopped(cause);
      } else if (op === SRV_ST.STARTING && c.rise > 1) {
        if (c.health < 1 || c.health >= c.rise) c.health = c.rise - 1;
        this.#next = SRV_ST.STARTING;
      } else if (op === SRV_ST.STOPPING) {
        if (c.health < c.rise || c.health > c.rise + c.fall - 2) c.health = c.rise;
        this.#setStopping(cause);
      } else {
        c.health = c.maxHealth;
        this.#setRunning(null);
      }
    });
  }

  /** Server-state file: the saved user weight (null: keep), then server_recalc_eweight(srv, 1). */
  restoreWeight(uweight: number | null): void {
    this.#tx(() => {
      if (uweight !== null) this.uweight = uweight;
      this.#touch();
      this.#recalcEweight(true);
    });
  }

  #changeWeight(spec: string): string | null {
    const p = parseWeightChange(spec, this.iweight, this.#opts.dynamicWeights !== false);
    if ('error' in p) return p.error;
    this.uweight = p.value;
    this.#touch();
    this.#recalcEweight(true);
    return null;
  }

  #changeMaxconn(spec: string): string | null {
    const p = parseMaxconnChange(spec);
    if ('error' in p) return p.error;
    if (this.maxconn === this.minconn) this.minconn = p.value;
    this.maxconn = p.value;
    this.#touch();
    return null;
  }

  // ---- tracking -----------------------------------------------------------------------------

  /** `track [<backend>/]<server>` (server.c srv_apply_track); HAProxy's alert text or null. */
  track(target: ServerState): string | null {
    const t = `${target.proxy}/${target.name}`;
    if (!target.check.configured && !target.agent.configured && !target.#track) {
      return `unable to use ${t} for tracking as it does not have any check nor agent enabled.`;
    }
    let loop: ServerState | null = target.#track;
    while (loop && loop !== this) loop = loop.#track;
    if (target === this || loop) {
      const back = target === this ? target.name : loop!.name;
      return `unable to track ${t} as it belongs to a tracking chain looping back to ${target.proxy}/${back}.`;
    }
    this.#track = target;
    // HAProxy links the newest tracker first.
    target.#trackers.unshift(this);
    return null;
  }

  /** Startup: give trackers the inherited MAINT/DRAIN flags (srv_compute_all_admin_states). */
  static propagateAdminStates(states: Iterable<ServerState>): void {
    for (const s of states) {
      if (s.#track) continue;
      s.#tx(() => s.#propagateAdmin());
    }
  }

  #propagateAdmin(): void {
    for (const t of this.#trackers) {
      if (this.#nextAdmin & (SRV_ADMF.MAINT | SRV_ADMF.CMAINT)) t.#setAdminFlag(SRV_ADMF.IMAINT, '');
      if (this.#nextAdmin & SRV_ADMF.DRAIN) t.#setAdminFlag(SRV_ADMF.IDRAIN, '');
      t.#propagateAdmin();
    }
  }

  /** Stop timers (slow-start warm-up). */
  close(): void {
    this.#warmup?.cancel();
    this.#warmup = null;
  }

  // ---- HAProxy's internals, ported ----------------------------------------------------------

  #tx<T>(fn: () => T): T {
    ServerState.#depth++;
    try {
      return fn();
    } finally {
      if (--ServerState.#depth === 0) {
        const dirty = [...ServerState.#dirty];
        ServerState.#dirty.clear();
        for (const s of dirty) s.emit('change');
      }
    }
  }

  #touch(): void {
    ServerState.#dirty.add(this);
  }

  /** Emit a log line; HAProxy ends state change lines with a period. */
  #log(level: LogLevel, message: string, period = true): void {
    this.emit('log', { level, message: period ? `${message}.` : message });
  }

  #prefix(): string {
    return `${this.backup ? 'Backup ' : ''}Server ${this.proxy}/${this.name}`;
  }

  /** set_server_check_status(): record a status, move the health counter, log it if asked. */
  #setCheckStatus(c: CheckCounter, r: CheckReport, durationMs: number): void {
    const prev = c.status;
    let report = false;
    c.setDesc(r.info);
    c.status = r.status;
    c.code = r.code;
    const result = CHECK_STATUSES[r.status].result;
    if (result) c.result = result;
    c.durationMs = r.status === 'HANA' ? -1 : durationMs;
    this.#touch();
    if (c.result === CHK_RES.NEUTRAL) return;
    if (c.result === CHK_RES.FAILED) {
      // An agent that cannot be reached is not a failure of the server.
      if ((!c.agent || hasL7Code(c.status)) && c.health > 0) {
        c.failedChecks++;
        report = true;
        c.health--;
        if (c.health < c.rise) c.health = 0;
      }
    } else if (c.result === CHK_RES.PASSED || c.result === CHK_RES.CONDPASS) {
      if (c.health < c.maxHealth) {
        report = true;
        c.health++;
        if (c.health >= c.rise) c.health = c.maxHealth;
      }
      if (this.#opts.onError) this.consecutiveErrors = 0;
    }
    if (this.#opts.logHealthChecks && (c.status !== prev || report)) this.#logCheck(c);
  }

  #logCheck(c: CheckCounter): void {
    const cond = c.result === CHK_RES.CONDPASS ? 'conditionally ' : '';
    const verdict = c.result >= CHK_RES.PASSED ? 'succeeded' : 'failed';
    const head = `${c.agent ? 'Agent' : 'Health'} check for ${this.backup ? 'backup ' : ''}server ${this.proxy}/${this.name} ${cond}${verdict}`;
    const tail = appendStatus({ ...this.#tailBase(-1, false), cause: causeOf(c) });
    this.#log('notice', `${head}${tail}, status: ${c.progress(this.uweight)}`);
  }

  /** The check to quote as the cause of a state change (none when tracking or when checks log). */
  #causeFrom(c: CheckCounter): StatusCause | null {
    return !this.#track && !this.#opts.logHealthChecks ? causeOf(c) : null;
  }

  #notify(c: CheckCounter): void {
    if (c.result === CHK_RES.FAILED) this.#notifyFailure(c);
    else if (c.result === CHK_RES.CONDPASS) this.#notifyStopping(c);
    else if (c.result === CHK_RES.PASSED) this.#notifySuccess(c);
  }

  /** check_notify_failure: mark the server down once the counter reached 0. */
  #notifyFailure(c: CheckCounter): void {
    if (c.agent && c.status !== 'L7STS') return;
    if (c.health > 0) return;
    this.#setStopped(this.#causeFrom(c));
  }

  #othersAllowUp(): boolean {
    if (this.#nextAdmin & SRV_ADMF.MAINT) return false;
    if (this.#track && this.#track.#next === SRV_ST.STOPPED) return false;
    if (this.check.enabled && this.check.health < this.check.rise) return false;
    if (this.agent.enabled && this.agent.health < this.agent.rise) return false;
    return true;
  }

  /** check_notify_success: up unless in maintenance, tracking a down server or another check fails. */
  #notifySuccess(c: CheckCounter): void {
    if (!this.#othersAllowUp()) return;
    // Only health checks support NOLB: an agent success does not leave it.
    if (c.agent && this.#next === SRV_ST.STOPPING) return;
    this.#setRunning(this.#causeFrom(c));
  }

  /** check_notify_stopping: NOLB (L7OKC, e.g. disable-on-404). */
  #notifyStopping(c: CheckCounter): void {
    if (c.agent || !this.#othersAllowUp()) return;
    this.#setStopping(this.#causeFrom(c));
  }

  /** srv_set_stopped. */
  #setStopped(cause: StatusCause | null): void {
    if (this.#curAdmin & SRV_ADMF.MAINT || this.#next === SRV_ST.STOPPED) return;
    this.#next = SRV_ST.STOPPED;
    this.#opChange = cause ?? NO_CAUSE;
    this.#updateStatus();
    for (const t of this.#trackers) t.#setStopped(null);
  }

  /** srv_set_running: STARTING when a slow start is configured, else RUNNING. */
  #setRunning(cause: StatusCause | null): void {
    if (this.#curAdmin & SRV_ADMF.MAINT) return;
    if (this.#next === SRV_ST.STARTING || this.#next === SRV_ST.RUNNING) return;
    this.#next = this.#slowstart() > 0 ? SRV_ST.STARTING : SRV_ST.RUNNING;
    this.#opChange = cause ?? NO_CAUSE;
    this.#updateStatus();
    for (const t of this.#trackers) t.#setRunning(null);
  }

  /** srv_set_stopping (NOLB). */
  #setStopping(cause: StatusCause | null): void {
    if (this.#curAdmin & SRV_ADMF.MAINT) return;
    if (this.#next === SRV_ST.STOPPING) return;
    this.#next = SRV_ST.STOPPING;
    this.#opChange = cause ?? NO_CAUSE;
    this.#updateStatus();
    for (const t of this.#trackers) t.#setStopping(null);
  }

  /** srv_set_admin_flag: set, then give trackers the inherited flag. */
  #setAdminFlag(mode: number, cause: string): void {
    if (!mode || this.#nextAdmin & mode) return;
    this.#nextAdmin |= mode;
    if (cause) this.#admCause = cause.slice(0, 47);
    this.#updateStatus();
    const stillMaint = mode & SRV_ADMF.MAINT && this.#nextAdmin & ~mode & SRV_ADMF.MAINT;
    const stillDrain = mode & SRV_ADMF.DRAIN && this.#nextAdmin & ~mode & SRV_ADMF.DRAIN;
    if (stillMaint || stillDrain) return;
    const inherited = mode & SRV_ADMF.MAINT ? SRV_ADMF.IMAINT : mode & SRV_ADMF.DRAIN ? SRV_ADMF.IDRAIN : mode;
    for (const t of this.#trackers) t.#setAdminFlag(inherited, cause);
  }

  /** srv_clr_admin_flag. */
  #clearAdminFlag(mode: number): void {
    if (!mode || !(this.#nextAdmin & mode)) return;
    this.#nextAdmin &= ~mode;
    this.#updateStatus();
    if (mode & SRV_ADMF.MAINT && this.#nextAdmin & SRV_ADMF.MAINT) return;
    if (mode & SRV_ADMF.DRAIN && this.#nextAdmin & SRV_ADMF.DRAIN) return;
    const inherited = mode & SRV_ADMF.MAINT ? SRV_ADMF.IMAINT : mode & SRV_ADMF.DRAIN ? SRV_ADMF.IDRAIN : mode;
    for (const t of this.#trackers) t.#clearAdminFlag(inherited);
  }

  #slowstart(): number {
    return this.#opts.slowstart ?? 0;
  }

  /** srv_lb_commit_status: what the balancers see from now on. */
  #commit(): void {
    this.#cur = this.#next;
    this.#curAdmin = this.#nextAdmin;
    this.#curEweight16 = this.#nextEweight16;
    this.#touch();
  }

  /** server_recalc_eweight: slow-start ramp, STARTING ends when the slow start elapsed. */
  #recalcEweight(mustUpdate: boolean): void {
    const now = this.#opts.clock.now();
    const ss = this.#slowstart();
    if (now < this.lastChange || now >= this.lastChange + ss) {
      if (this.#next === SRV_ST.STARTING) this.#next = SRV_ST.RUNNING;
    }
    let w = WEIGHT_SCALE;
    if (this.#next === SRV_ST.STARTING && this.#opts.dynamicWeights !== false) {
      w = Math.floor((WEIGHT_SCALE * (now - this.lastChange) + ss) / ss);
    }
    this.#nextEweight16 = this.uweight * w;
    if (mustUpdate) this.#updateStatus();
  }

  #scheduleWarmup(): void {
    if (this.#warmup) return;
    const ss = this.#slowstart();
    this.#warmup = this.#opts.clock.setTimer(Math.max(1000, ss / 20), () => {
      this.#warmup = null;
      this.#tx(() => this.#warmupTick());
    });
  }

  /** server_warmup task: raise the weight step by step until RUNNING. */
  #warmupTick(): void {
    if (this.#nextAdmin & SRV_ADMF.MAINT || this.#next !== SRV_ST.STARTING) return;
    this.#recalcEweight(true);
    this.hooks.grabFromBackend();
    if (this.#next === SRV_ST.STARTING) this.#scheduleWarmup();
  }

  #counts(): { active: number; backup: number } {
    if (this.group) return this.group.usableCounts();
    const usable = this.isUsable() ? 1 : 0;
    return this.backup ? { active: 0, backup: usable } : { active: usable, backup: 0 };
  }

  #tailBase(xferred: number, forced: boolean): Omit<Parameters<typeof appendStatus>[0], 'cause'> {
    const counts = xferred >= 0 ? this.#counts() : { active: 0, backup: 0 };
    const load = xferred >= 0 ? this.hooks.load() : { sessions: 0, queued: 0 };
    return {
      xferred,
      forced,
      ...(this.#track ? { via: `${this.#track.proxy}/${this.#track.name}` } : {}),
      goingDown: this.#next === SRV_ST.STOPPED,
      active: counts.active,
      backup: counts.backup,
      sessions: load.sessions,
      queued: load.queued,
    };
  }

  #statusTail(cause: StatusCause, xferred: number, forced: boolean): string {
    return appendStatus({ ...this.#tailBase(xferred, forced), cause });
  }

  #backendDownIfEmpty(prevCount: number): void {
    if (!prevCount) return;
    const { active, backup } = this.#counts();
    if (active === 0 && backup === 0) this.#log('emerg', `${this.proxyType} ${this.proxy} has no server available!`, false);
  }

  /** srv_update_status: apply pending operational then admin changes, with HAProxy's log lines. */
  #updateStatus(): void {
    const before = this.#counts();
    const prevCount = before.active + before.backup;
    const wasStopping = this.#cur === SRV_ST.STOPPING || (this.#curAdmin & SRV_ADMF.DRAIN) !== 0;
    if (!(this.#curAdmin & SRV_ADMF.MAINT)) {
      const nextAdmin = this.#nextAdmin;
      this.#nextAdmin = this.#curAdmin;
      this.#applyOpChange(prevCount, wasStopping);
      this.#nextAdmin = nextAdmin;
    }
    this.#opChange = NO_CAUSE;
    this.#applyMaintChange(prevCount, wasStopping);
    if (!(this.#nextAdmin & SRV_ADMF.MAINT)) this.#applyDrainChange(prevCount);
    this.#admCause = '';
    if (this.group !== undefined) {
      const after = this.group.usableCounts();
      this.group.noteUsable(prevCount, after.active + after.backup, this.#opts.clock.now());
    }
  }

  #applyOpChange(prevCount: number, wasStopping: boolean): void {
    const cur = this.#cur;
    const next = this.#next;
    const now = this.#opts.clock.now();
    if (cur !== SRV_ST.STOPPED && next === SRV_ST.STOPPED) {
      this.lastChange = now;
      this.#commit();
      if (this.#opts.onMarkedDown) this.emit('shutdown-sessions');
      const xferred = this.hooks.redistribute();
      this.#log(wasStopping ? 'notice' : 'alert', `${this.#prefix()} is DOWN${this.#statusTail(this.#opChange, xferred, false)}`);
      this.#backendDownIfEmpty(prevCount);
      this.downTransitions++;
    } else if (cur !== SRV_ST.STOPPING && next === SRV_ST.STOPPING) {
      this.lastChange = now;
      this.#commit();
      const xferred = this.hooks.redistribute();
      this.#log('notice', `${this.#prefix()} is stopping${this.#statusTail(this.#opChange, xferred, false)}`);
      this.#backendDownIfEmpty(prevCount);
    } else if ((cur !== SRV_ST.RUNNING && next === SRV_ST.RUNNING) || (cur !== SRV_ST.STARTING && next === SRV_ST.STARTING)) {
      if (cur === SRV_ST.STOPPED && this.lastChange < now) this.downTimeMs += now - this.lastChange;
      this.lastChange = now;
      if (next === SRV_ST.STARTING) this.#scheduleWarmup();
      this.#recalcEweight(false);
      this.#commit();
      if (this.#opts.onMarkedUp && !this.backup && this.#nextEweight16) this.emit('shutdown-backup-sessions');
      const xferred = this.hooks.grabFromBackend();
      this.#log('notice', `${this.#prefix()} is UP${this.#statusTail(this.#opChange, xferred, false)}`);
      this.#backendDownIfEmpty(prevCount);
    } else if (this.#curEweight16 !== this.#nextEweight16) {
      this.#commit();
      this.#backendDownIfEmpty(prevCount);
    }
  }

  #applyMaintChange(prevCount: number, wasStopping: boolean): void {
    const enter = !(this.#curAdmin & SRV_ADMF.MAINT) && this.#nextAdmin & SRV_ADMF.MAINT;
    const leave = this.#curAdmin & SRV_ADMF.MAINT && !(this.#nextAdmin & SRV_ADMF.MAINT);
    if (enter) this.#enterMaint(prevCount, wasStopping);
    else if (leave) this.#leaveMaint(prevCount);
    else if (this.#nextAdmin & SRV_ADMF.MAINT) this.#stayMaint();
  }

  #enterMaint(prevCount: number, wasStopping: boolean): void {
    const c = this.check;
    if (c.enabled) {
      c.setFlag(CHK_ST.PAUSED, true);
      c.health = 0;
    }
    const forced = (this.#nextAdmin & SRV_ADMF.FMAINT) !== 0;
    if (this.#cur === SRV_ST.STOPPED) {
      this.#log('notice', `${this.#prefix()} was DOWN and now enters maintenance${causeSuffix(this.#admCause)}${this.#statusTail(NO_CAUSE, -1, forced)}`);
      this.#curAdmin = this.#nextAdmin;
      this.#touch();
      return;
    }
    c.health = 0;
    this.lastChange = this.#opts.clock.now();
    this.#next = SRV_ST.STOPPED;
    this.#commit();
    if (this.#opts.onMarkedDown) this.emit('shutdown-sessions');
    const xferred = this.hooks.redistribute();
    const msg = `${this.#prefix()} is going DOWN for maintenance${causeSuffix(this.#admCause)}${this.#statusTail(NO_CAUSE, xferred, forced)}`;
    this.#log(wasStopping ? 'notice' : 'alert', msg);
    this.#backendDownIfEmpty(prevCount);
    this.downTransitions++;
  }

  #leaveMaint(prevCount: number): void {
    const c = this.check;
    if (c.enabled) {
      c.setFlag(CHK_ST.PAUSED, false);
      c.health = c.rise; // start OK but check immediately
    }
    const t = this.#track;
    const agentOk = !this.agent.enabled || this.agent.health >= this.agent.rise;
    const checkOk = !c.enabled || c.health >= c.rise;
    if ((!t || t.#next !== SRV_ST.STOPPED) && agentOk && checkOk) {
      if (t && t.#next === SRV_ST.STOPPING) this.#next = SRV_ST.STOPPING;
      else {
        this.lastChange = this.#opts.clock.now();
        this.#next = SRV_ST.STARTING;
        if (this.#slowstart() > 0) this.#scheduleWarmup();
        else this.#next = SRV_ST.RUNNING;
      }
    }
    const updown = `${this.#next === SRV_ST.STOPPED ? 'DOWN' : 'UP'}/${this.#nextAdmin & SRV_ADMF.DRAIN ? 'DRAIN' : 'READY'}`;
    // HAProxy overwrites the message for each flag that left, the last one wins.
    let msg = '';
    if (this.#curAdmin & SRV_ADMF.FMAINT && !(this.#nextAdmin & SRV_ADMF.FMAINT)) msg = `${this.#prefix()} is ${updown} (leaving forced maintenance)`;
    if (this.#curAdmin & SRV_ADMF.RMAINT && !(this.#nextAdmin & SRV_ADMF.RMAINT)) msg = `${this.#prefix()} is ${updown} (resolves again)`;
    if (this.#curAdmin & SRV_ADMF.IMAINT && !(this.#nextAdmin & SRV_ADMF.IMAINT)) msg = `${this.#prefix()} is ${updown} (leaving maintenance)`;
    if (msg) this.#log('notice', msg);
    this.#recalcEweight(false);
    this.#commit();
    this.#backendDownIfEmpty(prevCount);
    if (this.#opts.onMarkedUp && !this.backup && this.#nextEweight16) this.emit('shutdown-backup-sessions');
    this.hooks.grabFromBackend();
  }

  #stayMaint(): void {
    const via = this.#track ? ` via ${this.#track.proxy}/${this.#track.name}` : '';
    if (!(this.#nextAdmin & SRV_ADMF.FMAINT) && this.#curAdmin & SRV_ADMF.FMAINT) {
      this.#log('notice', `${this.#prefix()} is leaving forced maintenance but remains in maintenance${via}`);
    }
    if (!(this.#nextAdmin & SRV_ADMF.RMAINT) && this.#curAdmin & SRV_ADMF.RMAINT) {
      this.#log('notice', `${this.#prefix()} resolves again but remains in maintenance${via}`);
    } else if (!(this.#nextAdmin & SRV_ADMF.IMAINT) && this.#curAdmin & SRV_ADMF.IMAINT) {
      this.#log('notice', `${this.#prefix()} remains in forced maintenance`);
    }
    if (this.#curAdmin !== this.#nextAdmin) this.#touch();
    this.#curAdmin = this.#nextAdmin;
  }

  #applyDrainChange(prevCount: number): void {
    const cur = this.#curAdmin & SRV_ADMF.DRAIN;
    const next = this.#nextAdmin & SRV_ADMF.DRAIN;
    const via = this.#track ? ` via ${this.#track.proxy}/${this.#track.name}` : '';
    const now = this.#opts.clock.now();
    if (!cur && next) {
      this.lastChange = now;
      this.#commit();
      const xferred = this.hooks.redistribute();
      const forced = (this.#nextAdmin & SRV_ADMF.FDRAIN) !== 0;
      this.#log('notice', `${this.#prefix()} enters drain state${causeSuffix(this.#admCause)}${this.#statusTail(NO_CAUSE, xferred, forced)}`);
      this.#backendDownIfEmpty(prevCount);
    } else if (cur && !next) {
      if (this.lastChange < now) this.downTimeMs += now - this.lastChange;
      this.lastChange = now;
      this.#recalcEweight(false);
      const updown = this.#next === SRV_ST.STOPPED ? 'DOWN' : 'UP';
      const msg = !(this.#nextAdmin & SRV_ADMF.FDRAIN)
        ? `${this.#prefix()} is ${updown} (leaving forced drain)`
        : `${this.#prefix()} is ${updown} (leaving drain)${via}`;
      this.#log('notice', msg);
      this.#commit();
    } else if (next) {
      const msg = !(this.#nextAdmin & SRV_ADMF.FDRAIN)
        ? `${this.#prefix()} is leaving forced drain but remains in drain mode${via}`
        : `${this.#prefix()} remains in forced drain mode`;
      this.#log('notice', msg);
      if (this.#curAdmin !== this.#nextAdmin) this.#touch();
      this.#curAdmin = this.#nextAdmin;
    }
  }

  /** Next (pending) state and admin flags, for tests and the tracking logic of views. */
  get pending(): { readonly state: SrvOpState; readonly admin: number } {
    return { state: this.#next, admin: this.#nextAdmin };
  }
}

/** The cause a check gives to a state change (its status, code, description, duration). */
function causeOf(c: CheckCounter): StatusCause {
  return { status: c.status, code: c.code, desc: c.desc, durationMs: c.durationMs };
}

