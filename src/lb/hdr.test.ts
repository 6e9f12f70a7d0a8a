import { describe, expect, it } from 'vitest';
import type { HashFunction } from './hash-functions.ts';
import { domainLabel, firstValueEnd, hdrHasher } from './hdr.ts';

let hashed = '';
const reveal: HashFunction = (s, start, end) => {
  hashed = s.slice(start, end);
  return 7;
};

function hashedValue(value: string | undefined, domainOnly = false): string | null {
  hashed = '<none>';
  const headers: Record<string, string | undefined> = { 'x-key': value };
  return hdrHasher('X-Key', domainOnly, reveal)({ src: '', header: (n) => headers[n.toLowerCase()] }) < 0 ? null : hashed;
}

describe('balance hdr key (backend.c get_server_hh)', () => {
  it.each([
    ['abc', 'abc'],
    ['  abc \t', 'abc'],
    ['a, b', 'a'],
    ['"x,y", z', '"x,y"'],
    ['"x\\",y", z', '"x\\",y"'],
    [', b', null],
    ['', null],
    ['   ', null],
    [undefined, null],
  ])('%j hashes %j', (value, part) => {
    expect(hashedValue(value)).toBe(part);
  });

  it.each([
    ['www.example.com', 'example'],
    ['example.com', 'example'],
    ['a.b.example.co', 'example'],
    ['localhost', 'localhost'],
    ['.com', '.com'], // the walk ends before testing the first character
    ['www.example.com:8080', 'example'],
    [' host.example.org , x', 'example'],
  ])('use_domain_only: %j hashes %j', (value, part) => {
    expect(hashedValue(value, true)).toBe(part);
  });

  it('has no key without a header lookup', () => {
    expect(hdrHasher('host', false, reveal)({ src: '' })).toBe(-1);
  });

  it('finds the end of the first list element and the domain label', () => {
    expect(firstValueEnd('a,b', 0, 3)).toBe(1);
    expect(firstValueEnd('"a,b"', 0, 5)).toBe(5);
    expect(domainLabel('x.y.z', 0, 5)).toEqual([2, 3]);
  });
});
