// HAProxy 2.6's Prometheus exporter (`http-request use-service prometheus-exporter`,
// addons/promex): the text exposition format with HAProxy's metric families, built from the same
// rows as `show stat`. A field a row does not carry prints NaN; times are seconds.
import type { ApiTarget } from '../api/api-target.ts';
import type { ServerState } from '../backend/server-state.ts';
import { SRV_ADMF, SRV_ST } from '../backend/server-state-types.ts';
import { CHECK_STATUSES, CHK_RES, L57DATA, type CheckStatus } from '../checks/check-status.ts';
import type { Applet, AppletResponse } from '../http/applet.ts';
import { BACKEND_FAMILIES, FRONTEND_FAMILIES, SERVER_FAMILIES, type Family } from './prometheus-families.ts';
import { processMetrics } from './prometheus-process.ts';
import { statRows, type StatRow } from './stat-rows.ts';

/** Family name → `show stat` field (stats.c ST_F_* in promex_st_metrics). */
const FIELD: Readonly<Record<string, string>> = {
  current_queue: 'qcur', max_queue: 'qmax', current_sessions: 'scur', max_sessions: 'smax', limit_sessions: 'slim',
  sessions_total: 'stot', bytes_in_total: 'bin', bytes_out_total: 'bout', requests_denied_total: 'dreq',
  responses_denied_total: 'dresp', request_errors_total: 'ereq', connection_errors_total: 'econ',
  response_errors_total: 'eresp', retry_warnings_total: 'wretr', redispatch_warnings_total: 'wredis', weight: 'weight',
  active_servers: 'act', backup_servers: 'bck', check_failures_total: 'chkfail', check_up_down_total: 'chkdown',
  check_last_change_seconds: 'lastchg', downtime_seconds_total: 'downtime', queue_limit: 'qlimit',
  current_throttle: 'throttle', loadbalanced_total: 'lbtot', limit_session_rate: 'rate_lim', max_session_rate: 'rate_max',
  http_requests_rate_max: 'req_rate_max', http_requests_total: 'req_tot', client_aborts_total: 'cli_abrt',
  server_aborts_total: 'srv_abrt', http_comp_bytes_in_total: 'comp_in', http_comp_bytes_out_total: 'comp_out',
  http_comp_bytes_bypassed_total: 'comp_byp', http_comp_responses_total: 'comp_rsp', last_session_seconds: 'lastsess',
  connections_rate_max: 'conn_rate_max', connections_total: 'conn_tot', intercepted_requests_total: 'intercepted',
  denied_connections_total: 'dcon', denied_sessions_total: 'dses', failed_header_rewriting_total: 'wrew',
  connection_attempts_total: 'connect', connection_reuses_total: 'reuse', http_cache_lookups_total: 'cache_lookups',
  http_cache_hits_total: 'cache_hits', idle_connections_current: 'srv_icur', idle_connections_limit: 'src_ilim',
  internal_errors_total: 'eint', unsafe_idle_connections_current: 'idle_conn_cur',
  safe_idle_connections_current: 'safe_conn_cur', used_connections_current: 'used_conn_cur',
  need_connections_current: 'need_conn_est', uweight: 'uweight',
};

/** Milliseconds in the CSV, seconds (printed as floats) in Prometheus. */
const MS_FIELD: Readonly<Record<string, string>> = {
  queue_time_average_seconds: 'qtime', connect_time_average_seconds: 'ctime', response_time_average_seconds: 'rtime',
  total_time_average_seconds: 'ttime', max_queue_time_seconds: 'qtime_max', max_connect_time_seconds: 'ctime_max',
  max_response_time_seconds: 'rtime_max', max_total_time_seconds: 'ttime_max',
};

/** Families only HTTP proxies report (promex: `px->mode != PR_MODE_HTTP` skips them). */
const HTTP_ONLY = new Set([
  'http_requests_rate_max', 'http_requests_total', 'intercepted_requests_total', 'http_cache_lookups_total',
  'http_cache_hits_total', 'http_comp_bytes_in_total', 'http_comp_bytes_out_total', 'http_comp_bytes_bypassed_total',
  'http_comp_responses_total', 'http_responses_total',
]);

