import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FakeClock } from '../clock.ts';
import {
  Election,
  clampPriority,
  type ElectionNote,
  type ElectionOptions,
  type OutgoingAdvert,
  type PeerAdvert,
  type SwitchoverResult,
  type Transition,
} from './election.ts';
import { pair, Sim } from './election-sim.test-helper.ts';

// ---- one election, adverts scripted by the test -----------------------------------------------

const A = 100; // advert interval (ms) in these tests

function options(over: Partial<ElectionOptions> = {}): ElectionOptions {
  return {
    instance: 'VI_1',
    local: { name: 'lb1', rank: 11n },
    peers: [
      { name: 'lb2', rank: 12n },
      { name: 'lb3', rank: 13n },
    ],
    priority: 150,
    advertInt: A,
    downTimerAdverts: 3,
    preempt: true,
    preemptDelay: 0,
    startupDelay: 0,
    vipProbe: false,
    probeTimeout: 200,
    handoffTimeout: 500,
    vipRetryDelay: 1000,
    ...over,
  };
}

class Harness {
  readonly clock = new FakeClock();
  readonly sent: OutgoingAdvert[] = [];
  readonly transitions: Transition[] = [];
  readonly notes: ElectionNote[] = [];
  readonly calls: string[] = [];
  readonly probes: number[] = [];
  /** The timeout given with each probe. */
  readonly probeTimeouts: number[] = [];
  readonly e: Election;

  constructor(over: Partial<ElectionOptions> = {}) {
    this.e = new Election(options(over), this.clock, {
      send: (a) => this.sent.push(a),
      claimVips: () => this.calls.push('claim'),
      releaseVips: () => this.calls.push('release'),
      reannounce: () => this.calls.push('reannounce'),
      announcing: (on) => this.calls.push(on ? 'announcing' : 'silent'),
      probeVips: (token, timeout) => {
        this.probes.push(token);
        this.probeTimeouts.push(timeout);
      },
      transition: (t) => this.transitions.push(t),
      note: (kind) => this.notes.push(kind),
    });
  }

  get last(): OutgoingAdvert {
    return this.sent[this.sent.length - 1];
  }

  /** Start and become master through master-down expiry (no probe), VIPs claimed. */
  startAsMaster(): this {
    this.e.start();
    this.clock.advance(this.e.masterDownInterval());
    expect(this.e.state).toBe('MASTER');
    this.e.vipsClaimed(true);
    return this;
  }

  advert(node: string, over: Partial<PeerAdvert> = {}): void {
    this.e.onAdvert({
      node,
      state: 'MASTER',
      priority: 100,
      basePriority: 100,
      advertInt: A,
      vipsUp: true,
      takeoverRequest: false,
      ...over,
    });
  }

  backupHeartbeat(node: string, priority = 100, over: Partial<PeerAdvert> = {}): void {
    this.advert(node, { state: 'BACKUP', priority, basePriority: priority, vipsUp: false, ...over });
  }
}

function result(): { r?: SwitchoverResult; done: (r: SwitchoverResult) => void } {
  const box: { r?: SwitchoverResult; done: (r: SwitchoverResult) => void } = {
    done: (r) => {
      box.r = r;
    },
  };
  return box;
}

