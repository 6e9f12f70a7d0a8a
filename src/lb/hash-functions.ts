// The four hash functions of `hash-type ... sdbm|djb2|wt6|crc32` (HAProxy src/hash.c, picked by
// backend.c gen_hash), bit-exact so that hapair and HAProxy send the same key to the same server.
// Keys are latin1 strings (one char per byte, as the HTTP head is decoded): only the low 8 bits
// of each char are hashed.

export type HashFunctionName = 'sdbm' | 'djb2' | 'wt6' | 'crc32';

/** A hash over s[start, end), as an unsigned 32-bit number. */
export type HashFunction = (s: string, start: number, end: number) => number;

/** sdbm: hash = c + hash * 65599, the default (`(hash << 6) + (hash << 16) - hash`). */
export function hashSdbm(s: string, start: number, end: number): number {
  let hash = 0;
  for (let i = start; i < end; i++) hash = (Math.imul(hash, 65599) + (s.charCodeAt(i) & 0xff)) >>> 0;
  return hash;
}

/** djb2: hash = hash * 33 + c from 5381. */
export function hashDjb2(s: string, start: number, end: number): number {
  let hash = 5381;
  for (let i = start; i < end; i++) hash = (Math.imul(hash, 33) + (s.charCodeAt(i) & 0xff)) >>> 0;
  return hash;
}

/**
 * wt6: two words rotated by amounts the data itself chooses. A rotation by 0 shifts the other
 * half by 32, which x86 (HAProxy's usual host) and JavaScript both take modulo 32.
 */
export function hashWt6(s: string, start: number, end: number): number {
  let h0 = 0xa53c965a;
  let h1 = 0x5ca6953a;
  let step0 = 6;
  let step1 = 18;
  for (let i = start; i < end; i++) {
    let t = s.charCodeAt(i) & 0xff;
    h0 = ~(h0 ^ t) >>> 0;
    h1 = ~(h1 + t) >>> 0;
    t = ((h1 << step0) | (h1 >>> (32 - step0))) >>> 0;
    h1 = ((h0 << step1) | (h0 >>> (32 - step1))) >>> 0;
    h0 = t;
    t = ((h0 >>> 16) ^ h1) & 0xffff;
    step0 = t & 0x1f;
    step1 = t >>> 11;
  }
  return (h0 ^ h1) >>> 0;
}

/** CRC-32 (IEEE, reflected polynomial 0xedb88320), bitwise as HAProxy computes it. */
export function hashCrc32(s: string, start: number, end: number): number {
  let hash = 0xffffffff;
  for (let i = start; i < end; i++) {
    hash ^= s.charCodeAt(i) & 0xff;
    for (let bit = 0; bit < 8; bit++) hash = (hash >>> 1) ^ (hash & 1 ? 0xedb88320 : 0);
  }
  return ~hash >>> 0;
}

const FUNCTIONS: Readonly<Record<HashFunctionName, HashFunction>> = { sdbm: hashSdbm, djb2: hashDjb2, wt6: hashWt6, crc32: hashCrc32 };

/** The function `hash-type` names (sdbm by default). */
export function hashFunctionOf(name: HashFunctionName | undefined): HashFunction {
  return FUNCTIONS[name ?? 'sdbm'];
}
