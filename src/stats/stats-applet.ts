// The stats applet (HAProxy's http_stats_applet): a request whose URI starts with `stats uri`
// gets the HTML page, `;csv`, `;json` or `;typed` output, or, for a POST with admin rights, the
// servers changed and a 303 back to the page with `;st=CODE` (src/stats.c
// stats_send_http_redirect). Access rules run first (stats-access.ts).
import { hostname } from 'node:os';
import type { ApiTarget } from '../api/api-target.ts';
import type { ProxySpec, StatsSpec } from '../config/model.ts';
import type { Applet, AppletResponse } from '../http/applet.ts';
import { csvHeader, csvRow, jsonRow, typedRow } from './stat-format.ts';
import { statsAccess } from './stats-access.ts';
import { renderStatsPage, type PageInfo } from './stats-html.ts';
import { STATS_JSON_SCHEMA } from './stats-schema.ts';
import type { Server } from '../backend/server.ts';
import { applyStatsPost, killListedSessions, type PostContext } from './stats-post.ts';
import { matchesStatsUri, parseStatsQuery, type StatsQuery, type StCode } from './stats-request.ts';
import { pageProxies } from './stats-select.ts';

export interface StatsAppletOptions {
  /** The proxy whose `stats` settings these are (its name is the scope ".": stats.c `px == s->be`). */
  readonly proxy: ProxySpec & { readonly stats: StatsSpec };
  readonly target: ApiTarget;
  /** Product name and version shown in the page header (none with `stats hide-version`). */
  readonly product?: string;
  readonly version?: string;
  /** Kill Sessions: how to end a server's sessions (default: the sessions `target` lists). */
  readonly killSessions?: (server: Server) => void;
}

export interface StatsApplet {
  matches(req: { readonly method: string; readonly uri: string }): boolean;
  readonly applet: Applet;
}

/** Largest POST body handled (HAProxy: the buffer minus its reserve); longer is EXCD. */
const MAX_POST = 16384 - 1024;

function respond(status: number, type: string, body: string, extra: ReadonlyArray<readonly [string, string]> = []): AppletResponse {
  return { status, headers: [['cache-control', 'no-cache'], ['content-type', type], ...extra], body };
}

function redirect(spec: StatsSpec, q: StatsQuery, code: StCode): AppletResponse {
  const location = `${spec.uri};st=${code}${q.hideDown ? ';up' : ''}${q.noRefresh ? ';norefresh' : ''}${q.scope ? `?scope=${q.scope}` : ''}`;
  return { status: 303, reason: 'See Other', headers: [['cache-control', 'no-cache'], ['content-type', 'text/plain'], ['location', location]], body: '' };
}

export function createStatsApplet(opts: StatsAppletOptions): StatsApplet {
  const { proxy, target } = opts;
  const spec = proxy.stats;
  const access = statsAccess(spec);
  const startedAt = Date.now();
  const post: PostContext = { target, killSessions: opts.killSessions ?? killListedSessions(target) };

  function pageInfo(): PageInfo {
    return {
      product: opts.product ?? 'hapair',
      ...(spec.hideVersion || opts.version === undefined ? {} : { version: opts.version }),
      pid: process.pid,
      ...(spec.showNode !== undefined ? { node: spec.showNode || target.config.global.localpeer || hostname() } : {}),
      ...(spec.showDesc ? { desc: spec.showDesc } : {}),
      uptimeSec: Math.floor((Date.now() - startedAt) / 1000),
      maxconn: target.maxconn,
      currentConns: target.actconn,
      nbthread: target.config.global.nbthread,
    };
  }

  /** The page or an export; a HEAD gets the same head, the session sends no body (RFC 9110 9.3.2). */
  function output(q: StatsQuery, admin: boolean): AppletResponse {
    const refresh: Array<[string, string]> = spec.refresh > 0 && !q.noRefresh ? [['refresh', String(spec.refresh)]] : [];
    // `;json-schema` is the schema document, not data (stats.c stats_dump_json_schema).
    if (q.format === 'json-schema') return respond(200, 'application/json', `${STATS_JSON_SCHEMA}\n`, refresh);
    const proxies = pageProxies(target, spec, proxy.name, q);
    const rows = proxies.flatMap((p) => p.rows);
    if (q.format === 'csv') return respond(200, 'text/plain', csvHeader() + rows.map(csvRow).join(''), refresh);
    if (q.format === 'typed') return respond(200, 'text/plain', rows.map(typedRow).join(''), refresh);
    // Newline-terminated as HAProxy's page (stats.c ends the JSON dump with "]\n").
    if (q.format === 'json') return respond(200, 'application/json', `[${rows.map(jsonRow).join(',')}]\n`, refresh);
    const page = renderStatsPage(pageInfo(), proxies, { uri: spec.uri, refresh: spec.refresh, admin, legends: spec.showLegends, query: q });
    return respond(200, 'text/html', page, refresh);
  }

  const applet: Applet = (req) => {
    const denied = access.check(req);
    if (denied !== undefined) return denied;
    const q = parseStatsQuery(req.uri, spec.uri, spec.refresh > 0);
    const admin = access.isAdmin(req);
    if (req.method === 'POST') {
      if (!admin) return redirect(spec, q, 'DENY');
      if (req.body.length > MAX_POST) return redirect(spec, q, 'EXCD');
      return redirect(spec, q, applyStatsPost(post, req.body.toString('latin1')));
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return redirect(spec, q, 'IVAL');
    return output(q, admin);
  };

  // The session logs an applet by its name: HAProxy logs `<STATS>` as the server.
  Object.defineProperty(applet, 'name', { value: '<STATS>' });
  return { matches: (req) => matchesStatsUri(spec.uri, req.method, req.uri), applet };
}
