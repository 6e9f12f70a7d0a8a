import { describe, expect, it } from 'vitest';
import { clientAddress, makeServers, runBalancerContract } from './balancer.case.ts';
import { SourceBalancer } from './source.ts';

runBalancerContract('source map-based', (servers, opts) => new SourceBalancer(servers, { ...opts, hashType: 'map-based', avalanche: false }), {
  returnsFullServer: true,
  ignoresAvoid: true,
});
runBalancerContract('source consistent', (servers, opts) => new SourceBalancer(servers, { ...opts, hashType: 'consistent', avalanche: true }), {
  returnsFullServer: true,
});

/** Servers of the differential run against haproxy 2.6.12 (weights 1,2,3,1; s4 has `id 17`). */
function recordedFarm() {
  return makeServers([{ name: 's1', weight: 1 }, { name: 's2', weight: 2 }, { name: 's3', weight: 3 }, { name: 's4', weight: 1, id: 17 }]);
}

// Client address -> server, as HAProxy 2.6.12 chose with `balance source` (curl --interface).
const HAPROXY_MAP_BASED: Record<string, string> = {
  '127.11.1.38': 's3', '127.99.2.84': 's3', '127.187.3.130': 's4', '127.75.4.176': 's1', '127.163.5.222': 's3',
  '127.51.6.18': 's3', '127.139.0.64': 's1', '127.27.1.110': 's2', '127.115.2.156': 's2', '127.3.3.202': 's3',
};
const HAPROXY_CONSISTENT: Record<string, string> = {
  '127.11.1.38': 's2', '127.99.2.84': 's1', '127.187.3.130': 's4', '127.75.4.176': 's3', '127.163.5.222': 's3',
  '127.51.6.18': 's2', '127.139.0.64': 's2', '127.27.1.110': 's4', '127.115.2.156': 's4', '127.3.3.202': 's1',
};
// `hash-type consistent sdbm`: no avalanche, so all of 127/8 lands near the same ring point.
const HAPROXY_CONSISTENT_SDBM: Record<string, string> = {
  '127.11.1.38': 's2', '127.20.6.241': 's2', '127.40.5.231': 's2', '127.60.4.221': 's2', '127.80.3.211': 's2',
};

describe('source', () => {
  it.each([
    ['map-based', false, HAPROXY_MAP_BASED],
    ['consistent', true, HAPROXY_CONSISTENT],
    ['consistent sdbm (no avalanche)', false, HAPROXY_CONSISTENT_SDBM],
  ] as const)('maps clients to the same servers as HAProxy 2.6 (%s)', (label, avalanche, expected) => {
    const hashType = label.startsWith('map') ? 'map-based' : 'consistent';
    const b = new SourceBalancer(recordedFarm(), { allbackups: false, hashType, avalanche });
    for (const [ip, name] of Object.entries(expected)) expect([ip, b.pick({ src: ip })!.name]).toEqual([ip, name]);
  });

  it.each(['map-based', 'consistent'] as const)('%s: a client always lands on the same server while the farm is unchanged', (hashType) => {
    const b = new SourceBalancer(makeServers([{ name: 'a' }, { name: 'b' }, { name: 'c' }]), { allbackups: false, hashType, avalanche: true });
    for (let i = 0; i < 50; i++) {
      const src = clientAddress(i * 104729 + 3);
      const first = b.pick({ src })!;
      for (let k = 0; k < 5; k++) expect(b.pick({ src })).toBe(first);
    }
  });

  it.each(['map-based', 'consistent'] as const)('%s: spreads many clients over the farm by weight', (hashType) => {
    const servers = makeServers([{ name: 'a', weight: 1 }, { name: 'b', weight: 1 }, { name: 'c', weight: 2 }]);
    const b = new SourceBalancer(servers, { allbackups: false, hashType, avalanche: true });
    const counts = new Map<string, number>();
    for (let i = 0; i < 8000; i++) {
      const name = b.pick({ src: clientAddress(i * 2654435761) })!.name;
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    // Shares 25/25/50 %; the ring is lumpier than the map, so a wide band.
    expect(counts.get('a')).toBeGreaterThan(1400);
    expect(counts.get('b')).toBeGreaterThan(1400);
    expect(counts.get('c')).toBeGreaterThan(3000);
  });

  it('consistent: only the clients of a server that goes down move', () => {
    const servers = makeServers([{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }]);
    const b = new SourceBalancer(servers, { allbackups: false, hashType: 'consistent', avalanche: true });
    const before = Array.from({ length: 500 }, (_, i) => b.pick({ src: clientAddress(i * 7 + 1) })!.name);
    servers[2].oper = 'DOWN';
    b.refresh();
    const after = Array.from({ length: 500 }, (_, i) => b.pick({ src: clientAddress(i * 7 + 1) })!.name);
    for (let i = 0; i < 500; i++) {
      if (before[i] !== 'c') expect(after[i]).toBe(before[i]);
      else expect(after[i]).not.toBe('c');
    }
  });

  it('returns the hashed server even when it is full (the backend queues on it)', () => {
    const servers = makeServers([{ name: 'a', maxconn: 1 }, { name: 'b', maxconn: 1 }]);
    const b = new SourceBalancer(servers, { allbackups: false, hashType: 'map-based', avalanche: false });
    const s = b.pick({ src: '10.0.0.7' })!;
    s.served = 1;
    expect(b.pick({ src: '10.0.0.7' })).toBe(s);
  });

  it('map-based ignores avoid (HAProxy: "hash algorithms would bring us on the same server again")', () => {
    const servers = makeServers([{ name: 'a' }, { name: 'b' }]);
    const b = new SourceBalancer(servers, { allbackups: false, hashType: 'map-based', avalanche: false });
    const s = b.pick({ src: '10.0.0.7' })!;
    expect(b.pick({ src: '10.0.0.7' }, s)).toBe(s);
  });

  it('hashes IPv6 and IPv4-mapped clients and keeps them sticky', () => {
    const b = new SourceBalancer(makeServers([{ name: 'a' }, { name: 'b' }, { name: 'c' }]), { allbackups: false, hashType: 'map-based', avalanche: false });
    const names = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const src = `2001:db8::${i.toString(16)}:1`;
      const s = b.pick({ src })!;
      expect(b.pick({ src })).toBe(s);
      names.add(s.name);
    }
    expect(names.size).toBe(3);
    expect(b.pick({ src: '::ffff:10.0.0.1' })).not.toBeNull();
  });

  it.each(['map-based', 'consistent'] as const)('%s: falls back to round robin without an IP address', (hashType) => {
    const b = new SourceBalancer(makeServers([{ name: 'a' }, { name: 'b' }]), { allbackups: false, hashType, avalanche: true });
    const names = Array.from({ length: 40 }, () => b.pick({ src: 'unix' })!.name);
    expect(new Set(names)).toEqual(new Set(['a', 'b']));
  });
});
