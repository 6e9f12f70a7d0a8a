// The election core of one keepalive instance: a VRRPv3-like state machine (RFC 5798 §6.4, RFC 9568)
// driven by events and an injected Clock, with no I/O. The shell (instance.ts) feeds it validated
// adverts, tracker health and operator commands, and executes the effects it asks for.
//
// Differences from plain VRRP, each for a reason (reference/ha.md §5):
// - every node heartbeats in every state (BACKUP and FAULT too), so each side knows whether its peer
//   is alive and electable; only MASTER adverts drive the master-down timer, as in the RFC;
// - a backup that decides to preempt becomes master at once instead of waiting for the master-down
//   timer: the old master sees the higher priority and yields once the new one reports its VIPs up
//   (make-before-break);
// - before a takeover on master-down expiry the shell may probe whether the VIPs still answer on the
//   LAN (`vip-probe`): heartbeats lost while the master still holds the VIPs is a heartbeat-path cut,
//   not a dead master, so the backup stays put instead of making a split brain. The probe runs in
//   the last part of the master-down interval (after the master has missed an advert and a half),
//   so its verdict is in when the timer fires and a real failover is not delayed by it;
// - a graceful handoff (switchover, clean stop, degraded master): the master names a target in its
//   adverts, the target takes over at once, and the master releases the VIPs only once the target
//   reports it holds them;
// - a degraded master (trackers lowered its priority below its base) yields to a healthier backup
//   by itself, whatever the backup's preempt mode: health failover is never blocked by `nopreempt`.
import type { Clock, TimerHandle } from '../clock.ts';
import {
  MAX_PRIORITY,
  MIN_PRIORITY,
  type ElectionCounters,
  type ElectionEffects,
  type ElectionOptions,
  type KeepaliveState,
  type OutgoingAdvert,
  type PeerAdvert,
  type PeerView,
  type SwitchoverDone,
  type SwitchoverResult,
} from './election-types.ts';
import { PeerTable } from './peer-table.ts';

export * from './election-types.ts';

type HandoffPurpose = 'switchover' | 'stop' | 'degraded';

/**
 * The VIP probe starts once the master has been silent for this many of its advert intervals: a
 * master alive at that point would have sent an advert, so the probe cannot see a master that dies
 * just after it (which would veto a real failover).
 */
const PROBE_EARLIEST_ADVERTS = 1.5;
/** The least time a probe is given: arping's start plus one ARP round trip on a busy host. */
const MIN_PROBE_BUDGET = 50;
/** Between the probe's deadline and the master-down expiry: the probe's exit is reported. */
const PROBE_REPORT_SLACK = 10;
/** Backstop past the probe's deadline (the shell always answers; this only covers a lost answer). */
const PROBE_GRACE = 100;
/** One turn of the shell's event loop (a timer this short fires after the loop has read its pipes). */
const VERDICT_TURN = 1;

interface TakeoverProbe {
  /** Scheduled start, then (once started) the backstop. */
  timer: TimerHandle;
  token?: number;
  /** When the probe's own timeout ends (clock ms); set once started. */
  deadline?: number;
  /** Nobody answered: the takeover may go ahead when the master-down timer fires. */
  free: boolean;
  /** The master-down timer fired past the probe's deadline and gave its verdict one more turn. */
  lastTurn?: boolean;
}

interface Handoff {
  readonly to: string;
  readonly purpose: HandoffPurpose;
  readonly done?: SwitchoverDone;
  readonly timer: TimerHandle;
}


export class Election {
  readonly #o: ElectionOptions;
  readonly #clock: Clock;
  readonly #fx: ElectionEffects;
  readonly #peers: PeerTable;
  #state: KeepaliveState = 'INIT';
  #base: number;
  #delta = 0;
  #faults: readonly string[] = [];
  #vipFault = false;
  #master: string | undefined;
  #masterAdvInt: number;
  #vipsUp = false;
  #heartbeat?: TimerHandle;
  #down?: TimerHandle;
  #probe?: TakeoverProbe;
  #probeSeq = 0;
  #downExpired = false;
  #vipRetry?: TimerHandle;
  #preemptAt: number | undefined;
  #preemptSuppressed = false;
  #handoff?: Handoff;
  #takeoverRequest?: { until: number; done?: SwitchoverDone };
  #dualMasterWith: string | undefined;
  #stopDone: (() => void)[] = [];
  readonly counters: ElectionCounters = {
    transitions: 0,
    dualMaster: 0,
    takeoverVetoed: 0,
    handoffs: 0,
    handoffsAborted: 0,
  };

