// `balance uri [len N] [depth N] [whole] [path-only]` (HAProxy configuration.txt 4.2 "balance"):
// the request URI, up to the '?' unless `whole`, cut at `len` characters and `depth` directories,
// hashed with the `hash-type` function (backend.c get_server_uh; assign_server takes the request
// line's URI, or its path part with `path-only`, http.c http_parse_path).
import type { BalanceKey } from './balancer.ts';
import type { KeyHasher } from './hash-balancer.ts';
import type { HashFunction } from './hash-functions.ts';

export interface UriHashOptions {
  /** `len N`: hash at most N characters; 0 = no limit. */
  readonly len: number;
  /** `depth N`: stop at the (N+1)th '/'; 0 = no limit. */
  readonly depth: number;
  /** `whole`: keep the query string. */
  readonly whole: boolean;
  /** `path-only`: skip the scheme and authority of an absolute URI. */
  readonly pathOnly: boolean;
}

/** The options of `balance uri ARGS` (args already validated by config/parse-balance.ts). */
export function uriHashOptions(args: readonly string[]): UriHashOptions {
  let len = 0;
  let depth = 0;
  let whole = false;
  let pathOnly = false;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === 'len') len = Number.parseInt(args[++i], 10);
    else if (args[i] === 'depth') depth = Number.parseInt(args[++i], 10);
    else if (args[i] === 'whole') whole = true;
    else if (args[i] === 'path-only') pathOnly = true;
  }
  return { len, depth, whole, pathOnly };
}

/**
 * Where the path of a request target starts (http_parse_path): 0 for an origin-form target;
 * after `scheme://authority` for an absolute one; the end (an empty path) for `*`, an empty
 * target, an authority-form target or an absolute URI without path.
 */
export function pathStart(uri: string): number {
  const n = uri.length;
  if (n === 0 || uri[0] === '*') return n;
  if (uri[0] === '/') return 0;
  if (!isAlpha(uri.charCodeAt(0))) return n;
  let i = 1;
  while (i < n && isSchemeChar(uri.charCodeAt(i))) i++;
  if (!uri.startsWith('://', i)) return n;
  const slash = uri.indexOf('/', i + 3);
  return slash < 0 ? n : slash;
}

function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isSchemeChar(c: number): boolean {
  return isAlpha(c) || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
}

/** The key hasher of `balance uri`: -1 (round robin) only when the request has no URI. */
export function uriHasher(opts: UriHashOptions, hash: HashFunction): KeyHasher {
  const stopAtSlash = opts.depth > 0 ? opts.depth + 1 : 0;
  return (key: BalanceKey): number => {
    const uri = key.uri;
    if (uri === undefined) return -1;
    const start = opts.pathOnly ? pathStart(uri) : 0;
    let left = uri.length - start;
    if (opts.len > 0 && opts.len < left) left = opts.len;
    let end = start;
    let slashes = 0;
    for (; left > 0; left--) {
      const c = uri.charCodeAt(end);
      if (c === 47) {
        if (++slashes === stopAtSlash) break;
      } else if (c === 63 && !opts.whole) break;
      end++;
    }
    return hash(uri, start, end);
  };
}
