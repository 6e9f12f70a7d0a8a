// The shared half of HAProxy's hashing balancers (`balance uri|url_param|hdr`, backend.c
// get_server_uh/ph/hh): a per-algorithm key hash looked up on the static server map
// (`hash-type map-based`, lb_map.c) or the consistent-hash ring (`hash-type consistent`,
// lb_chash.c), round robin on the same structure when the request has no key (backend.c
// assign_server: "If the hashing parameter was not found, let's fall back to round robin").
import type { Server } from '../backend/server.ts';
import type { BalanceKey, BalancerOptions } from './balancer.ts';
import { fullHash } from './full-hash.ts';
import { HashTargetBalancer, type HashType } from './hash-target.ts';

/** The request's 32-bit key hash, or -1 when the request has no key (round robin then). */
export type KeyHasher = (key: BalanceKey) => number;

export interface HashBalancerOptions {
  readonly hashType: HashType;
  /** Apply full_hash to the key hash (`hash-type ... avalanche`). */
  readonly avalanche: boolean;
  /**
   * With a single usable server, look it up with hash 0 without reading the key
   * (get_server_uh and get_server_hh do; get_server_ph does not, so a missing
   * parameter still goes through round robin, which skips a full server).
   */
  readonly skipKeyForOneServer: boolean;
}

export class HashBalancer extends HashTargetBalancer {
  readonly #opts: HashBalancerOptions;
  readonly #hashKey: KeyHasher;

  constructor(servers: readonly Server[], opts: BalancerOptions & HashBalancerOptions, hashKey: KeyHasher) {
    super(servers, opts.allbackups, opts.hashType);
    this.#opts = opts;
    this.#hashKey = hashKey;
  }

  /** The hashed server even when full (the backend queues on it); map-based ignores `avoid`. */
  pick(key: BalanceKey, avoid?: Server): Server | null {
    const count = this.target.candidates.length;
    if (count === 0) return null;
    let hash = 0;
    if (!this.#opts.skipKeyForOneServer || count > 1) {
      hash = this.#hashKey(key);
      if (hash < 0) return this.target.roundRobin(avoid);
      if (this.#opts.avalanche) hash = fullHash(hash);
    }
    return this.target.at(hash, avoid);
  }
}
