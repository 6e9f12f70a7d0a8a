import { describe, expect, it } from 'vitest';
import { clientGap, dualOwnership, hapairTransitions, keepalivedTransitions, masterTransitions, type Probe } from './failover-gap.ts';

function probes(spec: string, t0 = 1000, every = 10): Probe[] {
  // one char per probe: 1 = lb1 answered, 2 = lb2 answered, x = failed
  return [...spec].map((c, i) => ({ t: t0 + i * every, ok: c !== 'x', node: c === 'x' ? undefined : `lb${c}` }));
}

describe('clientGap', () => {
  it('spans the last success before the fault to the first success of the new master', () => {
    // successes at 1000..1030, fault at 1035, failures 1040..1100, lb2 from 1110
    const g = clientGap(probes('1111xxxxxxx222'), 1035, 'lb2');
    expect(g).toEqual({ gapMs: 80, takeoverMs: 75, failed: 7 });
  });

  it('finds an outage that starts after the fault (the old node still answered for a while)', () => {
    const g = clientGap(probes('11111xxxx22'), 1005, 'lb2');
    expect(g?.gapMs).toBe(50); // 1040 -> 1090
    expect(g?.takeoverMs).toBe(85);
  });

  it('is one probe interval when nothing was lost', () => {
    expect(clientGap(probes('1111122'), 1025, 'lb2')?.gapMs).toBe(10);
  });

  it('is undefined when the new master never answered', () => {
    expect(clientGap(probes('111xxxx11'), 1025, 'lb2')).toBeUndefined();
  });

  it('ignores probe order in the input', () => {
    const p = probes('11xxx2');
    expect(clientGap([...p].reverse(), 1015, 'lb2')).toEqual(clientGap(p, 1015, 'lb2'));
  });
});

describe('transitions', () => {
  it('reads hapair notify lines and keepalived console lines', () => {
    const h = hapairTransitions([
      '2026-01-01T00:00:00.000Z lb2 VI_1 BACKUP -> MASTER priority 100 (master down)',
      'unrelated',
      '2026-01-01T00:00:01.000Z lb2 VI_1 MASTER -> BACKUP priority 100 (preempted)',
    ]);
    expect(h).toHaveLength(2);
    expect(masterTransitions(h)).toBe(1);
    const k = keepalivedTransitions([
      'Mon Nov 23 22:00:00 2026: (VI_1) Entering BACKUP STATE (init)',
      'Mon Nov 23 22:00:01 2026: (VI_1) Entering MASTER STATE',
      'Mon Nov 23 22:00:01 2026: (VI_1) Received advert from 10.0.0.1',
    ]);
    expect(k).toHaveLength(2);
    expect(masterTransitions(k)).toBe(1);
  });
});

describe('dualOwnership', () => {
  it('measures the longest stretch with two owners (make-before-break handback)', () => {
    const d = dualOwnership([[1000, ['lb1']], [1100, []], [1180, ['lb2']], [5000, ['lb1', 'lb2']], [5040, ['lb1']]], 6000);
    expect(d).toEqual({ maxMs: 40, episodes: 1, unresolved: false });
  });

  it('takes the worst of several stretches, in whatever order the events come', () => {
    const d = dualOwnership([[2070, ['lb2']], [1000, ['lb1', 'lb2']], [1010, ['lb1']], [2000, ['lb1', 'lb2']]], 3000);
    expect(d).toEqual({ maxMs: 70, episodes: 2, unresolved: false });
  });

  it('runs an unresolved stretch to the end of the observation', () => {
    expect(dualOwnership([[1000, ['lb1']], [1500, ['lb1', 'lb2']]], 4000)).toEqual({ maxMs: 2500, episodes: 1, unresolved: true });
  });

  it('is zero without a second owner', () => {
    expect(dualOwnership([[1000, ['lb1']], [1100, []], [1200, ['lb2']]], 2000)).toEqual({ maxMs: 0, episodes: 0, unresolved: false });
    expect(dualOwnership([], 2000)).toEqual({ maxMs: 0, episodes: 0, unresolved: false });
  });
});