describe('election: timers (RFC 5798 §6.1)', () => {
  it('computes Skew_Time and Master_Down_Interval from the effective priority and the interval', () => {
    const h = new Harness({ priority: 100 });
    expect(h.e.skewTime()).toBe((156 * A) / 256);
    expect(h.e.masterDownInterval()).toBe(3 * A + (156 * A) / 256);
    h.e.setHealth(-60, []);
    expect(h.e.skewTime()).toBe((216 * A) / 256);
  });

  it('starts in BACKUP and takes over only after Master_Down_Interval of silence', () => {
    const h = new Harness();
    expect(h.e.state).toBe('INIT');
    h.e.start();
    expect(h.e.state).toBe('BACKUP');
    expect(h.transitions[0]).toMatchObject({ from: 'INIT', to: 'BACKUP', reason: 'startup' });
    const down = h.e.masterDownInterval();
    h.clock.advance(down - 1);
    expect(h.e.state).toBe('BACKUP');
    h.clock.advance(1);
    expect(h.e.state).toBe('MASTER');
    expect(h.calls).toEqual(['claim']);
    expect(h.transitions[1]).toMatchObject({ from: 'BACKUP', to: 'MASTER', reason: 'master-down', priority: 150 });
  });

  // The clients wait for the VIP add and its GARP; the transition's bookkeeping (log line, notify
  // hooks, farewell re-signing) and the MASTER advert come after it (keepalived's order too).
  it('asks for the VIP claim first on every takeover path, while already MASTER, then reports and advertises', () => {
    const order = (drive: (e: Election, clock: FakeClock) => void): string[] => {
      const log: string[] = [];
      const clock = new FakeClock();
      const e: Election = new Election(options({ priority: 100 }), clock, {
        send: (a) => log.push(`send ${a.state}`),
        claimVips: () => log.push(`claim in ${e.state}`),
        releaseVips: () => log.push('release'),
        reannounce: () => {},
        announcing: () => {},
        probeVips: () => {},
        transition: (t) => log.push(`transition ${t.to}`),
        note: () => {},
      });
      e.start();
      log.length = 0;
      drive(e, clock);
      return log.filter((l) => l !== 'send BACKUP'); // the backup's own heartbeats
    };
    const expected = ['claim in MASTER', 'transition MASTER', 'send MASTER'];
    const master = (over: Partial<PeerAdvert> = {}): PeerAdvert => ({
      node: 'lb2', state: 'MASTER', priority: 150, basePriority: 150, advertInt: A, vipsUp: true, takeoverRequest: false, ...over,
    });
    expect(order((e, clock) => clock.advance(e.masterDownInterval()))).toEqual(expected);
    expect(order((e) => e.onAdvert(master({ priority: 50, basePriority: 50 })))).toEqual(expected); // preempt
    expect(order((e) => e.onAdvert(master({ handoffTo: 'lb1' })))).toEqual(expected);
    expect(order((e) => (e.onAdvert(master()), e.onAdvert(master({ state: 'STOP', priority: 0 }))))).toEqual(expected);
  });

  it('holds the first takeover for the startup delay on top of Master_Down_Interval', () => {
    const h = new Harness({ startupDelay: 1000 });
    h.e.start();
    h.clock.advance(h.e.masterDownInterval() + 999);
    expect(h.e.state).toBe('BACKUP');
    h.clock.advance(1);
    expect(h.e.state).toBe('MASTER');
  });

  it('heartbeats every interval in BACKUP, MASTER and FAULT with the current state', () => {
    const h = new Harness();
    h.e.start();
    h.clock.advance(A * 2);
    expect(h.sent.map((s) => s.state)).toEqual(['BACKUP', 'BACKUP']);
    h.clock.advance(h.e.masterDownInterval());
    h.e.vipsClaimed(true);
    const n = h.sent.length;
    h.clock.advance(A * 3);
    expect(h.sent.slice(n).map((s) => [s.state, s.vipsUp])).toEqual([
      ['MASTER', true],
      ['MASTER', true],
      ['MASTER', true],
    ]);
    h.e.setHealth(0, ['eth0']);
    const m = h.sent.length;
    h.clock.advance(A * 2);
    expect(h.sent.slice(m).map((s) => s.state)).toEqual(['FAULT', 'FAULT']);
  });

  it('never takes over while a master with equal or higher priority keeps advertising', () => {
    const h = new Harness({ priority: 100 });
    h.e.start();
    for (let i = 0; i < 50; i++) {
      h.clock.advance(A);
      h.advert('lb2', { priority: i % 2 === 0 ? 100 : 200 });
    }
    expect(h.e.state).toBe('BACKUP');
    expect(h.e.master).toBe('lb2');
    h.clock.advance(h.e.masterDownInterval());
    expect(h.e.state).toBe('MASTER');
  });

  it("learns the master's advert interval (Master_Adver_Interval) for its down timer", () => {
    const h = new Harness({ priority: 100 });
    h.e.start();
    h.advert('lb2', { priority: 200, advertInt: 1000 });
    h.clock.advance(3000);
    expect(h.e.state).toBe('BACKUP');
    h.clock.advance(1000);
    expect(h.e.state).toBe('MASTER');
  });

  it('ignores BACKUP heartbeats for the down timer: only a master resets it', () => {
    const h = new Harness({ priority: 100 });
    h.e.start();
    const down = h.e.masterDownInterval();
    for (let t = 0; t + A < down; t += A) {
      h.clock.advance(A);
      h.backupHeartbeat('lb2', 200);
    }
    h.clock.advance(A);
    expect(h.e.state).toBe('MASTER');
  });
});

