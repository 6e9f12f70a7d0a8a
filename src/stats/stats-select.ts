// Which proxies and servers a stats page request shows (src/stats.c stats_dump_proxy_to_buffer):
// `stats scope` names, the `scope=` text (case-insensitive substring), `;up` (no server that is
// DOWN and not about to change, nor in maintenance) and `;no-maint`.
import type { ApiTarget } from '../api/api-target.ts';
import type { ServerState } from '../backend/server-state.ts';
import { SRV_ADMF, SRV_ST } from '../backend/server-state-types.ts';
import type { StatsSpec } from '../config/model.ts';
import { statRows, type StatRow } from './stat-rows.ts';
import type { PageProxy } from './stats-html.ts';
import type { StatsQuery } from './stats-request.ts';

function chainEnd(st: ServerState): ServerState {
  let ref = st;
  for (let i = 0; i < 64 && ref.tracked; i++) ref = ref.tracked;
  return ref;
}

/** STAT_HIDE_DOWN: in maintenance, or stopped with no check able to bring it back. */
export function hiddenByUp(st: ServerState): boolean {
  if (st.adminState & SRV_ADMF.MAINT) return true;
  if (st.opState !== SRV_ST.STOPPED) return false;
  const ref = chainEnd(st);
  return (
    !(ref.agent.enabled || ref.check.enabled) ||
    (ref.agent.enabled && !ref.agent.health) ||
    (ref.check.enabled && !ref.check.health)
  );
}

function serverState(target: ApiTarget, row: StatRow): ServerState | undefined {
  const be = target.backends.get(String(row.values.get('pxname')));
  const server = be?.servers.find((s) => s.id === row.sid);
  return be !== undefined && server !== undefined ? target.serverState(be, server) : undefined;
}

/** Without `stats show-legends` the HTTP output omits these (stats.c: STAT_SHLGNDS). */
const LEGEND_FIELDS = ['addr', 'algo', 'cookie'];

function keepServer(target: ApiTarget, row: StatRow, q: StatsQuery): boolean {
  if (!q.hideDown && !q.hideMaint) return true;
  const st = serverState(target, row);
  if (st === undefined) return true;
  if (q.hideMaint && st.adminState & SRV_ADMF.MAINT) return false;
  return !(q.hideDown && hiddenByUp(st));
}

/** The proxies of the page in configuration order, each with its rows. */
export function pageProxies(target: ApiTarget, spec: StatsSpec, self: string, q: StatsQuery): PageProxy[] {
  const byId = new Map<number, StatRow[]>();
  for (const row of statRows(target)) {
    if (row.obj === 'S' && !keepServer(target, row, q)) continue;
    if (!spec.showLegends) for (const f of LEGEND_FIELDS) row.values.delete(f);
    let list = byId.get(row.proxyId);
    if (list === undefined) byId.set(row.proxyId, (list = []));
    list.push(row);
  }
  const scopeText = q.scope.toLowerCase();
  const out: PageProxy[] = [];
  for (const px of target.config.proxies) {
    if (px.disabled) continue;
    if (spec.scope.length > 0 && !spec.scope.some((n) => n === px.name || (n === '.' && px.name === self))) continue;
    if (scopeText && !px.name.toLowerCase().includes(scopeText)) continue;
    const rows = byId.get(px.id) ?? [];
    out.push({ spec: px, rows, hasServers: px.servers.length > 0 });
  }
  return out;
}
