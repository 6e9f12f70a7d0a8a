// `balance <algorithm> [args]` and `hash-type <method> [<function> [avalanche]]`
// (configuration.txt 4.2; backend.c backend_parse_balance, cfgparse-listen.c "hash-type").
import { didYouMean } from './did-you-mean.ts';
import type { BalanceSpec } from './model.ts';
import type { Mutable } from './proxy-draft.ts';
import { parseInteger } from './units.ts';

type Result = { ok: true } | { ok: false; error: string };
const OK: Result = { ok: true };
const fail = (error: string): Result => ({ ok: false, error });

const ALGORITHMS = ['roundrobin', 'static-rr', 'leastconn', 'first', 'source', 'random', 'uri', 'url_param', 'hdr(name)', 'rdp-cookie', 'hash'];

function noMore(algo: string, rest: readonly string[]): Result {
  return rest.length === 0 ? OK : fail(`'balance ${algo}' cannot handle unexpected argument '${rest[0]}'`);
}

/** `random` or `random(<draws>)`, draws >= 1 (default 2). */
function parseRandom(word: string): { draws: number } | string {
  if (word === 'random') return { draws: 2 };
  const m = /^random\((.*)$/.exec(word);
  if (!m) return `unknown algorithm '${word}'`;
  if (!m[1].endsWith(')')) return 'random : missing closing parenthesis';
  const n = parseInteger(m[1].slice(0, -1), { min: 1 });
  return n.ok ? { draws: n.value } : 'random : number of draws must be an integer of at least 1';
}

function parseUriArgs(rest: readonly string[]): Result {
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i];
    if (w === 'len' || w === 'depth') {
      if (!parseInteger(rest[i + 1] ?? '', { min: 1 }).ok) return fail(`uri : '${w}' expects a positive integer (got '${rest[i + 1] ?? ''}')`);
      i++;
    } else if (w !== 'whole' && w !== 'path-only') {
      return fail(`uri only accepts parameters 'len', 'depth', 'path-only', and 'whole' (got '${w}')`);
    }
  }
  return OK;
}

/** Parse the words after `balance` into `b` (algorithm and args). */
export function parseBalance(words: readonly string[], b: Mutable<BalanceSpec>): Result {
  const [algo = 'roundrobin', ...rest] = words;
  const set = (algorithm: BalanceSpec['algorithm'], args: string[]): Result => {
    b.algorithm = algorithm;
    b.args = args;
    return OK;
  };
  switch (algo) {
    case 'roundrobin':
    case 'static-rr':
    case 'leastconn':
    case 'first':
    case 'source': {
      const r = noMore(algo, rest);
      return r.ok ? set(algo, []) : r;
    }
    case 'uri': {
      const r = parseUriArgs(rest);
      return r.ok ? set('uri', [...rest]) : r;
    }
    case 'url_param': {
      if (rest.length === 0) return fail('url_param requires an URL parameter name');
      if (rest[1] !== undefined && rest[1] !== 'check_post') return fail(`url_param only accepts 'check_post' modifier (got '${rest[1]}')`);
      const r = noMore('url_param', rest.slice(2));
      return r.ok ? set('url_param', [...rest]) : r;
    }
    case 'hash':
      return fail("'balance hash' is not supported yet");
  }
  if (algo.startsWith('random')) {
    const r = parseRandom(algo);
    if (typeof r === 'string') return fail(r);
    const more = noMore('random', rest);
    return more.ok ? set('random', [String(r.draws)]) : more;
  }
  if (algo.startsWith('hdr(')) {
    const m = /^hdr\(([^)]+)\)$/.exec(algo);
    if (!m) return fail('hdr requires an http header field name');
    if (rest[0] !== undefined && rest[0] !== 'use_domain_only') return fail(`hdr(${m[1]}) only accepts 'use_domain_only' modifier (got '${rest[0]}')`);
    const r = noMore(algo, rest.slice(1));
    return r.ok ? set('hdr', [m[1], ...rest]) : r;
  }
  if (algo.startsWith('rdp-cookie')) {
    const m = /^rdp-cookie(?:\(([^)]+)\))?$/.exec(algo);
    if (!m) return fail('rdp-cookie : missing cookie name');
    const r = noMore(algo, rest);
    return r.ok ? set('rdp-cookie', [m[1] ?? 'mstshash']) : r;
  }
  return fail(
    `'balance' only supports 'roundrobin', 'static-rr', 'leastconn', 'first', 'source', 'random', 'uri', 'url_param', ` +
      `'hdr(name)' and 'rdp-cookie(name)' (got '${algo}')${didYouMean(algo, ALGORITHMS)}`,
  );
}

const FUNCTIONS = ['sdbm', 'djb2', 'wt6', 'crc32'] as const;

/** Parse the words after `hash-type`. `consistent` alone implies the avalanche modifier (HAProxy 2.6). */
export function parseHashType(words: readonly string[], b: Mutable<BalanceSpec>): Result {
  const [method, fn, modifier, extra] = words;
  if (method === 'avalanche') {
    return fail("experimental feature 'hash-type avalanche' is not supported anymore, please use 'hash-type map-based sdbm avalanche' instead");
  }
  if (method !== 'consistent' && method !== 'map-based') return fail("'hash-type' only supports 'consistent' and 'map-based'");
  if (fn !== undefined && !(FUNCTIONS as readonly string[]).includes(fn)) {
    return fail(`'hash-type' only supports 'sdbm', 'djb2', 'crc32', or 'wt6' hash functions${didYouMean(fn, FUNCTIONS)}`);
  }
  if (modifier !== undefined && modifier !== 'avalanche') return fail("'hash-type' only supports 'avalanche' as a modifier for hash functions");
  if (extra !== undefined) return fail(`'hash-type' cannot handle unexpected argument '${extra}'`);
  b.hashType = method;
  b.hashFunction = (fn as BalanceSpec['hashFunction'] | undefined) ?? 'sdbm';
  b.hashAvalanche = fn === undefined ? method === 'consistent' : modifier === 'avalanche';
  return OK;
}