  constructor(options: ElectionOptions, clock: Clock, effects: ElectionEffects) {
    this.#o = options;
    this.#clock = clock;
    this.#fx = effects;
    this.#base = options.priority;
    this.#masterAdvInt = options.advertInt;
    this.#peers = new PeerTable(options.peers, options.local, options.downTimerAdverts, clock);
  }

  get state(): KeepaliveState {
    return this.#state;
  }

  get basePriority(): number {
    return this.#base;
  }

  get effectivePriority(): number {
    return clampPriority(this.#base + this.#delta);
  }

  /** The node this instance believes is master (itself when MASTER). */
  get master(): string | undefined {
    return this.#master;
  }

  get faults(): readonly string[] {
    return this.#vipFault ? [...this.#faults, 'vip-add-failed'] : this.#faults;
  }

  get vipsUp(): boolean {
    return this.#vipsUp;
  }

  peers(): PeerView[] {
    return this.#peers.views();
  }

  /** Skew_Time (RFC 5798 §6.1): lower priorities wait longer, so the best backup fires first. */
  skewTime(): number {
    return ((256 - this.effectivePriority) * this.#masterAdvInt) / 256;
  }

  masterDownInterval(): number {
    return this.#o.downTimerAdverts * this.#masterAdvInt + this.skewTime();
  }

  // ---- lifecycle -------------------------------------------------------------------------

  /** INIT → BACKUP (or FAULT): listen for a master for Master_Down_Interval (+ startup delay). */
  start(): void {
    if (this.#state !== 'INIT') return;
    this.#startHeartbeat();
    if (this.faults.length > 0) {
      this.#enter('FAULT', `fault: ${this.faults.join(', ')}`);
      return;
    }
    this.#enter('BACKUP', 'startup');
    this.#armDown(this.masterDownInterval() + this.#o.startupDelay);
  }

  /**
   * Clean stop: a master first hands off to the best live backup (bounded by handoffTimeout), then
   * releases its VIPs and sends priority 0 (RFC 5798 §6.4.3 "Shutdown"). `done` runs once stopped.
   */
  stop(done?: () => void): void {
    if (done) this.#stopDone.push(done);
    if (this.#state === 'STOP') return this.#flushStopDone();
    if (this.#handoff?.purpose === 'stop') return;
    if (this.#state === 'MASTER') {
      const target = this.#peers.bestBackup();
      if (target) {
        this.#cancelHandoff({ ok: false, message: 'instance stopping' });
        this.#startHandoff(target, 'stop');
        return;
      }
    }
    this.#finishStop();
  }

  // ---- inputs ----------------------------------------------------------------------------

  /** Tracker results: a priority delta (sum of failed weights) and the failing fault trackers. */
  setHealth(delta: number, faults: readonly string[]): void {
    const before = this.effectivePriority;
    this.#delta = delta;
    this.#faults = [...faults];
    this.#reevaluate(before);
  }

  /** `set priority N`: a new base priority (1..254). */
  setPriority(priority: number): void {
    const before = this.effectivePriority;
    this.#base = clampPriority(priority);
    this.#reevaluate(before);
  }

  onAdvert(a: PeerAdvert): void {
    if (!this.#peers.has(a.node) || this.#state === 'INIT' || this.#state === 'STOP') return;
    this.#peers.record(a);
    if (this.#state === 'BACKUP') this.#backupOnAdvert(a);
    else if (this.#state === 'MASTER') this.#masterOnAdvert(a);
    else if (a.state === 'MASTER' && a.priority > 0) this.#master = a.node; // FAULT: remember only
  }

  vipsClaimed(ok: boolean): void {
    if (this.#state !== 'MASTER') return;
    if (!ok) {
      this.#fx.note('vip-add-failed', { instance: this.#o.instance });
      this.#vipFault = true;
      this.#vipRetry?.cancel();
      this.#vipRetry = this.#clock.setTimer(this.#o.vipRetryDelay, () => {
        this.#vipFault = false;
        this.#reevaluate(this.effectivePriority);
      });
      this.#enterFault('vip-add-failed');
      return;
    }
    this.#vipsUp = true;
    this.#sendNow();
  }

  probeResult(token: number, inUse: boolean): void {
    const p = this.#probe;
    if (!p || p.token !== token || this.#state !== 'BACKUP') return;
    p.timer.cancel();
    p.token = undefined;
    if (!inUse) {
      p.free = true;
      if (this.#downExpired) this.#becomeMaster('master-down');
      return;
    }
    // Heartbeats are lost but the VIPs still answer: a cut heartbeat path, not a dead master.
    this.counters.takeoverVetoed++;
    this.#fx.note('takeover-vetoed', { instance: this.#o.instance, master: this.#master });
    this.#armDown(this.masterDownInterval());
  }

  /**
   * `switchover [NODE]`: on the master, hand off to NODE (default: the best live backup); on a
   * backup, ask the master to hand off to this node.
   */
  switchover(target: string | undefined, done: SwitchoverDone): void {
    if (this.#state === 'MASTER') {
      const to = target ?? this.#peers.bestBackup();
      if (to === undefined) return done({ ok: false, message: 'no live backup to hand off to' });
      if (to === this.#o.local.name) return done({ ok: true, message: 'already master' });
      if (!this.#peers.has(to)) return done({ ok: false, message: `unknown node '${to}'` });
      if (!this.#peers.isLiveBackup(to)) {
        return done({ ok: false, message: `node '${to}' is not a live backup` });
      }
      if (this.#handoff) return done({ ok: false, message: `handoff to '${this.#handoff.to}' in progress` });
      this.#startHandoff(to, 'switchover', done);
      return;
    }
    if (this.#state !== 'BACKUP') return done({ ok: false, message: `instance is ${this.#state}` });
    if (target !== undefined && target !== this.#o.local.name) {
      return done({ ok: false, message: `only the master can hand off to another node` });
    }
    if (this.#master === undefined) return done({ ok: false, message: 'no master known' });
    this.#takeoverRequest?.done?.({ ok: false, message: 'superseded' });
    this.#takeoverRequest = { until: this.#clock.now() + this.#o.handoffTimeout, done };
    this.#sendNow();
  }

  // ---- per-state advert handling ---------------------------------------------------------

  #backupOnAdvert(a: PeerAdvert): void {
    if (a.state === 'MASTER' && a.priority > 0) {
      this.#master = a.node;
      this.#masterAdvInt = a.advertInt;
      if (a.handoffTo === this.#o.local.name) return this.#becomeMaster('handoff');
      if (this.#shouldPreempt(a)) return this.#becomeMaster('preempt');
      this.#armDown(this.masterDownInterval());
      return;
    }
    if (a.node !== this.#master) return;
    // The master we followed stepped down (priority 0, or it now heartbeats as non-master).
    this.#master = undefined;
    this.#preemptAt = undefined;
    if (this.#peers.isBestCandidate(a.node, this.effectivePriority)) return this.#becomeMaster('master-stepped-down');
    this.#armDown(this.skewTime());
  }

  #masterOnAdvert(a: PeerAdvert): void {
    if (a.state === 'MASTER' && a.priority > 0) {
      if (this.#handoff && a.node === this.#handoff.to) {
        if (a.vipsUp) this.#completeHandoff();
        return;
      }
      if (a.handoffTo === this.#o.local.name) return; // the old master, waiting for our vipsUp
      if (this.#peers.outranks(a.node, a.priority, this.effectivePriority)) {
        // Make-before-break: a preempting node sends MASTER adverts before its VIPs are up; keep
        // ours until it says it holds and has announced them (its next advert at the latest).
        // Releasing at once left the VIP without owner for the add's duration (tens of ms).
        if (a.vipsUp) this.#yieldTo(a);
        return;
      }
      // Taking over ourselves (preemption): the loser yields once our adverts say vipsUp.
      if (!this.#vipsUp) return;
      // Dual master and we win: advertise at once so the loser yields (RFC 9568 §6.4.3).
      if (this.#dualMasterWith !== a.node) {
        this.counters.dualMaster++;
        this.#fx.note('dual-master', { instance: this.#o.instance, peer: a.node, winner: this.#o.local.name });
      }
      this.#dualMasterWith = a.node;
      this.#sendNow();
      return;
    }
    if (a.priority === 0 || a.node === this.#dualMasterWith) {
      // Another master stepped down (a split brain healed, or the old master finished a handoff):
      // answer at once (RFC 5798 §6.4.3) and re-announce, since caches may still point at it.
      this.#dualMasterWith = undefined;
      this.#fx.reannounce();
      this.#sendNow();
    }
    if (a.state !== 'BACKUP' || this.#handoff) return;
    if (a.takeoverRequest) this.#startHandoff(a.node, 'switchover');
    else this.#maybeYieldDegraded();
  }

  #yieldTo(a: PeerAdvert): void {
    this.#cancelHandoff({ ok: false, message: `yielded to higher-priority master '${a.node}'` });
    this.#leaveMaster();
    this.#master = a.node;
    this.#masterAdvInt = a.advertInt;
    this.#enter('BACKUP', `higher-priority master ${a.node}`);
    this.#send({ state: 'BACKUP', priority: 0 });
    this.#armDown(this.masterDownInterval());
  }

  /** RFC 5798 §6.4.2: a backup in preempt mode takes over from a lower-priority master. */
  #shouldPreempt(a: PeerAdvert): boolean {
    if (a.priority >= this.effectivePriority) {
      this.#preemptAt = undefined;
      return false;
    }
    if (!this.#o.preempt || this.#preemptSuppressed) return false;
    if (this.#o.preemptDelay > 0) {
      this.#preemptAt ??= this.#clock.now() + this.#o.preemptDelay;
      if (this.#clock.now() < this.#preemptAt) return false;
    }
    return true;
  }

  #maybeYieldDegraded(): void {
    if (this.#state !== 'MASTER' || this.#handoff) return;
    const mine = this.effectivePriority;
    if (mine >= this.#base) return;
    const best = this.#peers.bestBackup();
    if (best !== undefined && this.#peers.priorityOf(best) > mine) this.#startHandoff(best, 'degraded');
  }

  // ---- handoff ---------------------------------------------------------------------------

  #startHandoff(to: string, purpose: HandoffPurpose, done?: SwitchoverDone): void {
    const timer = this.#clock.setTimer(this.#o.handoffTimeout, () => this.#abortHandoff());
    this.#handoff = { to, purpose, done, timer };
    this.#fx.announcing(false);
    this.counters.handoffs++;
    this.#fx.note('handoff-started', { instance: this.#o.instance, to, purpose });
    this.#sendNow();
  }

  #completeHandoff(): void {
    const h = this.#handoff!;
    h.timer.cancel();
    this.#handoff = undefined;
    if (h.purpose === 'stop') return this.#finishStop();
    this.#leaveMaster();
    this.#master = h.to;
    // After an operator switchover this node does not preempt back (until it is master again).
    if (h.purpose === 'switchover') this.#preemptSuppressed = true;
    this.#enter('BACKUP', h.purpose === 'degraded' ? `degraded, handed off to ${h.to}` : `switchover to ${h.to}`);
    this.#sendNow();
    this.#armDown(this.masterDownInterval());
    h.done?.({ ok: true, message: `handed off to ${h.to}` });
  }

  #abortHandoff(): void {
    const h = this.#handoff;
    if (!h) return;
    this.#handoff = undefined;
    this.counters.handoffsAborted++;
    this.#fx.note('handoff-aborted', { instance: this.#o.instance, to: h.to, purpose: h.purpose });
    if (h.purpose === 'stop') return this.#finishStop();
    this.#fx.announcing(true);
    h.done?.({ ok: false, message: `node '${h.to}' did not take over in time` });
  }

  /** Drop a pending handoff; the caller decides what happens to the VIPs and announcements. */
  #cancelHandoff(result: SwitchoverResult): void {
    const h = this.#handoff;
    if (!h) return;
    h.timer.cancel();
    this.#handoff = undefined;
    h.done?.(result);
  }

  // ---- transitions -----------------------------------------------------------------------

  #becomeMaster(reason: string): void {
    this.#cancelDown();
    this.#preemptAt = undefined;
    this.#preemptSuppressed = false;
    this.#dualMasterWith = undefined;
    this.#master = this.#o.local.name;
    const request = this.#takeoverRequest;
    this.#takeoverRequest = undefined;
    this.#vipsUp = false;
    // The claim first: the transition's bookkeeping (log line, hooks, farewell) must not delay the
    // VIP add and its gratuitous ARP, which is what clients wait for (keepalived too adds the
    // addresses and sends its GARPs before it runs notify scripts, vrrp.c vrrp_state_become_master).
    this.#enter('MASTER', reason, () => this.#fx.claimVips());
    this.#sendNow();
    request?.done?.({ ok: true, message: 'took over' });
  }

  /** Leave MASTER: drop the VIPs. The caller picks the next state. */
  #leaveMaster(): void {
    this.#vipsUp = false;
    this.#dualMasterWith = undefined;
    this.#fx.releaseVips();
  }

  #enterFault(reason: string): void {
    this.#cancelDown();
    this.#preemptAt = undefined;
    this.#failTakeoverRequest(`instance entered FAULT`);
    if (this.#state === 'MASTER') {
      this.#cancelHandoff({ ok: false, message: 'instance entered FAULT' });
      this.#leaveMaster();
      this.#master = undefined;
      this.#enter('FAULT', reason);
      this.#send({ state: 'FAULT', priority: 0 }); // the backup takes over after skew, not 3 intervals
      return;
    }
    this.#enter('FAULT', reason);
    this.#sendNow();
  }

  #finishStop(): void {
    const wasMaster = this.#state === 'MASTER';
    this.#cancelDown();
    this.#vipRetry?.cancel();
    this.#heartbeat?.cancel();
    this.#heartbeat = undefined;
    this.#failTakeoverRequest('instance stopped');
    this.#cancelHandoff({ ok: false, message: 'instance stopped' });
    if (wasMaster) this.#leaveMaster();
    // Priority 0 only from a master: the backups take over at once (RFC 5798 §6.4.3 "Shutdown").
    if (this.#state !== 'INIT') this.#send({ state: 'STOP', priority: wasMaster ? 0 : this.effectivePriority });
    this.#master = undefined;
    this.#enter('STOP', 'stop');
    this.#flushStopDone();
  }

  #flushStopDone(): void {
    const done = this.#stopDone;
    this.#stopDone = [];
    for (const d of done) d();
  }

  /** Set the state; `first` (the effect that matters most) runs before the transition is reported. */
  #enter(to: KeepaliveState, reason: string, first?: () => void): void {
    const from = this.#state;
    this.#state = to;
    first?.();
    if (from === to) return;
    this.counters.transitions++;
    this.#fx.transition({ instance: this.#o.instance, from, to, reason, priority: this.effectivePriority });
  }

  #reevaluate(priorityBefore: number): void {
    const s = this.#state;
    if (s === 'INIT' || s === 'STOP') return;
    const faults = this.faults;
    if (faults.length > 0) {
      if (s !== 'FAULT') this.#enterFault(`fault: ${faults.join(', ')}`);
      return;
    }
    if (s === 'FAULT') {
      this.#enter('BACKUP', 'fault cleared');
      this.#armDown(this.masterDownInterval());
      this.#sendNow();
      return;
    }
    if (this.effectivePriority === priorityBefore) return;
    this.#sendNow();
    if (s === 'MASTER') this.#maybeYieldDegraded();
  }

  // ---- timers and sending ----------------------------------------------------------------

  #startHeartbeat(): void {
    const tick = (): void => {
      this.#heartbeat = this.#clock.setTimer(this.#o.advertInt, tick);
      this.#sendCurrent();
    };
    this.#heartbeat?.cancel();
    this.#heartbeat = this.#clock.setTimer(this.#o.advertInt, tick);
  }

  /** Send an advert now and restart the heartbeat period from here. */
  #sendNow(): void {
    if (this.#state === 'INIT' || this.#state === 'STOP') return;
    this.#startHeartbeat();
    this.#sendCurrent();
  }

  #sendCurrent(): void {
    if (this.#takeoverRequest && this.#clock.now() > this.#takeoverRequest.until) {
      this.#failTakeoverRequest('the master did not hand off in time');
    }
    this.#send({});
  }

  #send(over: { state?: KeepaliveState; priority?: number }): void {
    const state = over.state ?? this.#state;
    this.#fx.send({
      state,
      priority: over.priority ?? this.effectivePriority,
      basePriority: this.#base,
      advertInt: this.#o.advertInt,
      handoffTo: state === 'MASTER' ? this.#handoff?.to : undefined,
      vipsUp: state === 'MASTER' && this.#vipsUp,
      takeoverRequest: state === 'BACKUP' && this.#takeoverRequest !== undefined,
    });
  }

  #failTakeoverRequest(message: string): void {
    const r = this.#takeoverRequest;
    this.#takeoverRequest = undefined;
    r?.done?.({ ok: false, message });
  }

  /** Arm the master-down timer (and the VIP probe ahead of it): a new watch, any old one dropped. */
  #armDown(ms: number): void {
    this.#cancelDown();
    this.#down = this.#clock.setTimer(ms, () => {
      this.#down = undefined;
      this.#onMasterDown();
    });
    if (!this.#o.vipProbe) return;
    const budget = this.#probeBudget(ms);
    const probe: TakeoverProbe = {
      timer: this.#clock.setTimer(Math.max(0, ms - budget - PROBE_REPORT_SLACK), () => this.#startProbe(probe, budget)),
      free: false,
    };
    this.#probe = probe;
  }

  /**
   * How long the VIP probe may wait for an answer when the master-down timer fires in `ms`: the
   * time left once the master has missed PROBE_EARLIEST_ADVERTS adverts, at most the configured
   * `vip-probe timeout`, at least MIN_PROBE_BUDGET. So it scales with the advert interval (50 ms
   * adverts: 95 ms) and adds no delay to the takeover unless the interval is tiny (< ~17 ms).
   */
  #probeBudget(ms: number): number {
    const left = ms - PROBE_EARLIEST_ADVERTS * this.#masterAdvInt - PROBE_REPORT_SLACK;
    return Math.min(this.#o.probeTimeout, Math.max(MIN_PROBE_BUDGET, Math.floor(left)));
  }

  #startProbe(probe: TakeoverProbe, budget: number): void {
    if (this.#probe !== probe || this.#state !== 'BACKUP') return;
    const token = ++this.#probeSeq;
    probe.token = token;
    probe.deadline = this.#clock.now() + budget;
    probe.timer = this.#clock.setTimer(budget + PROBE_GRACE, () => {
      this.#fx.note('probe-timeout', { instance: this.#o.instance });
      this.probeResult(token, false);
    });
    this.#fx.probeVips(token, budget);
  }

  #cancelDown(): void {
    this.#down?.cancel();
    this.#down = undefined;
    this.#downExpired = false;
    this.#probe?.timer.cancel();
    this.#probe = undefined;
  }

