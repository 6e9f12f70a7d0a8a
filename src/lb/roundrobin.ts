// `balance roundrobin`: smooth weighted round robin, dynamic (HAProxy configuration.txt 4.2
// "balance": "server weights may be adjusted on the fly"). Weights are read at every pick, so
// `set server weight` takes effect at once; HAProxy's lb_fwrr.c tree is replaced by the
// interleaved sequence of the smooth algorithm (weights 3:1 give a a b a ...), same shares.
import type { Server } from '../backend/server.ts';
import type { BalanceKey, Balancer, BalancerOptions } from './balancer.ts';
import { collectCandidates, hasRoom } from './candidates.ts';

export class RoundRobinBalancer implements Balancer {
  readonly #servers: readonly Server[];
  readonly #allbackups: boolean;
  readonly #candidates: Server[] = [];
  /** Current weight of each candidate, parallel to #candidates. */
  #current: number[] = [];

  constructor(servers: readonly Server[], opts: BalancerOptions) {
    this.#servers = servers;
    this.#allbackups = opts.allbackups;
    this.refresh();
  }

  /**
   * Each eligible server gains its weight, the highest current weight wins and pays back the
   * round's total. Full servers sit the round out, as HAProxy skips saturated servers
   * (lb_fwrr.c fwrr_get_next_server). When `avoid` (a redispatch's previous server) wins, it is
   * charged its turn as fwrr_get_next_server charges it, and the pick runs again without it; it
   * is taken only when it is the only choice.
   */
  pick(_key: BalanceKey, avoid?: Server): Server | null {
    const first = this.#pickOne(undefined);
    if (first === null || first !== avoid) return first;
    return this.#pickOne(avoid);
  }

  #pickOne(avoid: Server | undefined): Server | null {
    const cands = this.#candidates;
    const current = this.#current;
    let total = 0;
    let best = -1;
    let avoided: Server | null = null;
    for (let i = 0; i < cands.length; i++) {
      const s = cands[i];
      if (!hasRoom(s)) continue;
      if (s === avoid) {
        avoided = s;
        continue;
      }
      current[i] += s.eweight;
      total += s.eweight;
      if (best < 0 || current[i] > current[best]) best = i;
    }
    if (best < 0) return avoided;
    current[best] -= total;
    return cands[best];
  }

  refresh(): void {
    const previous = new Map<Server, number>();
    for (let i = 0; i < this.#candidates.length; i++) previous.set(this.#candidates[i], this.#current[i]);
    collectCandidates(this.#servers, this.#allbackups, this.#candidates);
    this.#current = this.#candidates.map((s) => previous.get(s) ?? 0);
  }

  onServedChange(_server: Server): void {}

  hasCandidates(): boolean {
    return this.#candidates.length > 0;
  }
}
