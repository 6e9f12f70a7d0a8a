// `balance source`: the client address hashed onto the farm (HAProxy configuration.txt 4.2
// "balance", backend.c get_server_sh). `hash-type map-based` (default): static weights,
// `hash % size` on the server map; `hash-type consistent`: dynamic weights on the hash ring.
// The hashed server is returned even when full (HAProxy then queues on it); map-based
// hashing ignores `avoid`, as HAProxy's does ("hash algorithms would bring us on the same
// server again", backend.c srv_redispatch_connect).
import type { Server } from '../backend/server.ts';
import type { BalanceKey, BalancerOptions } from './balancer.ts';
import { fullHash } from './full-hash.ts';
import { HashTargetBalancer, type HashType } from './hash-target.ts';
import { sourceHashKey } from './source-address.ts';

export interface SourceHashOptions {
  readonly hashType: HashType;
  /** Apply full_hash to the folded address (`hash-type ... avalanche`). */
  readonly avalanche: boolean;
}

export class SourceBalancer extends HashTargetBalancer {
  readonly #avalanche: boolean;

  constructor(servers: readonly Server[], opts: BalancerOptions & SourceHashOptions) {
    super(servers, opts.allbackups, opts.hashType);
    this.#avalanche = opts.avalanche;
  }

  pick(key: BalanceKey, avoid?: Server): Server | null {
    const count = this.target.candidates.length;
    const folded = sourceHashKey(key.src);
    // No IP address (a unix socket client): round robin, as HAProxy does for a missing hash key.
    if (folded < 0 || count === 0) return this.target.roundRobin(avoid);
    // "we won't hash if there's only one server left" (get_server_sh)
    let hash = count === 1 ? 0 : folded;
    if (this.#avalanche && count > 1) hash = fullHash(hash);
    return this.target.at(hash, avoid);
  }
}
