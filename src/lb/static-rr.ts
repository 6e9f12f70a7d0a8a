// `balance static-rr`: weighted round robin over HAProxy's static server map (lb_map.c).
// HAProxy configuration.txt 4.2 "balance": "changing a server's weight on the fly will have no
// effect"; a server going up or down is reintroduced or removed at once (map recomputed).
import type { Server } from '../backend/server.ts';
import type { BalanceKey, Balancer, BalancerOptions } from './balancer.ts';
import { collectCandidates } from './candidates.ts';
import { ServerMap } from './server-map.ts';
import { StaticWeights } from './static-weights.ts';

export class StaticRoundRobinBalancer implements Balancer {
  readonly #servers: readonly Server[];
  readonly #allbackups: boolean;
  readonly #weights: StaticWeights;
  readonly #candidates: Server[] = [];
  readonly #map = new ServerMap();

  constructor(servers: readonly Server[], opts: BalancerOptions) {
    this.#servers = servers;
    this.#allbackups = opts.allbackups;
    this.#weights = new StaticWeights(servers);
    this.refresh();
  }

  pick(_key: BalanceKey, avoid?: Server): Server | null {
    return this.#map.nextRoundRobin(avoid);
  }

  refresh(): void {
    collectCandidates(this.#servers, this.#allbackups, this.#candidates, this.#weights.eligible);
    this.#map.rebuild(this.#candidates, this.#weights.weightOf);
  }

  onServedChange(_server: Server): void {}

  hasCandidates(): boolean {
    return this.#map.size > 0;
  }
}
