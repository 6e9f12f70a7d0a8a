import { describe, expect, it } from 'vitest';
import { buildUnsolicitedNa, parseAddrJson } from './vip-manager.ts';

describe('buildUnsolicitedNa', () => {
  it('builds an RFC 4861 NA with Override and the target link-layer address', () => {
    const na = buildUnsolicitedNa('fd00:199:59::100', 'f6:c4:98:75:35:14');
    // The bytes verified on the wire in a netns: a client's neighbour entry moved to this MAC.
    expect(na.toString('hex')).toBe('8800000020000000fd0001990059000000000000000001000201f6c498753514');
  });

  it('rejects IPv4', () => {
    expect(() => buildUnsolicitedNa('10.0.0.1', '00:00:00:00:00:01')).toThrow(TypeError);
  });
});

describe('parseAddrJson', () => {
  it('lists addresses of `ip -j addr show`', () => {
    const json = JSON.stringify([
      { ifname: 'eth0', addr_info: [{ family: 'inet', local: '10.0.0.11' }, { family: 'inet6', local: 'FD00::100' }] },
    ]);
    expect(parseAddrJson(json)).toEqual(['10.0.0.11', 'fd00::100']);
    expect(parseAddrJson('not json')).toEqual([]);
    expect(parseAddrJson('{}')).toEqual([]);
  });
});