  /** RFC 5798 §6.4.2 "Master_Down_Timer fires": take over, unless the VIP probe is still out. */
  #onMasterDown(): void {
    if (this.#state !== 'BACKUP') return;
    this.#master = undefined;
    const probe = this.#probe;
    if (!probe || probe.free) return this.#becomeMaster('master-down');
    // Past its timeout without an "in use" answer: not in use. Waiting for the shell to report it
    // (the tool killed and reaped) costs hundreds of ms on a loaded host. An owner's ARP reply
    // comes within a millisecond of the request, so a real one arrives well before its deadline;
    // but the answer may be read in the same turn of the shell's event loop as this timer, after
    // it (a loop held up by a process start runs its due timers before it reads pipes): one more
    // turn for it before taking over (the lab's split-brain test once saw a loaded host take a VIP
    // its owner held).
    if (probe.deadline !== undefined && this.#clock.now() >= probe.deadline && probe.token !== undefined && !probe.lastTurn) {
      probe.lastTurn = true;
      this.#downExpired = true;
      this.#down = this.#clock.setTimer(VERDICT_TURN, () => {
        this.#down = undefined;
        this.#onMasterDown();
      });
      return;
    }
    if (probe.deadline !== undefined && this.#clock.now() >= probe.deadline) return this.#becomeMaster('master-down');
    this.#downExpired = true;
    // Not started yet (a timer ordering corner): start it now, and wait for its verdict.
    if (probe.token === undefined) {
      probe.timer.cancel();
      this.#startProbe(probe, this.#probeBudget(0));
    }
  }
}

export function clampPriority(p: number): number {
  return Math.min(MAX_PRIORITY, Math.max(MIN_PRIORITY, Math.round(p)));
}