const HRSP = [['1xx', 'hrsp_1xx'], ['2xx', 'hrsp_2xx'], ['3xx', 'hrsp_3xx'], ['4xx', 'hrsp_4xx'], ['5xx', 'hrsp_5xx'], ['other', 'hrsp_other']] as const;
const SRV_STATES = ['DOWN', 'UP', 'MAINT', 'DRAIN', 'NOLB'] as const;
/** Check statuses a check can end with (result FAILED or better), in HAProxy's enum order. */
const CHECK_STATES = (Object.keys(CHECK_STATUSES) as CheckStatus[]).filter((s) => CHECK_STATUSES[s].result >= CHK_RES.FAILED);

type Sample = readonly [labels: string, value: number | undefined, float?: boolean];

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function num(v: number | undefined, float = false): string {
  if (v === undefined || Number.isNaN(v)) return 'NaN';
  return float ? v.toFixed(6) : String(Math.trunc(v));
}

/** promex_srv_status: MAINT over DRAIN over the operational state. */
export function promexServerState(st: ServerState): (typeof SRV_STATES)[number] {
  if (st.adminState & SRV_ADMF.MAINT) return 'MAINT';
  if (st.opState === SRV_ST.RUNNING || st.opState === SRV_ST.STARTING) return st.adminState & SRV_ADMF.DRAIN ? 'DRAIN' : 'UP';
  return st.opState === SRV_ST.STOPPING ? 'NOLB' : 'DOWN';
}

function field(row: StatRow, name: string): number | undefined {
  const v = row.values.get(name);
  return v === undefined || v === '' ? undefined : Number(v);
}

interface Ctx {
  readonly target: ApiTarget;
  /** `http_responses_total` is dumped code by code, each over every object (one stats field per code). */
  code?: string;
}

function serverState(ctx: Ctx, row: StatRow): ServerState | undefined {
  const be = ctx.target.backends.get(String(row.values.get('pxname')));
  const sv = be?.servers.find((s) => s.id === row.sid);
  return be && sv ? ctx.target.serverState(be, sv) : undefined;
}

/** The samples of one family for one row; `base` holds the row's labels. */
function samples(ctx: Ctx, family: string, row: StatRow, base: string, siblings: readonly StatRow[]): Sample[] {
  const http = row.values.get('mode') === 'http';
  if (HTTP_ONLY.has(family) && !http) return [];
  const lb = (extra: string) => `{${base}${extra}}`;
  switch (family) {
    case 'http_responses_total':
      return HRSP.filter(([code]) => code === ctx.code).map(([code, f]) => [lb(`,code="${code}"`), field(row, f) ?? 0] as const);
    case 'status':
      return statusSamples(ctx, row).map(([state, v]) => [lb(`,state="${state}"`), v] as const);
    case 'check_status': {
      const st = row.obj === 'S' ? serverState(ctx, row) : undefined;
      if (st === undefined || !st.check.enabled) return [];
      return CHECK_STATES.map((s) => [lb(`,state="${s}"`), st.check.status === s ? 1 : 0] as const);
    }
    case 'check_code': {
      const st = serverState(ctx, row);
      if (st === undefined || !st.check.enabled) return [];
      return [[lb(''), CHECK_STATUSES[st.check.status].code < L57DATA ? 0 : st.check.code]];
    }
    case 'check_duration_seconds': {
      const st = serverState(ctx, row);
      if (st === undefined || CHECK_STATUSES[st.check.status].code < CHECK_STATUSES.CHECKED.code) return [];
      return [[lb(''), st.check.durationMs / 1000, true]];
    }
    case 'agg_server_status':
    case 'agg_server_check_status':
    case 'agg_check_status':
      return aggSamples(ctx, family, siblings).map(([state, v]) => [lb(`,state="${state}"`), v] as const);
    default: {
      if (MS_FIELD[family] !== undefined) return [[lb(''), (field(row, MS_FIELD[family]) ?? 0) / 1000, true]];
      return [[lb(''), field(row, FIELD[family] ?? family)]];
    }
  }
}

