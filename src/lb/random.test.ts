import { describe, expect, it } from 'vitest';
import { makeServers, pickNames, runBalancerContract } from './balancer.case.ts';
import { RandomBalancer } from './random.ts';

/** mulberry32: a small seeded PRNG so that every run draws the same numbers. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

runBalancerContract('random', (servers, opts) => new RandomBalancer(servers, { ...opts, random: seeded(42) }));
runBalancerContract('random(1)', (servers, opts) => new RandomBalancer(servers, { ...opts, draws: 1, random: seeded(7) }));

describe('random', () => {
  it('respects weights 3:1 with a single draw', () => {
    const servers = makeServers([{ name: 'a', weight: 3 }, { name: 'b', weight: 1 }]);
    const seen = pickNames(new RandomBalancer(servers, { allbackups: false, draws: 1, random: seeded(1) }), 8000);
    expect(seen.get('a')).toBeGreaterThan(5700);
    expect(seen.get('a')).toBeLessThan(6300);
  });

  it('applies a weight change after refresh', () => {
    const servers = makeServers([{ name: 'a', weight: 1 }, { name: 'b', weight: 1 }]);
    const b = new RandomBalancer(servers, { allbackups: false, draws: 1, random: seeded(3) });
    servers[1].setWeight(9);
    b.refresh();
    const seen = pickNames(b, 5000);
    expect(seen.get('b')).toBeGreaterThan(4250);
  });

  it('with two draws, keeps the less loaded of the two (power of two choices)', () => {
    const servers = makeServers([{ name: 'busy' }, { name: 'idle' }]);
    servers[0].served = 10;
    const b = new RandomBalancer(servers, { allbackups: false, random: seeded(11) });
    // busy wins only when both draws land on it: about 1 in 4.
    const seen = pickNames(b, 4000);
    expect(seen.get('busy')).toBeGreaterThan(800);
    expect(seen.get('busy')).toBeLessThan(1200);
  });

  it('with many draws, converges to the least loaded server', () => {
    const servers = makeServers([{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
    servers[0].served = 5;
    servers[2].served = 3;
    const b = new RandomBalancer(servers, { allbackups: false, draws: 50, random: seeded(5) });
    expect([...pickNames(b, 200).keys()]).toEqual(['b']);
  });

  it('finds the only server with room even when every draw lands on full ones', () => {
    const servers = makeServers([{ name: 'big', weight: 256, maxconn: 1 }, { name: 'small', weight: 1 }]);
    servers[0].served = 1;
    const b = new RandomBalancer(servers, { allbackups: false, random: seeded(9) });
    expect([...pickNames(b, 100).keys()]).toEqual(['small']);
  });
});
