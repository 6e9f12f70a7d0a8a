// The rows of `show stat` (HAProxy management.txt 9.1): per proxy in configuration order, its
// FRONTEND row, one row per server, then its BACKEND row, as src/stats.c stats_fill_fe_stats /
// stats_fill_sv_stats / stats_fill_be_stats fill them for TCP proxies. A row is a map from field
// name to value; fields a row does not carry stay absent (empty in CSV).
import { isIP } from 'node:net';
import { checkColumns, downtimeSeconds, statsStatus, type CheckColumns } from '../backend/server-state-view.ts';
import type { Server } from '../backend/server.ts';
import type { ProxySpec } from '../config/model.ts';
import type { ApiTarget } from '../api/api-target.ts';
import type { ProxyBackend } from '../proxy/proxy-backend.ts';
import type { ProxyCounters } from '../proxy/counters.ts';
import type { ProxyFrontend } from '../proxy/proxy-frontend.ts';
import { FIELD_TAGS, HTTP_FIELD_TAGS } from './stat-fields.ts';
import { nowMs, swrateAvg } from './freq-ctr.ts';

export type StatValue = string | number;
export type ObjType = 'F' | 'B' | 'S';

export interface StatRow {
  readonly obj: ObjType;
  readonly proxyId: number;
  /** Server id (0 for FRONTEND / BACKEND). */
  readonly sid: number;
  readonly values: Map<string, StatValue>;
}

/** HAProxy stats type codes of the `type` field. */
const TYPE: Readonly<Record<ObjType, number>> = { F: 0, B: 1, S: 2 };

/** Fields only a server with an active health check / agent / some setting carries. */
const CHECK_FIELDS = ['chkfail', 'chkdown', 'downtime', 'check_status', 'check_code', 'check_duration', 'last_chk', 'check_desc', 'check_rise', 'check_fall', 'check_health'];
const AGENT_FIELDS = ['agent_status', 'agent_code', 'agent_duration', 'last_agt', 'agent_desc', 'agent_rise', 'agent_fall', 'agent_health'];
const OPTIONAL_SERVER_FIELDS = ['cookie', 'hanafail'];

/** Every field the object type carries, at 0 (the counters hapair does not keep stay 0). */
function baseRow(obj: ObjType, spec: ProxySpec, sid: number, svname: string): Map<string, StatValue> {
  const values = new Map<string, StatValue>();
  for (const [name, tag] of Object.entries(FIELD_TAGS[obj])) values.set(name, tag.endsWith(':str') ? '' : 0);
  values.set('pxname', spec.name);
  values.set('svname', svname);
  values.set('pid', 1);
  values.set('iid', spec.id);
  values.set('sid', sid);
  values.set('type', TYPE[obj]);
  values.set('mode', spec.mode);
  // The CSV's "-" column separates the stats fields from the modules' (ssl, h2, h1) ones.
  values.set('-', '-');
  return values;
}

function putCounters(v: Map<string, StatValue>, c: ProxyCounters): void {
  v.set('scur', c.scur);
  v.set('smax', c.smax);
  v.set('stot', c.stot);
  v.set('bin', c.bin);
  v.set('bout', c.bout);
  if (v.has('econ')) v.set('econ', c.econ);
  if (v.has('eresp')) v.set('eresp', c.eresp);
  if (v.has('wretr')) v.set('wretr', c.wretr);
  if (v.has('wredis')) v.set('wredis', c.wredis);
  if (v.has('cli_abrt')) v.set('cli_abrt', c.cliAbrt);
  if (v.has('srv_abrt')) v.set('srv_abrt', c.srvAbrt);
  v.set('rate', c.sessRate.read(nowMs()));
  v.set('rate_max', c.spsMax);
}

/**
 * qtime/ctime/rtime/ttime averaged over min(samples, 512) sessions, and their max (stats.c): the
 * samples are the HTTP requests in `mode http`, the load-balanced sessions otherwise.
 */
function putTimes(v: Map<string, StatValue>, c: ProxyCounters, lbtot: number): void {
  const t = c.times;
  const samples = v.get('mode') === 'http' ? c.reqTot : lbtot;
  v.set('qtime', swrateAvg(t.q, samples));
  v.set('ctime', swrateAvg(t.c, samples));
  v.set('rtime', swrateAvg(t.d, samples));
  v.set('ttime', swrateAvg(t.t, samples));
  v.set('qtime_max', t.qMax);
  v.set('ctime_max', t.cMax);
  v.set('rtime_max', t.dMax);
  v.set('ttime_max', t.tMax);
}

