// What a stats page request asks for (src/http_ana.c http_stats_check_uri / http_handle_stats):
// the URI prefix match, the `;csv` `;json` `;typed` `;json-schema` `;up` `;no-maint`
// `;norefresh` `;st=CODE` flags and the `scope=` filter found after the prefix.

export type StatsFormat = 'html' | 'csv' | 'json' | 'typed' | 'json-schema';

/** Result codes of a POST, shown back by `;st=CODE` (include/haproxy/stats-t.h STAT_STATUS_*). */
export const ST_CODES = ['DENY', 'DONE', 'ERRP', 'EXCD', 'NONE', 'PART', 'UNKN', 'IVAL'] as const;
export type StCode = (typeof ST_CODES)[number];

export interface StatsQuery {
  readonly format: StatsFormat;
  readonly hideDown: boolean;
  readonly hideMaint: boolean;
  readonly noRefresh: boolean;
  readonly st?: StCode;
  /** `scope=` text (at most 20 characters), '' when none. */
  readonly scope: string;
}

/** HAProxy's STAT_SCOPE_TXT_MAXLEN. */
export const SCOPE_MAXLEN = 20;

/** The path part of an origin-form or absolute-form target (http_parse_path). */
function pathOf(uri: string): string {
  if (uri.startsWith('/')) return uri;
  const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]*(\/.*)?$/.exec(uri);
  return m ? (m[1] ?? '') : uri;
}

/** GET, HEAD and POST whose URI (its path when the prefix starts with '/') starts with the prefix. */
export function matchesStatsUri(prefix: string, method: string, uri: string): boolean {
  if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') return false;
  const target = prefix.startsWith('/') ? pathOf(uri) : uri;
  return target.startsWith(prefix);
}

function scopeOf(rest: string): string {
  const at = rest.indexOf('scope=');
  if (at < 0) return '';
  const m = /^[^;& ]*/.exec(rest.slice(at + 6));
  const text = (m ? m[0] : '').slice(0, SCOPE_MAXLEN);
  // A character HAProxy's invalid_char() refuses clears the scope.
  return /^[A-Za-z0-9_.:-]*$/.test(text) ? text : '';
}

/** The flags in what follows the prefix; `refreshConfigured` gates `;norefresh` like HAProxy. */
export function parseStatsQuery(uri: string, prefix: string, refreshConfigured: boolean): StatsQuery {
  const at = uri.indexOf(prefix);
  const rest = at < 0 ? '' : uri.slice(at + prefix.length);
  let format: StatsFormat = 'html';
  // Later flags win, in HAProxy's order of tests.
  if (rest.includes(';csv')) format = 'csv';
  if (rest.includes(';typed')) format = 'typed';
  if (rest.includes(';json')) format = 'json';
  if (rest.includes(';json-schema')) format = 'json-schema';
  let st: StCode | undefined;
  const stAt = rest.indexOf(';st=');
  if (stAt >= 0 && stAt <= rest.length - 8) {
    const code = rest.slice(stAt + 4, stAt + 8);
    st = (ST_CODES as readonly string[]).includes(code) ? (code as StCode) : 'UNKN';
  }
  return {
    format,
    hideDown: rest.includes(';up'),
    hideMaint: rest.includes(';no-maint'),
    noRefresh: refreshConfigured && rest.includes(';norefresh'),
    ...(st !== undefined ? { st } : {}),
    scope: scopeOf(rest),
  };
}
