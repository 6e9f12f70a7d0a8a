import { describe, expect, it } from 'vitest';
import { alternatingOrder, median, meetsTarget, ratio } from './stats.ts';

describe('median', () => {
  it('is undefined for no values', () => expect(median([])).toBeUndefined());
  it('takes the middle of an odd count regardless of order', () => expect(median([9, 1, 5])).toBe(5));
  it('averages the two middles of an even count', () => expect(median([4, 1, 3, 2])).toBe(2.5));
  it('ignores one outlier', () => expect(median([100, 101, 5, 99, 102])).toBe(100));
  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('ratio', () => {
  it('divides candidate by baseline', () => expect(ratio(95, 100)).toBeCloseTo(0.95));
  it('is undefined when a side is missing or the baseline is zero', () => {
    expect(ratio(undefined, 100)).toBeUndefined();
    expect(ratio(100, undefined)).toBeUndefined();
    expect(ratio(100, 0)).toBeUndefined();
  });
});

describe('meetsTarget', () => {
  it('needs at least the target when higher is better', () => {
    expect(meetsTarget(0.95, 0.95, true)).toBe(true);
    expect(meetsTarget(0.94, 0.95, true)).toBe(false);
  });
  it('needs at most the target when lower is better', () => {
    expect(meetsTarget(1.1, 1.2, false)).toBe(true);
    expect(meetsTarget(1.3, 1.2, false)).toBe(false);
  });
  it('is undefined without a ratio or a target', () => {
    expect(meetsTarget(undefined, 0.95, true)).toBeUndefined();
    expect(meetsTarget(1, undefined, true)).toBeUndefined();
  });
});

describe('alternatingOrder', () => {
  it('keeps the order on even runs and reverses it on odd runs', () => {
    expect(alternatingOrder(['haproxy', 'hapair'], 0)).toEqual(['haproxy', 'hapair']);
    expect(alternatingOrder(['haproxy', 'hapair'], 1)).toEqual(['hapair', 'haproxy']);
    expect(alternatingOrder(['haproxy', 'hapair'], 2)).toEqual(['haproxy', 'hapair']);
  });
});
