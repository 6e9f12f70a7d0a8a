import { describe, expect, it } from 'vitest';
import { healthOf, RiseFall, type TrackerView } from './tracker.ts';

describe('RiseFall', () => {
  it('takes the first result as is, then needs `rise` successes or `fall` failures in a row', () => {
    const r = new RiseFall(2, 3);
    expect(r.ok).toBeUndefined();
    expect(r.record(true)).toBe(true);
    expect(r.record(false)).toBe(false);
    expect(r.record(false)).toBe(false);
    expect(r.record(true)).toBe(false); // the streak breaks
    expect([r.record(false), r.record(false), r.record(false)]).toEqual([false, false, true]);
    expect(r.ok).toBe(false);
    expect([r.record(true), r.record(true)]).toEqual([false, true]);
    expect(r.ok).toBe(true);
  });

  it('with rise 1 and fall 1 follows every result', () => {
    const r = new RiseFall(1, 1);
    expect([true, false, false, true].map((x) => r.record(x))).toEqual([true, true, false, true]);
  });
});

function t(kind: TrackerView['kind'], weight: number, ok: boolean | undefined, name = `${kind}${weight}`): TrackerView {
  return { name, kind, weight, ok, detail: '' };
}

describe('healthOf', () => {
  it('sums failing weights and lists failing weight-0 trackers', () => {
    expect(healthOf([t('interface', -60, false), t('proxy', -100, true), t('script', -20, false), t('interface', 0, false, 'interface eth1')])).toEqual({
      delta: -80,
      faults: ['interface eth1'],
    });
  });

  it('treats a tracker without result as failing', () => {
    expect(healthOf([t('proxy', 0, undefined, 'proxy')])).toEqual({ delta: 0, faults: ['proxy'] });
    expect(healthOf([t('proxy', -100, undefined)])).toEqual({ delta: -100, faults: [] });
  });

  it('faults on tie-breakers only when none answers', () => {
    expect(healthOf([t('tiebreaker', 0, false, 'a'), t('tiebreaker', 0, true, 'b')])).toEqual({ delta: 0, faults: [] });
    expect(healthOf([t('tiebreaker', 0, false, 'a'), t('tiebreaker', 0, undefined, 'b')])).toEqual({ delta: 0, faults: ['tiebreaker'] });
    expect(healthOf([])).toEqual({ delta: 0, faults: [] });
  });
});
