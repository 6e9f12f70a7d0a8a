// `balance hdr(NAME) [use_domain_only]` (HAProxy configuration.txt 4.2 "balance"): the first
// value of header NAME hashed with the `hash-type` function; with `use_domain_only`, only the
// label before the last dot ("example" of "www.example.com"). Absent or empty: round robin
// (backend.c get_server_hh, http_htx.c http_find_header).
import type { BalanceKey } from './balancer.ts';
import type { KeyHasher } from './hash-balancer.ts';
import type { HashFunction } from './hash-functions.ts';

const DOT = 46;

/** HAProxy HTTP_IS_LWS: space, tab, CR, LF. */
function isLws(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}

/**
 * End of the first comma-separated element of s[start, end), commas in quoted strings excepted
 * (http.c http_find_hdr_value_end); with `semicolonEnds`, ';' ends it too (the cookie value end
 * of http.c http_find_cookie_value_end).
 */
export function firstValueEnd(s: string, start: number, end: number, semicolonEnds = false): number {
  let quoted = false;
  let pair = false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (pair) pair = false;
    else if (quoted) {
      if (c === 92) pair = true;
      else if (c === 34) quoted = false;
    } else if (c === 34) quoted = true;
    else if (c === 44 || (semicolonEnds && c === 59)) return i;
  }
  return end;
}

/**
 * The start of the domain label of s[start, end): walking back from the end, the label
 * between the last dot and the one before it, or from `start` when there is only one dot.
 * Without any dot, the whole value. Returns [labelStart, labelEnd].
 */
export function domainLabel(s: string, start: number, end: number): [number, number] {
  let p = end;
  let labelEnd = end;
  let inLabel = false;
  for (let len = end - start; len > 0; len--, p--) {
    if (inLabel) {
      if (s.charCodeAt(p - 1) === DOT) break;
    } else if (p < end && s.charCodeAt(p) === DOT) {
      labelEnd = p;
      inLabel = true;
    }
  }
  return [p, labelEnd];
}

export function hdrHasher(name: string, domainOnly: boolean, hash: HashFunction): KeyHasher {
  return (key: BalanceKey): number => {
    const v = key.header?.(name);
    if (v === undefined) return -1;
    let start = 0;
    while (start < v.length && isLws(v.charCodeAt(start))) start++;
    let end = firstValueEnd(v, start, v.length);
    while (end > start && isLws(v.charCodeAt(end - 1))) end--;
    if (end === start) return -1;
    if (!domainOnly) return hash(v, start, end);
    const [from, to] = domainLabel(v, start, end);
    return hash(v, from, to);
  };
}
