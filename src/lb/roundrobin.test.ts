import { describe, expect, it } from 'vitest';
import { makeServers, pickNames, runBalancerContract } from './balancer.case.ts';
import { RoundRobinBalancer } from './roundrobin.ts';

runBalancerContract('roundrobin', (servers, opts) => new RoundRobinBalancer(servers, opts));

describe('roundrobin', () => {
  it('gives weights 3:1 exactly 3000/1000 of 4000 picks', () => {
    const servers = makeServers([{ name: 'a', weight: 3 }, { name: 'b', weight: 1 }]);
    const seen = pickNames(new RoundRobinBalancer(servers, { allbackups: false }), 4000);
    expect(seen.get('a')).toBe(3000);
    expect(seen.get('b')).toBe(1000);
  });

  it('interleaves smoothly instead of sending bursts', () => {
    const servers = makeServers([{ name: 'a', weight: 5 }, { name: 'b', weight: 1 }, { name: 'c', weight: 1 }]);
    const b = new RoundRobinBalancer(servers, { allbackups: false });
    const seq = Array.from({ length: 7 }, () => b.pick({ src: '10.0.0.1' })!.name).join('');
    expect(seq).toBe('aabacaa');
  });

  it('applies a weight change at once, without a refresh', () => {
    const servers = makeServers([{ name: 'a', weight: 3 }, { name: 'b', weight: 1 }]);
    const b = new RoundRobinBalancer(servers, { allbackups: false });
    pickNames(b, 4);
    servers[0].setWeight(1);
    const seen = pickNames(b, 1000);
    expect(seen.get('a')).toBe(500);
    expect(seen.get('b')).toBe(500);
  });

  it('charges a redispatch\'s avoided server its turn, as lb_fwrr.c does', () => {
    // a fails, the redispatch avoids it and takes b; the next session starts at a again (HAProxy
    // 2.6 redispatches every session of a dead first server; it took b twice before).
    const servers = makeServers([{ name: 'a', weight: 1 }, { name: 'b', weight: 1 }]);
    const b = new RoundRobinBalancer(servers, { allbackups: false });
    const seq: string[] = [];
    for (let i = 0; i < 3; i++) {
      const first = b.pick({ src: '10.0.0.1' })!;
      seq.push(first.name, b.pick({ src: '10.0.0.1' }, first)!.name);
    }
    expect(seq.join('')).toBe('ababab');
  });

  it('keeps the proportions among the others while a server is full', () => {
    const servers = makeServers([{ name: 'a', weight: 2 }, { name: 'b', weight: 1, maxconn: 1 }, { name: 'c', weight: 1 }]);
    servers[1].served = 1;
    const seen = pickNames(new RoundRobinBalancer(servers, { allbackups: false }), 300);
    expect(seen.get('a')).toBe(200);
    expect(seen.get('c')).toBe(100);
    expect(seen.has('b')).toBe(false);
  });

  it('takes a server back into the rotation after refresh when it comes up', () => {
    const servers = makeServers([{ name: 'a' }, { name: 'b' }]);
    servers[1].oper = 'DOWN';
    const b = new RoundRobinBalancer(servers, { allbackups: false });
    expect(pickNames(b, 10).get('a')).toBe(10);
    servers[1].oper = 'UP';
    b.refresh();
    const seen = pickNames(b, 100);
    expect(seen.get('a')).toBe(50);
    expect(seen.get('b')).toBe(50);
  });
});
