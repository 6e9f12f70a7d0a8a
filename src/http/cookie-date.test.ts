import { describe, expect, it } from 'vitest';
import { base64ToS30, cookieDateOf, s30ToBase64 } from './cookie-date.ts';

describe('cookie dates (HAProxy base64.c s30tob64/b64tos30)', () => {
  it('writes 30 bits as 5 base64 digits, most significant first', () => {
    expect(s30ToBase64(0)).toBe('AAAAA');
    expect(s30ToBase64(1)).toBe('AAAAB');
    expect(s30ToBase64(64)).toBe('AAABA');
    expect(s30ToBase64(0x3fffffff)).toBe('/////');
    expect(s30ToBase64(0x40000001)).toBe('AAAAB'); // only the low 30 bits
  });

  it('reads them back, refusing padding and foreign characters', () => {
    for (const v of [0, 1, 63, 64, 12345678, 0x3fffffff]) expect(base64ToS30(s30ToBase64(v), 0)).toBe(v);
    expect(base64ToS30('xxAAABAyy', 2)).toBe(64);
    expect(base64ToS30('AAAA=', 0)).toBe(-1);
    expect(base64ToS30('AA|AA', 0)).toBe(-1);
    expect(base64ToS30('AAAA', 0)).toBe(-1);
  });

  it('dates a cookie in 4-second steps, rounded up', () => {
    expect(cookieDateOf(1_700_000_000)).toBe(s30ToBase64(425_000_000));
    expect(cookieDateOf(1_700_000_001)).toBe(s30ToBase64(425_000_001));
    expect(cookieDateOf(1_700_000_004)).toBe(s30ToBase64(425_000_001));
  });
});
