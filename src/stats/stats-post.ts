// The stats page's admin form (src/stats.c stats_process_http_post): `s=<server>` (repeated),
// `action=<a>` and `b=<backend>|#<id>` in an x-www-form-urlencoded body, read right to left so the
// last `b` and `action` win; each checked server is changed through its server state machine, as
// the runtime API's `set server` / `enable health` / `shutdown sessions server` commands do.
import type { ApiTarget } from '../api/api-target.ts';
import type { Server } from '../backend/server.ts';
import type { ServerState } from '../backend/server-state.ts';
import { SRV_ADMF } from '../backend/server-state-types.ts';
import type { ProxyBackend } from '../proxy/proxy-backend.ts';
import type { StCode } from './stats-request.ts';

/** HAProxy's LINESIZE: a longer key=value parameter is ERRP. */
const MAX_PARAM = 2048;

type Applied = boolean;

/** What the actions act on: the runtime and how to kill a server's sessions. */
export interface PostContext {
  readonly target: ApiTarget;
  readonly killSessions: (server: Server) => void;
}

type Action = (st: ServerState, ctx: PostContext, be: ProxyBackend, server: Server) => Applied;

function healthForce(cmd: 'up' | 'stopping' | 'down'): Action {
  return (st) => !st.tracked && st.setHealth(cmd, 'Web interface') === null;
}

function agentForce(cmd: 'up' | 'down'): Action {
  return (st) => st.agent.enabled && st.setAgent(cmd, 'Web interface') === null;
}

function killSessions(_st: ServerState, ctx: PostContext, be: ProxyBackend, server: Server): Applied {
  if (be.spec.disabled) return false;
  ctx.killSessions(server);
  return true;
}

/** The runtime API's way (`shutdown sessions server`): the sessions the target lists. */
export function killListedSessions(target: ApiTarget): (server: Server) => void {
  return (server) => {
    for (const s of [...target.sessions()]) if (s.server === server) s.kill();
  };
}

/** `action=` values, the 13 of the menu then the legacy ones (stats.c ST_ADM_ACTION_*). */
export const STATS_ACTIONS: ReadonlyMap<string, Action> = new Map<string, Action>([
  ['ready', (st) => (st.setAdminState('ready'), true)],
  ['drain', (st) => (st.setAdminState('drain'), true)],
  ['maint', (st) => (st.setAdminState('maint'), true)],
  ['dhlth', (st) => st.check.configured && (st.disableCheck('check'), true)],
  ['ehlth', (st) => st.check.configured && st.enableCheck('check') === null],
  ['hrunn', healthForce('up')],
  ['hnolb', healthForce('stopping')],
  ['hdown', healthForce('down')],
  ['dagent', (st) => st.agent.configured && (st.disableCheck('agent'), true)],
  ['eagent', (st) => st.agent.configured && st.enableCheck('agent') === null],
  ['arunn', agentForce('up')],
  ['adown', agentForce('down')],
  ['shutdown', killSessions],
  ['disable', (st) => !(st.adminState & SRV_ADMF.FMAINT) && (st.setAdminFlag(SRV_ADMF.FMAINT, "'disable' on stats page"), true)],
  ['enable', (st) => !!(st.adminState & SRV_ADMF.FMAINT) && (st.clearAdminFlag(SRV_ADMF.FMAINT), true)],
  ['stop', (st) => !(st.adminState & SRV_ADMF.FDRAIN) && (st.setAdminFlag(SRV_ADMF.FDRAIN, "'stop' on stats page"), true)],
  ['start', (st) => !!(st.adminState & SRV_ADMF.FDRAIN) && (st.clearAdminFlag(SRV_ADMF.FDRAIN), true)],
]);

/** `b=` as proxy_be_by_name resolves it: a backend name, or `#<id>`. */
function findBackend(target: ApiTarget, name: string): ProxyBackend | undefined {
  if (name.startsWith('#')) {
    const id = Number(name.slice(1));
    for (const be of target.backends.values()) if (be.spec.id === id) return be;
    return undefined;
  }
  return target.backends.get(name);
}

function decode(s: string): string | undefined {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** Apply a posted form; the code goes into the 303 redirect's `;st=`. */
export function applyStatsPost(ctx: PostContext, body: string): StCode {
  const target = ctx.target;
  const params: Array<[string, string]> = [];
  for (const part of body.split('&').reverse()) {
    if (part.length + 1 > MAX_PARAM) return 'ERRP';
    const eq = part.indexOf('=');
    const key = decode(eq < 0 ? part : part.slice(0, eq));
    const value = decode(eq < 0 ? '' : part.slice(eq + 1));
    if (key === undefined || value === undefined) break;
    params.push([key, value]);
  }
  let be: ProxyBackend | undefined;
  let action: Action | undefined;
  const servers: string[] = [];
  for (const [key, value] of params) {
    if (be === undefined && key === 'b') {
      be = findBackend(target, value);
      if (be === undefined) return 'ERRP';
    } else if (action === undefined && key === 'action') {
      action = STATS_ACTIONS.get(value);
      if (action === undefined) return 'ERRP';
    } else if (key === 's') servers.push(value);
  }
  if (be === undefined || action === undefined) return 'NONE';
  let total = 0;
  let altered = 0;
  for (const name of servers) {
    const server = be.servers.find((s) => s.name === name);
    if (server === undefined) {
      total++;
      continue;
    }
    if (action(target.serverState(be, server), ctx, be, server)) {
      total++;
      altered++;
    }
  }
  if (total === 0) return 'NONE';
  if (altered === 0) return 'ERRP';
  return altered === total ? 'DONE' : 'PART';
}
