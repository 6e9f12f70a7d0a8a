import { describe, expect, it } from 'vitest';
import { makeServers, pickNames, runBalancerContract } from './balancer.case.ts';
import { StaticRoundRobinBalancer } from './static-rr.ts';

runBalancerContract('static-rr', (servers, opts) => new StaticRoundRobinBalancer(servers, opts));

describe('static-rr', () => {
  it('gives weights 3:1 exactly 3000/1000 of 4000 picks', () => {
    const servers = makeServers([{ name: 'a', weight: 3 }, { name: 'b', weight: 1 }]);
    const seen = pickNames(new StaticRoundRobinBalancer(servers, { allbackups: false }), 4000);
    expect(seen.get('a')).toBe(3000);
    expect(seen.get('b')).toBe(1000);
  });

  it('follows HAProxy 2.6 order for weights 1,2,3,1 (recorded from haproxy 2.6.12)', () => {
    const servers = makeServers([{ name: 's1', weight: 1 }, { name: 's2', weight: 2 }, { name: 's3', weight: 3 }, { name: 's4', weight: 1, id: 17 }]);
    const b = new StaticRoundRobinBalancer(servers, { allbackups: false });
    const seq = Array.from({ length: 14 }, () => b.pick({ src: '127.0.0.1' })!.name).join(' ');
    expect(seq).toBe('s1 s2 s3 s2 s3 s3 s4 s1 s2 s3 s2 s3 s3 s4');
  });

  it('ignores runtime weight changes other than 0', () => {
    const servers = makeServers([{ name: 'a', weight: 3 }, { name: 'b', weight: 1 }]);
    const b = new StaticRoundRobinBalancer(servers, { allbackups: false });
    servers[1].setWeight(30);
    b.refresh();
    const seen = pickNames(b, 400);
    expect(seen.get('a')).toBe(300);
    expect(seen.get('b')).toBe(100);
  });

  it('never uses a server configured with weight 0, even after a weight change', () => {
    const servers = makeServers([{ name: 'a' }, { name: 'zero', weight: 0 }]);
    const b = new StaticRoundRobinBalancer(servers, { allbackups: false });
    servers[1].setWeight(5);
    b.refresh();
    expect([...pickNames(b, 100).keys()]).toEqual(['a']);
  });

  it('continues the rotation past a full server', () => {
    const servers = makeServers([{ name: 'a' }, { name: 'b', maxconn: 1 }, { name: 'c' }]);
    const b = new StaticRoundRobinBalancer(servers, { allbackups: false });
    servers[1].served = 1;
    const seq = Array.from({ length: 4 }, () => b.pick({ src: '10.0.0.1' })!.name).join('');
    expect(seq).toBe('acac');
  });
});
