// The set of servers a balancer may choose from (HAProxy backend.c recount_servers and
// update_backend_weight): usable active servers; when none, the backups.
import type { Server } from '../backend/server.ts';

export type CandidateKind = 'active' | 'backup' | 'none';

/** HAProxy srv_currently_usable: running, not in maintenance or drain, weight > 0. */
export function isUsable(server: Server): boolean {
  return server.isUsable();
}

/**
 * Fill `out` with the current candidates, in declaration order: every usable active server;
 * when there is none, every usable backup with `option allbackups`, else only the first backup.
 * HAProxy configuration.txt 4.2 "option allbackups": "by default, the first operational backup
 * server gets all traffic"; the first is the one with the lowest id (lb_fwrr.c fbck). `eligible`
 * narrows usability (static algorithms also need a non-zero initial weight).
 */
export function collectCandidates(
  servers: readonly Server[],
  allbackups: boolean,
  out: Server[],
  eligible: (server: Server) => boolean = isUsable,
): CandidateKind {
  out.length = 0;
  for (const s of servers) {
    if (!s.backup && eligible(s)) out.push(s);
  }
  if (out.length > 0) return 'active';
  let first: Server | null = null;
  for (const s of servers) {
    if (!s.backup || !eligible(s)) continue;
    if (allbackups) out.push(s);
    else if (first === null || s.id < first.id) first = s;
  }
  if (first !== null) out.push(first);
  return out.length > 0 ? 'backup' : 'none';
}

/** A server with a free connection slot and a live usable state (guards against a missed refresh). */
export function hasRoom(server: Server): boolean {
  return server.isUsable() && !server.isFull();
}
