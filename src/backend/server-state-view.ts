// How a server state reads on the stats page, in `show stat` CSV and `show servers state`
// (src/stats.c stats_fill_sv_stats / srv_hlt_st[], src/proxy.c dump_servers_state,
// src/check.c httpchk_build_status_header). Pure functions of a ServerState.
import { CHECK_STATUSES, hasL7Code } from '../checks/check-status.ts';
import type { CheckCounter } from './server-state-check.ts';
import type { ServerState } from './server-state.ts';
import { SRV_ADMF, SRV_ST } from './server-state-types.ts';

/** The server at the end of a tracking chain: its checks decide for all trackers. */
function chainEnd(s: ServerState): ServerState {
  let ref = s;
  for (let i = 0; i < 64 && ref.tracked; i++) ref = ref.tracked;
  return ref;
}

type HltState = 'DOWN' | 'DOWN (agent)' | 'GOING_UP' | 'UP_GOING_DOWN' | 'UP' | 'NOLB_GOING_DOWN' | 'NOLB' | 'DRAIN_GOING_DOWN' | 'DRAIN' | 'DRAIN (agent)' | 'no check';

function computeState(sv: ServerState, ref: ServerState): HltState {
  const chk = ref.check;
  if (sv.opState === SRV_ST.RUNNING || sv.opState === SRV_ST.STARTING) {
    let st: HltState = chk.enabled && chk.health < chk.maxHealth ? 'UP_GOING_DOWN' : 'UP';
    if (sv.adminState & SRV_ADMF.DRAIN) {
      if (ref.agent.enabled) st = 'DRAIN (agent)';
      else st = st === 'UP_GOING_DOWN' ? 'DRAIN_GOING_DOWN' : 'DRAIN';
    }
    if (st === 'UP' && !chk.enabled) st = 'no check';
    return st;
  }
  if (sv.opState === SRV_ST.STOPPING) {
    if ((!sv.check.enabled && !sv.tracked) || chk.health === chk.maxHealth) return 'NOLB';
    return 'NOLB_GOING_DOWN';
  }
  if (ref.agent.enabled && !ref.agent.health) return 'DOWN (agent)';
  if (chk.enabled && !chk.health) return 'DOWN';
  if (ref.agent.enabled || chk.enabled) return 'GOING_UP';
  return 'DOWN';
}

/** The `status` column: "UP", "DOWN 1/2", "UP 2/3", "NOLB", "DRAIN", "MAINT (via be/srv)", "no check"... */
export function statsStatus(sv: ServerState): string {
  const via = sv.tracked ?? sv;
  const ref = chainEnd(sv);
  if (sv.adminState & SRV_ADMF.RMAINT) return 'MAINT (resolution)';
  if (sv.adminState & SRV_ADMF.IMAINT) return `MAINT (via ${via.proxy}/${via.name})`;
  if (sv.adminState & SRV_ADMF.MAINT) return 'MAINT';
  const st = computeState(sv, ref);
  const up = ref.opState !== SRV_ST.STOPPED;
  const a = up ? ref.check.health - ref.check.rise + 1 : ref.check.health;
  const b = up ? ref.check.fall : ref.check.rise;
  switch (st) {
    case 'GOING_UP':
      return `DOWN ${a}/${b}`;
    case 'UP_GOING_DOWN':
      return `UP ${a}/${b}`;
    case 'NOLB_GOING_DOWN':
      return `NOLB ${a}/${b}`;
    case 'DRAIN_GOING_DOWN':
      return `DRAIN ${a}/${b}`;
    default:
      return st;
  }
}

/** Check columns of `show stat` for one check; undefined fields print empty. */
export interface CheckColumns {
  readonly status?: string;
  readonly code?: number;
  readonly durationMs?: number;
  readonly desc?: string;
  readonly last?: string;
  readonly rise?: number;
  readonly fall?: number;
  readonly health?: number;
}

