// The key of `balance source`: the client address folded into 32 bits as HAProxy does
// (backend.c get_server_sh: XOR of the address's big-endian 32-bit words). An IPv4-mapped IPv6
// address ('::ffff:a.b.c.d', what a dual-stack listener reports) is hashed as IPv6, like
// HAProxy with a `v4v6` bind. Parsed by hand: no allocation per connection.

const groups = new Uint16Array(8);

/** The folded 32-bit key of an IPv4 or IPv6 literal, or -1 when `src` is not an IP address. */
export function sourceHashKey(src: string): number {
  let end = src.indexOf('%'); // IPv6 zone id: not part of the address
  if (end < 0) end = src.length;
  if (src.indexOf(':') < 0) return parseIpv4(src, 0, end);
  if (!parseIpv6(src, end)) return -1;
  return (((groups[0] << 16) | groups[1]) ^ ((groups[2] << 16) | groups[3]) ^ ((groups[4] << 16) | groups[5]) ^ ((groups[6] << 16) | groups[7])) >>> 0;
}

/** Dotted quad in src[start, end) as an unsigned 32-bit number, or -1. */
function parseIpv4(src: string, start: number, end: number): number {
  let value = 0;
  let octets = 0;
  let i = start;
  while (octets < 4) {
    let octet = 0;
    let digits = 0;
    while (i < end) {
      const c = src.charCodeAt(i);
      if (c < 48 || c > 57) break;
      octet = octet * 10 + (c - 48);
      digits++;
      i++;
    }
    if (digits === 0 || digits > 3 || octet > 255) return -1;
    value = value * 256 + octet;
    octets++;
    if (octets < 4) {
      if (i >= end || src.charCodeAt(i) !== 46) return -1;
      i++;
    }
  }
  return i === end ? value : -1;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** RFC 4291 §2.2 text forms, including '::' and a trailing dotted quad, into `groups`. */
function parseIpv6(src: string, end: number): boolean {
  let n = 0;
  let gap = -1;
  let i = 0;
  if (src.startsWith('::')) {
    gap = 0;
    i = 2;
  }
  while (i < end) {
    let j = i;
    let value = 0;
    while (j < end && j - i < 4 && hexValue(src.charCodeAt(j)) >= 0) value = value * 16 + hexValue(src.charCodeAt(j++));
    if (j < end && src.charCodeAt(j) === 46) {
      const v4 = parseIpv4(src, i, end);
      if (v4 < 0 || n > 6) return false;
      groups[n++] = v4 >>> 16;
      groups[n++] = v4 & 0xffff;
      i = end;
      break;
    }
    if (j === i || n === 8) return false;
    groups[n++] = value;
    if (j === end) break;
    if (src.charCodeAt(j) !== 58) return false;
    if (j + 1 < end && src.charCodeAt(j + 1) === 58) {
      if (gap >= 0) return false;
      gap = n;
      i = j + 2;
    } else {
      i = j + 1;
      if (i === end) return false;
    }
  }
  return expandGap(n, gap);
}

/** Move the groups after '::' to the end and zero the gap; false when the count is wrong. */
function expandGap(n: number, gap: number): boolean {
  if (gap < 0) return n === 8;
  if (n === 8) return false;
  const tail = n - gap;
  for (let k = 0; k < tail; k++) groups[7 - k] = groups[n - 1 - k];
  for (let k = gap; k < 8 - tail; k++) groups[k] = 0;
  return true;
}
