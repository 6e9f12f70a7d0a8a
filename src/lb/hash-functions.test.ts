import { describe, expect, it } from 'vitest';
import { hashCrc32, hashDjb2, hashFunctionOf, hashSdbm, hashWt6 } from './hash-functions.ts';

// [key, sdbm, djb2, wt6, crc32] as HAProxy 2.6's src/hash.c computes them (compiled and run on x86-64).
const VECTORS: [string, number, number, number, number][] = [
  ['', 0x00000000, 0x00001505, 0xf99a0360, 0x00000000],
  ['a', 0x00000061, 0x0002b606, 0x714bf225, 0xe8b7be43],
  ['/', 0x0000002f, 0x0002b5d4, 0x7073cea5, 0x79d3d2d4],
  ['/index.html', 0x33242976, 0xe114b9cf, 0x3101077e, 0xea224b42],
  ['/img/logo.png?x=1', 0x16cbbd2e, 0x232228e9, 0xa4b24d56, 0x88ab11a5],
  ['example.com', 0x6d69457d, 0xd9c617be, 0x344b8203, 0xb6fa4eb9],
  ['user42', 0x38fe6f09, 0x2124e66a, 0xa516f7ac, 0x7c2fbeb6],
  ['The quick brown fox jumps over the lazy dog', 0x8ca77173, 0x34cc38de, 0xe4e7b045, 0x414fa339],
  ['\xe9\xff\x80', 0x73bb5baa, 0x0b8ab36d, 0x1c0a7117, 0x27ee4c6f],
];

describe('hash functions (HAProxy src/hash.c)', () => {
  it.each(VECTORS)('%j hashes as HAProxy does', (key, sdbm, djb2, wt6, crc32) => {
    expect(hashSdbm(key, 0, key.length)).toBe(sdbm);
    expect(hashDjb2(key, 0, key.length)).toBe(djb2);
    expect(hashWt6(key, 0, key.length)).toBe(wt6);
    expect(hashCrc32(key, 0, key.length)).toBe(crc32);
  });

  it('hashes only the given range of the string', () => {
    const s = 'GET /index.html HTTP/1.1';
    expect(hashSdbm(s, 4, 15)).toBe(0x33242976);
    expect(hashWt6(s, 4, 15)).toBe(0x3101077e);
  });

  it('selects the function hash-type names, sdbm by default', () => {
    expect(hashFunctionOf(undefined)).toBe(hashSdbm);
    expect(hashFunctionOf('djb2')).toBe(hashDjb2);
    expect(hashFunctionOf('wt6')).toBe(hashWt6);
    expect(hashFunctionOf('crc32')).toBe(hashCrc32);
  });
});
