import { describe, expect, it } from 'vitest';
import type { HashFunction } from './hash-functions.ts';
import { pathStart, uriHashOptions, uriHasher } from './uri.ts';

/** A "hash" that reveals the hashed range: tests read back which characters were hashed. */
let hashed = '';
const reveal: HashFunction = (s, start, end) => {
  hashed = s.slice(start, end);
  return 7;
};

function hashedPart(args: string[], uri: string): string {
  hashed = '<none>';
  expect(uriHasher(uriHashOptions(args), reveal)({ src: '', uri })).toBe(7);
  return hashed;
}

describe('balance uri key (backend.c get_server_uh)', () => {
  it.each([
    [[], '/a/b/c?x=1', '/a/b/c'],
    [['whole'], '/a/b/c?x=1', '/a/b/c?x=1'],
    [['len', '4'], '/a/b/c?x=1', '/a/b'],
    [['len', '100'], '/a/b?x', '/a/b'],
    [['depth', '1'], '/a/b/c?x=1', '/a'],
    [['depth', '2'], '/a/b/c?x=1', '/a/b'],
    [['depth', '5'], '/a/b/c?x=1', '/a/b/c'],
    [['depth', '2', 'len', '3'], '/ab/cd/e', '/ab'],
    [['depth', '1', 'whole'], '/?q=/x', '/?q='],
    [[], 'http://h.example/p/q?z', 'http://h.example/p/q'],
    [['path-only'], 'http://h.example/p/q?z', '/p/q'],
    [['path-only', 'whole'], 'https://u@h:8/p?z', '/p?z'],
    [['path-only'], 'http://h.example', ''],
    [['path-only'], '*', ''],
    [['path-only'], 'h.example:443', ''],
    [['path-only', 'len', '2'], 'http://h/abc', '/a'],
    [[], '', ''],
  ])('%j of %j hashes %j', (args, uri, part) => {
    expect(hashedPart(args, uri)).toBe(part);
  });

  it('has no key (round robin) without a URI', () => {
    expect(uriHasher(uriHashOptions([]), reveal)({ src: '10.0.0.1' })).toBe(-1);
  });

  it('finds where the path starts as http_parse_path does', () => {
    expect(pathStart('/x')).toBe(0);
    expect(pathStart('http://a/b')).toBe(8);
    expect(pathStart('svn+ssh://a/b')).toBe(11);
    expect(pathStart('1http://a/b')).toBe(11); // not a scheme: no path
    expect(pathStart('http:/a/b')).toBe(9);
  });
});
