// The stats page (src/stats.c stats_dump_html_head/_info/_px_hdr/_px_end): general process
// information, the legend, display options, the `;st=` result banner, then one table per proxy
// with its frontend, servers and backend rows and, with admin rights, the checkbox column and the
// action form. Plain HTML: it works without JavaScript and loads nothing from outside.
import type { ProxySpec } from '../config/model.ts';
import type { StatRow } from './stat-rows.ts';
import { backendRowHtml, frontendRowHtml, serverRowHtml, type RowFlags } from './stats-html-rows.ts';
import { STATS_STYLE } from './stats-html-style.ts';
import { escapeHtml } from './stats-html-text.ts';
import type { StatsQuery, StCode } from './stats-request.ts';

export interface PageInfo {
  readonly product: string;
  readonly version?: string;
  readonly pid: number;
  readonly node?: string;
  readonly desc?: string;
  readonly uptimeSec: number;
  readonly maxconn: number;
  readonly currentConns: number;
  readonly nbthread: number;
}

export interface PageProxy {
  readonly spec: ProxySpec;
  readonly rows: readonly StatRow[];
  readonly hasServers: boolean;
}

export interface PageOptions {
  readonly uri: string;
  readonly refresh: number;
  readonly admin: boolean;
  readonly legends: boolean;
  readonly query: StatsQuery;
}

const ACTIONS: ReadonlyArray<readonly [string, string]> = [
  ['', ''],
  ['ready', 'Set state to READY'],
  ['drain', 'Set state to DRAIN'],
  ['maint', 'Set state to MAINT'],
  ['dhlth', 'Health: disable checks'],
  ['ehlth', 'Health: enable checks'],
  ['hrunn', 'Health: force UP'],
  ['hnolb', 'Health: force NOLB'],
  ['hdown', 'Health: force DOWN'],
  ['dagent', 'Agent: disable checks'],
  ['eagent', 'Agent: enable checks'],
  ['arunn', 'Agent: force UP'],
  ['adown', 'Agent: force DOWN'],
  ['shutdown', 'Kill Sessions'],
];

const BANNERS: Readonly<Record<StCode, readonly [string, string]>> = {
  DONE: ['active_up', 'Action processed successfully.'],
  NONE: ['active_going_down', 'Nothing has changed.'],
  PART: ['active_going_down', 'Action partially processed.<br>Some server names are probably unknown or ambiguous (duplicated names in the backend).'],
  ERRP: [
    'active_down',
    'Action not processed because of invalid parameters.<ul><li>The action is maybe unknown.</li><li>Invalid key parameter (empty or too long).</li><li>The backend name is probably unknown or ambiguous (duplicated names).</li><li>Some server names are probably unknown or ambiguous (duplicated names in the backend).</li></ul>',
  ],
  EXCD: ['active_down', '<b>Action not processed : the buffer couldn\'t store all the data.<br>You should retry with less servers at a time.</b>'],
  DENY: ['active_down', '<b>Action denied.</b>'],
  IVAL: ['active_down', '<b>Invalid requests (unsupported method or chunked encoded request).</b>'],
  UNKN: ['active_no_check', 'Unexpected result.'],
};

const LEGEND =
  '<table class="lgd"><tr>\n' +
  '<td class="active_up">&nbsp;</td><td class="noborder">active UP </td><td class="backup_up">&nbsp;</td><td class="noborder">backup UP </td></tr><tr>\n' +
  '<td class="active_going_down"></td><td class="noborder">active UP, going down </td><td class="backup_going_down"></td><td class="noborder">backup UP, going down </td></tr><tr>\n' +
  '<td class="active_going_up"></td><td class="noborder">active DOWN, going up </td><td class="backup_going_up"></td><td class="noborder">backup DOWN, going up </td></tr><tr>\n' +
  '<td class="active_down"></td><td class="noborder">active or backup DOWN &nbsp;</td><td class="active_no_check"></td><td class="noborder">not checked </td></tr><tr>\n' +
  '<td class="maintain"></td><td class="noborder" colspan="3">active or backup DOWN for maintenance (MAINT) &nbsp;</td></tr><tr>\n' +
  '<td class="active_draining"></td><td class="noborder" colspan="3">active or backup SOFT STOPPED for maintenance &nbsp;</td></tr></table>\n' +
  'Note: "NOLB"/"DRAIN" = UP with load-balancing disabled.';

