// Weights of HAProxy's static algorithms (static-rr, map-based hashing): the configured
// weights divided by their GCD, frozen at start (lb_map.c init_server_map). A runtime weight
// only counts as 0 (out of the map) or not 0 ("only accepts weights '0%' and '100%'").
import type { Server } from '../backend/server.ts';
import { weightDivisor } from './server-map.ts';

export class StaticWeights {
  readonly #weights: Map<Server, number>;

  constructor(servers: readonly Server[]) {
    const divisor = weightDivisor(servers.map((s) => s.uweight));
    this.#weights = new Map(servers.map((s) => [s, Math.ceil(s.uweight / divisor)]));
  }

  /** Map weight of `server` (its start weight over the GCD). */
  readonly weightOf = (server: Server): number => this.#weights.get(server) ?? 0;

  /** Usable now and present in the map (a server configured with weight 0 never is). */
  readonly eligible = (server: Server): boolean => server.isUsable() && this.weightOf(server) > 0;
}
