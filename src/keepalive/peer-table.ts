// What this node knows of its peers in one instance: each peer's last advert and when it came,
// liveness, and the rankings the election needs (RFC 5798 §6.4.3: priority, then address).
import type { Clock } from '../clock.ts';
import type { ElectionMember, KeepaliveState, PeerAdvert, PeerView } from './election-types.ts';

interface Seen {
  readonly state: KeepaliveState;
  readonly priority: number;
  readonly basePriority: number;
  readonly advertInt: number;
  readonly at: number;
}

interface PeerEntry {
  readonly member: ElectionMember;
  seen?: Seen;
}

export class PeerTable {
  readonly #peers = new Map<string, PeerEntry>();
  readonly #local: ElectionMember;
  readonly #downTimerAdverts: number;
  readonly #clock: Clock;

  constructor(peers: readonly ElectionMember[], local: ElectionMember, downTimerAdverts: number, clock: Clock) {
    for (const p of peers) this.#peers.set(p.name, { member: p });
    this.#local = local;
    this.#downTimerAdverts = downTimerAdverts;
    this.#clock = clock;
  }

  has(name: string): boolean {
    return this.#peers.has(name);
  }

  /** Record a peer's advert; false for an unknown node. */
  record(a: PeerAdvert): boolean {
    const p = this.#peers.get(a.node);
    if (!p) return false;
    p.seen = { state: a.state, priority: a.priority, basePriority: a.basePriority, advertInt: a.advertInt, at: this.#clock.now() };
    return true;
  }

  views(): PeerView[] {
    return [...this.#peers.values()].map((p) => ({
      name: p.member.name,
      state: p.seen?.state ?? 'INIT',
      priority: p.seen?.priority ?? 0,
      basePriority: p.seen?.basePriority ?? 0,
      advertInt: p.seen?.advertInt ?? 0,
      lastSeen: p.seen?.at ?? -1,
      alive: this.#alive(p),
    }));
  }

  /** Heard within (downTimerAdverts + 1) of its own advert intervals, and in BACKUP. */
  isLiveBackup(name: string): boolean {
    const p = this.#peers.get(name);
    return p !== undefined && this.#alive(p) && p.seen?.state === 'BACKUP';
  }

  /** The priority a peer last advertised (0 when never heard). */
  priorityOf(name: string): number {
    return this.#peers.get(name)?.seen?.priority ?? 0;
  }

  /** Does node `name` with `priority` win against this node at `mine` (priority, then address)? */
  outranks(name: string, priority: number, mine: number): boolean {
    if (priority !== mine) return priority > mine;
    const peer = this.#peers.get(name);
    return peer !== undefined && peer.member.rank > this.#local.rank;
  }

  /** The live BACKUP peer with the highest (priority, address), if any. */
  bestBackup(): string | undefined {
    let best: PeerEntry | undefined;
    for (const p of this.#peers.values()) {
      if (!this.#alive(p) || p.seen?.state !== 'BACKUP') continue;
      if (!best || rankAbove(p, best)) best = p;
    }
    return best?.member.name;
  }

  /** After `except` stepped down: no other live backup outranks this node at `mine`. */
  isBestCandidate(except: string, mine: number): boolean {
    for (const p of this.#peers.values()) {
      if (p.member.name === except || !this.#alive(p) || p.seen?.state !== 'BACKUP') continue;
      if (this.outranks(p.member.name, p.seen.priority, mine)) return false;
    }
    return true;
  }

  #alive(p: PeerEntry): boolean {
    if (!p.seen) return false;
    return this.#clock.now() - p.seen.at <= (this.#downTimerAdverts + 1) * p.seen.advertInt;
  }
}

function rankAbove(a: PeerEntry, b: PeerEntry): boolean {
  const pa = a.seen?.priority ?? 0;
  const pb = b.seen?.priority ?? 0;
  return pa !== pb ? pa > pb : a.member.rank > b.member.rank;
}
