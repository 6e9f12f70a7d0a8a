// Bob Jenkins' 32-bit full avalanche hash, as HAProxy applies it for `hash-type ... avalanche`
// and to place consistent-hash nodes (include/haproxy/intops.h __full_hash). Must stay
// bit-exact: two proxies of a pair, or hapair and HAProxy, map the same keys the same way.

/** full_hash(a) on unsigned 32-bit integers. */
export function fullHash(a: number): number {
  a = (a + 0x7ed55d16 + (a << 12)) >>> 0;
  a = (a ^ 0xc761c23c ^ (a >>> 19)) >>> 0;
  a = (a + 0x165667b1 + (a << 5)) >>> 0;
  a = ((a + 0xd3a2646c) ^ (a << 9)) >>> 0;
  a = (a + 0xfd7046c5 + (a << 3)) >>> 0;
  a = (a ^ 0xb55a4f09 ^ (a >>> 16)) >>> 0;
  // "spread values all around the tree by multiplying by a large prime close to 3/4 of the tree"
  return Math.imul(a, 3221225473) >>> 0;
}
