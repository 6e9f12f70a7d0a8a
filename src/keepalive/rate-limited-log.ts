// Rate-limited warnings for bad heartbeats: a flood of forged or replayed packets must be counted,
// and logged, without the log becoming the attack (at most one line per key and period).
import type { Logger } from 'pino';

export class RateLimitedLog {
  readonly #log: Logger;
  readonly #periodMs: number;
  readonly #now: () => number;
  readonly #last = new Map<string, { at: number; suppressed: number }>();

  constructor(log: Logger, periodMs: number, now: () => number) {
    this.#log = log;
    this.#periodMs = periodMs;
    this.#now = now;
  }

  warn(key: string, fields: Readonly<Record<string, unknown>>, msg: string): void {
    const now = this.#now();
    const last = this.#last.get(key);
    if (last && now - last.at < this.#periodMs) {
      last.suppressed++;
      return;
    }
    this.#log.warn({ ...fields, suppressed: last?.suppressed ?? 0 }, msg);
    this.#last.set(key, { at: now, suppressed: 0 });
  }
}
