// The servers of one backend as the state machine sees them: HAProxy's srv_act / srv_bck counts
// ("1 active and 0 backup servers left"), the "backend X has no server available!" condition, and
// the backend's own state history for the stats (px->last_change, down_trans, down_time).
import type { ServerState } from './server-state.ts';

export class ServerStateGroup {
  readonly proxy: string;
  readonly proxyType: 'backend' | 'proxy';
  readonly #members: ServerState[] = [];

  /** When the backend last went down or came back (ms, the state machines' clock; start-up at first). */
  lastChange: number;
  /** Times the backend lost its last usable server (stats `chkdown` of BACKEND). */
  downTransitions = 0;
  /** Time spent without a usable server, up to the last change (ms). */
  downTimeMs = 0;

  constructor(proxy: string, proxyType: 'backend' | 'proxy' = 'backend', startedAt = 0) {
    this.proxy = proxy;
    this.proxyType = proxyType;
    this.lastChange = startedAt;
  }

  /**
   * One server's status update moved the usable count from `before` to `after` (server.c
   * srv_update_status, backend.c set_backend_down): losing the last server dates the backend down,
   * regaining one adds the time it spent down.
   */
  noteUsable(before: number, after: number, now: number): void {
    if (before > 0 && after === 0) {
      this.lastChange = now;
      this.downTransitions++;
    } else if (before === 0 && after > 0) {
      if (this.lastChange < now) this.downTimeMs += now - this.lastChange;
      this.lastChange = now;
    }
  }

  /** backend.c be_downtime, in seconds. */
  downtimeSeconds(now: number): number {
    const { active, backup } = this.usableCounts();
    const extra = active + backup === 0 && this.lastChange < now ? now - this.lastChange : 0;
    return Math.floor((this.downTimeMs + extra) / 1000);
  }

  add(state: ServerState): void {
    this.#members.push(state);
  }

  get members(): readonly ServerState[] {
    return this.#members;
  }

  /** Usable active and backup servers now (HAProxy recount_servers over committed states). */
  usableCounts(): { active: number; backup: number } {
    let active = 0;
    let backup = 0;
    for (const m of this.#members) {
      if (!m.isUsable()) continue;
      if (m.backup) backup++;
      else active++;
    }
    return { active, backup };
  }
}
