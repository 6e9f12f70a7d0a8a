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

/**
 * Outgoing sequence numbers: start from the wall clock in µs so that a restarted sender starts
 * above what receivers last saw (one advert per ms would be needed to outrun it), then count up
 * monotonically whatever the clock does while running.
 */
export class SequenceSource {
  #next: bigint;

  constructor(nowMs: number = Date.now()) {
    this.#next = BigInt(Math.trunc(nowMs)) * 1000n;
  }

  next(): bigint {
    return this.#next++;
  }

  /** The last sequence number handed out (status output). */
  get last(): bigint {
    return this.#next - 1n;
  }
}
