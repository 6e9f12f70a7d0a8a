import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatIp, ipRank, normalizeSource, parseIp } from './ip-address.ts';

describe('parseIp', () => {
  it('parses IPv4 and IPv6 literals to bytes', () => {
    expect(parseIp('10.0.0.11')).toEqual({ family: 4, bytes: Uint8Array.from([10, 0, 0, 11]), text: '10.0.0.11' });
    expect(Array.from(parseIp('fd00::1')!.bytes)).toEqual([0xfd, 0, ...new Array(13).fill(0), 1]);
    expect(parseIp('::')!.text).toBe('::');
    expect(parseIp('::ffff:10.1.2.3')!.text).toBe('::ffff:a01:203');
    expect(parseIp('FD00:0:0:0:0:0:0:100')!.text).toBe('fd00::100');
    expect(parseIp('1:0:0:2:0:0:0:3')!.text).toBe('1:0:0:2::3');
  });

  it('rejects names, zone ids and garbage', () => {
    for (const bad of ['lb1', '10.0.0', '10.0.0.256', 'fe80::1%eth0', '', '1::2::3', '10.0.0.1/24']) {
      expect(parseIp(bad)).toBeUndefined();
    }
  });

  it('round-trips any address through its canonical text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (text) => {
        const ip = parseIp(text);
        expect(ip).toBeDefined();
        expect(parseIp(ip!.text)!.bytes).toEqual(ip!.bytes);
        expect(parseIp(formatIp(ip!.bytes))!.text).toBe(ip!.text);
      }),
    );
  });
});

describe('ipRank', () => {
  it('orders addresses numerically', () => {
    expect(ipRank(parseIp('10.0.0.12')!) > ipRank(parseIp('10.0.0.11')!)).toBe(true);
    expect(ipRank(parseIp('10.0.1.1')!) > ipRank(parseIp('10.0.0.255')!)).toBe(true);
    expect(ipRank(parseIp('fd00::2')!) > ipRank(parseIp('fd00::1')!)).toBe(true);
  });
});

describe('normalizeSource', () => {
  it('strips IPv4-mapped prefixes, zones and brackets', () => {
    expect(normalizeSource('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(normalizeSource('fe80::1%eth0')).toBe('fe80::1');
    expect(normalizeSource('[FD00::1]')).toBe('fd00::1');
  });
});
