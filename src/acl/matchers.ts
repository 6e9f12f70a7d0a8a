// Match methods (configuration.txt 7.1.3 "-m"): a pattern list compiled once into a `find`
// that returns the index of the pattern a sample matches, or -1. ACLs test `find >= 0`; maps
// (converters.ts) return the value at that index. Casts follow HAProxy's sample_casts table.
import type { SampleValue } from './sample.ts';
import { ipInNet, newIpSample, parseIpNet, readIpSample, type IpNet } from './ip.ts';

export type SampleType = 'str' | 'int' | 'bool' | 'ip';
export const MATCH_METHODS = ['found', 'bool', 'int', 'ip', 'bin', 'len', 'str', 'sub', 'reg', 'beg', 'end', 'dir', 'dom'] as const;
export type MatchMethod = (typeof MATCH_METHODS)[number];

/** Index of the matching pattern, or -1 (`found`/`bool` return 0 for a match). */
export type Finder = (v: SampleValue) => number;

export type Compiled = { readonly ok: true; readonly find: Finder } | { readonly ok: false; readonly error: string };

/** The default match of a fetch's output type (acl.c parse_acl_expr). */
export function defaultMethod(t: SampleType): MatchMethod {
  return t;
}

/**
 * Whether `-m method` may read a sample of type `t`. HAProxy's sample_casts table converts every
 * type hapair's fetches return into every type a match reads (ip to int/bool included), so all are.
 */
export function methodAccepts(_method: MatchMethod, _t: SampleType): boolean {
  return true;
}

export function toStr(v: SampleValue): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : v ? '1' : '0';
}

/** HAProxy c_str2int: a leading signed decimal (read_int64), NaN for an empty string. */
export function toInt(v: SampleValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v.length === 0) return NaN;
  let i = 0;
  let neg = false;
  if (v.charCodeAt(0) === 45 || v.charCodeAt(0) === 43) neg = v.charCodeAt(i++) === 45;
  let n = 0;
  for (; i < v.length; i++) {
    const c = v.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    n = n * 10 + c;
  }
  return neg ? -n : n;
}

/** An integer pattern: `N`, `N:M`, `:M`, `N:` (acl.c has already turned `ge 5` into `5:`). */
function parseRange(text: string): { lo: number; hi: number } | undefined {
  const m = /^(-?\d+)?(?:(:)(-?\d+)?)?$/.exec(text);
  if (!m || (m[1] === undefined && m[3] === undefined)) return undefined;
  const lo = m[1] === undefined ? -Infinity : Number(m[1]);
  const hi = m[2] === undefined ? lo : m[3] === undefined ? Infinity : Number(m[3]);
  return { lo, hi };
}

function compileRanges(patterns: readonly string[], measure: (v: SampleValue) => number): Compiled {
  const lo: number[] = [];
  const hi: number[] = [];
  for (const p of patterns) {
    const r = parseRange(p);
    if (!r) return { ok: false, error: `'${p}' is not a number` };
    lo.push(r.lo);
    hi.push(r.hi);
  }
  return {
    ok: true,
    find: (v) => {
      const n = measure(v);
      if (Number.isNaN(n)) return -1;
      for (let i = 0; i < lo.length; i++) if (n >= lo[i] && n <= hi[i]) return i;
      return -1;
    },
  };
}

function compileIp(patterns: readonly string[]): Compiled {
  const nets: IpNet[] = [];
  for (const p of patterns) {
    const net = parseIpNet(p);
    if (!net) return { ok: false, error: `'${p}' is not a valid IPv4 or IPv6 address` };
    nets.push(net);
  }
  const ip = newIpSample();
  return {
    ok: true,
    // Longest prefix wins (pattern.c indexes IP patterns in prefix trees).
    find: (v) => {
      const ok = typeof v === 'number' ? ((ip.v4 = v >>> 0), true) : readIpSample(toStr(v), ip);
      if (!ok) return -1;
      let best = -1;
      for (let i = 0; i < nets.length; i++) {
        if ((best < 0 || nets[i].prefix > nets[best].prefix) && ipInNet(ip, nets[i])) best = i;
      }
      return best;
    },
  };
}

function compileRegex(patterns: readonly string[], icase: boolean): Compiled {
  const res: RegExp[] = [];
  for (const p of patterns) {
    try {
      res.push(new RegExp(p, icase ? 'i' : ''));
    } catch (e) {
      return { ok: false, error: `regex '${p}' is invalid (error=${(e as Error).message})` };
    }
  }
  return { ok: true, find: (v) => { const s = toStr(v); for (let i = 0; i < res.length; i++) if (res[i].test(s)) return i; return -1; } };
}

