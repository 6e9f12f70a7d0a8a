// IPv4/IPv6 addresses and CIDR networks for `-m ip` patterns, `src`/`dst`/`hdr_ip` samples and
// `map_ip` (HAProxy pattern.c pat_parse_ip / pat_match_ip): IPv4 samples also match IPv6
// networks as ::ffff:a.b.c.d, and IPv4-mapped, IPv4-compatible and 6to4 IPv6 samples match IPv4
// networks. IPv4 is an unsigned 32-bit number; IPv6 four of them, most significant first.

export interface IpNet {
  readonly v6: boolean;
  /** IPv4: [addr]; IPv6: four 32-bit words. Already masked. */
  readonly words: readonly number[];
  readonly prefix: number;
}

/** Dotted quad to uint32, or -1. Strict: four decimal parts 0..255. */
export function parseIpv4(s: string, from = 0, to = s.length): number {
  let value = 0;
  let part = -1;
  let parts = 0;
  for (let i = from; i <= to; i++) {
    const c = i < to ? s.charCodeAt(i) : 46;
    if (c === 46) {
      if (part < 0 || ++parts > 4) return -1;
      value = value * 256 + part;
      part = -1;
    } else if (c >= 48 && c <= 57) {
      part = part < 0 ? c - 48 : part * 10 + c - 48;
      if (part > 255) return -1;
    } else return -1;
  }
  return parts === 4 ? value : -1;
}

/** IPv6 text (with optional embedded IPv4 tail) to four uint32 words, or undefined. */
export function parseIpv6(s: string): number[] | undefined {
  if (s.length < 2 || s.indexOf(':') < 0) return undefined;
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return undefined;
  const head = dbl >= 0 ? s.slice(0, dbl) : s;
  const tail = dbl >= 0 ? s.slice(dbl + 2) : '';
  const h = groups(head);
  const t = groups(tail);
  if (!h || !t) return undefined;
  const total = h.length + t.length;
  if ((dbl < 0 && total !== 8) || (dbl >= 0 && total > 7)) return undefined;
  const g = [...h, ...new Array<number>(8 - total).fill(0), ...t];
  return [0, 1, 2, 3].map((i) => ((g[2 * i] << 16) | g[2 * i + 1]) >>> 0);
}

/** Colon-separated 16-bit groups; a last group may be a dotted IPv4 (two groups). */
function groups(s: string): number[] | undefined {
  if (s === '') return [];
  const out: number[] = [];
  const parts = s.split(':');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (i === parts.length - 1 && p.includes('.')) {
      const v4 = parseIpv4(p);
      if (v4 < 0) return undefined;
      out.push(v4 >>> 16, v4 & 0xffff);
    } else {
      if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
      out.push(parseInt(p, 16));
    }
  }
  return out;
}

export function maskWord(word: number, bits: number): number {
  if (bits >= 32) return word >>> 0;
  if (bits <= 0) return 0;
  return (word & (~0 << (32 - bits))) >>> 0;
}

/** `a.b.c.d`, `a.b.c.d/24`, `a.b.c.d/255.255.255.0`, `2001:db8::/32`, `::1`. Undefined if invalid. */
export function parseIpNet(text: string): IpNet | undefined {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const mask = slash < 0 ? undefined : text.slice(slash + 1);
  const v4 = parseIpv4(addr);
  if (v4 >= 0) {
    let prefix = 32;
    if (mask !== undefined) {
      if (/^\d{1,2}$/.test(mask) && Number(mask) <= 32) prefix = Number(mask);
      else {
        const m = parseIpv4(mask);
        if (m < 0) return undefined;
        prefix = Math.clz32(~m);
        if (maskWord(0xffffffff, prefix) !== m) return undefined;
      }
    }
    return { v6: false, words: [maskWord(v4, prefix)], prefix };
  }
  const v6 = parseIpv6(addr);
  if (!v6) return undefined;
  let prefix = 128;
  if (mask !== undefined) {
    if (!/^\d{1,3}$/.test(mask) || Number(mask) > 128) return undefined;
    prefix = Number(mask);
  }
  return { v6: true, words: v6.map((w, i) => maskWord(w, prefix - 32 * i)), prefix };
}

/** A parsed sample address: IPv4 as `v4 >= 0`; otherwise IPv6 words in `v6`. */
export interface IpSample {
  v4: number;
  readonly v6: number[];
}

// The same client address is usually tested by several rules: the last parse is kept.
let lastText = '';
let lastV4 = -1;
let lastV6: number[] | undefined;

/** Parse a sample address into `out` (reused): false when `s` is no address. */
export function readIpSample(s: string, out: IpSample): boolean {
  if (s === lastText && lastText !== '') {
    if (lastV4 < 0 && lastV6 === undefined) return false;
    out.v4 = lastV4;
    if (lastV6) for (let i = 0; i < 4; i++) out.v6[i] = lastV6[i];
    return true;
  }
  lastText = s;
  lastV4 = -1;
  lastV6 = undefined;
  const ok = parseIpSample(s, out);
  if (ok) {
    lastV4 = out.v4;
    if (out.v4 < 0) lastV6 = [...out.v6];
  }
  return ok;
}

function parseIpSample(s: string, out: IpSample): boolean {
  const v4 = parseIpv4(s);
  if (v4 >= 0) {
    out.v4 = v4;
    return true;
  }
  const v6 = parseIpv6(s);
  if (!v6) return false;
  out.v4 = -1;
  for (let i = 0; i < 4; i++) out.v6[i] = v6[i];
  return true;
}

/** The IPv4 address an IPv6 sample carries (mapped ::ffff:x, compatible ::x, 6to4 2002:x::), or -1. */
function embeddedIpv4(w: readonly number[]): number {
  if (w[0] === 0 && w[1] === 0 && (w[2] === 0xffff || (w[2] === 0 && w[3] !== 0))) return w[3];
  if (w[0] >>> 16 === 0x2002) return (((w[0] & 0xffff) << 16) | (w[1] >>> 16)) >>> 0;
  return -1;
}

/** True when the sample address is inside `net`. */
export function ipInNet(ip: IpSample, net: IpNet): boolean {
  const mask = net.prefix;
  if (!net.v6) {
    const v4 = ip.v4 >= 0 ? ip.v4 : embeddedIpv4(ip.v6);
    return v4 >= 0 && maskWord(v4, mask) === net.words[0];
  }
  for (let i = 0; i < 4; i++) {
    const w = ip.v4 >= 0 ? (i === 2 ? 0xffff : i === 3 ? ip.v4 : 0) : ip.v6[i];
    if (maskWord(w, mask - 32 * i) !== net.words[i]) return false;
  }
  return true;
}

export function newIpSample(): IpSample {
  return { v4: -1, v6: [0, 0, 0, 0] };
}