const COLUMN_GROUPS =
  '<th colspan=3>Queue</th><th colspan=3>Session rate</th><th colspan=6>Sessions</th><th colspan=2>Bytes</th>' +
  '<th colspan=2>Denied</th><th colspan=3>Errors</th><th colspan=2>Warnings</th><th colspan=9>Server</th></tr>\n';
const COLUMNS =
  '<tr class="titre"><th>Cur</th><th>Max</th><th>Limit</th><th>Cur</th><th>Max</th><th>Limit</th><th>Cur</th><th>Max</th>' +
  '<th>Limit</th><th>Total</th><th>LbTot</th><th>Last</th><th>In</th><th>Out</th><th>Req</th><th>Resp</th><th>Req</th><th>Conn</th>' +
  '<th>Resp</th><th>Retr</th><th>Redis</th><th>Status</th><th>LastChk</th><th>Wght</th><th>Act</th><th>Bck</th><th>Chk</th><th>Dwn</th>' +
  '<th>Dwntme</th><th>Thrtle</th>\n</tr>';

/** Link suffixes keeping the current display options, as the page's own links do. */
function suffix(o: PageOptions, up: boolean, noRefresh: boolean): string {
  return `${up ? ';up' : ''}${noRefresh ? ';norefresh' : ''}${o.query.scope ? `?scope=${o.query.scope}` : ''}`;
}

function infoBlock(info: PageInfo, o: PageOptions): string {
  const q = o.query;
  const up = info.uptimeSec;
  const hms = `${Math.floor(up / 86400)}d ${Math.floor((up % 86400) / 3600)}h${String(Math.floor((up % 3600) / 60)).padStart(2, '0')}m${String(up % 60).padStart(2, '0')}s`;
  const scopeQ = q.scope ? `?scope=${q.scope}` : '';
  const links = [
    `<li><form method="GET">Scope : <input value="${escapeHtml(q.scope)}" name="scope" size="8" maxlength="20" tabindex="1"/></form>`,
    q.hideDown
      ? `<li><a href="${o.uri}${suffix(o, false, q.noRefresh)}">Show all servers</a><br>`
      : `<li><a href="${o.uri}${suffix(o, true, q.noRefresh)}">Hide 'DOWN' servers</a><br>`,
    ...(o.refresh > 0
      ? [q.noRefresh
          ? `<li><a href="${o.uri}${suffix(o, q.hideDown, false)}">Enable refresh</a><br>`
          : `<li><a href="${o.uri}${suffix(o, q.hideDown, true)}">Disable refresh</a><br>`]
      : []),
    `<li><a href="${o.uri}${suffix(o, q.hideDown, q.noRefresh)}">Refresh now</a><br>`,
    `<li><a href="${o.uri};csv${o.refresh > 0 ? ';norefresh' : ''}${scopeQ}">CSV export</a><br>`,
    `<li><a href="${o.uri};json${o.refresh > 0 ? ';norefresh' : ''}${scopeQ}">JSON export</a><br>`,
  ];
  const title = `${info.node !== undefined ? ` on ${escapeHtml(info.node)}` : ''}${info.desc !== undefined ? `: ${escapeHtml(info.desc)}` : ''}`;
  return (
    `<body><h1>${escapeHtml(info.product)}${info.version !== undefined ? ` version ${escapeHtml(info.version)}` : ''}</h1>\n` +
    `<h2>Statistics Report for pid ${info.pid}${title}</h2>\n<hr width="100%" class="hr">\n<h3>&gt; General process information</h3>\n` +
    `<table border=0><tr><td align="left" nowrap width="1%">\n<p><b>pid = </b> ${info.pid} (process #1, nbproc = 1, nbthread = ${info.nbthread})<br>\n` +
    `<b>uptime = </b> ${hms}<br>\n<b>maxconn = </b> ${info.maxconn}<br>\ncurrent conns = ${info.currentConns}<br>\n` +
    `</td><td align="center" nowrap>\n${LEGEND}</td><td align="left" valign="top" nowrap width="1%"><b>Display option:</b><ul style="margin-top: 0.25em;">` +
    `${links.join('\n')}\n</ul></td></tr></table>\n`
  );
}