describe('election: VIP probe before a timed takeover', () => {
  // Harness: A = 100 ms, priority 150: Master_Down_Interval = 300 + 106 × 100 / 256 ≈ 341.4 ms.
  // The probe may start after 1.5 adverts of silence (150 ms) and must answer 10 ms before expiry:
  // 181 ms of budget (under the 200 ms cap), so it starts at ≈ 150.4 ms.
  it('probes ahead of the master-down expiry, so a free VIP is taken at expiry, not later', () => {
    const h = new Harness({ vipProbe: true, probeTimeout: 200 });
    h.e.start();
    h.clock.advance(150);
    expect(h.probes).toEqual([]); // a live master would still have sent an advert by now
    h.clock.advance(1);
    expect(h.probes).toEqual([1]);
    expect(h.probeTimeouts).toEqual([181]);
    h.clock.advance(181);
    h.e.probeResult(1, false); // nobody answered within the probe's timeout
    expect(h.e.state).toBe('BACKUP'); // not before Master_Down_Interval
    h.clock.advance(h.e.masterDownInterval() - h.clock.now());
    expect(h.e.state).toBe('MASTER');
    expect(h.transitions.at(-1)?.reason).toBe('master-down');
  });

  it('takes over one event-loop turn after expiry when the probe got no answer by its deadline (no wait for the tool to exit)', () => {
    const h = new Harness({ vipProbe: true });
    h.e.start();
    h.clock.advance(h.e.masterDownInterval() - 1);
    expect(h.probes).toEqual([1]); // still running: its tool is killed and reaped later
    expect(h.e.state).toBe('BACKUP');
    h.clock.advance(1);
    expect(h.e.state).toBe('BACKUP'); // a verdict read in this same turn would still count
    h.clock.advance(1);
    expect(h.e.state).toBe('MASTER');
    h.e.probeResult(1, true); // a late report changes nothing
    expect(h.e.state).toBe('MASTER');
  });

  // Bug: the owner's ARP reply was in arping's pipe when the master-down timer fired in the same
  // event-loop turn (the loop held up by a tracker's process start): the backup took the VIP while
  // lb1 held it (lab split-brain test on a loaded host).
  it('an "in use" answer read right after the expiry, in the same turn, still vetoes', () => {
    const h = new Harness({ vipProbe: true });
    h.e.start();
    h.clock.advance(h.e.masterDownInterval());
    expect(h.e.state).toBe('BACKUP');
    h.e.probeResult(1, true);
    h.clock.advance(1);
    expect(h.e.state).toBe('BACKUP');
    expect(h.e.counters.takeoverVetoed).toBe(1);
  });

  it('a "free" answer read right after the expiry takes over at once', () => {
    const h = new Harness({ vipProbe: true });
    h.e.start();
    h.clock.advance(h.e.masterDownInterval());
    h.e.probeResult(1, false);
    expect(h.e.state).toBe('MASTER');
  });

  it('stays BACKUP and re-arms when the VIPs still answer (heartbeat path cut)', () => {
    const h = new Harness({ vipProbe: true });
    h.e.start();
    h.advert('lb2', { priority: 200 });
    h.clock.advance(h.e.masterDownInterval() - 50);
    expect(h.probes).toEqual([1]);
    h.e.probeResult(1, true);
    expect(h.e.state).toBe('BACKUP');
    expect(h.e.counters.takeoverVetoed).toBe(1);
    expect(h.notes).toContain('takeover-vetoed');
    // The veto starts a new watch: no takeover at the old expiry.
    h.clock.advance(60);
    expect(h.e.state).toBe('BACKUP');
    h.clock.advance(h.e.masterDownInterval());
    expect(h.probes).toEqual([1, 2]);
    h.e.probeResult(2, false);
    expect(h.e.state).toBe('MASTER');
  });

  it('scales the probe with the advert interval: capped by vip-probe timeout, at least 50 ms', () => {
    const budget = (advertInt: number, probeTimeout = 300): number => {
      const h = new Harness({ vipProbe: true, advertInt, priority: 100, probeTimeout });
      h.e.start();
      h.clock.advance(h.e.masterDownInterval());
      return h.probeTimeouts[0];
    };
    // 200 ms adverts, priority 100: MDI = 600 + 121.9; 721.9 - 300 - 10 ≥ 300: the cap.
    expect(budget(200)).toBe(300);
    expect(budget(200, 120)).toBe(120);
    // 50 ms adverts: MDI = 150 + 30.5 = 180.5; 180.5 - 75 - 10 = 95.5 → 95 ms.
    expect(budget(50)).toBe(95);
    // 10 ms adverts: MDI = 36.1; the floor wins (a free VIP is taken ~14 ms after the interval).
    expect(budget(10)).toBe(50);
  });

  it('a master advert cancels the probe and its verdict; stale answers are ignored', () => {
    const h = new Harness({ vipProbe: true });
    h.e.start();
    h.clock.advance(200); // probe 1 running
    h.advert('lb2', { priority: 200 });
    h.e.probeResult(1, true); // stale: no veto counted
    h.e.probeResult(99, false);
    expect(h.e.counters.takeoverVetoed).toBe(0);
    // A "free" verdict taken before the master's advert does not outlive it.
    h.clock.advance(200);
    expect(h.probes).toEqual([1, 2]);
    h.e.probeResult(2, false);
    h.advert('lb2', { priority: 200 });
    h.clock.advance(h.e.masterDownInterval() - 100);
    expect(h.probes).toEqual([1, 2, 3]);
    h.e.probeResult(2, false);
    h.e.probeResult(3, true); // this one counts: the VIP answers, the backup stays
    expect(h.e.counters.takeoverVetoed).toBe(1);
    h.clock.advance(200);
    expect(h.e.state).toBe('BACKUP');
  });
});

