// `show stat [{<iid>|<proxy>} <type> <sid>] [typed|json|up|no-maint]` (HAProxy management.txt
// 9.3; src/stats.c cli_parse_show_stat): CSV by default.
import type { ApiTarget } from '../api/api-target.ts';
import { csvHeader, csvRow, jsonRow, typedRow } from './stat-format.ts';
import { statRows } from './stat-rows.ts';

export function showStat(target: ApiTarget, args: readonly string[]): string {
  let at = 2;
  let filter: { iid: number; types: number; sid: number } | undefined;
  if (args[2] !== undefined && args[3] !== undefined && args[4] !== undefined) {
    const iid = proxyId(target, args[2]);
    if (iid === undefined) return 'No such proxy.\n';
    filter = { iid, types: Math.trunc(Number(args[3])) || 0, sid: Math.trunc(Number(args[4])) || 0 };
    at = 5;
  }
  const opts = new Set(args.slice(at));
  let rows = statRows(target, filter);
  if (opts.has('up')) rows = rows.filter((r) => r.obj !== 'S' || String(r.values.get('status')).startsWith('UP') || r.values.get('status') === 'no check');
  if (opts.has('no-maint')) rows = rows.filter((r) => r.obj !== 'S' || !String(r.values.get('status')).startsWith('MAINT'));
  if (opts.has('json')) return `[${rows.map(jsonRow).join(',')}]\n`;
  if (opts.has('typed')) return rows.map(typedRow).join('');
  return csvHeader() + rows.map(csvRow).join('');
}

/** -1 (all), a proxy id, or a proxy name. */
function proxyId(target: ApiTarget, arg: string): number | undefined {
  if (arg === '-1') return -1;
  const byName = target.config.proxies.find((p) => p.name === arg);
  if (byName !== undefined) return byName.id;
  const n = Number(arg);
  return Number.isInteger(n) && target.config.proxies.some((p) => p.id === n) ? n : undefined;
}
