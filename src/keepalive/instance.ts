// One keepalive instance (one `keepalive NAME` section) on this node: the shell around the
// election core. It turns verified heartbeats into election events, executes the election's
// effects (send adverts on every link, add/remove VIPs, announce them, probe them, run hooks) and
// feeds tracker health into it.
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import { decodeAdvert, encodeAdvert, type DecodeError, type WireAdvert } from './advert-codec.ts';
import { Announcer } from './announcer.ts';
import type { KeyRing } from './auth-keys.ts';
import type { RunCommand } from './commands.ts';
import {
  Election,
  type ElectionEffects,
  type ElectionNote,
  type KeepaliveState,
  type OutgoingAdvert,
  type SwitchoverResult,
} from './election.ts';
import { ipRank, parseIp } from './ip-address.ts';
import { Notifier } from './notify.ts';
import { RateLimitedLog } from './rate-limited-log.ts';
import { ReplayGuard, type SequenceSource } from './replay-guard.ts';
import type { KeepaliveNodeSpec, KeepaliveSpec, ProxyApiAddress } from './spec.ts';
import { interfaceTracker } from './trackers/interface-tracker.ts';
import { proxyTracker } from './trackers/proxy-tracker.ts';
import { scriptTracker } from './trackers/script-tracker.ts';
import { tiebreakerTracker } from './trackers/tiebreaker-tracker.ts';
import { healthOf, type Tracker, type TrackerView } from './trackers/tracker.ts';
import type { Endpoint, HeartbeatTransport } from './udp-transport.ts';
import { VipManager } from './vip-manager.ts';

export type DropReason = DecodeError | 'vrid-mismatch' | 'unknown-node' | 'own-node' | 'bad-source' | 'replay' | 'stale';

export interface InstanceCounters {
  rx: number;
  accepted: number;
  tx: number;
  txErrors: number;
  vipMismatch: number;
  dropped: Partial<Record<DropReason, number>>;
  notes: Partial<Record<ElectionNote, number>>;
}

export interface InstanceDeps {
  readonly spec: KeepaliveSpec;
  readonly localNode: string;
  readonly ring: KeyRing;
  readonly transport: HeartbeatTransport;
  readonly sequence: SequenceSource;
  readonly run: RunCommand;
  readonly clock: Clock;
  readonly log: Logger;
  /** Runtime API for `track-proxy` when the section names none. */
  readonly proxyApi?: ProxyApiAddress;
  /** Wall clock for advert timestamps and freshness (ms since the epoch). */
  readonly wallClock?: () => number;
}

export interface InstanceStatus {
  readonly name: string;
  readonly vrid: number;
  readonly state: KeepaliveState;
  readonly priority: number;
  readonly basePriority: number;
  readonly master?: string;
  readonly since: number;
  readonly lastReason: string;
  readonly vips: readonly string[];
  readonly vipsUp: boolean;
  readonly faults: readonly string[];
  readonly trackers: readonly Pick<TrackerView, 'name' | 'kind' | 'weight' | 'ok' | 'detail'>[];
  readonly peers: ReturnType<Election['peers']>;
  readonly counters: InstanceCounters;
  /** Last heartbeat sequence number sent by this process (decimal). */
  readonly txSeq: string;
}

/** Longest wait for the trackers' first results before the election starts. */
const FIRST_RESULT_WAIT = 3000;

export class KeepaliveInstance {
  readonly spec: KeepaliveSpec;
  readonly election: Election;
  readonly vips: VipManager;
  readonly trackers: readonly Tracker[];
  readonly counters: InstanceCounters = { rx: 0, accepted: 0, tx: 0, txErrors: 0, vipMismatch: 0, dropped: {}, notes: {} };
  readonly #d: InstanceDeps;
  readonly #local: KeepaliveNodeSpec;
  readonly #nodes: ReadonlyMap<string, KeepaliveNodeSpec>;
  readonly #log: Logger;
  readonly #announcer: Announcer;
  readonly #notifier: Notifier;
  readonly #replay: ReplayGuard;
  readonly #drops: RateLimitedLog;
  readonly #wall: () => number;
  readonly #vipKey: string;
  readonly #transitionListeners: (() => void)[] = [];
  #vipOps: Promise<unknown> = Promise.resolve();
  #claimGen = 0;
  #since: number;
  #lastReason = 'init';

