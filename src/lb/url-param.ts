// `balance url_param NAME [check_post]` (HAProxy configuration.txt 4.2 "balance"): the value of
// query parameter NAME hashed with the `hash-type` function; for a POST without it in the query,
// the same lookup in the body received so far (backend.c get_server_ph, get_server_ph_post).
// No parameter: round robin. The name match is case-sensitive, as HAProxy's memcmp.
import type { BalanceKey } from './balancer.ts';
import type { KeyHasher } from './hash-balancer.ts';
import type { HashFunction } from './hash-functions.ts';

const AMP = 38;
const EQ = 61;

/** RFC 7230 tchar (HAProxy HTTP_IS_TOKEN). */
function isToken(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c < 127 && "!#$%&'*+-.^_`|~".includes(String.fromCharCode(c)));
}

/** HAProxy HTTP_IS_LWS: space, tab, CR, LF. */
function isLws(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}

/**
 * Offset of the value of `name` in the `&`-separated list s[from, s.length), -1 when absent.
 * A parameter matches when its text starts with `name=`; the walk stops where HAProxy's does
 * (fewer characters left than the name is long).
 */
export function findParamValue(s: string, from: number, name: string): number {
  let params = from;
  while (s.length - params > name.length) {
    if (s.charCodeAt(params + name.length) === EQ && s.startsWith(name, params)) return params + name.length + 1;
    const amp = s.indexOf('&', params);
    if (amp < 0) return -1;
    params = amp + 1;
  }
  return -1;
}

function valueEnd(s: string, start: number): number {
  const amp = s.indexOf('&', start);
  return amp < 0 ? s.length : amp;
}

/**
 * The value's end in a POST body, -1 when HAProxy decides the body is not URL-encoded.
 * HAProxy tests the value's first character on each step (not the current one): a non-token
 * first character gives an empty value when it is white space, no parameter otherwise.
 */
function bodyValueEnd(body: string, start: number): number {
  if (start >= body.length || body.charCodeAt(start) === AMP) return start;
  const first = body.charCodeAt(start);
  if (!isToken(first)) return isLws(first) ? start : -1;
  return valueEnd(body, start);
}

export function urlParamHasher(name: string, hash: HashFunction): KeyHasher {
  return (key: BalanceKey): number => {
    const uri = key.uri;
    if (uri === undefined) return -1;
    const q = uri.indexOf('?');
    if (q >= 0) {
      const start = findParamValue(uri, q + 1, name);
      if (start >= 0) return hash(uri, start, valueEnd(uri, start));
    }
    if (key.method !== 'POST' || key.body === undefined) return -1;
    const start = findParamValue(key.body, 0, name);
    if (start < 0) return -1;
    const end = bodyValueEnd(key.body, start);
    return end < 0 ? -1 : hash(key.body, start, end);
  };
}
