// `balance first`: the usable server with the lowest id that has a free slot (HAProxy
// configuration.txt 4.2 "balance": "Once a server reaches its maxconn value, the next server is
// used"; weights are ignored, lb_fas.c).
import type { Server } from '../backend/server.ts';
import type { BalanceKey, Balancer, BalancerOptions } from './balancer.ts';
import { collectCandidates, hasRoom } from './candidates.ts';

export class FirstBalancer implements Balancer {
  readonly #servers: readonly Server[];
  readonly #allbackups: boolean;
  /** Candidates sorted by id (lb_fas.c keys its tree on puid). */
  readonly #candidates: Server[] = [];

  constructor(servers: readonly Server[], opts: BalancerOptions) {
    this.#servers = servers;
    this.#allbackups = opts.allbackups;
    this.refresh();
  }

  pick(_key: BalanceKey, avoid?: Server): Server | null {
    let avoided: Server | null = null;
    for (const s of this.#candidates) {
      if (!hasRoom(s)) continue;
      if (s !== avoid) return s;
      avoided = s;
    }
    return avoided;
  }

  refresh(): void {
    collectCandidates(this.#servers, this.#allbackups, this.#candidates);
    this.#candidates.sort((a, b) => a.id - b.id);
  }

  onServedChange(_server: Server): void {}

  hasCandidates(): boolean {
    return this.#candidates.length > 0;
  }
}