  constructor(d: InstanceDeps) {
    this.#d = d;
    this.spec = d.spec;
    this.#wall = d.wallClock ?? Date.now;
    this.#log = d.log.child({ instance: d.spec.name });
    this.#nodes = new Map(d.spec.nodes.map((n) => [n.name, n]));
    const local = this.#nodes.get(d.localNode);
    if (!local) throw new Error(`node '${d.localNode}' is not in keepalive '${d.spec.name}'`);
    this.#local = local;
    this.#since = d.clock.now();
    this.vips = new VipManager(
      d.spec.vips.map((v) => ({ address: v.address, prefix: v.prefix, family: v.family, dev: v.dev ?? d.spec.interface })),
      d.run,
      this.#log,
    );
    this.#vipKey = sortedVipKey(d.spec.vips.map((v) => `${v.address}/${v.prefix}`));
    this.#announcer = new Announcer(d.clock, d.spec.garp, () => void this.vips.announce());
    // Hooks wait for the VIP work queued before them (a takeover's add and first GARP).
    this.#notifier = new Notifier(d.spec.notify, { node: d.localNode }, d.run, this.#log, () => this.#vipOps);
    this.#replay = new ReplayGuard(d.spec.replayWindow);
    this.#drops = new RateLimitedLog(this.#log, 10_000, () => d.clock.now());
    this.trackers = this.#makeTrackers();
    this.election = new Election(
      {
        instance: d.spec.name,
        local: { name: local.name, rank: rankOf(local) },
        peers: d.spec.nodes.filter((n) => n !== local).map((n) => ({ name: n.name, rank: rankOf(n) })),
        priority: local.priority,
        advertInt: d.spec.advertInt,
        downTimerAdverts: d.spec.downTimerAdverts,
        preempt: d.spec.preempt,
        preemptDelay: d.spec.preemptDelay,
        startupDelay: d.spec.startupDelay,
        vipProbe: d.spec.vipProbe.enabled,
        probeTimeout: d.spec.vipProbe.timeout,
        handoffTimeout: d.spec.handoffTimeout,
        vipRetryDelay: Math.max(1000, 10 * d.spec.advertInt),
      },
      d.clock,
      this.#effects(),
    );
  }

  get name(): string {
    return this.spec.name;
  }

  /** Local endpoints (one per heartbeat link) this instance receives on. */
  get endpoints(): Endpoint[] {
    return this.#local.addresses.map((address) => ({ address, port: this.spec.port }));
  }