function columns(c: CheckCounter, ref: CheckCounter, isAgent: boolean): CheckColumns {
  if (!c.active) return {};
  const durationShown = isAgent || CHECK_STATUSES[c.status].code >= CHECK_STATUSES.CHECKED.code;
  return {
    status: `${c.inProgress ? '* ' : ''}${c.status}`,
    ...(hasL7Code(c.status) ? { code: c.code } : {}),
    ...(durationShown ? { durationMs: c.durationMs } : {}),
    desc: CHECK_STATUSES[c.status].desc,
    last: c.desc,
    rise: ref.rise,
    fall: ref.fall,
    health: ref.health,
  };
}

/** `check_*` and `agent_*` columns (rise/fall/health of a tracking server come from the chain end). */
export function checkColumns(sv: ServerState): { readonly check: CheckColumns; readonly agent: CheckColumns } {
  return { check: columns(sv.check, chainEnd(sv).check, false), agent: columns(sv.agent, sv.agent, true) };
}

/** The numeric fields of a `show servers state` line (srv_op_state ... srv_agent_state). */
export interface ServerStateFields {
  readonly opState: number;
  readonly adminState: number;
  readonly uweight: number;
  readonly iweight: number;
  readonly secondsSinceLastChange: number;
  readonly checkStatus: number;
  readonly checkResult: number;
  readonly checkHealth: number;
  readonly checkState: number;
  readonly agentState: number;
}

export function serverStateFields(sv: ServerState, now: number): ServerStateFields {
  return {
    opState: sv.opState,
    adminState: sv.adminState,
    uweight: sv.uweight,
    iweight: sv.iweight,
    secondsSinceLastChange: Math.max(0, Math.floor((now - sv.lastChange) / 1000)),
    checkStatus: CHECK_STATUSES[sv.check.status].code,
    checkResult: sv.check.result,
    checkHealth: sv.check.health,
    checkState: sv.check.state,
    agentState: sv.agent.state,
  };
}

/** Seconds the server has been down in total (srv_downtime). */
export function downtimeSeconds(sv: ServerState, now: number): number {
  const extra = sv.opState === SRV_ST.STOPPED && sv.lastChange < now ? now - sv.lastChange : 0;
  return Math.floor((sv.downTimeMs + extra) / 1000);
}

/** What `http-check send-state` reports besides the state: filled by the caller. */
export interface StateHeaderInfo {
  readonly address: string;
  readonly port: string;
  readonly node: string;
  readonly backendWeight: number;
  readonly sessions: number;
  readonly backendSessions: number;
  readonly queued: number;
}

/** `X-Haproxy-Server-State` value (httpchk_build_status_header). */
export function serverStateHeader(sv: ServerState, info: StateHeaderInfo, now: number): string {
  const c = sv.check;
  let st: string;
  if (!c.enabled) st = 'no check';
  else if (sv.opState !== SRV_ST.STOPPED) {
    const full = c.health === c.maxHealth;
    const nolb = sv.opState === SRV_ST.STOPPING;
    st = `${nolb ? 'NOLB' : 'UP'}${full ? '' : ` ${c.health - c.rise + 1}/${c.fall}`}`;
  } else st = c.health ? `DOWN ${c.health}/${c.rise}` : 'DOWN';
  let out = `${st}; address=${info.address}; port=${info.port}; name=${sv.proxy}/${sv.name}; node=${info.node}; weight=${sv.eweight}/${info.backendWeight}; scur=${info.sessions}/${info.backendSessions}; qcur=${info.queued}`;
  if (sv.opState === SRV_ST.STARTING && sv.throttle < 100 && now >= sv.lastChange) out += `; throttle=${Math.max(1, sv.throttle)}%`;
  return out;
}

/** The stats page's check cell: "L7OK/200 in 2ms", "L4CON in 0ms", "* L4OK" while running. */
export function checkCell(c: CheckColumns): string {
  if (c.status === undefined) return '';
  let s = c.status;
  if (c.code !== undefined) s += `/${c.code}`;
  if (c.durationMs !== undefined && c.durationMs >= 0) s += ` in ${c.durationMs}ms`;
  return s;
}
