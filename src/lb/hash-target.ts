// The server structure the hashing balancers look a hash up on (`balance source|uri|url_param|hdr`):
// the static server map (`hash-type map-based`, lb_map.c) or the consistent-hash ring
// (`hash-type consistent`, lb_chash.c), with round robin on the same structure as the fallback.
import type { Server } from '../backend/server.ts';
import type { BalanceKey, Balancer } from './balancer.ts';
import { collectCandidates } from './candidates.ts';
import { ConsistentHashRing } from './chash-ring.ts';
import { ServerMap } from './server-map.ts';
import { StaticWeights } from './static-weights.ts';

export type HashType = 'map-based' | 'consistent';

export class HashTarget {
  /** The usable servers of the last refresh. */
  readonly candidates: Server[] = [];
  readonly #servers: readonly Server[];
  readonly #allbackups: boolean;
  readonly #map: ServerMap | null;
  readonly #ring: ConsistentHashRing | null;
  readonly #weights: StaticWeights;

  constructor(servers: readonly Server[], allbackups: boolean, hashType: HashType) {
    this.#servers = servers;
    this.#allbackups = allbackups;
    this.#weights = new StaticWeights(servers);
    const consistent = hashType === 'consistent';
    this.#map = consistent ? null : new ServerMap();
    this.#ring = consistent ? new ConsistentHashRing() : null;
    this.refresh();
  }

  /** The server at `hash` (map-based ignores `avoid`), round robin if the map went stale. */
  at(hash: number, avoid?: Server): Server | null {
    const s = this.#map !== null ? this.#map.atHash(hash) : this.#ring!.lookup(hash, avoid);
    // Stale map (a state change nobody refreshed): never hand out an unusable server.
    if (s !== null && !s.isUsable()) return this.roundRobin(avoid);
    return s;
  }

  roundRobin(avoid?: Server): Server | null {
    return this.#map !== null ? this.#map.nextRoundRobin(avoid) : this.#ring!.nextRoundRobin(avoid);
  }

  /** Map-based: static weights (lb_map.c); consistent: the current effective weights. */
  refresh(): void {
    if (this.#map !== null) {
      collectCandidates(this.#servers, this.#allbackups, this.candidates, this.#weights.eligible);
      this.#map.rebuild(this.candidates, this.#weights.weightOf);
    } else {
      collectCandidates(this.#servers, this.#allbackups, this.candidates);
      this.#ring!.rebuild(this.candidates, (s) => s.eweight);
    }
  }
}

/** A Balancer over one HashTarget: subclasses only say how a request picks its hash. */
export abstract class HashTargetBalancer implements Balancer {
  protected readonly target: HashTarget;

  constructor(servers: readonly Server[], allbackups: boolean, hashType: HashType) {
    this.target = new HashTarget(servers, allbackups, hashType);
  }

  abstract pick(key: BalanceKey, avoid?: Server): Server | null;

  refresh(): void {
    this.target.refresh();
  }

  onServedChange(_server: Server): void {}

  hasCandidates(): boolean {
    return this.target.candidates.length > 0;
  }
}
