import { describe, expect, it } from 'vitest';
import { buildUnsolicitedNa, NA_FRAME_LEN, naChecksumOk, naFrame } from './na-frame.ts';

describe('buildUnsolicitedNa', () => {
  it('builds an RFC 4861 NA with Override and the target link-layer address', () => {
    const na = buildUnsolicitedNa('fd00:199:59::100', 'f6:c4:98:75:35:14');
    // The bytes verified on the wire in a netns: a client's neighbour entry moved to this MAC.
    expect(na.toString('hex')).toBe('8800000020000000fd0001990059000000000000000001000201f6c498753514');
  });

  it('rejects IPv4 and malformed MACs', () => {
    expect(() => buildUnsolicitedNa('10.0.0.1', '00:00:00:00:00:01')).toThrow(TypeError);
    expect(() => buildUnsolicitedNa('fd00::1', '00:00:00:00:01')).toThrow(TypeError);
  });
});

describe('naFrame', () => {
  it('wraps the NA in IPv6 to ff02::1 (hop limit 255) and Ethernet to 33:33:00:00:00:01', () => {
    const f = naFrame('fd00:199:59::100', 'f6:c4:98:75:35:14');
    expect(f.length).toBe(NA_FRAME_LEN);
    expect(f.subarray(0, 14).toString('hex')).toBe('333300000001' + 'f6c498753514' + '86dd');
    expect(f.subarray(14, 22).toString('hex')).toBe('60000000' + '0020' + '3a' + 'ff');
    expect(f.subarray(22, 38).toString('hex')).toBe('fd000199005900000000000000000100');
    expect(f.subarray(38, 54).toString('hex')).toBe('ff020000000000000000000000000001');
    const icmp = Buffer.from(f.subarray(54));
    icmp.writeUInt16BE(0, 2);
    expect(icmp).toEqual(buildUnsolicitedNa('fd00:199:59::100', 'f6:c4:98:75:35:14'));
  });

  it('carries a valid ICMPv6 checksum, which a changed byte breaks', () => {
    for (const addr of ['fd00:199:59::100', '2001:db8::1', 'fe80::ffff:ffff:ffff:ffff']) {
      const f = naFrame(addr, '02:ff:ff:ff:ff:fe');
      expect(naChecksumOk(f)).toBe(true);
      f[60] ^= 1;
      expect(naChecksumOk(f)).toBe(false);
    }
  });
});
