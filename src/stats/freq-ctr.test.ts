import { describe, expect, it } from 'vitest';
import { FreqCtr, swrateAdd, swrateAvg, TimeStats } from './freq-ctr.ts';

describe('FreqCtr (HAProxy freq_ctr, 1 s period)', () => {
  it('counts events of the current period and returns that count for rate_max', () => {
    const f = new FreqCtr();
    expect(f.read(10_000)).toBe(0);
    expect(f.update(10_000)).toBe(1);
    expect(f.update(10_100)).toBe(2);
    expect(f.update(10_999)).toBe(3);
    expect(f.read(10_999)).toBe(3);
  });

  it('blends the previous period in proportion to what is left of the last second', () => {
    const f = new FreqCtr();
    for (let i = 0; i < 10; i++) f.update(10_000 + i);
    // New period at 11 000: 4 events, then read 250 ms into it: 10 * 750/1000 + 4.
    for (let i = 0; i < 4; i++) f.update(11_000 + i);
    expect(f.read(11_250)).toBe(11);
    // A period later only the previous one counts, scaled; two periods later nothing.
    expect(f.read(12_500)).toBe(2);
    expect(f.read(13_100)).toBe(0);
  });

  it('keeps a single event visible for a whole period (low-rate flapping correction)', () => {
    const f = new FreqCtr();
    f.update(5_000);
    expect(f.read(5_900)).toBe(1);
    expect(f.read(6_500)).toBe(1);
  });

  it('starts over after two idle periods', () => {
    const f = new FreqCtr();
    for (let i = 0; i < 5; i++) f.update(1_000);
    expect(f.update(9_000)).toBe(1);
    expect(f.read(9_000)).toBe(1);
  });
});

describe('swrate (HAProxy sliding averages of qtime/ctime/rtime/ttime)', () => {
  it('averages exactly while fewer than 512 sessions were seen', () => {
    const t = new TimeStats();
    [10, 20, 31].forEach((v, i) => t.add(i + 1, 0, 0, 0, v));
    expect(swrateAvg(t.t, 3)).toBe(21); // ceil(61 / 3)
    expect(t.tMax).toBe(31);
  });

  it('decays old samples once the window is full', () => {
    let sum = 0;
    for (let i = 0; i < 512; i++) sum = swrateAdd(sum, 0, 100);
    expect(swrateAvg(sum, 512)).toBe(100);
    for (let i = 0; i < 2000; i++) sum = swrateAdd(sum, 512, 0);
    expect(swrateAvg(sum, 5000)).toBeLessThan(3);
  });
});