describe('election: preemption (RFC 5798 §6.4.2)', () => {
  it('a preempting backup takes over at once from a lower-priority master', () => {
    const h = new Harness();
    h.e.start();
    h.advert('lb2', { priority: 100 });
    expect(h.e.state).toBe('MASTER');
    expect(h.transitions[1].reason).toBe('preempt');
  });

  it('nopreempt keeps the current master', () => {
    const h = new Harness({ preempt: false });
    h.e.start();
    for (let i = 0; i < 100; i++) {
      h.advert('lb2', { priority: 100 });
      h.clock.advance(A);
    }
    expect(h.e.state).toBe('BACKUP');
  });

  it('equal priority never preempts', () => {
    const h = new Harness({ priority: 100 });
    h.e.start();
    h.advert('lb2', { priority: 100 });
    expect(h.e.state).toBe('BACKUP');
  });

  it('honours preempt-delay from the first sighting of a lower-priority master', () => {
    const h = new Harness({ preemptDelay: 2000 });
    h.e.start();
    for (let t = 0; t < 2000; t += A) {
      h.advert('lb2', { priority: 100 });
      expect(h.e.state).toBe('BACKUP');
      h.clock.advance(A);
    }
    h.advert('lb2', { priority: 100 });
    expect(h.e.state).toBe('MASTER');
  });

  it('restarts the preempt delay after a master that outranks it was seen', () => {
    const h = new Harness({ preemptDelay: 1000 });
    h.e.start();
    h.advert('lb2', { priority: 100 });
    h.clock.advance(900);
    h.advert('lb2', { priority: 200 });
    h.clock.advance(200);
    h.advert('lb2', { priority: 100 });
    expect(h.e.state).toBe('BACKUP');
    h.clock.advance(1000);
    h.advert('lb2', { priority: 100 });
    expect(h.e.state).toBe('MASTER');
  });

  it('compares with the effective priority: a degraded backup does not preempt', () => {
    const h = new Harness();
    h.e.start();
    h.e.setHealth(-100, []);
    h.advert('lb2', { priority: 100 });
    expect(h.e.state).toBe('BACKUP');
    h.e.setHealth(0, []);
    h.advert('lb2', { priority: 100 });
    expect(h.e.state).toBe('MASTER');
  });
});

describe('election: master stepping down (priority 0)', () => {
  it('the best live backup takes over at once on priority 0', () => {
    const h = new Harness({ priority: 100 });
    h.e.start();
    h.advert('lb2', { priority: 200 });
    h.advert('lb2', { priority: 0, state: 'STOP' });
    expect(h.e.state).toBe('MASTER');
    expect(h.transitions[1].reason).toBe('master-stepped-down');
  });

  it('a backup outranked by another live backup waits Skew_Time instead', () => {
    const h = new Harness({ priority: 100 });
    h.e.start();
    h.advert('lb2', { priority: 200 });
    h.backupHeartbeat('lb3', 120);
    h.advert('lb2', { priority: 0, state: 'STOP' });
    expect(h.e.state).toBe('BACKUP');
    h.clock.advance(h.e.skewTime());
    expect(h.e.state).toBe('MASTER');
  });

  it('a non-MASTER heartbeat from the current master counts as stepping down', () => {
    const h = new Harness({ priority: 100 });
    h.e.start();
    h.advert('lb2', { priority: 200 });
    h.advert('lb2', { state: 'FAULT', priority: 200 });
    expect(h.e.state).toBe('MASTER');
  });

  it('ignores priority 0 from a node that is not the current master', () => {
    const h = new Harness({ priority: 100 });
    h.e.start();
    h.advert('lb2', { priority: 200 });
    h.advert('lb3', { priority: 0, state: 'STOP' });
    expect(h.e.state).toBe('BACKUP');
    expect(h.e.master).toBe('lb2');
  });
});

describe('election: dual master resolution', () => {
  it('yields to a higher-priority master: releases VIPs and sends priority 0', () => {
    const h = new Harness().startAsMaster();
    h.advert('lb2', { priority: 200 });
    expect(h.e.state).toBe('BACKUP');
    expect(h.calls).toEqual(['claim', 'release']);
    expect(h.last).toMatchObject({ state: 'BACKUP', priority: 0 });
    expect(h.e.master).toBe('lb2');
  });

  it('on equal priority the higher address wins', () => {
    const lower = new Harness({ priority: 100 }).startAsMaster(); // rank 11
    lower.advert('lb2', { priority: 100 }); // rank 12
    expect(lower.e.state).toBe('BACKUP');
    const higher = new Harness({ priority: 100, local: { name: 'lb1', rank: 20n } }).startAsMaster();
    higher.advert('lb2', { priority: 100 });
    expect(higher.e.state).toBe('MASTER');
  });

  it('the winner advertises at once, and re-announces when the loser steps down', () => {
    const h = new Harness().startAsMaster();
    const n = h.sent.length;
    h.advert('lb2', { priority: 100 });
    expect(h.e.state).toBe('MASTER');
    expect(h.sent.length).toBe(n + 1);
    expect(h.notes).toContain('dual-master');
    expect(h.e.counters.dualMaster).toBe(1);
    h.advert('lb2', { priority: 100 }); // still the same split brain: counted once
    expect(h.e.counters.dualMaster).toBe(1);
    h.backupHeartbeat('lb2', 100);
    expect(h.calls).toEqual(['claim', 'reannounce']);
  });

  it('a master answers priority 0 with an advert and a re-announcement', () => {
    const h = new Harness().startAsMaster();
    const n = h.sent.length;
    h.advert('lb2', { state: 'BACKUP', priority: 0 });
    expect(h.sent.length).toBe(n + 1);
    expect(h.calls).toEqual(['claim', 'reannounce']);
  });
});

