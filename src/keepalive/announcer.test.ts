import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock.ts';
import { Announcer } from './announcer.ts';

function setup(garp = { repeat: 3, interval: 100, delay: 2000, refresh: 60_000, refreshRepeat: 1 }) {
  const clock = new FakeClock();
  const at: number[] = [];
  const a = new Announcer(clock, garp, () => at.push(clock.now()));
  return { clock, at, a };
}

describe('Announcer', () => {
  it('bursts at takeover, again after the delay, then refreshes', () => {
    const { clock, at, a } = setup();
    a.start();
    clock.advance(125_000);
    expect(at).toEqual([0, 100, 200, 2000, 2100, 2200, 60_000, 120_000]);
  });

  it('sends nothing after stop, and nothing before start', () => {
    const { clock, at, a } = setup();
    a.burst();
    expect(at).toEqual([]);
    a.start();
    clock.advance(150);
    a.stop();
    clock.advance(200_000);
    expect(at).toEqual([0, 100]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('an on-demand burst while active (split brain healed)', () => {
    const { clock, at, a } = setup({ repeat: 2, interval: 50, delay: 0, refresh: 0, refreshRepeat: 1 });
    a.start();
    clock.advance(1000);
    a.burst();
    clock.advance(1000);
    expect(at).toEqual([0, 50, 1000, 1050]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('skips the first round when the caller sent it', () => {
    const { clock, at, a } = setup({ repeat: 3, interval: 100, delay: 0, refresh: 0, refreshRepeat: 1 });
    a.start(true);
    clock.advance(1000);
    expect(at).toEqual([100, 200]);
  });

  it('restarting does not double the schedule', () => {
    const { clock, at, a } = setup({ repeat: 1, interval: 100, delay: 0, refresh: 1000, refreshRepeat: 1 });
    a.start();
    a.start();
    clock.advance(2500);
    expect(at).toEqual([0, 0, 1000, 2000]);
  });
});
