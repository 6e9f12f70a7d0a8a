import { describe, expect, it } from 'vitest';
import { sourceHashKey } from './source-address.ts';

describe('sourceHashKey', () => {
  it('folds an IPv4 address into its 32-bit value', () => {
    expect(sourceHashKey('10.0.0.1')).toBe(0x0a000001);
    expect(sourceHashKey('255.255.255.255')).toBe(0xffffffff);
    expect(sourceHashKey('0.0.0.0')).toBe(0);
  });

  it('XORs the four 32-bit words of an IPv6 address', () => {
    expect(sourceHashKey('2001:db8::1')).toBe((0x20010db8 ^ 0 ^ 0 ^ 1) >>> 0);
    expect(sourceHashKey('1:2:3:4:5:6:7:8')).toBe(((0x00010002 ^ 0x00030004 ^ 0x00050006 ^ 0x00070008) >>> 0));
    expect(sourceHashKey('::1')).toBe(1);
    expect(sourceHashKey('::')).toBe(0);
    expect(sourceHashKey('fe80::1%eth0')).toBe((0xfe800000 ^ 1) >>> 0);
    expect(sourceHashKey('ABCD::')).toBe(0xabcd0000);
  });

  it('hashes an IPv4-mapped address as IPv6', () => {
    expect(sourceHashKey('::ffff:10.0.0.1')).toBe((0x0000ffff ^ 0x0a000001) >>> 0);
    expect(sourceHashKey('::ffff:10.0.0.1')).not.toBe(sourceHashKey('10.0.0.1'));
  });

  it.each(['', 'unix', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1.2.3.', '1::2::3', ':1', '1:', '12345::', '1:2:3:4:5:6:7:8:9', '::ffff:1.2.3', 'g::1', '1:2:3:4:5:6:7:8::'])(
    'rejects %j',
    (text) => {
      expect(sourceHashKey(text)).toBe(-1);
    },
  );
});
