// `balance source`: the client address hashed onto the farm (HAProxy configuration.txt 4.2
// "balance", backend.c get_server_sh). `hash-type map-based` (default): static weights,
// `hash % size` on the server map; `hash-type consistent`: dynamic weights on the hash ring.
// The hashed server is returned even when full (HAProxy then queues on it); map-based
// hashing ignores `avoid`, as HAProxy's does ("hash algorithms would bring us on the same
// server again", backend.c srv_redispatch_connect).
import type { Server } from '../backend/server.ts';
import type { BalanceKey, Balancer, BalancerOptions } from './balancer.ts';
import { collectCandidates } from './candidates.ts';
import { ConsistentHashRing } from './chash-ring.ts';
import { fullHash } from './full-hash.ts';
import { ServerMap } from './server-map.ts';
import { sourceHashKey } from './source-address.ts';
import { StaticWeights } from './static-weights.ts';

export interface SourceHashOptions {
  readonly hashType: 'map-based' | 'consistent';
  /** Apply full_hash to the folded address (`hash-type ... avalanche`). */
  readonly avalanche: boolean;
}

export class SourceBalancer implements Balancer {
  readonly #servers: readonly Server[];
  readonly #allbackups: boolean;
  readonly #avalanche: boolean;
  readonly #candidates: Server[] = [];
  readonly #map: ServerMap | null;
  readonly #ring: ConsistentHashRing | null;
  readonly #weights: StaticWeights;

  constructor(servers: readonly Server[], opts: BalancerOptions & SourceHashOptions) {
    this.#servers = servers;
    this.#allbackups = opts.allbackups;
    this.#avalanche = opts.avalanche;
    this.#weights = new StaticWeights(servers);
    const consistent = opts.hashType === 'consistent';
    this.#map = consistent ? null : new ServerMap();
    this.#ring = consistent ? new ConsistentHashRing() : null;
    this.refresh();
  }

  pick(key: BalanceKey, avoid?: Server): Server | null {
    const folded = sourceHashKey(key.src);
    // No IP address (a unix socket client): round robin, as HAProxy does for a missing hash key.
    if (folded < 0 || this.#candidates.length === 0) return this.#roundRobin(avoid);
    // "we won't hash if there's only one server left" (get_server_sh)
    let hash = this.#candidates.length === 1 ? 0 : folded;
    if (this.#avalanche && this.#candidates.length > 1) hash = fullHash(hash);
    const s = this.#map !== null ? this.#map.atHash(hash) : this.#ring!.lookup(hash, avoid);
    // Stale map (a state change nobody refreshed): never hand out an unusable server.
    if (s !== null && !s.isUsable()) return this.#roundRobin(avoid);
    return s;
  }

  #roundRobin(avoid?: Server): Server | null {
    return this.#map !== null ? this.#map.nextRoundRobin(avoid) : this.#ring!.nextRoundRobin(avoid);
  }

  refresh(): void {
    if (this.#map !== null) {
      collectCandidates(this.#servers, this.#allbackups, this.#candidates, this.#weights.eligible);
      this.#map.rebuild(this.#candidates, this.#weights.weightOf);
    } else {
      collectCandidates(this.#servers, this.#allbackups, this.#candidates);
      this.#ring!.rebuild(this.#candidates, (s) => s.eweight);
    }
  }

  onServedChange(_server: Server): void {}

  hasCandidates(): boolean {
    return this.#candidates.length > 0;
  }
}
