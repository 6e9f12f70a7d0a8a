import { describe, expect, it } from 'vitest';
import type { BalanceSpec } from '../config/model.ts';
import { HapairError } from '../errors.ts';
import { makeServers } from './balancer.case.ts';
import { BALANCE_ERROR, createBalancer } from './create-balancer.ts';
import { FirstBalancer } from './first.ts';
import { HashBalancer } from './hash-balancer.ts';
import { LeastConnBalancer } from './leastconn.ts';
import { RandomBalancer } from './random.ts';
import { RoundRobinBalancer } from './roundrobin.ts';
import { SourceBalancer } from './source.ts';
import { StaticRoundRobinBalancer } from './static-rr.ts';

function spec(algorithm: BalanceSpec['algorithm'], extra: Partial<BalanceSpec> = {}): BalanceSpec {
  return { algorithm, args: [], hashType: 'map-based', hashFunction: 'sdbm', ...extra };
}

const servers = makeServers([{ name: 'a' }, { name: 'b' }]);
const opts = { allbackups: false };

describe('createBalancer', () => {
  it.each([
    ['roundrobin', RoundRobinBalancer],
    ['static-rr', StaticRoundRobinBalancer],
    ['leastconn', LeastConnBalancer],
    ['first', FirstBalancer],
    ['source', SourceBalancer],
    ['random', RandomBalancer],
  ] as const)('builds %s', (algorithm, cls) => {
    expect(createBalancer(spec(algorithm), servers, opts)).toBeInstanceOf(cls);
  });

  it.each([
    ['uri', []],
    ['url_param', ['id']],
    ['hdr', ['host']],
  ] as const)('builds %s as a hash balancer', (algorithm, args) => {
    expect(createBalancer(spec(algorithm, { args }), servers, opts)).toBeInstanceOf(HashBalancer);
  });

  it('L7 hash balancers round-robin when the session gives no URI nor headers (mode tcp)', () => {
    for (const algorithm of ['uri', 'url_param', 'hdr'] as const) {
      const b = createBalancer(spec(algorithm, { args: ['x'] }), servers, opts);
      expect([b.pick({ src: '10.0.0.1' })!.name, b.pick({ src: '10.0.0.1' })!.name]).toEqual(['a', 'b']);
    }
  });

  it('passes the hash-type function and avalanche to the L7 balancers', () => {
    const farm = makeServers([{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }, { name: 'e' }]);
    const picks = (extra: Partial<BalanceSpec>) => {
      const b = createBalancer(spec('uri', extra), farm, opts);
      return Array.from({ length: 40 }, (_, i) => b.pick({ src: '', uri: `/item/${i}` })!.name).join();
    };
    const sdbm = picks({});
    expect(picks({ hashFunction: 'sdbm' })).toBe(sdbm);
    expect(picks({ hashFunction: 'djb2' })).not.toBe(sdbm);
    expect(picks({ hashAvalanche: true })).not.toBe(sdbm);
  });

  it.each(['rdp-cookie'] as const)('refuses %s with a coded error', (algorithm) => {
    expect(() => createBalancer(spec(algorithm), servers, opts)).toThrow(HapairError);
    try {
      createBalancer(spec(algorithm), servers, opts);
    } catch (err) {
      expect((err as HapairError).code).toBe(BALANCE_ERROR);
    }
  });

  it('refuses random with a bad draw count', () => {
    expect(() => createBalancer(spec('random', { args: ['0'] }), servers, opts)).toThrow(HapairError);
    expect(() => createBalancer(spec('random', { args: ['x'] }), servers, opts)).toThrow(HapairError);
    expect(createBalancer(spec('random', { args: ['3'] }), servers, opts)).toBeInstanceOf(RandomBalancer);
  });

  it('applies avalanche by default to hash-type consistent only (HAProxy cfgparse)', () => {
    // Without avalanche, all of 127/8 lands near one ring point (see source.test.ts); with it, spread.
    const farm = makeServers([{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }]);
    const spread = (b: ReturnType<typeof createBalancer>) => new Set(Array.from({ length: 200 }, (_, i) => b.pick({ src: `127.${i}.1.1` })!.name)).size;
    expect(spread(createBalancer(spec('source', { hashType: 'consistent' }), farm, opts))).toBe(4);
    expect(spread(createBalancer(spec('source', { hashType: 'consistent', hashAvalanche: false }), farm, opts))).toBeLessThan(3);
  });
});
