import { describe, expect, it } from 'vitest';
import type { BalanceKey } from './balancer.ts';
import type { HashFunction } from './hash-functions.ts';
import { findParamValue, urlParamHasher } from './url-param.ts';

let hashed = '';
const reveal: HashFunction = (s, start, end) => {
  hashed = s.slice(start, end);
  return 7;
};

function hashedValue(key: Omit<BalanceKey, 'src'>, name = 'id'): string | null {
  hashed = '<none>';
  return urlParamHasher(name, reveal)({ src: '', ...key }) < 0 ? null : hashed;
}

describe('balance url_param key (backend.c get_server_ph)', () => {
  it.each([
    ['/p?id=42', '42'],
    ['/p?a=1&id=42&b=2', '42'],
    ['/p?id=', ''],
    ['/p?id=x#frag', 'x#frag'],
    ['/p?ID=42', null],
    ['/p?xid=1&id=2', '2'],
    ['/p?idx=1', null],
    ['/p?id', null],
    ['/p?a=1&&id=3', '3'],
    ['/p?a=1', null],
    ['/p', null],
    ['/p?a=b?id=5', null],
    ['/p?q&id=5', '5'],
  ])('%j hashes %j', (uri, value) => {
    expect(hashedValue({ uri })).toBe(value);
  });

  it('looks in the body of a POST only when the query has no parameter', () => {
    expect(hashedValue({ uri: '/f', method: 'POST', body: 'a=1&id=77&b=2' })).toBe('77');
    expect(hashedValue({ uri: '/f?id=9', method: 'POST', body: 'id=77' })).toBe('9');
    expect(hashedValue({ uri: '/f', method: 'GET', body: 'id=77' })).toBeNull();
    expect(hashedValue({ uri: '/f', method: 'POST' })).toBeNull();
  });

  it('tests only the first character of a POST value, as HAProxy does', () => {
    expect(hashedValue({ uri: '/f', method: 'POST', body: 'id=ab cd&x' })).toBe('ab cd');
    expect(hashedValue({ uri: '/f', method: 'POST', body: 'id= abc' })).toBe('');
    expect(hashedValue({ uri: '/f', method: 'POST', body: 'id=(abc' })).toBeNull();
    expect(hashedValue({ uri: '/f', method: 'POST', body: 'id=&x=1' })).toBe('');
  });

  it('stops when fewer characters than the name remain', () => {
    expect(findParamValue('a=1&id', 0, 'id')).toBe(-1);
    expect(findParamValue('a=1&id=', 0, 'id')).toBe(7);
    expect(findParamValue('?userid=1', 1, 'userid')).toBe(8);
  });

  it('has no key without a URI', () => {
    expect(hashedValue({})).toBeNull();
  });
});