/** `s` starts with `lower` (already lower-case) at `at`, ASCII letters compared without case. */
export function regionMatchesIgnoreCase(s: string, at: number, lower: string): boolean {
  if (at < 0 || at + lower.length > s.length) return false;
  for (let i = 0; i < lower.length; i++) {
    let c = s.charCodeAt(at + i);
    if (c >= 65 && c <= 90) c |= 0x20;
    else if (c > 127) return s.slice(at, at + lower.length).toLowerCase() === lower;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

function compileExact(patterns: readonly string[], icase: boolean): Compiled {
  const index = new Map<string, number>();
  patterns.forEach((p, i) => {
    const k = icase ? p.toLowerCase() : p;
    if (!index.has(k)) index.set(k, i);
  });
  if (!icase) return { ok: true, find: (v) => index.get(toStr(v)) ?? -1 };
  // A few patterns: compare in place instead of lower-casing every sample.
  if (index.size <= 8) {
    const keys = [...index.keys()];
    const idx = [...index.values()];
    return {
      ok: true,
      find: (v) => {
        const s = toStr(v);
        for (let i = 0; i < keys.length; i++) if (s.length === keys[i].length && regionMatchesIgnoreCase(s, 0, keys[i])) return idx[i];
        return -1;
      },
    };
  }
  return { ok: true, find: (v) => index.get(toStr(v).toLowerCase()) ?? -1 };
}

/** beg/end/sub: beg picks the longest prefix (pattern.c keeps prefixes in a tree), end and sub the first. */
function compileSubstring(method: 'beg' | 'end' | 'sub', patterns: readonly string[], icase: boolean): Compiled {
  const pats = icase ? patterns.map((p) => p.toLowerCase()) : [...patterns];
  const longest = method === 'beg';
  const test = icase
    ? method === 'beg' ? (s: string, p: string) => regionMatchesIgnoreCase(s, 0, p)
      : method === 'end' ? (s: string, p: string) => regionMatchesIgnoreCase(s, s.length - p.length, p)
        : (s: string, p: string) => s.toLowerCase().includes(p)
    : method === 'beg' ? (s: string, p: string) => s.startsWith(p)
      : method === 'end' ? (s: string, p: string) => s.endsWith(p) : (s: string, p: string) => s.includes(p);
  return {
    ok: true,
    find: (v) => {
      const s = toStr(v);
      let best = -1;
      for (let i = 0; i < pats.length; i++) {
        if ((best < 0 || pats[i].length > pats[best].length) && test(s, pats[i])) {
          best = i;
          if (!longest) return i;
        }
      }
      return best;
    },
  };
}

const DIR_DELIMS = '/?';
const DOM_DELIMS = '/?.:';

function isDelim(c: number, delims: string): boolean {
  for (let i = 0; i < delims.length; i++) if (delims.charCodeAt(i) === c) return true;
  return false;
}

/** A match_word() pattern without its leading and trailing delimiters (lower-case with -i). */
function wordPattern(pattern: string, delims: string, icase: boolean): string {
  let ps = 0;
  let pe = pattern.length;
  while (ps < pe && isDelim(pattern.charCodeAt(ps), delims)) ps++;
  while (pe > ps && isDelim(pattern.charCodeAt(pe - 1), delims)) pe--;
  const p = pattern.slice(ps, pe);
  return icase ? p.toLowerCase() : p;
}

/** pattern.c match_word(): `word` (see wordPattern) appears between delimiters or the ends of `s`. */
function matchPreparedWord(s: string, word: string, delims: string, icase: boolean): boolean {
  const pl = word.length;
  if (pl > s.length) return false;
  let mayMatch = true;
  for (let c = 0; c <= s.length - pl; c++) {
    if (isDelim(s.charCodeAt(c), delims)) {
      mayMatch = true;
      continue;
    }
    if (!mayMatch) continue;
    const hit = icase ? regionMatchesIgnoreCase(s, c, word) : s.startsWith(word, c);
    if (hit && (c === s.length - pl || isDelim(s.charCodeAt(c + pl), delims))) return true;
    mayMatch = false;
  }
  return false;
}

export function matchWord(s: string, pattern: string, delims: string, icase: boolean): boolean {
  return matchPreparedWord(s, wordPattern(pattern, delims, icase), delims, icase);
}

function compileWord(patterns: readonly string[], delims: string, icase: boolean): Compiled {
  const words = patterns.map((p) => wordPattern(p, delims, icase));
  return { ok: true, find: (v) => { const s = toStr(v); for (let i = 0; i < words.length; i++) if (matchPreparedWord(s, words[i], delims, icase)) return i; return -1; } };
}

/** Compile `patterns` for `method`. `icase` is `-i` (string methods only). */
export function compilePatterns(method: MatchMethod, patterns: readonly string[], icase: boolean): Compiled {
  switch (method) {
    case 'found': return { ok: true, find: () => 0 };
    case 'bool': return { ok: true, find: (v) => (toInt(v) ? 0 : -1) };
    case 'int': return compileRanges(patterns, toInt);
    case 'len': return compileRanges(patterns, (v) => toStr(v).length);
    case 'ip': return compileIp(patterns);
    case 'str': return compileExact(patterns, icase);
    case 'bin': return { ok: false, error: "matching method 'bin' is not supported yet" };
    case 'reg': return compileRegex(patterns, icase);
    case 'beg': case 'end': case 'sub': return compileSubstring(method, patterns, icase);
    case 'dir': return compileWord(patterns, DIR_DELIMS, icase);
    case 'dom': return compileWord(patterns, DOM_DELIMS, icase);
  }
}
