// HAProxy's rate counter and sliding averages (include/haproxy/freq_ctr.h, src/freq_ctr.c):
// events per second over a 1 s period, read as the current period's count plus the share of the
// previous period still inside the last second (`rate`, `conn_rate`); and the sliding-window sum
// behind `qtime`/`ctime`/`rtime`/`ttime` (swrate over TIME_STATS_SAMPLES sessions).

import { eventNow } from '../event-clock.ts';

const PERIOD = 1000;

/** Milliseconds on a monotonic clock, HAProxy's now_ms (the current event's reading, ../event-clock.ts). */
export function nowMs(): number {
  return Math.floor(eventNow());
}

/** `struct freq_ctr` with a 1 s period. */
export class FreqCtr {
  #tick = 0;
  #curr = 0;
  #prev = 0;

  /** update_freq_ctr: count `inc` events now; returns the current period's count (for *_max). */
  update(now: number, inc = 1): number {
    if (now - this.#tick < PERIOD) return (this.#curr += inc);
    this.#prev = this.#curr;
    this.#curr = inc;
    this.#tick += PERIOD;
    // Two periods or more without events: start over from now.
    if (now - this.#tick >= PERIOD) {
      this.#prev = 0;
      this.#tick = now;
    }
    return inc;
  }

  /** read_freq_ctr: events over the last second. */
  read(now: number): number {
    let curr = this.#curr;
    let past = this.#prev;
    let remain = this.#tick + PERIOD - now;
    if (remain < 0) {
      remain += PERIOD;
      past = remain >= 0 ? curr : 0;
      curr = 0;
    }
    // Flapping correction at very low rates (freq_ctr_total with pend < 0).
    if (!curr && past <= 1) return past;
    return Math.floor((past * remain + curr * PERIOD) / PERIOD);
  }
}

/** HAProxy TIME_STATS_SAMPLES: the time averages cover the last 512 sessions. */
export const TIME_STATS_SAMPLES = 512;

/** swrate_add_dynamic: add `v` to a sliding sum over `n` samples (n = 0 while fewer were seen). */
export function swrateAdd(sum: number, n: number, v: number): number {
  return (sum - (n ? Math.floor((sum + n - 1) / n) : 0) + v) >>> 0;
}

/** swrate_avg over the window a stats dump uses: the sample count, capped at 512. */
export function swrateAvg(sum: number, samples: number): number {
  const n = samples > 0 && samples < TIME_STATS_SAMPLES ? samples : TIME_STATS_SAMPLES;
  return Math.floor((sum + n - 1) / n);
}

/** The session time averages of a backend or server (qtime ctime rtime ttime, and their max). */
export class TimeStats {
  q = 0;
  c = 0;
  d = 0;
  t = 0;
  qMax = 0;
  cMax = 0;
  dMax = 0;
  tMax = 0;

  /**
   * stream_update_time_stats: `samples` is the object's cumulated connections (cum_lbconn)
   * before this one, the durations are HAProxy's t_queue, t_connect, t_data and t_close deltas.
   */
  add(samples: number, queue: number, connect: number, data: number, close: number): void {
    const n = samples > TIME_STATS_SAMPLES ? TIME_STATS_SAMPLES : 0;
    this.q = swrateAdd(this.q, n, queue);
    this.c = swrateAdd(this.c, n, connect);
    this.d = swrateAdd(this.d, n, data);
    this.t = swrateAdd(this.t, n, close);
    if (queue > this.qMax) this.qMax = queue;
    if (connect > this.cMax) this.cMax = connect;
    if (data > this.dMax) this.dMax = data;
    if (close > this.tMax) this.tMax = close;
  }
}
