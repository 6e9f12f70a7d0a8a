// Replay protection for heartbeats (reference/ha.md §5.2, the model is keepalived `auth_hmac`
// anti-replay): a per-sender sliding window over sequence numbers (an IPsec-style 64-entry bitmap
// below the highest sequence seen, so reordered datagrams pass but duplicates do not) and a
// freshness window on the sender's wall-clock timestamp (needs NTP on both nodes; 0 disables).
// Check only packets whose HMAC verified: a forged packet must not move the window.

export const REPLAY_BITMAP = 64n;

export type ReplayVerdict = 'ok' | 'replay' | 'stale';

interface Window {
  top: bigint;
  bitmap: bigint; // bit i = top - i seen
}

export class ReplayGuard {
  readonly #freshness: number;
  readonly #windows = new Map<string, Window>();

  /** `freshnessMs`: maximum |now - timestamp|; 0 = sequence check only. */
  constructor(freshnessMs: number) {
    this.#freshness = freshnessMs;
  }

  /** Check and record (sender key, sequence, timestamp) against wall-clock `nowMs`. */
  check(sender: string, seq: bigint, timestamp: number, nowMs: number): ReplayVerdict {
    if (this.#freshness > 0 && Math.abs(nowMs - timestamp) > this.#freshness) return 'stale';
    const w = this.#windows.get(sender);
    if (!w) {
      this.#windows.set(sender, { top: seq, bitmap: 1n });
      return 'ok';
    }
    if (seq > w.top) {
      const shift = seq - w.top;
      w.bitmap = shift >= REPLAY_BITMAP ? 1n : ((w.bitmap << shift) | 1n) & ((1n << REPLAY_BITMAP) - 1n);
      w.top = seq;
      return 'ok';
    }
    const age = w.top - seq;
    if (age >= REPLAY_BITMAP) return 'replay';
    const bit = 1n << age;
    if ((w.bitmap & bit) !== 0n) return 'replay';
    w.bitmap |= bit;
    return 'ok';
  }

  /** Forget a sender (e.g. after a config reload removed it). */
  forget(sender: string): void {
    this.#windows.delete(sender);
  }
}

/** Sequence numbers per millisecond of the start time: the counter's room (a process never sends that many). */
export const SEQ_PER_MS = 1n << 20n;

/**
 * Outgoing sequence numbers: start at the wall clock in ms × SEQ_PER_MS, then count up one per
 * advert whatever the clock does while running. So a restarted sender starts above everything its
 * predecessor sent (it would have to send 2^20 adverts per ms of uptime to catch up), and above its
 * farewell (farewell.ts), which is derived from the clock too. u64 holds this until the year 2527.
 */
export class SequenceSource {
  #next: bigint;

  constructor(nowMs: number = Date.now()) {
    this.#next = BigInt(Math.trunc(nowMs)) * SEQ_PER_MS;
  }

  next(): bigint {
    return this.#next++;
  }

  /** The last sequence number handed out (status output). */
  get last(): bigint {
    return this.#next - 1n;
  }

  /**
   * The sequence number of a farewell signed at `nowMs` (farewell.ts): the top of that
   * millisecond's range. It must be above every advert this process sends until it dies (it counts
   * one per advert from its start time's range, far below: one range per ms of uptime), and below
   * the first advert of a restart (which starts at a later millisecond's range, whatever the
   * uptime). The old "last + 10^6" lead was above a restart that came within ~1 s of the start
   * time's µs value, so the peer dropped the restarted node's first adverts as replays.
   */
  farewell(nowMs: number): bigint {
    const top = (BigInt(Math.trunc(nowMs)) + 1n) * SEQ_PER_MS - 1n;
    return top > this.last ? top : this.last + 1n; // a clock stepped back: stay above what was sent
  }
}
