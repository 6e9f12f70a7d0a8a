// `balance random [draws]`: draw `draws` servers at random in proportion to their weights and
// keep the least loaded (HAProxy configuration.txt 4.2 "balance": "Power of Two Random
// Choices", default 2 draws; backend.c get_server_rnd). Weights are dynamic.
import type { Server } from '../backend/server.ts';
import type { BalanceKey, Balancer, BalancerOptions } from './balancer.ts';
import { collectCandidates, hasRoom } from './candidates.ts';

export const DEFAULT_RANDOM_DRAWS = 2;

export class RandomBalancer implements Balancer {
  readonly #servers: readonly Server[];
  readonly #allbackups: boolean;
  readonly #draws: number;
  readonly #random: () => number;
  readonly #candidates: Server[] = [];
  /** Running sum of candidate weights: candidate i owns [cumulative[i-1], cumulative[i]). */
  #cumulative = new Float64Array(0);

  constructor(servers: readonly Server[], opts: BalancerOptions & { readonly draws?: number }) {
    this.#servers = servers;
    this.#allbackups = opts.allbackups;
    this.#draws = opts.draws ?? DEFAULT_RANDOM_DRAWS;
    this.#random = opts.random ?? Math.random;
    this.refresh();
  }

  /**
   * HAProxy keeps the new draw unless it serves more per unit of weight than the best so far.
   * A draw landing on a full server or on `avoid` is lost; unlike HAProxy (which then queues
   * even when other servers have room) we fall back to a scan, so null means "all full".
   */
  pick(_key: BalanceKey, avoid?: Server): Server | null {
    let best: Server | null = null;
    for (let d = 0; d < this.#draws; d++) {
      const s = this.#draw();
      if (s === null || s === avoid || !hasRoom(s)) continue;
      if (best === null || s.served * best.eweight <= best.served * s.eweight) best = s;
    }
    return best ?? this.#scan(avoid);
  }

  #draw(): Server | null {
    const cum = this.#cumulative;
    const n = cum.length;
    if (n === 0 || cum[n - 1] === 0) return null;
    const point = this.#random() * cum[n - 1];
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cum[mid] <= point) lo = mid + 1;
      else hi = mid;
    }
    return this.#candidates[lo];
  }

  /** Any candidate with room, from a random start; `avoid` only as a last resort. */
  #scan(avoid?: Server): Server | null {
    const cands = this.#candidates;
    const n = cands.length;
    const start = Math.floor(this.#random() * n);
    let avoided: Server | null = null;
    for (let k = 0; k < n; k++) {
      const s = cands[(start + k) % n];
      if (!hasRoom(s)) continue;
      if (s !== avoid) return s;
      avoided = s;
    }
    return avoided;
  }

  refresh(): void {
    collectCandidates(this.#servers, this.#allbackups, this.#candidates);
    const cum = new Float64Array(this.#candidates.length);
    let total = 0;
    for (let i = 0; i < cum.length; i++) cum[i] = total += this.#candidates[i].eweight;
    this.#cumulative = cum;
  }

  onServedChange(_server: Server): void {}

  hasCandidates(): boolean {
    return this.#candidates.length > 0;
  }
}