describe('election: trackers (priority and FAULT)', () => {
  it('clamps the effective priority to 1..254 and advertises base and effective', () => {
    const h = new Harness().startAsMaster();
    h.e.setHealth(-500, []);
    expect(h.e.effectivePriority).toBe(1);
    expect(h.last).toMatchObject({ priority: 1, basePriority: 150 });
    h.e.setHealth(500, []);
    expect(h.e.effectivePriority).toBe(254);
    expect(clampPriority(0)).toBe(1);
    expect(clampPriority(255)).toBe(254);
  });

  it('a fault in BACKUP goes to FAULT and never takes over; clearing it goes back to BACKUP', () => {
    const h = new Harness();
    h.e.start();
    h.e.setHealth(0, ['tiebreaker']);
    expect(h.e.state).toBe('FAULT');
    h.clock.advance(10_000);
    expect(h.e.state).toBe('FAULT');
    h.advert('lb2', { priority: 200, handoffTo: 'lb1' });
    expect(h.e.state).toBe('FAULT');
    h.e.setHealth(0, []);
    expect(h.e.state).toBe('BACKUP');
    expect(h.transitions.at(-1)).toMatchObject({ from: 'FAULT', to: 'BACKUP', reason: 'fault cleared' });
    h.clock.advance(h.e.masterDownInterval());
    expect(h.e.state).toBe('MASTER');
  });

  it('a fault while master releases the VIPs and sends priority 0', () => {
    const h = new Harness().startAsMaster();
    h.e.setHealth(0, ['eth0']);
    expect(h.e.state).toBe('FAULT');
    expect(h.calls).toEqual(['claim', 'release']);
    expect(h.last).toMatchObject({ state: 'FAULT', priority: 0 });
    expect(h.transitions.at(-1)?.reason).toBe('fault: eth0');
  });

  it('starting with a fault goes straight to FAULT', () => {
    const h = new Harness();
    h.e.setHealth(0, ['proxy']);
    h.e.start();
    expect(h.e.state).toBe('FAULT');
  });

  it('a failed VIP add is a FAULT held for vipRetryDelay, then BACKUP again', () => {
    const h = new Harness();
    h.e.start();
    h.clock.advance(h.e.masterDownInterval());
    h.e.vipsClaimed(false);
    expect(h.e.state).toBe('FAULT');
    expect(h.e.faults).toEqual(['vip-add-failed']);
    expect(h.calls).toEqual(['claim', 'release']);
    h.clock.advance(999);
    expect(h.e.state).toBe('FAULT');
    h.clock.advance(1);
    expect(h.e.state).toBe('BACKUP');
  });

  it('a degraded master hands off to a healthier backup even if that backup is nopreempt', () => {
    const h = new Harness().startAsMaster();
    h.backupHeartbeat('lb2', 100);
    h.e.setHealth(-100, []); // 50 < 100
    expect(h.last).toMatchObject({ state: 'MASTER', handoffTo: 'lb2' });
    expect(h.e.state).toBe('MASTER'); // make-before-break: until lb2 holds the VIPs
    h.advert('lb2', { priority: 100, vipsUp: false });
    expect(h.e.state).toBe('MASTER');
    h.advert('lb2', { priority: 100, vipsUp: true });
    expect(h.e.state).toBe('BACKUP');
    // Silent from the handoff on (no GARP pulling caches back), released once lb2 holds the VIPs.
    expect(h.calls).toEqual(['claim', 'silent', 'release']);
    expect(h.transitions.at(-1)?.reason).toBe('degraded, handed off to lb2');
  });

  it('a master lowered by `set priority` is not degraded: it waits for the backup to preempt', () => {
    const h = new Harness().startAsMaster();
    h.backupHeartbeat('lb2', 100);
    h.e.setPriority(50);
    expect(h.last.handoffTo).toBeUndefined();
    expect(h.e.basePriority).toBe(50);
    expect(h.last.priority).toBe(50);
  });

  it('a degraded master does not yield to a backup that is worse off', () => {
    const h = new Harness().startAsMaster();
    h.backupHeartbeat('lb2', 40);
    h.e.setHealth(-100, []);
    expect(h.last.handoffTo).toBeUndefined();
    h.backupHeartbeat('lb2', 60); // the backup recovered: now it is better
    expect(h.last.handoffTo).toBe('lb2');
  });
});

