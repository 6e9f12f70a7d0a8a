import { describe, expect, it } from 'vitest';
import { makeServers, runBalancerContract } from './balancer.case.ts';
import { FirstBalancer } from './first.ts';

runBalancerContract('first', (servers, opts) => new FirstBalancer(servers, opts));

describe('first', () => {
  it('fills the server with the lowest id up to maxconn, then the next one', () => {
    const servers = makeServers([
      { name: 'c', id: 30, maxconn: 2 },
      { name: 'a', id: 10, maxconn: 2 },
      { name: 'b', id: 20, maxconn: 2 },
    ]);
    const b = new FirstBalancer(servers, { allbackups: false });
    const order: string[] = [];
    for (let i = 0; i < 6; i++) {
      const s = b.pick({ src: '10.0.0.1' })!;
      s.served++;
      order.push(s.name);
    }
    expect(order).toEqual(['a', 'a', 'b', 'b', 'c', 'c']);
    expect(b.pick({ src: '10.0.0.1' })).toBeNull();
    servers[2].served--;
    expect(b.pick({ src: '10.0.0.1' })!.name).toBe('b');
  });

  it('ignores weights', () => {
    const servers = makeServers([{ name: 'light', weight: 1 }, { name: 'heavy', weight: 100 }]);
    const b = new FirstBalancer(servers, { allbackups: false });
    for (let i = 0; i < 20; i++) expect(b.pick({ src: '10.0.0.1' })!.name).toBe('light');
  });

  it('moves to the next id when asked to avoid the first', () => {
    const servers = makeServers([{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
    const b = new FirstBalancer(servers, { allbackups: false });
    expect(b.pick({ src: '10.0.0.1' }, servers[0])!.name).toBe('b');
  });
});
