// A simulated LAN for election tests: several Election cores on one FakeClock, adverts delivered
// with a small latency over links that tests cut and heal, VIP ownership modelled per node and a
// VIP probe that sees owners reachable on the LAN. Used by election.test.ts only.
import { FakeClock } from '../clock.ts';
import {
  Election,
  type ElectionEffects,
  type ElectionOptions,
  type OutgoingAdvert,
  type Transition,
} from './election.ts';

export const LATENCY = 1;
export const VIP_ADD_DELAY = 2;
export const PROBE_DELAY = 5;

export interface SimNodeSpec {
  readonly name: string;
  readonly rank: bigint;
  readonly priority: number;
  readonly preempt?: boolean;
  readonly preemptDelay?: number;
  readonly vipProbe?: boolean;
}

export class SimNode {
  readonly spec: SimNodeSpec;
  election!: Election;
  alive = false;
  /** The LAN port is up (cut = node loss for heartbeats, VIP probes and clients). */
  lanUp = true;
  readonly transitions: Transition[] = [];
  readonly sent: OutgoingAdvert[] = [];
  reannounces = 0;
  #generation = 0;
  #incarnation = 0;
  readonly #sim: Sim;

  constructor(sim: Sim, spec: SimNodeSpec) {
    this.#sim = sim;
    this.spec = spec;
  }

  start(overrides: Partial<ElectionOptions> = {}): void {
    const sim = this.#sim;
    const me = this.spec;
    const peers = sim.specs.filter((s) => s.name !== me.name).map((s) => ({ name: s.name, rank: s.rank }));
    const options: ElectionOptions = {
      instance: 'VI_1',
      local: { name: me.name, rank: me.rank },
      peers,
      priority: me.priority,
      advertInt: 100,
      downTimerAdverts: 3,
      preempt: me.preempt ?? true,
      preemptDelay: me.preemptDelay ?? 0,
      startupDelay: 0,
      vipProbe: me.vipProbe ?? true,
      probeTimeout: 200,
      handoffTimeout: 500,
      vipRetryDelay: 1000,
      ...overrides,
    };
    this.alive = true;
    sim.owners.delete(me.name); // the shell removes configured VIPs at start
    this.election = new Election(options, sim.clock, this.#effects(++this.#incarnation));
    this.election.start();
  }

  /** SIGKILL: silence; with `guard` the VIPs are removed at once (the vip guard process). */
  kill(guard: boolean): void {
    this.alive = false;
    this.#generation++;
    if (guard) this.#sim.owners.delete(this.spec.name);
  }

  #effects(incarnation: number): ElectionEffects {
    const sim = this.#sim;
    const name = this.spec.name;
    const generation = () => this.#generation;
    // A killed incarnation's timers may still fire on the shared clock: its effects do nothing.
    const live = () => this.alive && this.#incarnation === incarnation;
    return {
      send: (advert) => {
        if (!live()) return;
        this.sent.push(advert);
        sim.deliver(name, advert);
      },
      claimVips: () => {
        if (!live()) return;
        const g = ++this.#generation;
        sim.clock.setTimer(VIP_ADD_DELAY, () => {
          if (!live() || generation() !== g) return;
          sim.owners.add(name);
          this.election.vipsClaimed(true);
        });
      },
      releaseVips: () => {
        if (!live()) return;
        this.#generation++;
        sim.owners.delete(name);
      },
      reannounce: () => {
        this.reannounces++;
      },
      announcing: () => {},
      probeVips: (token, timeout) => {
        // An owner answers after PROBE_DELAY; silence is known only at the probe's deadline.
        const inUse = () => [...sim.owners].some((o) => o !== name && this.lanUp && sim.node(o).lanUp);
        sim.clock.setTimer(PROBE_DELAY, () => {
          if (live() && inUse()) this.election.probeResult(token, true);
        });
        sim.clock.setTimer(timeout, () => {
          if (live()) this.election.probeResult(token, false);
        });
      },
      transition: (t) => {
        this.transitions.push(t);
      },
      note: () => {},
    };
  }
}

export class Sim {
  readonly clock = new FakeClock();
  readonly specs: readonly SimNodeSpec[];
  readonly nodes: SimNode[];
  /** Nodes whose VIPs are configured on their interface. */
  readonly owners = new Set<string>();
  /** Heartbeat path between two nodes cut (UDP dropped) while the LAN still works. */
  readonly #hbCut = new Set<string>();

  constructor(specs: readonly SimNodeSpec[]) {
    this.specs = specs;
    this.nodes = specs.map((s) => new SimNode(this, s));
  }

  node(name: string): SimNode {
    const n = this.nodes.find((x) => x.spec.name === name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }

  cutHeartbeats(a: string, b: string): void {
    this.#hbCut.add(`${a}>${b}`).add(`${b}>${a}`);
  }

  healHeartbeats(): void {
    this.#hbCut.clear();
  }

  deliver(from: string, advert: OutgoingAdvert): void {
    const src = this.node(from);
    for (const dst of this.nodes) {
      if (dst === src || this.#hbCut.has(`${from}>${dst.spec.name}`)) continue;
      this.clock.setTimer(LATENCY, () => {
        if (!dst.alive || !dst.lanUp || !src.lanUp) return;
        dst.election.onAdvert({
          node: from,
          state: advert.state,
          priority: advert.priority,
          basePriority: advert.basePriority,
          advertInt: advert.advertInt,
          handoffTo: advert.handoffTo,
          vipsUp: advert.vipsUp,
          takeoverRequest: advert.takeoverRequest,
        });
      });
    }
  }

  masters(): string[] {
    return this.nodes.filter((n) => n.alive && n.election.state === 'MASTER').map((n) => n.spec.name);
  }

  /** Advance in small steps, calling `check` after each (for invariants that hold at all times). */
  run(ms: number, check?: () => void, step = 5): void {
    for (let t = 0; t < ms; t += step) {
      this.clock.advance(Math.min(step, ms - t));
      check?.();
    }
  }
}

export function pair(lb1: Partial<SimNodeSpec> = {}, lb2: Partial<SimNodeSpec> = {}): Sim {
  return new Sim([
    { name: 'lb1', rank: 11n, priority: 150, ...lb1 },
    { name: 'lb2', rank: 12n, priority: 100, ...lb2 },
  ]);
}