describe('election: switchover', () => {
  it('hands off to the best live backup and reports success', () => {
    const h = new Harness().startAsMaster();
    h.backupHeartbeat('lb2', 100);
    h.backupHeartbeat('lb3', 120);
    const box = result();
    h.e.switchover(undefined, box.done);
    expect(h.last.handoffTo).toBe('lb3');
    h.advert('lb3', { priority: 120, vipsUp: true });
    expect(h.e.state).toBe('BACKUP');
    expect(box.r).toEqual({ ok: true, message: 'handed off to lb3' });
  });

  it('hands off to a named node', () => {
    const h = new Harness().startAsMaster();
    h.backupHeartbeat('lb2', 100);
    h.backupHeartbeat('lb3', 120);
    const box = result();
    h.e.switchover('lb2', box.done);
    expect(h.last.handoffTo).toBe('lb2');
  });

  it('refuses unknown, dead or non-backup targets and a master without live backup', () => {
    const h = new Harness().startAsMaster();
    const a = result();
    h.e.switchover(undefined, a.done);
    expect(a.r?.ok).toBe(false);
    const b = result();
    h.e.switchover('nope', b.done);
    expect(b.r).toEqual({ ok: false, message: "unknown node 'nope'" });
    h.backupHeartbeat('lb2', 100, { state: 'FAULT' });
    const c = result();
    h.e.switchover('lb2', c.done);
    expect(c.r?.ok).toBe(false);
    h.backupHeartbeat('lb3', 100);
    h.clock.advance(5 * A);
    const d = result();
    h.e.switchover('lb3', d.done);
    expect(d.r).toEqual({ ok: false, message: "node 'lb3' is not a live backup" });
  });

  it('aborts after handoffTimeout and stays master', () => {
    const h = new Harness({ handoffTimeout: 500 }).startAsMaster();
    h.backupHeartbeat('lb2', 100);
    const box = result();
    h.e.switchover('lb2', box.done);
    h.clock.advance(500);
    expect(box.r).toEqual({ ok: false, message: "node 'lb2' did not take over in time" });
    expect(h.e.state).toBe('MASTER');
    expect(h.calls).toEqual(['claim', 'silent', 'announcing']); // announcing again, VIPs kept
    expect(h.last.handoffTo).toBeUndefined();
    expect(h.e.counters.handoffsAborted).toBe(1);
  });

  it('the target takes over at once, whatever its priority and preempt mode', () => {
    const h = new Harness({ priority: 50, preempt: false });
    h.e.start();
    h.advert('lb2', { priority: 200, handoffTo: 'lb1' });
    expect(h.e.state).toBe('MASTER');
    expect(h.transitions.at(-1)?.reason).toBe('handoff');
    // The old master's adverts (still naming us) do not make us yield.
    h.e.vipsClaimed(true);
    h.advert('lb2', { priority: 200, handoffTo: 'lb1' });
    expect(h.e.state).toBe('MASTER');
  });

  it('after a switchover the old master does not preempt back', () => {
    const h = new Harness().startAsMaster();
    h.backupHeartbeat('lb2', 100);
    h.e.switchover('lb2', () => {});
    h.advert('lb2', { priority: 100, vipsUp: true });
    expect(h.e.state).toBe('BACKUP');
    for (let i = 0; i < 20; i++) {
      h.clock.advance(A);
      h.advert('lb2', { priority: 100 });
    }
    expect(h.e.state).toBe('BACKUP');
  });

  it('a backup asks the master to hand off to it', () => {
    const h = new Harness({ priority: 100 });
    h.e.start();
    h.advert('lb2', { priority: 200 });
    const box = result();
    h.e.switchover(undefined, box.done);
    expect(h.last).toMatchObject({ state: 'BACKUP', takeoverRequest: true });
    h.advert('lb2', { priority: 200, handoffTo: 'lb1' });
    expect(h.e.state).toBe('MASTER');
    expect(box.r).toEqual({ ok: true, message: 'took over' });
  });

  it("a master honours a backup's takeover request", () => {
    const h = new Harness().startAsMaster();
    h.backupHeartbeat('lb2', 100, { takeoverRequest: true });
    expect(h.last.handoffTo).toBe('lb2');
  });

  it("a backup's takeover request expires", () => {
    const h = new Harness({ priority: 100, handoffTimeout: 300 });
    h.e.start();
    const box = result();
    h.e.switchover(undefined, box.done);
    expect(box.r).toEqual({ ok: false, message: 'no master known' });
    h.advert('lb2', { priority: 200 });
    const box2 = result();
    h.e.switchover(undefined, box2.done);
    for (let i = 0; i < 5; i++) {
      h.clock.advance(A);
      h.advert('lb2', { priority: 200 });
    }
    expect(box2.r?.ok).toBe(false);
    expect(h.last.takeoverRequest).toBe(false);
  });

  it('refuses a switchover from FAULT, and a backup naming another node', () => {
    const h = new Harness({ priority: 100 });
    h.e.start();
    h.advert('lb2', { priority: 200 });
    const a = result();
    h.e.switchover('lb3', a.done);
    expect(a.r?.ok).toBe(false);
    h.e.setHealth(0, ['x']);
    const b = result();
    h.e.switchover(undefined, b.done);
    expect(b.r).toEqual({ ok: false, message: 'instance is FAULT' });
  });
});