function statusSamples(ctx: Ctx, row: StatRow): Array<[string, number]> {
  if (row.obj === 'S') {
    const st = serverState(ctx, row);
    const cur = st === undefined ? 'DOWN' : promexServerState(st);
    return SRV_STATES.map((s) => [s, s === cur ? 1 : 0]);
  }
  const up = row.obj === 'F' ? true : row.values.get('status') === 'UP' || !(ctx.target.backends.get(String(row.values.get('pxname')))?.servers.length);
  return [['DOWN', up ? 0 : 1], ['UP', up ? 1 : 0]];
}

function aggSamples(ctx: Ctx, family: string, servers: readonly StatRow[]): Array<[string, number]> {
  const states = servers.map((r) => serverState(ctx, r)).filter((s): s is ServerState => s !== undefined);
  if (family === 'agg_check_status') {
    return CHECK_STATES.map((c) => [c, states.filter((s) => s.check.enabled && s.check.status === c).length]);
  }
  return SRV_STATES.map((c) => [c, states.filter((s) => promexServerState(s) === c).length]);
}

function dumpScope(ctx: Ctx, prefix: string, families: readonly Family[], rows: readonly StatRow[], servers: ReadonlyMap<number, StatRow[]>): string {
  let out = '';
  for (const [name, type, help] of families) {
    let body = '';
    for (const code of name === 'http_responses_total' ? HRSP.map(([c]) => c) : [undefined]) {
      ctx.code = code;
      for (const row of rows) {
        const px = escapeLabel(String(row.values.get('pxname')));
        const base = row.obj === 'S' ? `proxy="${px}",server="${escapeLabel(String(row.values.get('svname')))}"` : `proxy="${px}"`;
        const siblings = row.obj === 'B' ? (servers.get(row.proxyId) ?? []) : [];
        if (name.startsWith('agg_') && siblings.length === 0) continue;
        for (const [labels, v, float] of samples(ctx, name, row, base, siblings)) body += `${prefix}${name}${labels} ${num(v, float)}\n`;
      }
    }
    if (body) out += `# HELP ${prefix}${name} ${help}\n# TYPE ${prefix}${name} ${type}\n${body}`;
  }
  return out;
}

/** The whole `/metrics` text: process, frontend, backend and server families. */
export function renderMetrics(target: ApiTarget, version: string): string {
  const ctx: Ctx = { target };
  const rows = statRows(target).filter((r) => !target.config.proxies.find((p) => p.id === r.proxyId)?.disabled);
  const servers = new Map<number, StatRow[]>();
  for (const r of rows) if (r.obj === 'S') servers.set(r.proxyId, [...(servers.get(r.proxyId) ?? []), r]);
  return (
    processMetrics(target, version) +
    dumpScope(ctx, 'haproxy_frontend_', FRONTEND_FAMILIES, rows.filter((r) => r.obj === 'F'), servers) +
    dumpScope(ctx, 'haproxy_backend_', BACKEND_FAMILIES, rows.filter((r) => r.obj === 'B'), servers) +
    dumpScope(ctx, 'haproxy_server_', SERVER_FAMILIES, rows.filter((r) => r.obj === 'S'), servers)
  );
}

/** The `prometheus-exporter` service as an applet. */
export function prometheusApplet(target: ApiTarget, version: string): Applet {
  const applet: Applet = (): AppletResponse => ({
    status: 200,
    headers: [['cache-control', 'no-cache'], ['content-type', 'text/plain; version=0.0.4']],
    body: renderMetrics(target, version),
  });
  // The session logs an applet by its name, as HAProxy logs `<PROMEX>` for the server.
  return Object.defineProperty(applet, 'name', { value: '<PROMEX>' });
}