/**
 * backend.c connect_server: `connect` counts new connections, `reuse` the attempts that took an
 * idle one. A tcp session always opens one (every attempt, retries too, counts in stot); an http
 * request either opens one (Server.connects) or reuses one.
 */
function connectCounts(be: ProxyBackend, server: Server): { connect: number; reuse: number } {
  const attempts = be.countersOf(server).stot;
  if (be.spec.mode !== 'http') return { connect: attempts, reuse: 0 };
  return { connect: server.connects, reuse: Math.max(0, attempts - server.connects) };
}

/**
 * The h1 module's columns (mux_h1.c h1_stats) of an http frontend: its client connections and the
 * requests on them. The byte columns stay 0: hapair does not count the mux's bytes apart.
 */
function putFrontendH1(v: Map<string, StatValue>, target: ApiTarget, fe: ProxyFrontend): void {
  let streams = 0;
  for (const s of target.sessions()) if (s.frontend === fe && 'req' in s && s.tRequest >= 0) streams++;
  v.set('h1_open_connections', fe.counters.scur);
  v.set('h1_open_streams', streams);
  v.set('h1_total_connections', fe.counters.stot);
  v.set('h1_total_streams', fe.counters.reqTot);
}

/** The h1 columns of an http backend: connections to its servers (idle and in use) and the requests sent. */
function putBackendH1(v: Map<string, StatValue>, target: ApiTarget, be: ProxyBackend): void {
  let open = 0;
  let total = 0;
  let streams = 0;
  for (const s of be.servers) {
    open += target.idleConnections(s) + s.served;
    total += s.connects;
    streams += be.countersOf(s).stot;
  }
  v.set('h1_open_connections', open);
  v.set('h1_open_streams', be.servers.reduce((n, s) => n + s.served, 0));
  v.set('h1_total_connections', total);
  v.set('h1_total_streams', streams);
}

/** srv_lastsession / be_lastsession: seconds since the last session, -1 if none yet. */
function lastSession(c: ProxyCounters): number {
  return c.lastSess < 0 ? -1 : Math.floor((nowMs() - c.lastSess) / 1000);
}

/** `mode http` proxies: the HTTP request and response counters (stats.c, `px->mode == PR_MODE_HTTP`). */
function putHttp(v: Map<string, StatValue>, obj: ObjType, c: ProxyCounters): void {
  if (v.get('mode') !== 'http') return;
  for (const name of Object.keys(HTTP_FIELD_TAGS[obj])) v.set(name, 0);
  v.set('hrsp_1xx', c.hrsp1xx);
  v.set('hrsp_2xx', c.hrsp2xx);
  v.set('hrsp_3xx', c.hrsp3xx);
  v.set('hrsp_4xx', c.hrsp4xx);
  v.set('hrsp_5xx', c.hrsp5xx);
  v.set('hrsp_other', c.hrspOther);
  v.set('req_tot', c.reqTot);
  if (obj === 'F') v.set('intercepted', c.intercepted);
  if (obj === 'S') return;
  v.set('comp_in', c.compIn);
  v.set('comp_out', c.compOut);
  v.set('comp_byp', c.compByp);
  v.set('comp_rsp', c.compRsp);
}

export function frontendRow(target: ApiTarget, fe: ProxyFrontend): StatRow {
  const v = baseRow('F', fe.spec, 0, 'FRONTEND');
  putCounters(v, fe.counters);
  putHttp(v, 'F', fe.counters);
  v.set('slim', fe.maxconn);
  v.set('ereq', fe.counters.ereq);
  v.set('dreq', fe.counters.denied);
  v.set('dresp', fe.counters.deniedResp);
  if (v.get('mode') === 'http') {
    v.set('req_rate', fe.counters.reqRate.read(nowMs()));
    v.set('req_rate_max', fe.counters.rpsMax);
    putFrontendH1(v, target, fe);
  }
  v.set('dcon', fe.counters.dcon);
  v.set('conn_tot', fe.counters.connTot);
  // One session per accepted connection in TCP mode: the connection rate is the session rate.
  v.set('conn_rate', v.get('rate')!);
  v.set('conn_rate_max', fe.counters.spsMax);
  v.set('status', target.isFrontendPaused(fe) ? 'PAUSED' : 'OPEN');
  return { obj: 'F', proxyId: fe.spec.id, sid: 0, values: v };
}