function banner(o: PageOptions): string {
  const st = o.query.st;
  if (st === undefined) return '';
  const [cls, text] = BANNERS[st];
  return `<p><div class=${cls}><a class=lfsb href="${o.uri}${suffix(o, o.query.hideDown, o.query.noRefresh)}" title="Remove this message">[X]</a> ${text}</div>\n<p>\n`;
}

function capOf(spec: ProxySpec): string {
  return spec.kind === 'listen' ? 'proxy' : spec.kind;
}

function proxyTable(p: PageProxy, o: PageOptions): string {
  const { spec } = p;
  const form = o.admin && p.hasServers;
  const name = escapeHtml(spec.name);
  const legend = o.legends ? `<div class=tips>cap: ${capOf(spec)}, mode: ${spec.mode}, id: ${spec.id}</div>` : '';
  const desc = spec.description !== undefined ? `<th class="desc" width="90%">${escapeHtml(spec.description)}</th>` : '<th class="empty" width="90%"></th>';
  let out = form ? '<form method="post">' : '';
  out += `<table class="tbl" width="100%">\n<tr class="titre"><th class="pxname" width="10%"><a name="${name}"></a>${o.legends ? '<u>' : ''}<a class=px href="#${name}">${name}</a>${legend}${o.legends ? '</u>' : ''}</th>${desc}</tr>\n</table>\n`;
  out += '<table class="tbl" width="100%">\n<tr class="titre">';
  if (o.admin) {
    // The select-all box needs JavaScript; without it each server box is still checked by hand.
    out += form
      ? `<th rowspan=2 width=1><input type="checkbox" onclick="for(c in document.getElementsByClassName('${name}-checkbox')) document.getElementsByClassName('${name}-checkbox').item(c).checked = this.checked"></th>`
      : '<th rowspan=2></th>';
  }
  out += `<th rowspan=2></th>${COLUMN_GROUPS}${COLUMNS}`;
  const flags: RowFlags = { admin: o.admin, legends: o.legends };
  for (const row of p.rows) {
    if (row.obj === 'F') out += frontendRowHtml(row, flags);
    else if (row.obj === 'S') out += serverRowHtml(row, flags);
    else out += backendRowHtml(row, flags);
  }
  out += '</table>';
  if (form) {
    const options = ACTIONS.map(([v, label]) => `<option value="${v}">${label}</option>`).join('');
    out += `Choose the action to perform on the checked servers : <select name=action>${options}</select><input type="hidden" name="b" value="#${spec.id}">&nbsp;<input type="submit" value="Apply"></form>`;
  }
  return `${out}<p>\n`;
}

export function renderStatsPage(info: PageInfo, proxies: readonly PageProxy[], o: PageOptions): string {
  return (
    '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN"\n"http://www.w3.org/TR/html4/loose.dtd">\n' +
    `<html><head><title>Statistics Report for ${escapeHtml(info.product)}${info.node !== undefined ? ` on ${escapeHtml(info.node)}` : ''}</title>\n` +
    '<link rel="icon" href="data:,">\n<meta http-equiv="content-type" content="text/html; charset=iso-8859-1">\n' +
    `${STATS_STYLE}</head>\n${infoBlock(info, o)}${banner(o)}${proxies.map((p) => proxyTable(p, o)).join('')}</body></html>\n`
  );
}
