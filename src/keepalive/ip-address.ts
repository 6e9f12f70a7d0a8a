// IP address helpers for the keepalive: literal parsing to bytes (for the advert codec and the
// priority tie-break "higher address wins", RFC 5798 §6.4.3) without name resolution.
import { isIPv4, isIPv6 } from 'node:net';

export interface IpAddress {
  readonly family: 4 | 6;
  readonly bytes: Uint8Array; // 4 or 16 bytes, network order
  readonly text: string; // canonical text
}

/** Parse an IPv4 or IPv6 literal (no zone id); undefined when it is not one. */
export function parseIp(text: string): IpAddress | undefined {
  if (isIPv4(text)) {
    const bytes = Uint8Array.from(text.split('.').map(Number));
    return { family: 4, bytes, text: formatIp(bytes) };
  }
  if (!isIPv6(text) || text.includes('%')) return undefined;
  const bytes = ipv6Bytes(text);
  return bytes && { family: 6, bytes, text: formatIp(bytes) };
}

function ipv6Bytes(text: string): Uint8Array | undefined {
  let s = text;
  const tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups.
    const v4 = s.slice(lastColon + 1).split('.').map(Number);
    tail.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
    s = s.slice(0, lastColon + 1) + '0';
  }
  const [head, rest] = s.split('::');
  const hg = head ? head.split(':') : [];
  const rg = rest !== undefined && rest !== '' ? rest.split(':') : [];
  let groups = [...hg, ...rg].map((g) => parseInt(g, 16));
  if (tail.length) groups = [...groups.slice(0, -1), ...tail];
  const missing = 8 - groups.length;
  if (rest !== undefined) {
    const h = hg.map((g) => parseInt(g, 16));
    const r = groups.slice(h.length);
    groups = [...h, ...new Array<number>(missing).fill(0), ...r];
  }
  if (groups.length !== 8 || groups.some((g) => !(g >= 0 && g <= 0xffff))) return undefined;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** Canonical text: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run as ::). */
export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i] << 8) | bytes[i + 1]);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  const left = hex.slice(0, bestStart).join(':');
  const right = hex.slice(bestStart + bestLen).join(':');
  return `${left}::${right}`;
}

/** The address as a number, IPv4 mapped into IPv6 space, for "higher address wins". */
export function ipRank(ip: IpAddress): bigint {
  let n = ip.family === 4 ? 0xffffn : 0n;
  for (const b of ip.bytes) n = (n << 8n) | BigInt(b);
  return n;
}

/** Remove a zone id and brackets, and IPv4-mapped IPv6 as Node reports sources (`::ffff:a.b.c.d`). */
export function normalizeSource(address: string): string {
  const plain = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(plain);
  const ip = parseIp(m ? m[1] : plain);
  return ip ? ip.text : plain;
}
