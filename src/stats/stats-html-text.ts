// Number and time formats of HAProxy's stats page (src/tools.c ulltoh_r, human_time, limit_r) and
// HTML escaping for names and check texts.
import type { StatValue } from './stat-rows.ts';

/** Digits with every thousands-leading digit in `<span class="rls">` (letter-spaced, no separator). */
export function u2h(v: StatValue | undefined): string {
  const s = String(typeof v === 'number' ? Math.max(0, Math.trunc(v)) : Number(v ?? 0) || 0);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const fromRight = s.length - 1 - i;
    out += fromRight > 0 && fromRight % 3 === 0 ? `<span class="rls">${s[i]}</span>` : s[i];
  }
  return out;
}

/** A limit: the number, or `alt` when 0 / unset. */
export function lim2a(v: StatValue | undefined, alt = ''): string {
  const n = Number(v ?? 0);
  return n ? String(n) : alt;
}

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86400;

/** Seconds as "1d2h", "3h4m", "5m6s", "0s"; negative as "?" (two units at most). */
export function humanTime(v: StatValue | undefined): string {
  const t = Math.trunc(Number(v ?? 0));
  if (t < 0 || Number.isNaN(t)) return '?';
  let out = '';
  let cnt = 2;
  if (t >= DAY) {
    out += `${Math.floor(t / DAY)}d`;
    cnt--;
  }
  if (cnt && Math.floor((t % DAY) / HOUR)) {
    out += `${Math.floor((t % DAY) / HOUR)}h`;
    cnt--;
  }
  if (cnt && Math.floor((t % HOUR) / MINUTE)) {
    out += `${Math.floor((t % HOUR) / MINUTE)}m`;
    cnt--;
  }
  if ((cnt && t % MINUTE) || !t) out += `${t % MINUTE}s`;
  return out;
}

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: StatValue | undefined): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c]);
}
