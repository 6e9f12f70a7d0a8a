// `timeout queue` for every pending connection of a backend with ONE timer (no closure per
// queued session): all entries share the same timeout, so expiry order is enqueue order and an
// age list (oldest first) tells which entry is due next.
import type { Clock, TimerHandle } from '../clock.ts';
import type { PendConn } from './queue.ts';

export class QueueExpiry {
  readonly #clock: Clock;
  readonly #onExpire: (p: PendConn) => void;
  #oldest: PendConn | null = null;
  #newest: PendConn | null = null;
  #timer: TimerHandle | null = null;
  /** Deadline the armed timer fires at. */
  #timerAt = Infinity;

  /** `onExpire` is called with each entry whose deadline passed; it should remove() it. */
  constructor(clock: Clock, onExpire: (p: PendConn) => void) {
    this.#clock = clock;
    this.#onExpire = onExpire;
  }

  /** Track `p` (the newest entry: its deadline is the latest). */
  add(p: PendConn): void {
    p.older = this.#newest;
    p.newer = null;
    if (this.#newest !== null) this.#newest.newer = p;
    else this.#oldest = p;
    this.#newest = p;
    this.#arm();
  }

  /** Forget `p`. The timer stays armed: when it fires early it simply re-arms. */
  remove(p: PendConn): void {
    if (p.older !== null) p.older.newer = p.newer;
    else this.#oldest = p.newer;
    if (p.newer !== null) p.newer.older = p.older;
    else this.#newest = p.older;
    p.older = p.newer = null;
  }

  /** Cancel the timer (backend destroyed). */
  stop(): void {
    this.#timer?.cancel();
    this.#timer = null;
    this.#timerAt = Infinity;
  }

  #arm(): void {
    const oldest = this.#oldest;
    if (oldest === null || oldest.expiresAt === Infinity || this.#timerAt <= oldest.expiresAt) return;
    this.#timer?.cancel();
    this.#timerAt = oldest.expiresAt;
    this.#timer = this.#clock.setTimer(oldest.expiresAt - this.#clock.now(), this.#fire);
  }

  readonly #fire = (): void => {
    this.#timer = null;
    this.#timerAt = Infinity;
    const now = this.#clock.now();
    for (let p = this.#oldest; p !== null && p.expiresAt <= now; p = this.#oldest) {
      this.#onExpire(p);
      if (this.#oldest === p) this.remove(p); // the handler is expected to remove it
    }
    this.#arm();
  };
}
