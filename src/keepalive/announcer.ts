// When to announce the VIPs (gratuitous ARP / unsolicited NA) while master: a burst at takeover,
// an optional second burst later, periodic refreshes, and a burst on demand after a split brain
// healed (keepalived garp_master_repeat / garp_master_delay / garp_master_refresh, reference/ha.md
// §2.4 and §5.9). Pure scheduling on a Clock; `send` emits one announcement round.
import type { Clock, TimerHandle } from '../clock.ts';
import type { GarpSpec } from './spec.ts';

export class Announcer {
  readonly #clock: Clock;
  readonly #garp: GarpSpec;
  readonly #send: () => void;
  readonly #timers = new Set<TimerHandle>();
  #refresh?: TimerHandle;
  #active = false;

  constructor(clock: Clock, garp: GarpSpec, send: () => void) {
    this.#clock = clock;
    this.#garp = garp;
    this.#send = send;
  }

  get active(): boolean {
    return this.#active;
  }

  /**
   * Takeover: first burst now, the second after `delay`, then refreshes. `firstSent`: the caller
   * already sent the burst's first round (it waits for it before reporting the VIPs up).
   */
  start(firstSent = false): void {
    this.stop();
    this.#active = true;
    this.burst(this.#garp.repeat, firstSent);
    if (this.#garp.delay > 0) this.#after(this.#garp.delay, () => this.burst(this.#garp.repeat));
    this.#scheduleRefresh();
  }

  /** `count` rounds, `interval` apart, the first now. */
  burst(count: number = this.#garp.repeat, firstSent = false): void {
    if (!this.#active) return;
    if (!firstSent) this.#send();
    for (let i = 1; i < count; i++) this.#after(i * this.#garp.interval, () => this.#send());
  }

  stop(): void {
    this.#active = false;
    for (const t of this.#timers) t.cancel();
    this.#timers.clear();
    this.#refresh?.cancel();
    this.#refresh = undefined;
  }

  #scheduleRefresh(): void {
    if (this.#garp.refresh <= 0) return;
    this.#refresh = this.#clock.setTimer(this.#garp.refresh, () => {
      this.burst(this.#garp.refreshRepeat);
      this.#scheduleRefresh();
    });
  }

  #after(ms: number, fn: () => void): void {
    const t = this.#clock.setTimer(ms, () => {
      this.#timers.delete(t);
      fn();
    });
    this.#timers.add(t);
  }
}
