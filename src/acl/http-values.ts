// Pieces of an HTTP request that several fetches share: path and query of a request target,
// comma-separated header values, cookies, url parameters (HAProxy http_fetch.c / http_htx.c).
import { sameName } from './header-fields.ts';
import type { HeaderFields } from './sample.ts';

export type Visit = (v: string) => boolean;

/** Start of the path in a request target: after `scheme://authority` in absolute form; -1 if none. */
export function pathStart(uri: string): number {
  if (uri.charCodeAt(0) === 47) return 0; // '/'
  const scheme = uri.indexOf('://');
  if (scheme < 0) return -1;
  const slash = uri.indexOf('/', scheme + 3);
  return slash;
}

// Several rules usually read the path of the same request target: the last result is kept
// (one string compare, usually by identity, instead of a slice per rule).
let lastUri = '';
let lastPath: string | undefined;

/** `path` (configuration.txt 7.3.6): from the first slash to the `?`, undefined when absent. */
export function pathOf(uri: string): string | undefined {
  if (uri === lastUri) return lastPath;
  const start = pathStart(uri);
  const q = start < 0 ? -1 : uri.indexOf('?', start);
  lastUri = uri;
  lastPath = start < 0 ? undefined : q < 0 ? (start === 0 ? uri : uri.slice(start)) : uri.slice(start, q);
  return lastPath;
}

/** `query`: after the first `?`; undefined without one. */
export function queryOf(uri: string): string | undefined {
  const q = uri.indexOf('?');
  return q < 0 ? undefined : uri.slice(q + 1);
}

/** End of one value in a comma-separated header, skipping commas inside double quotes. */
export function valueEnd(s: string, from: number): number {
  let quoted = false;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) quoted = !quoted;
    else if (c === 92 && quoted) i++;
    else if (c === 44 && !quoted) return i;
  }
  return s.length;
}

function trimmed(s: string, from: number, to: number): string {
  while (from < to && (s.charCodeAt(from) === 32 || s.charCodeAt(from) === 9)) from++;
  while (to > from && (s.charCodeAt(to - 1) === 32 || s.charCodeAt(to - 1) === 9)) to--;
  return from === 0 && to === s.length ? s : s.slice(from, to);
}

/**
 * Visit the values of header `name` (every header when undefined) in order: each comma-separated
 * value when `full` is false (`hdr`), each whole line when true (`fhdr`). Stops when visit returns true.
 */
export function eachHeaderValue(h: HeaderFields, name: string | undefined, full: boolean, visit: Visit): boolean {
  for (let i = 0; i < h.length; i++) {
    if (name !== undefined && !sameName(h.nameAt(i), name)) continue;
    const v = h.valueAt(i);
    // Most values hold no comma: no scan (values are stored trimmed).
    if (full || v.indexOf(',') < 0) {
      if (visit(v)) return true;
      continue;
    }
    let from = 0;
    for (;;) {
      const end = valueEnd(v, from);
      if (visit(trimmed(v, from, end))) return true;
      if (end >= v.length) break;
      from = end + 1;
    }
  }
  return false;
}

/** Number of values (`full` false) or lines (`full` true) of header `name` (all headers when undefined). */
export function countHeaderValues(h: HeaderFields, name: string | undefined, full: boolean): number {
  let n = 0;
  eachHeaderValue(h, name, full, () => (n++, false));
  return n;
}

/** The values of header `name` as a list (for occurrence arguments, which are rare). */
export function headerValues(h: HeaderFields, name: string | undefined, full: boolean): string[] {
  const out: string[] = [];
  eachHeaderValue(h, name, full, (v) => (out.push(v), false));
  return out;
}

/** HAProxy occurrence numbers: 1 = first, -1 = last, 0 = all. */
export function pickOccurrence(values: readonly string[], occ: number): string | undefined {
  if (occ > 0) return values[occ - 1];
  if (occ < 0) return values[values.length + occ];
  return undefined;
}

/**
 * Cookies named `name` (every cookie when undefined) in the `header` lines of `h`: `cookie` lines
 * hold `a=1; b=2`; any other header (`set-cookie`) one cookie per line, attributes ignored.
 */
export function eachCookie(h: HeaderFields, header: string, name: string | undefined, visit: Visit): boolean {
  const single = header !== 'cookie';
  for (let i = 0; i < h.length; i++) {
    if (!sameName(h.nameAt(i), header)) continue;
    const line = h.valueAt(i);
    let from = 0;
    while (from < line.length) {
      let end = line.indexOf(';', from);
      if (end < 0) end = line.length;
      const eq = line.indexOf('=', from);
      if (eq >= 0 && eq < end) {
        const key = trimmed(line, from, eq);
        if ((name === undefined || key === name) && visit(trimmed(line, eq + 1, end))) return true;
      }
      if (single) break;
      from = end + 1;
    }
  }
  return false;
}

/** `url_param(name[,delim])`: values of query parameter `name` (every one when undefined). */
export function eachUrlParam(uri: string, name: string | undefined, delim: string, visit: Visit): boolean {
  const q = uri.indexOf('?');
  if (q < 0) return false;
  let from = q + 1;
  while (from <= uri.length) {
    let end = uri.indexOf(delim, from);
    if (end < 0) end = uri.length;
    const eq = uri.indexOf('=', from);
    const keyEnd = eq >= 0 && eq < end ? eq : end;
    if (name === undefined || (keyEnd - from === name.length && uri.startsWith(name, from))) {
      if (visit(keyEnd < end ? uri.slice(keyEnd + 1, end) : '')) return true;
    }
    from = end + 1;
  }
  return false;
}
