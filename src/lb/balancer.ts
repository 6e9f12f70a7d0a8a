// Balancer contract (HAProxy lb_*.c): picks a server among a backend's eligible set.
// Implementations sit beside this file, one per algorithm; a shared contract suite tests them all.
import type { Server } from '../backend/server.ts';

/** What a balancer may hash on. Filled by the session (tcp: source address; http: uri, headers...). */
export interface BalanceKey {
  /** Client source address as text (IPv4 dotted or IPv6), for `balance source`. */
  src: string;
  /** Request URI as in the request line (latin1), for `balance uri` / `url_param` (http mode). */
  uri?: string;
  /**
   * Header lookup, for `balance hdr(name)` (http mode): the value of the first line carrying
   * header `name` (case-insensitive), undefined when absent. hdr.ts keeps its first
   * comma-separated element, as HAProxy's http_find_header does.
   */
  header?: (name: string) => string | undefined;
  /** Request method, for `balance url_param`: a POST without the parameter in its query is looked up in its body. */
  method?: string;
  /** The request body received so far (latin1), for `balance url_param` on a POST. */
  body?: string;
}

export interface Balancer {
  /**
   * Pick a server for a new session among usable, non-full servers of the current set
   * (active servers, or backups when no active server is usable). Returns null when every
   * candidate is full (the caller queues) or when none is usable (the caller reports 503/close);
   * `hasCandidates()` tells the two apart.
   * `avoid` is skipped when another candidate exists (redispatch after a failed connect).
   *
   * Two HAProxy exceptions where the returned server may be full, and the caller then queues on
   * that server's own queue (HAProxy backend.c assign_server_and_queue):
   * - `source` returns the server the key hashes to whatever its load; map-based hashing also
   *   ignores `avoid` (HAProxy lb_map.c map_get_server_hash), consistent hashing honours it;
   * - `leastconn` accepts a full server whose queue is below an explicit `maxqueue`
   *   (HAProxy configuration.txt 5.2 "maxqueue", lb_fwlc.c).
   */
  pick(key: BalanceKey, avoid?: Server): Server | null;
  /** Server state, weight or membership changed: rebuild internal structures. */
  refresh(): void;
  /** A session on `server` ended or was assigned (leastconn keeps its order current). */
  onServedChange(server: Server): void;
  /**
   * At least one server of the current set is usable (HAProxy `lbprm.tot_weight != 0`), as of
   * the last `refresh()`: a null `pick()` then means "every candidate is full", else "no server".
   */
  hasCandidates(): boolean;
}

/** Options every balancer takes from its backend. */
export interface BalancerOptions {
  /** `option allbackups`: balance over every usable backup instead of the first one only. */
  readonly allbackups: boolean;
  /** Random source in [0, 1) for `balance random` (tests inject a seeded one). */
  readonly random?: () => number;
}
