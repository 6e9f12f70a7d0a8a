// `balance leastconn`: the server with the lowest load relative to its weight, round robin
// among equals (HAProxy configuration.txt 4.2 "balance", lb_fwlc.c). Dynamic: weights and
// loads are read at every pick; the order among equal loads is kept by onServedChange().
import type { Server } from '../backend/server.ts';
import type { BalanceKey, Balancer, BalancerOptions } from './balancer.ts';
import { collectCandidates } from './candidates.ts';

/** HAProxy SRV_EWGHT_MAX / BE_WEIGHT_SCALE: keys are (load + 1) * 256 / weight. */
const KEY_SCALE = 256;

/**
 * lb_fwlc.c fwlc_queue_srv: queued sessions count as load, and an idle server sorts first
 * whatever its weight so that every server gets traffic at low load.
 */
export function leastconnKey(server: Server): number {
  const inflight = server.served + server.queued;
  if (inflight === 0) return 0;
  return Math.floor(((inflight + 1) * KEY_SCALE) / (server.eweight > 0 ? server.eweight : 1));
}

/**
 * May take one more session: a free slot, or a place in its own queue below an explicit
 * `maxqueue` (configuration.txt 5.2 "maxqueue": "leastconn ... accept to add requests into a
 * server's queue up to this value"; lb_fwlc.c fwlc_get_next_server). Without an explicit
 * maxqueue a full server is skipped, so that null still means "every candidate is full".
 */
function acceptsOneMore(server: Server): boolean {
  if (!server.isUsable()) return false;
  if (!server.isFull()) return true;
  return server.maxqueue > 0 && server.served + server.queued < server.maxconn + server.maxqueue;
}

export class LeastConnBalancer implements Balancer {
  readonly #servers: readonly Server[];
  readonly #allbackups: boolean;
  readonly #candidates: Server[] = [];
  /** Per server: the key it was last sorted under and when (a later stamp sorts after). */
  readonly #lastKey = new Map<Server, number>();
  readonly #stamp = new Map<Server, number>();
  #clock = 0;

  constructor(servers: readonly Server[], opts: BalancerOptions) {
    this.#servers = servers;
    this.#allbackups = opts.allbackups;
    this.refresh();
  }

  pick(_key: BalanceKey, avoid?: Server): Server | null {
    let best: Server | null = null;
    let bestKey = 0;
    let bestStamp = 0;
    let avoided: Server | null = null;
    for (const s of this.#candidates) {
      if (!acceptsOneMore(s)) continue;
      if (s === avoid) {
        avoided = s;
        continue;
      }
      const key = leastconnKey(s);
      const stamp = this.#stamp.get(s) ?? 0;
      if (best === null || key < bestKey || (key === bestKey && stamp < bestStamp)) {
        best = s;
        bestKey = key;
        bestStamp = stamp;
      }
    }
    return best ?? avoided;
  }

  /** A server whose key changed goes behind the servers of equal key (lb_fwlc.c fwlc_srv_reposition). */
  onServedChange(server: Server): void {
    const key = leastconnKey(server);
    if (this.#lastKey.get(server) === key) return;
    this.#lastKey.set(server, key);
    this.#stamp.set(server, ++this.#clock);
  }

  refresh(): void {
    const before = new Set(this.#candidates);
    collectCandidates(this.#servers, this.#allbackups, this.#candidates);
    for (const s of this.#candidates) {
      if (before.has(s)) this.onServedChange(s);
      else {
        // A server (re)entering the farm is queued behind its equals (fwlc_set_server_status_up).
        this.#lastKey.set(s, leastconnKey(s));
        this.#stamp.set(s, ++this.#clock);
      }
    }
  }

  hasCandidates(): boolean {
    return this.#candidates.length > 0;
  }
}
