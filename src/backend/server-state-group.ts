// The servers of one backend as the state machine sees them: HAProxy's srv_act / srv_bck counts
// ("1 active and 0 backup servers left") and the "backend X has no server available!" condition.
import type { ServerState } from './server-state.ts';

export class ServerStateGroup {
  readonly proxy: string;
  readonly proxyType: 'backend' | 'proxy';
  readonly #members: ServerState[] = [];

  constructor(proxy: string, proxyType: 'backend' | 'proxy' = 'backend') {
    this.proxy = proxy;
    this.proxyType = proxyType;
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
