import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock.ts';
import { ServerState } from '../backend/server-state.ts';
import { SRV_ST } from '../backend/server-state-types.ts';
import type { CheckResult } from './check.ts';
import type { CheckStatus } from './check-status.ts';
import { CheckScheduler } from './check-scheduler.ts';

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

interface Probe {
  state: ServerState;
  runs: number[];
  next: CheckStatus;
}

function setup(n: number, check: { inter: number; fastinter?: number; downinter?: number }, opts: { spreadChecks?: number } = {}) {
  const clock = new FakeClock();
  const sched = new CheckScheduler({ clock, ...opts, random: () => 0 });
  const probes: Probe[] = [];
  for (let i = 0; i < n; i++) {
    const state = new ServerState({ proxy: 'be', name: `s${i}`, clock, check: { rise: 2, fall: 3, ...check } });
    const p: Probe = { state, runs: [], next: 'L4OK' };
    probes.push(p);
    sched.add({
      state,
      which: 'check',
      run: async (): Promise<CheckResult> => {
        p.runs.push(clock.now());
        return { status: p.next, code: 0, info: '', durationMs: 0 };
      },
    });
  }
  return { clock, sched, probes };
}

async function at(clock: FakeClock, t: number): Promise<void> {
  clock.advance(t - clock.now());
  await flush();
}

describe('check scheduling (src/check.c start_checks, process_chk_conn)', () => {
  it('spreads first runs over the smallest interval, then runs every inter', async () => {
    const { clock, sched, probes } = setup(3, { inter: 3000 });
    sched.start();
    for (const t of [0, 1000, 2000, 3000, 4000, 5000, 6000]) await at(clock, t);
    expect(probes.map((p) => p.runs)).toEqual([
      [0, 3000, 6000],
      [1000, 4000],
      [2000, 5000],
    ]);
    await sched.stop();
  });

  it('uses fastinter while the health is moving and downinter once down', async () => {
    const { clock, sched, probes } = setup(1, { inter: 2000, fastinter: 500, downinter: 10000 });
    const p = probes[0]!;
    sched.start();
    await at(clock, 0); // health rise -> full: UP, next in inter
    await at(clock, 2000);
    p.next = 'L4CON';
    await at(clock, 4000); // first failure: moving, fastinter
    await at(clock, 4500);
    await at(clock, 5000); // third failure: DOWN, downinter
    expect(p.state.opState).toBe(SRV_ST.STOPPED);
    p.next = 'L4OK';
    await at(clock, 15000);
    await at(clock, 15500); // back up
    expect(p.runs).toEqual([0, 2000, 4000, 4500, 5000, 15000, 15500]);
    expect(p.state.opState).toBe(SRV_ST.RUNNING);
    await sched.stop();
  });

  it('does not run a check paused by maintenance or disabled, and resumes it', async () => {
    const { clock, sched, probes } = setup(1, { inter: 1000 });
    const p = probes[0]!;
    sched.start();
    await at(clock, 0);
    p.state.setAdminState('maint');
    await at(clock, 1000);
    await at(clock, 2000);
    p.state.setAdminState('ready');
    await at(clock, 3000);
    p.state.disableCheck('check');
    await at(clock, 4000); // 3000 ran with health at rise: next one is in fastinter = inter
    expect(p.runs).toEqual([0, 3000]);
    await sched.stop();
  });

  it('advances an idle check to fastinter when observe asks for it', async () => {
    const clock = new FakeClock();
    const sched = new CheckScheduler({ clock });
    const state = new ServerState({ proxy: 'be', name: 's', clock, check: { rise: 2, fall: 3, inter: 10000, fastinter: 200 }, observe: 'layer4', errorLimit: 1, onError: 'fastinter' });
    const runs: number[] = [];
    sched.add({ state, which: 'check', run: async () => (runs.push(clock.now()), { status: 'L4OK', code: 0, info: '', durationMs: 0 }) });
    sched.start();
    await at(clock, 0);
    await at(clock, 1000);
    state.observe('L4_ERR');
    await at(clock, 1200);
    await at(clock, 11200);
    expect(runs).toEqual([0, 1200, 11200]);
    await sched.stop();
  });

  it('randomizes intervals with spread-checks and stops cleanly', async () => {
    const { clock, sched, probes } = setup(1, { inter: 1000 }, { spreadChecks: 10 });
    sched.start();
    await at(clock, 0);
    await at(clock, 1100); // random() = 0 gives inter + 10%
    expect(probes[0]!.runs).toEqual([0, 1100]);
    await sched.stop();
    expect(clock.pendingTimers()).toBe(0);
  });
});
