import { describe, expect, it } from 'vitest';
import { makeServers, runBalancerContract } from './balancer.case.ts';
import { LeastConnBalancer, leastconnKey } from './leastconn.ts';

runBalancerContract('leastconn', (servers, opts) => new LeastConnBalancer(servers, opts));

const KEY = { src: '10.0.0.1' };

describe('leastconn', () => {
  it('picks the server with the fewest sessions', () => {
    const servers = makeServers([{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
    servers[0].served = 3;
    servers[1].served = 1;
    servers[2].served = 2;
    const b = new LeastConnBalancer(servers, { allbackups: false });
    expect(b.pick(KEY)!.name).toBe('b');
  });

  it('counts queued sessions as load', () => {
    const servers = makeServers([{ name: 'a' }, { name: 'b' }]);
    servers[0].served = 1;
    servers[0].queued = 2;
    servers[1].served = 2;
    const b = new LeastConnBalancer(servers, { allbackups: false });
    expect(b.pick(KEY)!.name).toBe('b');
  });

  it('weighs the load: (sessions + 1) / weight', () => {
    const servers = makeServers([{ name: 'heavy', weight: 3 }, { name: 'light', weight: 1 }]);
    servers[0].served = 2; // key (3*256)/3 = 256
    servers[1].served = 1; // key (2*256)/1 = 512
    expect(leastconnKey(servers[0])).toBe(256);
    expect(leastconnKey(servers[1])).toBe(512);
    expect(new LeastConnBalancer(servers, { allbackups: false }).pick(KEY)!.name).toBe('heavy');
  });

  it('sends an idle server traffic first whatever its weight', () => {
    const servers = makeServers([{ name: 'heavy', weight: 100 }, { name: 'idle', weight: 1 }]);
    servers[0].served = 1;
    expect(new LeastConnBalancer(servers, { allbackups: false }).pick(KEY)!.name).toBe('idle');
  });

  it('rotates among servers of equal load', () => {
    const servers = makeServers([{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
    const b = new LeastConnBalancer(servers, { allbackups: false });
    const order: string[] = [];
    for (let i = 0; i < 6; i++) {
      // short sessions: each ends before the next starts
      const s = b.pick(KEY)!;
      s.served++;
      b.onServedChange(s);
      s.served--;
      b.onServedChange(s);
      order.push(s.name);
    }
    expect(order).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('spreads long sessions evenly', () => {
    const servers = makeServers([{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
    const b = new LeastConnBalancer(servers, { allbackups: false });
    for (let i = 0; i < 30; i++) {
      const s = b.pick(KEY)!;
      s.served++;
      b.onServedChange(s);
    }
    expect(servers.map((s) => s.served)).toEqual([10, 10, 10]);
  });

  it('queues on a full server below an explicit maxqueue when it is the least loaded', () => {
    const servers = makeServers([{ name: 'a', maxconn: 1, maxqueue: 2 }, { name: 'b', maxconn: 10 }]);
    servers[0].served = 1;
    servers[1].served = 5;
    const b = new LeastConnBalancer(servers, { allbackups: false });
    expect(b.pick(KEY)!.name).toBe('a');
    servers[0].queued = 2; // maxqueue reached
    expect(b.pick(KEY)!.name).toBe('b');
  });
});