function putCheck(v: Map<string, StatValue>, prefix: 'check' | 'agent', c: CheckColumns, last: 'last_chk' | 'last_agt'): void {
  v.set(`${prefix}_status`, c.status ?? '');
  if (c.code !== undefined) v.set(`${prefix}_code`, c.code);
  else v.delete(`${prefix}_code`);
  // An agent shows its duration from the start (0 before its first run); a check once it has a result.
  if (c.durationMs !== undefined && (c.durationMs >= 0 || prefix === 'agent')) v.set(`${prefix}_duration`, Math.max(0, c.durationMs));
  else v.delete(`${prefix}_duration`);
  v.set(`${prefix}_desc`, c.desc ?? '');
  v.set(last, c.last ?? '');
  v.set(`${prefix}_rise`, c.rise ?? 0);
  v.set(`${prefix}_fall`, c.fall ?? 0);
  v.set(`${prefix}_health`, c.health ?? 0);
}

export function serverRow(target: ApiTarget, be: ProxyBackend, server: Server): StatRow {
  const st = target.serverState(be, server);
  const now = target.clock.now();
  const v = baseRow('S', be.spec, server.id, server.name);
  putCounters(v, be.countersOf(server));
  putHttp(v, 'S', be.countersOf(server));
  putTimes(v, be.countersOf(server), server.lbtot);
  v.set('scur', server.served);
  v.set('qcur', server.queued);
  v.set('qmax', server.qmax);
  v.set('lbtot', server.lbtot);
  const conns = connectCounts(be, server);
  v.set('connect', conns.connect);
  v.set('reuse', conns.reuse);
  v.set('need_conn_est', server.estNeedConns);
  v.set('dresp', be.countersOf(server).deniedResp);
  v.set('status', statsStatus(st));
  v.set('weight', server.eweight);
  v.set('uweight', server.uweight);
  v.set('act', server.backup ? 0 : 1);
  v.set('bck', server.backup ? 1 : 0);
  v.set('lastchg', Math.max(0, Math.floor((now - st.lastChange) / 1000)));
  // Empty for a server without an address yet (`init-addr none`).
  if (isIP(server.host) === 0) v.set('addr', '');
  // HAProxy's sa2str: IPv6 in brackets, and port 0 for a server without a port.
  else v.set('addr', `${isIP(server.host) === 6 ? `[${server.host}]` : server.host}:${server.port ?? 0}`);
  v.set('lastsess', lastSession(be.countersOf(server)));
  if (server.maxconn > 0) v.set('slim', server.maxconn);
  // Pooled connections have served a request: HAProxy counts them as idle and "safe".
  const idle = target.idleConnections(server);
  v.set('srv_icur', idle);
  v.set('safe_conn_cur', idle);
  if (server.maxqueue > 0) v.set('qlimit', server.maxqueue);
  for (const f of [...CHECK_FIELDS, ...AGENT_FIELDS, ...OPTIONAL_SERVER_FIELDS]) v.delete(f);
  const cols = checkColumns(st);
  if (st.check.active) {
    putCheck(v, 'check', cols.check, 'last_chk');
    v.set('chkfail', st.check.failedChecks);
    v.set('chkdown', st.downTransitions);
    v.set('downtime', downtimeSeconds(st, now));
  }
  if (st.agent.active) putCheck(v, 'agent', cols.agent, 'last_agt');
  // stats.c: the observe errors that triggered `on-error`, for a server with `observe` set.
  if (st.observeMode !== 'none') v.set('hanafail', st.failedHana);
  if (server.spec.cookie !== undefined && be.spec.mode === 'http') v.set('cookie', server.spec.cookie);
  if (st.throttle < 100) v.set('throttle', st.throttle);
  if (st.tracked) v.set('tracked', `${st.tracked.proxy}/${st.tracked.name}`);
  return { obj: 'S', proxyId: be.spec.id, sid: server.id, values: v };
}

