// One table row of the stats page per frontend, server and backend, with HAProxy 2.6's columns
// (src/stats.c stats_dump_fields_html): name | Queue cur/max/limit | Session rate cur/max/limit |
// Sessions cur/max/limit/total/lbtot/last | Bytes in/out | Denied req/resp | Errors req/conn/resp |
// Warnings retr/redis | Server status/lastchk/wght/act/bck/chk/dwn/dwntme/thrtle.
import type { StatRow, StatValue } from './stat-rows.ts';
import { escapeHtml, humanTime, lim2a, u2h } from './stats-html-text.ts';

export interface RowFlags {
  readonly admin: boolean;
  readonly legends: boolean;
}

type Get = (name: string) => StatValue | undefined;

function getter(row: StatRow): Get {
  return (name) => row.values.get(name);
}

function tips(rows: ReadonlyArray<readonly [string, StatValue | string]>): string {
  return `<div class=tips><table class=det>${rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</table></div>`;
}

function nameCell(px: string, anchor: string, label: string, legend: string | undefined): string {
  const link = `<a name="${escapeHtml(px)}/${escapeHtml(anchor)}"></a><a class=lfsb href="#${escapeHtml(px)}/${escapeHtml(anchor)}">${escapeHtml(label)}</a>`;
  return legend === undefined ? `<td class=ac>${link}</td>` : `<td class=ac><u>${link}<div class=tips>${legend}</div></u></td>`;
}

function httpTips(g: Get): Array<[string, string]> {
  if (g('mode') !== 'http') return [];
  return [
    ['Cum. HTTP requests:', u2h(g('req_tot'))],
    ['- HTTP 1xx responses:', u2h(g('hrsp_1xx'))],
    ['- HTTP 2xx responses:', u2h(g('hrsp_2xx'))],
    ['- HTTP 3xx responses:', u2h(g('hrsp_3xx'))],
    ['- HTTP 4xx responses:', u2h(g('hrsp_4xx'))],
    ['- HTTP 5xx responses:', u2h(g('hrsp_5xx'))],
    ['- other responses:', u2h(g('hrsp_other'))],
  ];
}

function addrLegend(g: Get): string {
  const addr = String(g('addr') ?? '');
  let out = '';
  if (/^\d/.test(addr)) out = `IPv4: ${escapeHtml(addr)}, `;
  else if (addr.startsWith('[')) out = `IPv6: ${escapeHtml(addr)}, `;
  else if (addr) out = `${escapeHtml(addr)}, `;
  out += `id: ${g('sid')}`;
  const cookie = g('cookie');
  if (cookie !== undefined && cookie !== '') out += `, cookie: '${escapeHtml(cookie)}'`;
  return out;
}

export function frontendRowHtml(row: StatRow, f: RowFlags): string {
  const g = getter(row);
  const px = String(g('pxname'));
  return (
    `<tr class="frontend">${f.admin ? '<td></td>' : ''}${nameCell(px, 'Frontend', 'Frontend', undefined)}<td colspan=3></td>` +
    `<td><u>${u2h(g('rate'))}${tips([['Current connection rate:', `${u2h(g('conn_rate'))}/s`], ['Current session rate:', `${u2h(g('rate'))}/s`]])}</u></td>` +
    `<td><u>${u2h(g('rate_max'))}${tips([['Max connection rate:', `${u2h(g('conn_rate_max'))}/s`], ['Max session rate:', `${u2h(g('rate_max'))}/s`]])}</u></td>` +
    `<td>${lim2a(g('rate_lim'), '-')}</td>` +
    `<td>${u2h(g('scur'))}</td><td>${u2h(g('smax'))}</td><td>${u2h(g('slim'))}</td>` +
    `<td><u>${u2h(g('stot'))}${tips([['Cum. connections:', u2h(g('conn_tot'))], ['Cum. sessions:', u2h(g('stot'))], ...httpTips(g), ['Intercepted requests:', u2h(g('intercepted'))]])}</u></td>` +
    `<td></td><td></td><td>${u2h(g('bin'))}</td><td>${u2h(g('bout'))}</td>` +
    `<td>${u2h(g('dreq'))}</td><td>${u2h(g('dresp'))}</td><td>${u2h(g('ereq'))}</td><td></td><td></td><td></td><td></td>` +
    `<td class=ac>${escapeHtml(g('status'))}</td><td class=ac colspan=8></td></tr>`
  );
}

