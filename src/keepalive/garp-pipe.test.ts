import { describe, expect, it } from 'vitest';
import { garpFrame } from './garp-pipe.ts';

describe('garpFrame', () => {
  it('builds a 60-byte broadcast ARP announcement (RFC 5227 §2.3) for the VIP', () => {
    const f = garpFrame('10.199.62.100', '5a:f3:19:d1:1b:f4');
    // The bytes verified on the wire in a netns: the peer's neighbour entry moved to this MAC.
    expect(f.toString('hex')).toBe(
      'ffffffffffff' + '5af319d11bf4' + '0806' + '0001' + '0800' + '06' + '04' + '0001' +
        '5af319d11bf4' + '0ac73e64' + '000000000000' + '0ac73e64' + '00'.repeat(18),
    );
  });

  it('rejects IPv6 addresses and malformed MACs', () => {
    expect(() => garpFrame('fd00::1', '5a:f3:19:d1:1b:f4')).toThrow(TypeError);
    expect(() => garpFrame('10.0.0.1', '5a:f3:19')).toThrow(TypeError);
  });
});