/** configuration.txt 4.2 "fullconn": by default 10% of the frontends' maxconn reaching it. */
export function fullconnOf(target: ApiTarget, be: ProxyBackend): number {
  const line = be.spec.lines.find((l) => l.args[0] === 'fullconn');
  const set = line === undefined ? NaN : Number(line.args[1]);
  if (Number.isInteger(set) && set > 0) return set;
  let sum = 0;
  for (const fe of target.frontends.values()) if (fe.backend === be) sum += fe.maxconn;
  return Math.floor((sum + 9) / 10);
}

export function backendRow(target: ApiTarget, be: ProxyBackend): StatRow {
  const v = baseRow('B', be.spec, 0, 'BACKEND');
  putCounters(v, be.counters);
  putHttp(v, 'B', be.counters);
  putTimes(v, be.counters, be.core.lbtot);
  const core = be.core;
  v.set('qcur', core.queueLength);
  v.set('qmax', core.qmax);
  v.set('slim', fullconnOf(target, be));
  v.set('lbtot', core.lbtot);
  v.set('dreq', be.counters.denied);
  v.set('dresp', be.counters.deniedResp);
  let connect = 0;
  let reuse = 0;
  for (const s of be.servers) {
    const c = connectCounts(be, s);
    connect += c.connect;
    reuse += c.reuse;
  }
  v.set('connect', connect);
  v.set('reuse', reuse);
  if (be.spec.mode === 'http') putBackendH1(v, target, be);
  let act = 0;
  let bck = 0;
  let actWeight = 0;
  let bckWeight = 0;
  let actUweight = 0;
  let bckUweight = 0;
  // lbprm.tot_weight / tot_uweight: the usable active servers, else the usable backups.
  for (const s of be.servers) {
    if (!s.isUsable()) continue;
    if (s.backup) {
      bck++;
      bckWeight += s.eweight;
      bckUweight += s.uweight;
    } else {
      act++;
      actWeight += s.eweight;
      actUweight += s.uweight;
    }
  }
  const uweight = act > 0 ? actUweight : bckUweight;
  v.set('act', act);
  v.set('bck', bck);
  v.set('weight', act > 0 ? actWeight : bckWeight);
  v.set('uweight', uweight);
  // stats.c stats_fill_be_stats: UP with a usable server, or with no server at all (a stats listen).
  v.set('status', act + bck > 0 || be.servers.length === 0 ? 'UP' : 'DOWN');
  // The backend's own history (px->last_change, down_trans, be_downtime), kept by its servers' group.
  const group = be.servers.length > 0 ? target.serverState(be, be.servers[0]!).group : undefined;
  if (group !== undefined) {
    const now = target.clock.now();
    v.set('lastchg', Math.max(0, Math.floor((now - group.lastChange) / 1000)));
    v.set('chkdown', group.downTransitions);
    v.set('downtime', group.downtimeSeconds(now));
  } else v.set('lastchg', Math.floor((Date.now() - target.startedAt) / 1000));
  v.set('lastsess', lastSession(be.counters));
  v.set('algo', be.spec.balance.algorithm);
  // stats.c: a backend's downtime only when it has servers.
  if (be.servers.length === 0) v.delete('downtime');
  return { obj: 'B', proxyId: be.spec.id, sid: 0, values: v };
}

/** Every row, or those `filter` keeps (show stat <iid> <type> <sid>: type bits 1=FE 2=BE 4=SRV). */
export function statRows(target: ApiTarget, filter?: { iid: number; types: number; sid: number }): StatRow[] {
  const rows: StatRow[] = [];
  for (const spec of target.config.proxies) {
    if (filter !== undefined && filter.iid !== -1 && filter.iid !== spec.id) continue;
    const types = filter?.types ?? -1;
    const fe = target.frontends.get(spec.name);
    const be = target.backends.get(spec.name);
    if (fe !== undefined && fe.spec === spec && types & 1) rows.push(frontendRow(target, fe));
    if (be !== undefined && be.spec === spec) {
      if (types & 4) {
        for (const s of be.servers) if (filter === undefined || filter.sid === -1 || filter.sid === s.id) rows.push(serverRow(target, be, s));
      }
      if (types & 2) rows.push(backendRow(target, be));
    }
  }
  return rows;
}