  /** Remove stale VIPs, take the trackers' first results, then start the election. */
  async start(): Promise<void> {
    await this.vips.removeAll();
    await this.vips.prepare();
    for (const t of this.trackers) t.start(() => this.#applyHealth());
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(this.trackers.map((t) => t.firstResult)),
      new Promise((r) => (timer = setTimeout(r, FIRST_RESULT_WAIT))),
    ]);
    clearTimeout(timer);
    this.#applyHealth();
    this.election.start();
  }

  /** Clean stop: hand off if master, release the VIPs, say priority 0, wait for hooks (bounded). */
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.election.stop(resolve));
    for (const t of this.trackers) t.stop();
    this.#announcer.stop();
    await this.#vipOps;
    await Promise.race([this.#notifier.idle(), new Promise((r) => setTimeout(r, this.spec.notify.timeout).unref())]);
    await this.vips.drain();
  }

  setPriority(priority: number): void {
    this.election.setPriority(priority);
  }

  switchover(target?: string): Promise<SwitchoverResult> {
    return new Promise((resolve) => this.election.switchover(target, resolve));
  }

  status(): InstanceStatus {
    const e = this.election;
    return {
      name: this.spec.name,
      vrid: this.spec.vrid,
      state: e.state,
      priority: e.effectivePriority,
      basePriority: e.basePriority,
      master: e.master,
      since: this.#since,
      lastReason: this.#lastReason,
      vips: this.spec.vips.map((v) => `${v.address}/${v.prefix}`),
      vipsUp: e.vipsUp,
      faults: e.faults,
      trackers: this.trackers.map((t) => ({ name: t.name, kind: t.kind, weight: t.weight, ok: t.ok, detail: t.detail })),
      peers: e.peers(),
      counters: this.counters,
      txSeq: this.#d.sequence.last.toString(),
    };
  }

  /** Called after every state transition (the farewell adverts follow the state). */
  onTransition(listener: () => void): void {
    this.#transitionListeners.push(listener);
  }

  /**
   * What this node would say if it stopped now (RFC 5798 §6.4.3: priority 0 from a master), one
   * signed advert per peer and link, for the VIP guard to send if this process dies (farewell.ts).
   */
  farewellAdverts(): { from: string; to: string; port: number; buf: Buffer }[] {
    const e = this.election;
    const out: { from: string; to: string; port: number; buf: Buffer }[] = [];
    const timestamp = this.#wall();
    const seq = this.#d.sequence.farewell(timestamp);
    const vips = this.#vipList();
    this.#forEachLink((address, to, link) => {
      const wire = this.#advert(link, {
        state: 'STOP',
        priority: e.state === 'MASTER' ? 0 : e.effectivePriority,
        basePriority: e.basePriority,
        advertInt: this.spec.advertInt,
        vipsUp: false,
        takeoverRequest: false,
        seq,
        timestamp,
        vips,
      });
      out.push({ from: address, to, port: this.spec.port, buf: encodeAdvert(wire, this.#d.ring) });
    });
    return out;
  }

  /** A datagram for this instance (already routed by its instance name). */
  receive(buf: Buffer, from: Endpoint, local: Endpoint): void {
    this.counters.rx++;
    const r = decodeAdvert(buf, this.#d.ring);
    if (!r.ok) return this.#drop(r.error, from);
    const a = r.advert;
    if (a.vrid !== this.spec.vrid) return this.#drop('vrid-mismatch', from, { vrid: a.vrid });
    if (a.node === this.#local.name) return this.#drop('own-node', from);
    const node = this.#nodes.get(a.node);
    if (!node) return this.#drop('unknown-node', from, { node: a.node });
    // The source must be the sender's configured address on this link (keepalived check_unicast_src).
    if (node.addresses[a.link] !== from.address || this.#local.addresses[a.link] !== local.address) {
      return this.#drop('bad-source', from, { node: a.node, link: a.link });
    }
    const verdict = this.#replay.check(`${a.node}/${a.link}`, a.seq, a.timestamp, this.#wall());
    if (verdict !== 'ok') return this.#drop(verdict, from, { node: a.node });
    this.counters.accepted++;
    if (sortedVipKey(a.vips.map((v) => `${v.address}/${v.prefix}`)) !== this.#vipKey) {
      this.counters.vipMismatch++;
      this.#drops.warn('vip-mismatch', { node: a.node }, 'peer advertises other virtual-ips: are both configs identical?');
    }
    this.election.onAdvert({
      node: a.node,
      state: a.state,
      priority: a.priority,
      basePriority: a.basePriority,
      advertInt: a.advertInt,
      handoffTo: a.handoffTo,
      vipsUp: a.vipsUp,
      takeoverRequest: a.takeoverRequest,
    });
  }

  #drop(reason: DropReason, from: Endpoint, fields: Record<string, unknown> = {}): void {
    this.counters.dropped[reason] = (this.counters.dropped[reason] ?? 0) + 1;
    this.#drops.warn(reason, { from: from.address, port: from.port, reason, ...fields }, 'heartbeat dropped');
  }

  #applyHealth(): void {
    const h = healthOf(this.trackers);
    this.election.setHealth(h.delta, h.faults);
  }

  #makeTrackers(): Tracker[] {
    const { spec, clock, run } = this.#d;
    const out: Tracker[] = spec.trackInterfaces.map((t) => interfaceTracker(t.name, t.weight, clock));
    if (spec.trackProxy) {
      const address = spec.trackProxy.address ?? this.#d.proxyApi;
      if (!address) throw new Error(`keepalive '${spec.name}': track-proxy has no runtime API address`);
      out.push(proxyTracker(spec.trackProxy, address, clock));
    }
    for (const s of spec.trackScripts) out.push(scriptTracker(s, run, clock));
    for (const t of spec.tiebreakers) out.push(tiebreakerTracker(t, spec.interface, run, clock));
    return out;
  }

  #effects(): ElectionEffects {
    return {
      send: (a) => this.#sendAdvert(a),
      claimVips: () => {
        const gen = ++this.#claimGen;
        this.#queueVipOp(async () => {
          // Add, then announce (claim overlaps the tools' start-up) before reporting the VIPs up:
          // a handing-off master releases them when it hears so, and the LAN's caches must
          // already point here (make-before-break).
          const ok = await this.vips.claim(() => gen === this.#claimGen);
          this.#log.debug({ ok }, 'VIPs added and announced');
          if (ok && gen === this.#claimGen) this.#announcer.start(true);
          if (gen !== this.#claimGen) return; // released meanwhile: the queued release removes them
          this.election.vipsClaimed(ok);
        });
      },
      releaseVips: () => {
        this.#claimGen++;
        this.#announcer.stop();
        this.#queueVipOp(async () => {
          await this.vips.releaseAll();
          this.#log.debug('VIPs removed');
        });
      },
      reannounce: () => this.#announcer.burst(),
      announcing: (on) => {
        if (!on) this.#announcer.stop();
        else if (this.election.vipsUp) this.#announcer.start();
      },
      probeVips: (token, timeout) => {
        void this.vips.probeInUse(timeout).then((inUse) => this.election.probeResult(token, inUse));
      },
      transition: (t) => {
        this.#since = this.#d.clock.now();
        this.#lastReason = t.reason;
        this.#log.info({ from: t.from, to: t.to, reason: t.reason, priority: t.priority }, `${t.from} -> ${t.to}`);
        this.#notifier.notify(t);
        for (const l of this.#transitionListeners) l();
      },
      note: (kind, detail) => {
        this.counters.notes[kind] = (this.counters.notes[kind] ?? 0) + 1;
        const level = kind === 'dual-master' || kind === 'handoff-aborted' || kind === 'vip-add-failed' ? 'warn' : 'info';
        this.#log[level]({ ...detail, event: kind }, kind);
      },
    };
  }

  #queueVipOp(op: () => Promise<unknown>): void {
    this.#vipOps = this.#vipOps.then(op).catch((err: unknown) => this.#log.error({ err }, 'VIP operation failed'));
  }

  #sendAdvert(a: OutgoingAdvert): void {
    const ts = this.#wall();
    const vips = this.#vipList();
    this.#forEachLink((address, to, link) => {
      const wire = this.#advert(link, {
        ...a,
        seq: this.#d.sequence.next(),
        timestamp: ts,
        vips,
      });
      const buf = encodeAdvert(wire, this.#d.ring);
      const from = { address, port: this.spec.port };
      void this.#d.transport.send(from, { address: to, port: this.spec.port }, buf).then((ok) => {
        if (ok) this.counters.tx++;
        else this.counters.txErrors++;
      });
    });
  }

  /** An advert from this node over `link`: the identity fields, then `body`. */
  #advert(link: number, body: Omit<WireAdvert, 'vrid' | 'instance' | 'node' | 'link'>): WireAdvert {
    return { vrid: this.spec.vrid, instance: this.spec.name, node: this.#local.name, link, ...body };
  }

  /** The VIPs as adverts carry them. */
  #vipList(): { address: string; prefix: number }[] {
    return this.spec.vips.map((v) => ({ address: v.address, prefix: v.prefix }));
  }

  /** Each link to each peer: this node's address on the link, the peer's, the link index. */
  #forEachLink(fn: (from: string, to: string, link: number) => void): void {
    for (const peer of this.#nodes.values()) {
      if (peer === this.#local) continue;
      this.#local.addresses.forEach((address, link) => fn(address, peer.addresses[link], link));
    }
  }
}

function rankOf(n: KeepaliveNodeSpec): bigint {
  return ipRank(parseIp(n.addresses[0])!);
}

function sortedVipKey(vips: string[]): string {
  return [...vips].sort().join(',');
}
