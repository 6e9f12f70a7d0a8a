// Scanning helpers for `Cookie` and `Set-Cookie` values as HAProxy walks them (http.c
// http_find_cookie_value_end, http_ana.c http_del_hdr_value): positions in a latin1 string.
import { firstValueEnd } from '../lb/hdr.ts';

/** HAProxy HTTP_IS_SPHT: space or tab. */
export function isSpHt(c: number): boolean {
  return c === 32 || c === 9;
}

/** End of a cookie value starting at `at`: the first ',' or ';' outside a quoted string. */
export function cookieValueEnd(s: string, at: number, end: number): number {
  return firstValueEnd(s, at, end, true);
}

export interface Deletion {
  /** The header value after the deletion. */
  readonly value: string;
  /** How far what followed `next` moved (negative). */
  readonly delta: number;
  /** Where the deleted part started, after moving back over spaces. */
  readonly from: number;
}

/**
 * Remove the cookie(s) in s[from, next) of a `;`-separated value: a first cookie takes its
 * following delimiter and spaces with it; a later one keeps the delimiter that follows it and
 * one space, and drops the spaces before it (http_del_hdr_value).
 */
export function deleteCookieRange(s: string, from: number, next: number): Deletion {
  const end = s.length;
  if (from === 0) {
    let n = next;
    if (n < end) n++;
    while (n < end && isSpHt(s.charCodeAt(n))) n++;
    return { value: s.slice(n), delta: -n, from: 0 };
  }
  let p = from;
  while (p > 0 && isSpHt(s.charCodeAt(p - 1))) p--;
  let kept = '';
  let n = next;
  if (n < end) {
    kept = s[n++];
    if (p + 2 < n) kept += ' ';
    while (n < end && isSpHt(s.charCodeAt(n))) n++;
  }
  return { value: s.slice(0, p) + kept + s.slice(n), delta: p + kept.length - n, from: p };
}

/** One `name=value` of a cookie header, positions in the scanned string. */
export interface CookieToken {
  attBeg: number;
  attEnd: number;
  equal: number;
  valBeg: number;
  valEnd: number;
  next: number;
}

/**
 * Scan the cookie starting after `prev` (at `prev` itself for the first one): name up to '=' or
 * a delimiter (`,` `;`, only `;` for Set-Cookie), value up to the next delimiter outside quotes,
 * both without surrounding spaces.
 */
export function scanCookie(s: string, prev: number, first: boolean, commaEnds: boolean, out: CookieToken): void {
  const end = s.length;
  let attBeg = first ? prev : prev + 1;
  while (attBeg < end && isSpHt(s.charCodeAt(attBeg))) attBeg++;
  let equal = attBeg;
  let attEnd = attBeg;
  while (equal < end) {
    const c = s.charCodeAt(equal);
    if (c === 61 || c === 59 || (commaEnds && c === 44)) break;
    equal++;
    if (!isSpHt(c)) attEnd = equal;
  }
  out.attBeg = attBeg;
  out.attEnd = attEnd;
  out.equal = equal;
  if (equal < end && s.charCodeAt(equal) === 61) {
    let valBeg = equal + 1;
    while (valBeg < end && isSpHt(s.charCodeAt(valBeg))) valBeg++;
    const next = cookieValueEnd(s, valBeg, end);
    let valEnd = next;
    while (valEnd > valBeg && isSpHt(s.charCodeAt(valEnd - 1))) valEnd--;
    out.valBeg = valBeg;
    out.valEnd = valEnd;
    out.next = next;
  } else {
    out.valBeg = out.valEnd = out.next = equal;
  }
}

/**
 * Drop the spaces around the '=' of `t` in `s` (HAProxy does so before matching, so the
 * forwarded header changes too); returns the new string and shifts `t` accordingly.
 */
export function stripSpacesAroundEqual(s: string, t: CookieToken): string {
  if (t.attEnd === t.equal && t.valBeg === t.equal + 1) return s;
  const out = s.slice(0, t.attEnd) + '=' + s.slice(t.valBeg);
  const delta = out.length - s.length;
  t.equal = t.attEnd;
  t.valBeg = t.equal + 1;
  t.valEnd += delta;
  t.next += delta;
  return out;
}