/** The row colour (stats_dump_fields_html): state and, while UP, health and weight. */
export function serverStyle(g: Get): string {
  const status = String(g('status') ?? '');
  if (status.startsWith('MAINT')) return 'maintain';
  let style: string;
  if (status === 'DOWN' || status === 'DOWN (agent)') style = 'down';
  else if (status.startsWith('DOWN ')) style = 'going_up';
  else if (status === 'DRAIN') style = 'draining';
  else if (status.startsWith('NOLB ')) style = 'going_down';
  else if (status === 'NOLB') style = 'nolb';
  else if (status === 'no check') style = 'no_check';
  else if (g('chkfail') === undefined || Number(g('check_health')) === Number(g('check_rise')) + Number(g('check_fall')) - 1) {
    style = Number(g('weight')) ? 'up' : 'draining';
  } else style = 'going_down';
  return `${Number(g('bck')) ? 'backup' : 'active'}_${style}`;
}

function statusCell(g: Get): string {
  const status = String(g('status') ?? '');
  if (status.startsWith('MAINT')) return `${humanTime(g('lastchg'))} MAINT`;
  if (status === 'no check') return '<i>no check</i>';
  let out = `${humanTime(g('lastchg'))} ${escapeHtml(status)}`;
  const health = Number(g('check_health') ?? 0);
  if (status.startsWith('DOWN')) {
    if (health) out += ' &uarr;';
  } else if (health < Number(g('check_rise') ?? 0) + Number(g('check_fall') ?? 0) - 1) out += ' &darr;';
  return out;
}

function checkCell(g: Get, which: 'check' | 'agent'): string {
  let out = `<td class=ac><u> ${escapeHtml(g(`${which}_status`))}`;
  const code = g(`${which}_code`);
  if (code !== undefined) out += `/${code}`;
  const dur = g(`${which}_duration`);
  if (dur !== undefined) out += ` in ${dur}ms`;
  const last = String(g(which === 'check' ? 'last_chk' : 'last_agt') ?? '');
  return `${out}<div class=tips>${escapeHtml(g(`${which}_desc`))}${last ? `: ${escapeHtml(last)}` : ''}</div></u></td>`;
}

function lastChkCell(g: Get): string {
  const status = String(g('status') ?? '');
  if (status.startsWith('DOWN') && g('agent_status') !== undefined && !Number(g('agent_health'))) return checkCell(g, 'agent');
  if (g('check_status') !== undefined) return checkCell(g, 'check');
  return '<td></td>';
}

function checkCounters(g: Get): string {
  const status = String(g('status') ?? '');
  if (status === 'MAINT (resolution)') return '<td class=ac colspan=3>resolution</td>';
  if (g('chkfail') !== undefined) {
    return `<td><u>${g('chkfail')}<div class=tips>Failed Health Checks</div></u></td><td>${g('chkdown')}</td><td>${humanTime(g('downtime'))}</td>`;
  }
  const tracked = g('tracked');
  if (status !== 'MAINT' && typeof tracked === 'string' && tracked !== '') {
    return `<td class=ac colspan=3><a class=lfsb href="#${escapeHtml(tracked)}">via ${escapeHtml(tracked)}</a></td>`;
  }
  return '<td colspan=3></td>';
}

