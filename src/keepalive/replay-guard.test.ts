import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ReplayGuard, SequenceSource } from './replay-guard.ts';

const NOW = 1_700_000_000_000;

describe('ReplayGuard', () => {
  it('accepts increasing sequences and rejects duplicates and older ones', () => {
    const g = new ReplayGuard(5000);
    expect(g.check('lb2', 10n, NOW, NOW)).toBe('ok');
    expect(g.check('lb2', 11n, NOW, NOW)).toBe('ok');
    expect(g.check('lb2', 11n, NOW, NOW)).toBe('replay');
    expect(g.check('lb2', 10n, NOW, NOW)).toBe('replay');
    expect(g.check('lb2', 200n, NOW, NOW)).toBe('ok');
    expect(g.check('lb2', 100n, NOW, NOW)).toBe('replay'); // below the window
  });

  it('accepts reordered packets inside the window, once', () => {
    const g = new ReplayGuard(0);
    expect(g.check('a', 100n, 0, NOW)).toBe('ok');
    expect(g.check('a', 105n, 0, NOW)).toBe('ok');
    expect(g.check('a', 103n, 0, NOW)).toBe('ok');
    expect(g.check('a', 103n, 0, NOW)).toBe('replay');
    expect(g.check('a', 104n, 0, NOW)).toBe('ok');
    expect(g.check('a', 41n, 0, NOW)).toBe('replay'); // 64 below the top: outside the window
  });

  it('keeps one window per sender', () => {
    const g = new ReplayGuard(0);
    expect(g.check('lb2/link0', 5n, 0, NOW)).toBe('ok');
    expect(g.check('lb3/link0', 5n, 0, NOW)).toBe('ok');
    g.forget('lb2/link0');
    expect(g.check('lb2/link0', 5n, 0, NOW)).toBe('ok');
  });

  it('rejects timestamps outside the freshness window, in both directions, without recording', () => {
    const g = new ReplayGuard(5000);
    expect(g.check('a', 1n, NOW - 5001, NOW)).toBe('stale');
    expect(g.check('a', 1n, NOW + 5001, NOW)).toBe('stale');
    expect(g.check('a', 1n, NOW - 5000, NOW)).toBe('ok');
  });

  it('never accepts the same sequence twice, whatever the order (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: 300n }), { maxLength: 200 }), (seqs) => {
        const g = new ReplayGuard(0);
        const accepted = new Set<bigint>();
        let top = -1n;
        for (const s of seqs) {
          const v = g.check('x', s, 0, NOW);
          if (v === 'ok') {
            expect(accepted.has(s)).toBe(false);
            accepted.add(s);
          }
          // Anything newer than all seen so far is always accepted.
          if (s > top) expect(v).toBe('ok');
          if (s > top) top = s;
        }
      }),
    );
  });
});

describe('SequenceSource', () => {
  it('counts up from the wall clock in microseconds', () => {
    const s = new SequenceSource(NOW);
    expect(s.next()).toBe(BigInt(NOW) * 1000n);
    expect(s.next()).toBe(BigInt(NOW) * 1000n + 1n);
    expect(new SequenceSource(NOW + 1).next() > BigInt(NOW) * 1000n + 999n).toBe(true);
  });
});
