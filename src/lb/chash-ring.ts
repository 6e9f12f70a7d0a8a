// Consistent-hash ring of `hash-type consistent` (HAProxy lb_chash.c): each server owns
// `weight * 16` points keyed full_hash(id * 4096 + n), so a key only moves when the server
// it lands on leaves, and two proxies with the same server ids agree on every key.
import type { Server } from '../backend/server.ts';
import { hasRoom } from './candidates.ts';
import { fullHash } from './full-hash.ts';

/** HAProxy BE_WEIGHT_SCALE: points per unit of weight. */
const POINTS_PER_WEIGHT = 16;
/** HAProxy SRV_EWGHT_RANGE: spacing between two servers' point numbers. */
const ID_STRIDE = 4096;

export class ConsistentHashRing {
  #keys = new Uint32Array(0);
  #owners: Server[] = [];
  /** Last point handed out by nextRoundRobin, -1 for none. */
  #last = -1;

  get points(): number {
    return this.#keys.length;
  }

  /** Place every server's points; `weightOf` is its current (dynamic) weight. */
  rebuild(servers: readonly Server[], weightOf: (server: Server) => number): void {
    const keys: number[] = [];
    const owners: Server[] = [];
    for (const s of servers) {
      const count = weightOf(s) * POINTS_PER_WEIGHT;
      for (let n = 0; n < count; n++) {
        keys.push(fullHash((Math.imul(s.id, ID_STRIDE) + n) >>> 0));
        owners.push(s);
      }
    }
    const order = keys.map((_, i) => i).sort((a, b) => keys[a] - keys[b]);
    this.#keys = Uint32Array.from(order, (i) => keys[i]);
    this.#owners = order.map((i) => owners[i]);
    this.#last = -1;
  }

  /**
   * The server owning the point closest to `hash` (the previous one on a tie), skipping
   * `avoid` by walking forward (lb_chash.c chash_get_server_hash). Load is not considered:
   * a full server is returned and the caller queues on it.
   */
  lookup(hash: number, avoid?: Server): Server | null {
    const keys = this.#keys;
    const n = keys.length;
    if (n === 0) return null;
    let next = lowerBound(keys, hash >>> 0);
    if (next === n) next = 0;
    const prev = next === 0 ? n - 1 : next - 1;
    const dp = ((hash >>> 0) - keys[prev]) >>> 0;
    const dn = (keys[next] - (hash >>> 0)) >>> 0;
    let i = dp <= dn ? prev : next;
    let laps = 0;
    while (this.#owners[i] === avoid) {
      if (++i === n) {
        i = 0;
        if (++laps > 1) break; // only `avoid` on the ring
      }
    }
    return this.#owners[i];
  }

  /**
   * Walk the ring from the last point for a server with room (lb_chash.c chash_get_next_server),
   * the fallback when the key is missing. `avoid` is returned only when nothing else has room.
   */
  nextRoundRobin(avoid?: Server): Server | null {
    const n = this.#keys.length;
    let avoided: Server | null = null;
    let avoidedAt = -1;
    let i = this.#last;
    for (let seen = 0; seen < n; seen++) {
      i = i + 1 >= n ? 0 : i + 1;
      const s = this.#owners[i];
      if (!hasRoom(s)) continue;
      if (s !== avoid) {
        this.#last = i;
        return s;
      }
      if (avoided === null) {
        avoided = s;
        avoidedAt = i;
      }
    }
    if (avoided !== null) this.#last = avoidedAt;
    return avoided;
  }
}

/** First index whose key is >= `value`, `keys.length` when none. */
function lowerBound(keys: Uint32Array, value: number): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
