// The server map of HAProxy's static algorithms (lb_map.c): an array of `sum(weights)` slots
// in which each server appears `weight` times, interleaved. `static-rr` walks it, map-based
// hashing indexes it with `hash % size`. Rebuilt on state changes only.
import type { Server } from '../backend/server.ts';
import { hasRoom } from './candidates.ts';

/** Greatest common divisor of the non-zero weights, 1 when all are zero (lb_map.c init_server_map). */
export function weightDivisor(weights: readonly number[]): number {
  let g = 0;
  for (const w of weights) {
    let a = w;
    let b = g;
    while (b !== 0) {
      const t = a % b;
      a = b;
      b = t;
    }
    g = a;
  }
  return g > 0 ? g : 1;
}

export class ServerMap {
  #slots: Server[] = [];
  #rrIndex = 0;

  /** Number of slots: HAProxy `lbprm.tot_weight`. */
  get size(): number {
    return this.#slots.length;
  }

  /**
   * Lay out `servers` (all with weight > 0) as HAProxy recalc_server_map does: every slot goes
   * to the server whose accumulated score is the highest, the first declared winning ties, so
   * the first slot always holds the first server.
   */
  rebuild(servers: readonly Server[], weightOf: (server: Server) => number): void {
    const weights = servers.map(weightOf);
    let total = 0;
    for (const w of weights) total += w;
    const scores = new Array<number>(servers.length).fill(0);
    const slots = new Array<Server>(total);
    for (let o = 0; o < total; o++) {
      let best = -1;
      let max = 0;
      for (let i = 0; i < servers.length; i++) {
        if (total === 1) {
          best = i;
          break;
        }
        scores[i] += weights[i];
        const v = Math.trunc((scores[i] + total) / total);
        if (best < 0 || v > max) {
          max = v;
          best = i;
        }
      }
      slots[o] = servers[best];
      scores[best] -= total;
    }
    this.#slots = slots;
  }

  /** The slot `hash` designates (lb_map.c map_get_server_hash); null when the map is empty. */
  atHash(hash: number): Server | null {
    const size = this.#slots.length;
    return size === 0 ? null : this.#slots[(hash >>> 0) % size];
  }

  /**
   * Next slot with a free connection slot, starting after the previous pick
   * (lb_map.c map_get_server_rr). `avoid` is returned only when nothing else has room.
   */
  nextRoundRobin(avoid?: Server): Server | null {
    const size = this.#slots.length;
    if (size === 0) return null;
    if (this.#rrIndex >= size) this.#rrIndex = 0;
    const start = this.#rrIndex;
    let idx = start;
    let avoided: Server | null = null;
    let avoidedNext = 0;
    do {
      const s = this.#slots[idx++];
      if (hasRoom(s)) {
        if (s !== avoid) {
          this.#rrIndex = idx;
          return s;
        }
        avoided = s;
        avoidedNext = idx;
      }
      if (idx === size) idx = 0;
    } while (idx !== start);
    if (avoided !== null) this.#rrIndex = avoidedNext;
    return avoided;
  }
}