describe('election: stop', () => {
  it('a backup stops at once and says so without priority 0', () => {
    const h = new Harness();
    h.e.start();
    let stopped = false;
    h.e.stop(() => (stopped = true));
    expect(stopped).toBe(true);
    expect(h.e.state).toBe('STOP');
    expect(h.last).toMatchObject({ state: 'STOP', priority: 150 });
    const n = h.sent.length;
    h.clock.advance(10 * A);
    expect(h.sent.length).toBe(n);
    expect(h.clock.pendingTimers()).toBe(0);
  });

  it('a master without live backup releases and sends priority 0', () => {
    const h = new Harness().startAsMaster();
    h.e.stop();
    expect(h.e.state).toBe('STOP');
    expect(h.calls).toEqual(['claim', 'release']);
    expect(h.last).toMatchObject({ state: 'STOP', priority: 0 });
  });

  it('a master hands off first, then releases and sends priority 0', () => {
    const h = new Harness().startAsMaster();
    h.backupHeartbeat('lb2', 100);
    let stopped = false;
    h.e.stop(() => (stopped = true));
    expect(stopped).toBe(false);
    expect(h.last.handoffTo).toBe('lb2');
    expect(h.calls).toEqual(['claim', 'silent']);
    h.advert('lb2', { priority: 100, vipsUp: true });
    expect(stopped).toBe(true);
    expect(h.calls).toEqual(['claim', 'silent', 'release']);
    expect(h.last).toMatchObject({ state: 'STOP', priority: 0 });
  });

  it('stops anyway when the handoff target does not take over', () => {
    const h = new Harness({ handoffTimeout: 300 }).startAsMaster();
    h.backupHeartbeat('lb2', 100);
    let stopped = false;
    h.e.stop(() => (stopped = true));
    h.clock.advance(300);
    expect(stopped).toBe(true);
    expect(h.e.state).toBe('STOP');
  });

  it('a pending switchover is cancelled by stop', () => {
    const h = new Harness().startAsMaster();
    h.backupHeartbeat('lb2', 100);
    const box = result();
    h.e.switchover('lb2', box.done);
    h.e.stop();
    expect(box.r).toEqual({ ok: false, message: 'instance stopping' });
  });

  it('stop before start, and stop twice', () => {
    const h = new Harness();
    let n = 0;
    h.e.stop(() => n++);
    h.e.stop(() => n++);
    expect(n).toBe(2);
    expect(h.sent).toEqual([]);
    h.e.start();
    expect(h.e.state).toBe('STOP');
  });

  it('ignores adverts from unknown nodes and in INIT/STOP', () => {
    const h = new Harness();
    h.advert('lb2', { priority: 0 });
    expect(h.e.state).toBe('INIT');
    h.e.start();
    h.advert('lbX', { priority: 200 });
    expect(h.e.master).toBeUndefined();
    expect(h.e.peers().map((p) => p.name)).toEqual(['lb2', 'lb3']);
  });
});

describe('election: peers view', () => {
  it('reports what each peer last advertised and whether it is alive', () => {
    const h = new Harness();
    h.e.start();
    h.backupHeartbeat('lb2', 90);
    expect(h.e.peers()[0]).toMatchObject({ name: 'lb2', state: 'BACKUP', priority: 90, alive: true });
    expect(h.e.peers()[1]).toMatchObject({ name: 'lb3', state: 'INIT', alive: false });
    h.clock.advance(4 * A + 1);
    expect(h.e.peers()[0].alive).toBe(false);
  });
});

// ---- whole pairs on a simulated LAN -------------------------------------------------------------

function exactlyOneMaster(sim: Sim): string {
  const m = sim.masters();
  expect(m).toHaveLength(1);
  expect([...sim.owners]).toEqual(m);
  return m[0];
}

