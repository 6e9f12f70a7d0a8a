// Runs health and agent checks at their intervals and feeds the server state machine
// (src/check.c start_checks, start_check_task, process_chk_conn): first runs spread over the
// smallest interval, then `inter`, `fastinter` or `downinter` after each run as srv_getinter
// decides, nothing while a check is disabled or paused by maintenance. Driven by a Clock.
import type { Clock, TimerHandle } from '../clock.ts';
import type { ServerState } from '../backend/server-state.ts';
import type { CheckResult } from './check.ts';

/** Intervals shorter than this start on their own and do not shrink the spread (SRV_CHK_INTER_THRES). */
const INTER_THRES = 1000;

export interface ScheduledCheck {
  readonly state: ServerState;
  readonly which: 'check' | 'agent';
  /** Run the check once; must not reject (a rejection is reported as SOCKERR). */
  readonly run: () => Promise<CheckResult>;
}

export interface SchedulerOptions {
  readonly clock: Clock;
  /** Global `spread-checks` percent: +/- random share of each interval. */
  readonly spreadChecks?: number;
  /** Global `max-spread-checks` in ms: caps the initial spread. */
  readonly maxSpreadChecks?: number;
  /** Random source in [0, 1), for spread-checks. */
  readonly random?: () => number;
}

interface Task {
  readonly entry: ScheduledCheck;
  timer: TimerHandle | null;
  /** Clock time of the next run. */
  expire: number;
  running: Promise<void> | null;
  /** `on-error` asked for fastinter on the next run (CHK_ST_FASTINTER). */
  forceFast: boolean;
  onFast: () => void;
}

export class CheckScheduler {
  readonly #opts: SchedulerOptions;
  readonly #tasks: Task[] = [];
  #started = false;
  #stopped = false;

  constructor(opts: SchedulerOptions) {
    this.#opts = opts;
  }

  add(entry: ScheduledCheck): void {
    const task: Task = { entry, timer: null, expire: 0, running: null, forceFast: false, onFast: () => this.#fastinter(task) };
    if (entry.which === 'check') entry.state.on('fastinter', task.onFast);
    this.#tasks.push(task);
    if (this.#started) this.#arm(task, 0);
  }

  /** Arm every task, spread as HAProxy spreads them at startup. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    const n = this.#tasks.length;
    let minInter = 0;
    for (const t of this.#tasks) {
      const i = this.#inter(t);
      if (i >= INTER_THRES && (!minInter || minInter > i)) minInter = i;
    }
    this.#tasks.forEach((t, pos) => {
      let mi = Math.max(minInter, this.#inter(t));
      if (this.#opts.maxSpreadChecks && mi > this.#opts.maxSpreadChecks) mi = this.#opts.maxSpreadChecks;
      this.#arm(t, Math.floor((mi * pos) / n));
    });
  }

  /** Stop scheduling; resolves when checks in flight have reported. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#tasks) {
      t.timer?.cancel();
      t.timer = null;
      if (t.entry.which === 'check') t.entry.state.off('fastinter', t.onFast);
    }
    await Promise.all(this.#tasks.map((t) => t.running));
  }

  #check(t: Task): ServerState['check'] {
    return t.entry.which === 'check' ? t.entry.state.check : t.entry.state.agent;
  }

  #inter(t: Task): number {
    if (t.forceFast && t.entry.which === 'check' && t.entry.state.check.fastinter) return t.entry.state.check.fastinter;
    return t.entry.state.checkInterval(t.entry.which);
  }

  #arm(t: Task, delay: number): void {
    if (this.#stopped) return;
    t.timer?.cancel();
    t.expire = this.#opts.clock.now() + delay;
    t.timer = this.#opts.clock.setTimer(delay, () => {
      t.timer = null;
      this.#fire(t);
    });
  }

  #fire(t: Task): void {
    if (this.#stopped) return;
    const c = this.#check(t);
    // A disabled check, or a health check paused by maintenance, only keeps its pace.
    if (!c.active) {
      this.#arm(t, c.inter);
      return;
    }
    t.running = this.#runOnce(t).finally(() => {
      t.running = null;
    });
  }

  async #runOnce(t: Task): Promise<void> {
    const { state, which, run } = t.entry;
    state.checkStarted(which);
    let result: CheckResult;
    try {
      result = await run();
    } catch (err) {
      result = { status: 'SOCKERR', code: 0, info: err instanceof Error ? err.message : String(err), durationMs: 0 };
    }
    if (which === 'check') state.reportCheck(result);
    else state.reportAgent(result);
    this.#arm(t, this.#nextDelay(t));
    t.forceFast = false;
  }

  #nextDelay(t: Task): number {
    const inter = this.#inter(t);
    const spread = this.#opts.spreadChecks ?? 0;
    if (spread <= 0) return inter;
    const rv = Math.floor((inter * spread) / 100);
    const random = this.#opts.random ?? Math.random;
    return Math.max(0, inter + rv - Math.floor(2 * rv * random()));
  }

  /** Advance an idle health check to fastinter when that is sooner (check.c process_chk_conn). */
  #fastinter(t: Task): void {
    t.forceFast = true;
    if (t.running || !t.timer || this.#stopped) return;
    const soon = this.#opts.clock.now() + this.#inter(t);
    if (soon < t.expire) {
      // Rescheduling consumes the request, as HAProxy's update_timer path clears CHK_ST_FASTINTER.
      this.#arm(t, this.#inter(t));
      t.forceFast = false;
    }
  }
}
