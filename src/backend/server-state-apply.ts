// Applying one saved `show servers state` line to a configured server after a restart, as
// HAProxy 2.6 does (src/server_state.c srv_state_srv_update): every field is validated first and
// nothing is applied when one is wrong; then operational state and health, forced MAINT/DRAIN
// (the configuration's `disabled` wins when it changed), check and agent "disabled" flags,
// last change, check status, user weight (only when the configured weight did not change), TLS
// on or off (srv_use_ssl), the check/agent addresses. The service port and the address
// (`init-addr last`) come earlier.
import { isIP } from 'node:net';
import { CHK_RES, checkStatusFromCode } from '../checks/check-status.ts';
import { checkOverrides, parseCheckPort } from './check-overrides.ts';
import { CHK_ST } from './server-state-check.ts';
import type { SavedServerState } from './server-state-file.ts';
import { SRV_ADMF, type SrvOpState } from './server-state-types.ts';
import type { ServerState } from './server-state.ts';
import type { Server } from './server.ts';

/** The numbers of a line, validated as srv_state_srv_update validates them. */
interface Fields {
  readonly invalid: boolean;
  readonly op: SrvOpState;
  readonly admin: number;
  readonly uweight: number;
  readonly iweight: number;
  readonly sinceChange: number;
  readonly checkStatus: number;
  readonly checkResult: number;
  readonly checkHealth: number;
  readonly checkState: number;
  readonly agentState: number;
}

const CHK_ST_ALL = CHK_ST.INPROGRESS | CHK_ST.CONFIGURED | CHK_ST.ENABLED | CHK_ST.PAUSED | CHK_ST.AGENT;
const ADMIN_OK = new Set([0, SRV_ADMF.FMAINT, SRV_ADMF.CMAINT, SRV_ADMF.CMAINT | SRV_ADMF.FMAINT, SRV_ADMF.CMAINT | SRV_ADMF.FDRAIN, SRV_ADMF.FDRAIN]);
/** SRV_UWGHT_MAX and HCHK_STATUS_SIZE. */
const UWEIGHT_MAX = 256;
const CHECK_STATUS_COUNT = 21;

/** strtol(): the leading integer, or undefined when there is none. */
function strtol(s: string | undefined): number | undefined {
  const m = s === undefined ? null : /^\s*([+-]?\d+)/.exec(s);
  return m ? Number(m[1]) : undefined;
}

function validate(p: readonly (string | undefined)[], errs: string[]): Fields {
  const num = (i: number, name: string, ok: (n: number) => boolean): number => {
    const n = strtol(p[i]);
    if (n === undefined || !ok(n)) errs.push(`invalid ${name} value '${p[i] ?? ''}'`);
    return n ?? 0;
  };
  const op = num(1, 'srv_op_state', (n) => n >= 0 && n <= 3) as SrvOpState;
  const rawAdmin = strtol(p[2]);
  const admin = (rawAdmin ?? 0) & ~(SRV_ADMF.IDRAIN | SRV_ADMF.IMAINT | SRV_ADMF.HMAINT | SRV_ADMF.RMAINT);
  if (rawAdmin === undefined || !ADMIN_OK.has(admin)) errs.push(`invalid srv_admin_state value '${p[2] ?? ''}'`);
  const fields = {
    op,
    admin,
    uweight: num(3, 'srv_uweight', (n) => n >= 0 && n <= UWEIGHT_MAX),
    iweight: num(4, 'srv_iweight', (n) => n >= 0 && n <= UWEIGHT_MAX),
    sinceChange: num(5, 'srv_last_time_change', () => true),
    checkStatus: num(6, 'srv_check_status', (n) => n < CHECK_STATUS_COUNT),
    checkResult: num(7, 'srv_check_result', (n) => n >= CHK_RES.UNKNOWN && n <= CHK_RES.CONDPASS),
    checkHealth: num(8, 'srv_check_health', () => true),
    checkState: num(9, 'srv_check_state', (n) => (n & ~CHK_ST_ALL) === 0),
    agentState: num(10, 'srv_agent_state', (n) => (n & ~CHK_ST_ALL) === 0),
  };
  num(11, 'bk_f_forced_id', (n) => n === 0 || n === 1);
  num(12, 'srv_f_forced_id', (n) => n === 0 || n === 1);
  const port = p[14];
  if (port !== undefined && portValue(port) > 65535) errs.push(`invalid srv_port value '${port}'`);
  return { ...fields, invalid: errs.length > 0 };
}