describe('election pair: scenarios', () => {
  it('two nodes started together elect the higher priority, once', () => {
    const sim = pair();
    sim.node('lb2').start();
    sim.node('lb1').start();
    sim.run(2000);
    expect(exactlyOneMaster(sim)).toBe('lb1');
    expect(sim.node('lb2').transitions.map((t) => t.to)).toEqual(['BACKUP']);
  });

  it('a killed master: the guard drops its VIP and the backup takes over, never two owners', () => {
    const sim = pair();
    sim.nodes.forEach((n) => n.start());
    sim.run(2000);
    sim.node('lb1').kill(true);
    sim.run(2000, () => expect(sim.owners.size).toBeLessThanOrEqual(1));
    expect(sim.owners).toEqual(new Set(['lb2']));
  });

  it('a killed master without guard: the probe sees its VIP and the backup waits', () => {
    const sim = pair();
    sim.nodes.forEach((n) => n.start());
    sim.run(2000);
    sim.node('lb1').kill(false);
    sim.run(3000);
    expect(sim.node('lb2').election.state).toBe('BACKUP');
    expect(sim.node('lb2').election.counters.takeoverVetoed).toBeGreaterThan(0);
  });

  it('heartbeats cut while the LAN works: still exactly one master', () => {
    const sim = pair();
    sim.nodes.forEach((n) => n.start());
    sim.run(2000);
    sim.cutHeartbeats('lb1', 'lb2');
    sim.run(10_000, () => expect(sim.masters()).toEqual(['lb1']));
    sim.healHeartbeats();
    sim.run(2000);
    expect(exactlyOneMaster(sim)).toBe('lb1');
  });

  it('node loss: the isolated master keeps its VIP, the backup takes over, heal resolves to one', () => {
    const sim = pair();
    sim.nodes.forEach((n) => n.start());
    sim.run(2000);
    sim.node('lb1').lanUp = false;
    sim.run(2000);
    expect(sim.node('lb2').election.state).toBe('MASTER');
    sim.node('lb1').lanUp = true;
    sim.run(2000);
    expect(exactlyOneMaster(sim)).toBe('lb1');
    expect(sim.node('lb1').reannounces).toBeGreaterThan(0);
  });

  it('restart of the old master honours preempt-delay, then preempts make-before-break, one short overlap', () => {
    const sim = pair({ preemptDelay: 3000 });
    sim.nodes.forEach((n) => n.start());
    sim.run(2000);
    sim.node('lb1').election.stop();
    sim.run(500);
    expect(exactlyOneMaster(sim)).toBe('lb2');
    sim.node('lb1').start();
    sim.run(2500);
    expect(exactlyOneMaster(sim)).toBe('lb2');
    let overlap = 0;
    let gaps = 0;
    sim.run(3000, () => {
      overlap += sim.owners.size > 1 ? 1 : 0;
      gaps += sim.owners.size === 0 ? 1 : 0;
    }, 1);
    expect(exactlyOneMaster(sim)).toBe('lb1');
    expect(overlap).toBeLessThan(100); // ms in 1 ms steps: below one advert interval
    expect(gaps).toBe(0); // the old master kept the VIP until the new one held it
  });

  it('nopreempt keeps the current master after the old master returns', () => {
    const sim = pair({ preempt: false }, { preempt: false });
    sim.nodes.forEach((n) => n.start());
    sim.run(2000);
    sim.node('lb1').election.stop();
    sim.run(500);
    sim.node('lb1').start();
    sim.run(10_000);
    expect(exactlyOneMaster(sim)).toBe('lb2');
  });

  it('clean stop and switchover hand off make-before-break: the VIP is never unowned', () => {
    const sim = pair();
    sim.nodes.forEach((n) => n.start());
    sim.run(2000);
    let gaps = 0;
    let ok: boolean | undefined;
    sim.node('lb1').election.switchover(undefined, (r) => (ok = r.ok));
    sim.run(500, () => (gaps += sim.owners.size === 0 ? 1 : 0), 1);
    expect(ok).toBe(true);
    expect(exactlyOneMaster(sim)).toBe('lb2');
    sim.node('lb2').election.stop();
    sim.run(500, () => (gaps += sim.owners.size === 0 ? 1 : 0), 1);
    expect(exactlyOneMaster(sim)).toBe('lb1');
    expect(gaps).toBe(0);
  });
});

describe('election pair: property', () => {
  type Op =
    | { k: 'cut' }
    | { k: 'heal' }
    | { k: 'lan'; node: 0 | 1; up: boolean }
    | { k: 'fault'; node: 0 | 1; on: boolean }
    | { k: 'delta'; node: 0 | 1; d: number }
    | { k: 'restart'; node: 0 | 1; guard: boolean }
    | { k: 'switchover'; node: 0 | 1 }
    | { k: 'wait'; ms: number };

  const node = fc.constantFrom<0 | 1>(0, 1);
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.constant<Op>({ k: 'cut' }),
    fc.constant<Op>({ k: 'heal' }),
    fc.record({ k: fc.constant('lan' as const), node, up: fc.boolean() }),
    fc.record({ k: fc.constant('fault' as const), node, on: fc.boolean() }),
    fc.record({ k: fc.constant('delta' as const), node, d: fc.integer({ min: -120, max: 0 }) }),
    fc.record({ k: fc.constant('restart' as const), node, guard: fc.boolean() }),
    fc.record({ k: fc.constant('switchover' as const), node }),
    fc.record({ k: fc.constant('wait' as const), ms: fc.integer({ min: 1, max: 1500 }) }),
  );

  it('after any history, once healthy and connected, exactly one master owns the VIP', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 25 }), fc.boolean(), (ops, preempt) => {
        const sim = pair({ preempt, preemptDelay: preempt ? 500 : 0 }, { preempt });
        sim.nodes.forEach((n) => n.start());
        sim.run(1000);
        for (const o of ops) {
          const n = 'node' in o ? sim.nodes[o.node] : undefined;
          if (o.k === 'cut') sim.cutHeartbeats('lb1', 'lb2');
          else if (o.k === 'heal') sim.healHeartbeats();
          else if (o.k === 'lan') n!.lanUp = o.up;
          else if (o.k === 'fault') n!.election.setHealth(0, o.on ? ['x'] : []);
          else if (o.k === 'delta') n!.election.setHealth(o.d, []);
          else if (o.k === 'restart') {
            n!.kill(o.guard);
            sim.run(50);
            n!.start();
          } else if (o.k === 'switchover') n!.election.switchover(undefined, () => {});
          else sim.run(o.ms);
        }
        sim.healHeartbeats();
        for (const n of sim.nodes) {
          n.lanUp = true;
          n.election.setHealth(0, []);
        }
        sim.run(5000);
        const masters = sim.masters();
        expect(masters).toHaveLength(1);
        expect([...sim.owners]).toEqual(masters);
        for (const n of sim.nodes) expect(['MASTER', 'BACKUP']).toContain(n.election.state);
      }),
      { numRuns: 300 },
    );
  });
});
