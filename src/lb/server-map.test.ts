import { describe, expect, it } from 'vitest';
import { makeServers } from './balancer.case.ts';
import { ServerMap, weightDivisor } from './server-map.ts';

describe('ServerMap', () => {
  it('interleaves servers by weight, the first declared first (lb_map.c recalc_server_map)', () => {
    const servers = makeServers([{ name: 'a' }, { name: 'b' }]);
    const map = new ServerMap();
    map.rebuild(servers, (s) => (s.name === 'a' ? 2 : 1));
    expect(map.size).toBe(3);
    expect([0, 1, 2].map((h) => map.atHash(h)!.name)).toEqual(['a', 'a', 'b']);
  });

  it('is empty without servers', () => {
    const map = new ServerMap();
    map.rebuild([], () => 1);
    expect(map.atHash(5)).toBeNull();
    expect(map.nextRoundRobin()).toBeNull();
  });

  it('divides weights by their GCD, ignoring zeros', () => {
    expect(weightDivisor([10, 20, 30])).toBe(10);
    expect(weightDivisor([0, 4, 6])).toBe(2);
    expect(weightDivisor([0, 0])).toBe(1);
    expect(weightDivisor([7, 3])).toBe(1);
  });
});
