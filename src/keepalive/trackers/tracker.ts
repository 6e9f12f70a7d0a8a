// Trackers: what keepalive watches besides its peers. Each tracker is ok or failing, with rise/fall
// hysteresis (keepalived vrrp_script rise/fall); a failing tracker with weight 0 forces FAULT, a
// weighted one adds its weight to the priority (keepalived track_* semantics, reference/ha.md §5.6).
// Tie-breakers form one group: FAULT only when none of them answers.
import type { Clock, TimerHandle } from '../../clock.ts';

export interface CheckOutcome {
  readonly ok: boolean;
  readonly detail: string;
}

export interface TrackerView {
  readonly name: string;
  readonly kind: 'interface' | 'proxy' | 'script' | 'tiebreaker';
  readonly weight: number;
  /** undefined until the first check completed. */
  readonly ok: boolean | undefined;
  readonly detail: string;
}

export interface Tracker extends TrackerView {
  /** Start checking; `onChange` runs after every change of `ok` (including the first result). */
  start(onChange: () => void): void;
  stop(): void;
  /** Resolves after the first check completed (or right away if it has). */
  readonly firstResult: Promise<void>;
}

/** Consecutive-result hysteresis: `rise` successes to become ok, `fall` failures to fail. */
export class RiseFall {
  readonly #rise: number;
  readonly #fall: number;
  #ok: boolean | undefined;
  #streak = 0;

  constructor(rise: number, fall: number) {
    this.#rise = rise;
    this.#fall = fall;
  }

  get ok(): boolean | undefined {
    return this.#ok;
  }

  /** Record a result; true when `ok` changed. The first result is taken as is. */
  record(ok: boolean): boolean {
    if (this.#ok === undefined) {
      this.#ok = ok;
      return true;
    }
    if (ok === this.#ok) {
      this.#streak = 0;
      return false;
    }
    this.#streak++;
    if (this.#streak < (ok ? this.#rise : this.#fall)) return false;
    this.#ok = ok;
    this.#streak = 0;
    return true;
  }
}

export interface PollingOptions {
  readonly name: string;
  readonly kind: TrackerView['kind'];
  readonly weight: number;
  readonly interval: number;
  readonly rise: number;
  readonly fall: number;
  readonly check: () => Promise<CheckOutcome>;
}

/** Runs `check` every `interval` (never overlapping) through rise/fall. */
export class PollingTracker implements Tracker {
  readonly name: string;
  readonly kind: TrackerView['kind'];
  readonly weight: number;
  readonly firstResult: Promise<void>;
  detail = 'not checked yet';
  readonly #o: PollingOptions;
  readonly #clock: Clock;
  readonly #state: RiseFall;
  #timer?: TimerHandle;
  #running = false;
  #onChange: () => void = () => {};
  #resolveFirst!: () => void;

  constructor(options: PollingOptions, clock: Clock) {
    this.#o = options;
    this.#clock = clock;
    this.name = options.name;
    this.kind = options.kind;
    this.weight = options.weight;
    this.#state = new RiseFall(options.rise, options.fall);
    this.firstResult = new Promise((resolve) => (this.#resolveFirst = resolve));
  }

  get ok(): boolean | undefined {
    return this.#state.ok;
  }

  start(onChange: () => void): void {
    this.#onChange = onChange;
    this.#running = true;
    void this.#tick();
  }

  stop(): void {
    this.#running = false;
    this.#timer?.cancel();
    this.#resolveFirst();
  }

  async #tick(): Promise<void> {
    let outcome: CheckOutcome;
    try {
      outcome = await this.#o.check();
    } catch (err) {
      outcome = { ok: false, detail: `check error: ${(err as Error).message}` };
    }
    if (!this.#running) return;
    this.detail = outcome.detail;
    const changed = this.#state.record(outcome.ok);
    this.#resolveFirst();
    if (changed) this.#onChange();
    this.#timer = this.#clock.setTimer(this.#o.interval, () => void this.#tick());
  }
}

export interface Health {
  /** Sum of the weights of failing weighted trackers. */
  readonly delta: number;
  /** Names of failing weight-0 trackers, plus 'tiebreaker' when no tie-breaker answers. */
  readonly faults: readonly string[];
}

/** A tracker that has not answered yet counts as failing: never master on unknown health. */
export function healthOf(trackers: readonly TrackerView[]): Health {
  let delta = 0;
  const faults: string[] = [];
  const tiebreakers = trackers.filter((t) => t.kind === 'tiebreaker');
  for (const t of trackers) {
    if (t.kind === 'tiebreaker' || t.ok === true) continue;
    if (t.weight === 0) faults.push(t.name);
    else delta += t.weight;
  }
  if (tiebreakers.length > 0 && !tiebreakers.some((t) => t.ok === true)) faults.push('tiebreaker');
  return { delta, faults };
}
