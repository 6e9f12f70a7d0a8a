import { describe, expect, it } from 'vitest';
import { makeServers } from './balancer.case.ts';
import { ConsistentHashRing } from './chash-ring.ts';
import { fullHash } from './full-hash.ts';

describe('ConsistentHashRing', () => {
  it('places weight * 16 points per server', () => {
    const ring = new ConsistentHashRing();
    ring.rebuild(makeServers([{ name: 'a', weight: 2 }, { name: 'b', weight: 3 }]), (s) => s.eweight);
    expect(ring.points).toBe(80);
  });

  it('returns the owner of the closest point', () => {
    const [a] = makeServers([{ name: 'a', id: 1 }]);
    const ring = new ConsistentHashRing();
    ring.rebuild([a], () => 1);
    expect(ring.lookup(fullHash(4096))).toBe(a);
  });

  it('walks past the avoided server, or returns it when it is alone', () => {
    const servers = makeServers([{ name: 'a' }, { name: 'b' }]);
    const ring = new ConsistentHashRing();
    ring.rebuild(servers, () => 1);
    for (let h = 0; h < 50; h++) expect(ring.lookup(h * 85899345, servers[0])).toBe(servers[1]);
    ring.rebuild([servers[0]], () => 1);
    expect(ring.lookup(12345, servers[0])).toBe(servers[0]);
  });
});

describe('fullHash', () => {
  it('matches HAProxy __full_hash (values computed by the C function)', () => {
    expect(fullHash(0)).toBe(2874071335);
    expect(fullHash(1)).toBe(881230262);
    expect(fullHash(4096)).toBe(1237450891);
    expect(fullHash(0x7f000001)).toBe(2317047883);
    expect(fullHash(0xffffffff)).toBe(2120532354);
    expect(fullHash(123456789)).toBe(2578161185);
  });
});
