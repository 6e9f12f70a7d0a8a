// Balancer contract (HAProxy lb_*.c): picks a server among a backend's eligible set.
// Implementations sit beside this file, one per algorithm; a shared contract suite tests them all.
import type { Server } from '../backend/server.ts';

/** What a balancer may hash on. Filled by the session (tcp: source address; http: uri, headers...). */
export interface BalanceKey {
  /** Client source address as text (IPv4 dotted or IPv6), for `balance source`. */
  src: string;
  /** Request URI, for `balance uri` / `url_param` (http mode). */
  uri?: string;
  /** Header lookup, for `balance hdr(name)` (http mode). */
  header?: (name: string) => string | undefined;
}

export interface Balancer {
  /**
   * Pick a server for a new session among usable, non-full servers of the current set
   * (active servers, or backups when no active server is usable). Returns null when every
   * candidate is full (the caller queues) or when none is usable (the caller reports 503/close).
   * `avoid` is skipped when another candidate exists (redispatch after a failed connect).
   */
  pick(key: BalanceKey, avoid?: Server): Server | null;
  /** Server state, weight or membership changed: rebuild internal structures. */
  refresh(): void;
  /** A session on `server` ended or was assigned (leastconn keeps its order current). */
  onServedChange(server: Server): void;
}
