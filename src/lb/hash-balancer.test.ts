import { describe, expect, it } from 'vitest';
import { makeServers, runBalancerContract } from './balancer.case.ts';
import type { BalanceKey, Balancer } from './balancer.ts';
import { HashBalancer, type KeyHasher } from './hash-balancer.ts';
import { hashSdbm } from './hash-functions.ts';
import { uriHasher } from './uri.ts';

const URI = uriHasher({ len: 0, depth: 0, whole: false, pathOnly: false }, hashSdbm);

/** The contract suite keys requests by source address only: give each one a URI made of it. */
function withUri(b: Balancer): Balancer {
  return {
    pick: (key, avoid) => b.pick({ ...key, uri: `/u/${key.src}` }, avoid),
    refresh: () => b.refresh(),
    onServedChange: (s) => b.onServedChange(s),
    hasCandidates: () => b.hasCandidates(),
  };
}

for (const hashType of ['map-based', 'consistent'] as const) {
  const opts = { hashType, avalanche: hashType === 'consistent', skipKeyForOneServer: true };
  runBalancerContract(`uri ${hashType}`, (servers, o) => withUri(new HashBalancer(servers, { ...o, ...opts }, URI)), {
    returnsFullServer: true,
    ignoresAvoid: hashType === 'map-based',
  });
  // Without a key every pick is round robin on the same structure, which skips full servers.
  runBalancerContract(`uri ${hashType} without key`, (servers, o) => new HashBalancer(servers, { ...o, ...opts }, URI));
}

describe('HashBalancer', () => {
  const key = (uri?: string): BalanceKey => ({ src: '10.0.0.1', uri });

  it('sends a key to the same server while the farm is unchanged, and spreads keys by weight', () => {
    const servers = makeServers([{ name: 'a', weight: 1 }, { name: 'b', weight: 3 }]);
    const b = new HashBalancer(servers, { allbackups: false, hashType: 'map-based', avalanche: true, skipKeyForOneServer: true }, URI);
    const counts = new Map<string, number>();
    for (let i = 0; i < 4000; i++) {
      const s = b.pick(key(`/item/${i}`))!;
      expect(b.pick(key(`/item/${i}`))).toBe(s);
      counts.set(s.name, (counts.get(s.name) ?? 0) + 1);
    }
    expect(counts.get('a')).toBeGreaterThan(800);
    expect(counts.get('b')).toBeGreaterThan(2600);
  });

  it('falls back to round robin when the request has no key', () => {
    const servers = makeServers([{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
    const b = new HashBalancer(servers, { allbackups: false, hashType: 'map-based', avalanche: false, skipKeyForOneServer: true }, URI);
    expect(Array.from({ length: 6 }, () => b.pick(key())!.name)).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('with one usable server, returns it without reading the key unless told to read it', () => {
    let reads = 0;
    const counting: KeyHasher = () => (reads++, -1);
    const servers = makeServers([{ name: 'a', maxconn: 1 }]);
    servers[0].served = 1;
    const skip = new HashBalancer(servers, { allbackups: false, hashType: 'map-based', avalanche: false, skipKeyForOneServer: true }, counting);
    expect(skip.pick(key('/x'))).toBe(servers[0]); // hash 0: the server, even full
    expect(reads).toBe(0);
    const read = new HashBalancer(servers, { allbackups: false, hashType: 'map-based', avalanche: false, skipKeyForOneServer: false }, counting);
    expect(read.pick(key('/x'))).toBeNull(); // no key: round robin, which skips the full server
    expect(reads).toBe(1);
  });

  it('consistent: only the keys of a server that goes down move', () => {
    const servers = makeServers([{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }]);
    const b = new HashBalancer(servers, { allbackups: false, hashType: 'consistent', avalanche: true, skipKeyForOneServer: true }, URI);
    const before = Array.from({ length: 400 }, (_, i) => b.pick(key(`/k${i}`))!.name);
    servers[1].oper = 'DOWN';
    b.refresh();
    const after = Array.from({ length: 400 }, (_, i) => b.pick(key(`/k${i}`))!.name);
    for (let i = 0; i < 400; i++) {
      if (before[i] === 'b') expect(after[i]).not.toBe('b');
      else expect(after[i]).toBe(before[i]);
    }
  });
});