export function serverRowHtml(row: StatRow, f: RowFlags): string {
  const g = getter(row);
  const px = String(g('pxname'));
  const sv = String(g('svname'));
  const check = f.admin ? `<td><input class='${escapeHtml(px)}-checkbox' type="checkbox" name="s" value="${escapeHtml(sv)}"></td>` : '';
  const throttle = g('throttle');
  const bck = Number(g('bck'));
  return (
    `<tr class="${serverStyle(g)}">${check}${nameCell(px, sv, sv, f.legends ? addrLegend(g) : undefined)}` +
    `<td>${u2h(g('qcur'))}</td><td>${u2h(g('qmax'))}</td><td>${lim2a(g('qlimit'), '-')}</td>` +
    `<td>${u2h(g('rate'))}</td><td>${u2h(g('rate_max'))}</td><td></td>` +
    `<td>${u2h(g('scur'))}</td><td>${u2h(g('smax'))}</td><td>${lim2a(g('slim'), '-')}</td>` +
    `<td><u>${u2h(g('stot'))}${tips([['Cum. sessions:', u2h(g('stot'))], ['New connections:', u2h(g('connect'))], ...httpTips(g)])}</u></td>` +
    `<td>${u2h(g('lbtot'))}</td><td>${humanTime(g('lastsess'))}</td><td>${u2h(g('bin'))}</td><td>${u2h(g('bout'))}</td>` +
    `<td></td><td>${u2h(g('dresp'))}</td><td></td><td>${u2h(g('econ'))}</td>` +
    `<td><u>${u2h(g('eresp'))}<div class=tips>Connection resets during transfers: ${g('cli_abrt') ?? 0} client, ${g('srv_abrt') ?? 0} server</div></u></td>` +
    `<td>${g('wretr') ?? 0}</td><td>${g('wredis') ?? 0}</td>` +
    `<td class=ac>${statusCell(g)}</td>${lastChkCell(g)}` +
    `<td class=ac>${g('weight')}/${g('uweight')}</td><td class=ac>${bck ? '-' : 'Y'}</td><td class=ac>${bck ? 'Y' : '-'}</td>` +
    `${checkCounters(g)}<td class=ac>${throttle === undefined ? '-' : `${throttle} %`}</td></tr>\n`
  );
}

export function backendRowHtml(row: StatRow, f: RowFlags): string {
  const g = getter(row);
  const px = String(g('pxname'));
  const status = String(g('status'));
  return (
    `<tr class="backend">${f.admin ? '<td></td>' : ''}${nameCell(px, 'Backend', 'Backend', f.legends ? `balancing: ${escapeHtml(g('algo'))}` : undefined)}` +
    `<td>${u2h(g('qcur'))}</td><td>${u2h(g('qmax'))}</td><td></td>` +
    `<td>${u2h(g('rate'))}</td><td>${u2h(g('rate_max'))}</td><td></td>` +
    `<td>${u2h(g('scur'))}</td><td>${u2h(g('smax'))}</td><td>${u2h(g('slim'))}</td>` +
    `<td><u>${u2h(g('stot'))}${tips([['Cum. sessions:', u2h(g('stot'))], ['New connections:', u2h(g('connect'))], ...httpTips(g)])}</u></td>` +
    `<td>${u2h(g('lbtot'))}</td><td>${humanTime(g('lastsess'))}</td><td>${u2h(g('bin'))}</td><td>${u2h(g('bout'))}</td>` +
    `<td>${u2h(g('dreq'))}</td><td>${u2h(g('dresp'))}</td><td></td><td>${u2h(g('econ'))}</td>` +
    `<td><u>${u2h(g('eresp'))}<div class=tips>Connection resets during transfers: ${g('cli_abrt') ?? 0} client, ${g('srv_abrt') ?? 0} server</div></u></td>` +
    `<td>${g('wretr') ?? 0}</td><td>${g('wredis') ?? 0}</td>` +
    `<td class=ac>${humanTime(g('lastchg'))} ${status === 'DOWN' ? '<font color="red"><b>DOWN</b></font>' : escapeHtml(status)}</td>` +
    `<td class=ac>&nbsp;</td><td class=ac>${g('weight')}/${g('uweight')}</td><td class=ac>${g('act')}</td><td class=ac>${g('bck')}</td>` +
    `<td class=ac>&nbsp;</td><td>${g('chkdown') ?? 0}</td><td>${g('downtime') === undefined ? '&nbsp;' : humanTime(g('downtime'))}</td><td></td></tr>`
  );
}
