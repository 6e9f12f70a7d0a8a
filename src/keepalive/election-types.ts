// Types of the election core (election.ts): its options, inputs, effects and views.

export type KeepaliveState = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT' | 'STOP';

/** Priority range of a participating node (RFC 5798 §5.2.4: 0 = stopping, 255 = address owner). */
export const MIN_PRIORITY = 1;
export const MAX_PRIORITY = 254;

export interface ElectionMember {
  readonly name: string;
  /** The node's primary address as a number: breaks priority ties (RFC 5798 §6.4.3, higher wins). */
  readonly rank: bigint;
}

export interface ElectionOptions {
  readonly instance: string;
  readonly local: ElectionMember;
  readonly peers: readonly ElectionMember[];
  readonly priority: number;
  /** Advertisement_Interval, ms. */
  readonly advertInt: number;
  /** Master_Down_Interval = downTimerAdverts × Master_Adver_Interval + Skew_Time (RFC: 3). */
  readonly downTimerAdverts: number;
  readonly preempt: boolean;
  /** keepalived `preempt_delay`: wait this long after first seeing a lower-priority master. */
  readonly preemptDelay: number;
  /** Extra hold in BACKUP at start before a takeover is allowed (keepalived `vrrp_startup_delay`). */
  readonly startupDelay: number;
  /** Probe the VIPs on the LAN before a takeover on master-down expiry. */
  readonly vipProbe: boolean;
  /**
   * Upper bound of the probe's wait for an answer (`vip-probe timeout`); the probe gets less when
   * the master-down interval is short (it runs inside that interval, see election.ts).
   */
  readonly probeTimeout: number;
  /** A handoff the target does not complete in this time is aborted. */
  readonly handoffTimeout: number;
  /** After a failed VIP add, the FAULT is held this long before trying again from BACKUP. */
  readonly vipRetryDelay: number;
}

/** A validated advert from a peer (authentication and replay checks are the shell's job). */
export interface PeerAdvert {
  readonly node: string;
  readonly state: KeepaliveState;
  /** Effective priority; 0 = the sender stopped being master (RFC 5798 §6.4.3). */
  readonly priority: number;
  readonly basePriority: number;
  readonly advertInt: number;
  /** Set by a master handing off: the node that should take over now. */
  readonly handoffTo?: string;
  /** Set by a master once it holds its VIPs. */
  readonly vipsUp: boolean;
  /** Set by a backup asking the master for a switchover to itself. */
  readonly takeoverRequest: boolean;
}

export interface OutgoingAdvert {
  readonly state: KeepaliveState;
  readonly priority: number;
  readonly basePriority: number;
  readonly advertInt: number;
  readonly handoffTo?: string;
  readonly vipsUp: boolean;
  readonly takeoverRequest: boolean;
}

export interface Transition {
  readonly instance: string;
  readonly from: KeepaliveState;
  readonly to: KeepaliveState;
  readonly reason: string;
  readonly priority: number;
}

export type ElectionNote =
  | 'dual-master'
  | 'takeover-vetoed'
  | 'probe-timeout'
  | 'handoff-started'
  | 'handoff-aborted'
  | 'vip-add-failed';

export interface ElectionEffects {
  send(advert: OutgoingAdvert): void;
  /** Add the VIPs and announce them (GARP/NA); answer with `vipsClaimed(ok)`. */
  claimVips(): void;
  releaseVips(): void;
  /** Announce the VIPs again (a split brain healed: caches may point at the loser). */
  reannounce(): void;
  /**
   * Stop (false) or resume (true) the periodic announcements while keeping the VIPs: a master that
   * hands off must not pull the LAN's caches back from the node taking over.
   */
  announcing(on: boolean): void;
  /**
   * Does anyone on the LAN answer for the VIPs within `timeout` ms? Answer with
   * `probeResult(token, inUse)`; no answer within the timeout = not in use.
   */
  probeVips(token: number, timeout: number): void;
  transition(t: Transition): void;
  note(kind: ElectionNote, detail: Readonly<Record<string, unknown>>): void;
}

export interface PeerView {
  readonly name: string;
  readonly state: KeepaliveState;
  readonly priority: number;
  readonly basePriority: number;
  readonly advertInt: number;
  readonly lastSeen: number;
  readonly alive: boolean;
}

export interface SwitchoverResult {
  readonly ok: boolean;
  readonly message: string;
}

export type SwitchoverDone = (r: SwitchoverResult) => void;

export interface ElectionCounters {
  transitions: number;
  dualMaster: number;
  takeoverVetoed: number;
  handoffs: number;
  handoffsAborted: number;
}