/** strl2uic: the leading digits as an unsigned number (0 when there are none). */
function portValue(s: string): number {
  const m = /^\d+/.exec(s);
  return m ? Number(m[0]) : 0;
}

/** HAProxy's warning when a line was rejected or partly applied, else null. */
export function applySavedState(saved: SavedServerState, server: Server, state: ServerState, now: number, setSsl?: (on: boolean) => void): string | null {
  const errs: string[] = [];
  const f = validate(saved.params, errs);
  const who = `'${server.backendName}/${server.name}'`;
  if (errs.length > 0) return `server-state application failed for server ${who}, ${errs.join(', ')}`;
  state.restoreOpState(f.op, f.checkHealth);
  applyAdmin(state, f);
  state.lastChange = now - f.sinceChange * 1000;
  state.check.status = checkStatusFromCode(f.checkStatus);
  state.check.result = f.checkResult as typeof state.check.result;
  // Only "disable health" / "disable agent" are carried over (the config decides the rest).
  if (state.check.configured && f.checkState & CHK_ST.CONFIGURED && !(f.checkState & CHK_ST.ENABLED)) state.disableCheck('check');
  if (state.agent.configured && f.agentState & CHK_ST.CONFIGURED && !(f.agentState & CHK_ST.ENABLED)) state.disableCheck('agent');
  // A weight changed in the configuration wins over one set at run time.
  state.restoreWeight(f.iweight === state.iweight ? f.uweight : null);
  // srv_use_ssl (strtol, so anything but a number is 0): only servers with TLS settings switch.
  if (saved.params[16] !== undefined) setSsl?.((strtol(saved.params[16]) ?? 0) !== 0);
  const warning = applyCheckTargets(saved.params, server, state);
  return warning === null ? null : `server-state partially applied for server ${who}, ${warning}`;
}

/** Config changes (`disabled` added or removed) win; otherwise the saved forced MAINT/DRAIN. */
function applyAdmin(state: ServerState, f: Fields): void {
  const confMaint = (state.pending.admin & SRV_ADMF.CMAINT) !== 0;
  if (((f.admin & SRV_ADMF.CMAINT) !== 0) !== confMaint) state.setAdminState(confMaint ? 'maint' : 'ready');
  else if (f.admin & SRV_ADMF.FMAINT && !confMaint) state.setAdminState('maint');
  else if (!(f.admin & SRV_ADMF.FMAINT) && confMaint) state.setAdminState('ready');
  // A drain that came from a configured weight of 0 is dropped once the weight is positive.
  if (!(state.pending.admin & SRV_ADMF.FMAINT) && f.admin & SRV_ADMF.FDRAIN && (f.iweight > 0 || state.iweight === 0)) {
    state.setAdminState('drain');
  }
}

/** srv_check_port/addr and srv_agent_addr/port (srv_update_check/agent_addr_port). */
function applyCheckTargets(p: readonly (string | undefined)[], server: Server, state: ServerState): string | null {
  const o = checkOverrides(server);
  const targets = [
    { port: p[17], addr: p[18], c: state.check, into: o.check, off: 'health checks are not enabled on this server' },
    { port: p[20], addr: p[19], c: state.agent, into: o.agent, off: 'agent checks are not enabled on this server' },
  ];
  for (const t of targets) {
    const port = t.port !== undefined && t.port !== '0' ? t.port : undefined;
    const addr = t.addr !== undefined && t.addr !== '-' ? t.addr : undefined;
    if (port === undefined && addr === undefined) continue;
    if (!t.c.enabled) return t.off;
    if (addr !== undefined && isIP(addr) === 0) return `invalid addr '${addr}'`;
    const n = port === undefined ? undefined : parseCheckPort(port);
    if (typeof n === 'string') return n;
    if (addr !== undefined) t.into.host = addr;
    if (n !== undefined) t.into.port = n;
  }
  return null;
}

/** The saved address `init-addr last` starts a hostname server with (HAProxy srv->lastaddr). */
export function lastAddress(saved: SavedServerState | undefined): string | undefined {
  const a = saved?.params[0];
  return a === undefined || a === '-' ? undefined : a;
}

/**
 * The service port set at run time (`set server addr ... port`), restored before the checks are
 * built since they default to it. HAProxy restores it even when the address is not (an IP
 * server); a server that follows the client's port, or a saved 0, keeps the configured one.
 */
export function restorePort(saved: SavedServerState, server: Server): void {
  if (validate(saved.params, []).invalid) return;
  const port = portValue(saved.params[14] ?? '0');
  if (port !== 0 && port <= 65535 && server.port !== undefined) server.port = port;
}
