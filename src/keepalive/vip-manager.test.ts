import { describe, expect, it } from 'vitest';
import { parseAddrJson } from './vip-manager.ts';

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
