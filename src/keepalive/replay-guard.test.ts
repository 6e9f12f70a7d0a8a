import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ReplayGuard, SEQ_PER_MS, SequenceSource } from './replay-guard.ts';

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
  it('counts up from the wall clock in ms times SEQ_PER_MS', () => {
    const s = new SequenceSource(NOW);
    expect(s.next()).toBe(BigInt(NOW) * SEQ_PER_MS);
    expect(s.next()).toBe(BigInt(NOW) * SEQ_PER_MS + 1n);
    expect(s.last).toBe(BigInt(NOW) * SEQ_PER_MS + 1n);
    expect(new SequenceSource(NOW + 1).next() > s.farewell(NOW)).toBe(true);
  });

  it('farewell stays above what was sent when the clock stepped back', () => {
    const s = new SequenceSource(NOW);
    for (let i = 0; i < 5; i++) s.next();
    expect(s.farewell(NOW - 60_000)).toBe(s.last + 1n);
  });

  // Bug: the farewell carried "last + 10^6" while a restart started at its start time in µs, so a
  // `hapair keepalive` restarted within ~1 s after a SIGKILL had its first adverts dropped by the
  // peer as replays of the farewell the VIP guard had just sent.
  it('restart right after a SIGKILL is not a replay of the farewell (regression)', () => {
    const peer = new ReplayGuard(5000);
    const killed = new SequenceSource(NOW);
    for (let i = 0; i < 5; i++) expect(peer.check('lb1/0', killed.next(), NOW, NOW)).toBe('ok');
    const farewell = killed.farewell(NOW + 3); // signed by the last refresh
    for (let i = 0; i < 5; i++) expect(peer.check('lb1/0', killed.next(), NOW, NOW)).toBe('ok');
    expect(peer.check('lb1/0', farewell, NOW + 3, NOW + 10)).toBe('ok'); // sent by the guard: taken
    const restarted = new SequenceSource(NOW + 11); // 1 ms after the guard, 11 ms after the start
    expect(peer.check('lb1/0', restarted.next(), NOW + 11, NOW + 11)).toBe('ok');
    expect(peer.check('lb1/0', farewell, NOW + 3, NOW + 12)).toBe('replay'); // a late farewell is not
  });

  it('farewell is above every advert sent before the kill and below any restart (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }), // uptime at the last farewell refresh (ms)
        fc.integer({ min: 0, max: 3000 }), // adverts sent before it
        fc.integer({ min: 0, max: 3000 }), // adverts sent after it, until the kill
        fc.integer({ min: 1, max: 5000 }), // restart this many ms after the refresh
        (uptime, before, after, gap) => {
          const peer = new ReplayGuard(0);
          const killed = new SequenceSource(NOW);
          for (let i = 0; i < before; i++) killed.next();
          const farewell = killed.farewell(NOW + uptime);
          for (let i = 0; i < after; i++) killed.next();
          expect(peer.check('x', killed.last, 0, NOW)).toBe('ok');
          expect(peer.check('x', farewell, 0, NOW)).toBe('ok');
          expect(peer.check('x', new SequenceSource(NOW + uptime + gap).next(), 0, NOW)).toBe('ok');
        },
      ),
    );
  });
});
