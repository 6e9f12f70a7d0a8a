// Pure figures of the failover benchmark (bench/scenarios/failover.ts): the client-visible gap
// from a probe log, and state transitions from hapair's notify log or keepalived's console log.

export interface Probe {
  /** When the probe's connection was opened (ms since the epoch, the bench's clock). */
  readonly t: number;
  readonly ok: boolean;
  /** The lb whose proxy answered. */
  readonly node?: string;
}

export interface Gap {
  /** Longest time between two consecutive successful probes around the fault (ms). */
  readonly gapMs: number;
  /** From the fault to the first answer from the new master (ms). */
  readonly takeoverMs: number;
  /** Probes that failed (refused, reset, timed out) between the fault and the takeover. */
  readonly failed: number;
}

/**
 * The client-visible gap: from the last success before `faultAt` to the first success after it,
 * widened to the longest silence between successes until the first answer by `newMaster` (with
 * keepalived killed, the old node may keep answering on the VIP until the client's ARP entry
 * moves, so the outage can start after the fault). Undefined when `newMaster` never answered.
 */
export function clientGap(probes: readonly Probe[], faultAt: number, newMaster: string): Gap | undefined {
  const sorted = [...probes].sort((a, b) => a.t - b.t);
  const takeover = sorted.find((p) => p.ok && p.t >= faultAt && p.node === newMaster);
  if (takeover === undefined) return undefined;
  const before = sorted.filter((p) => p.ok && p.t < faultAt).at(-1);
  let prev = before?.t ?? faultAt;
  let gapMs = 0;
  let failed = 0;
  for (const p of sorted) {
    if (p.t < prev || p.t > takeover.t) continue;
    if (!p.ok) {
      if (p.t >= faultAt) failed++;
      continue;
    }
    gapMs = Math.max(gapMs, p.t - prev);
    prev = p.t;
  }
  return { gapMs, takeoverMs: takeover.t - faultAt, failed };
}

/** hapair notify log lines (keepalive/notify.sh): `DATE NODE INSTANCE PREV -> STATE priority P (...)`. */
export function hapairTransitions(lines: readonly string[]): string[] {
  return lines.filter((l) => / -> (MASTER|BACKUP|FAULT|STOP) /.test(l));
}

/** keepalived 2.2 console log: `(VI_1) Entering MASTER STATE`, `... BACKUP STATE`, `... FAULT STATE`. */
export function keepalivedTransitions(lines: readonly string[]): string[] {
  return lines.filter((l) => /Entering (MASTER|BACKUP|FAULT) STATE/.test(l));
}

/** Transitions to MASTER among `transitions` (either format): a takeover, wanted or not. */
export function masterTransitions(transitions: readonly string[]): number {
  return transitions.filter((l) => /-> MASTER |Entering MASTER STATE/.test(l)).length;
}

export interface DualOwnership {
  /** The longest stretch with more than one VIP owner (ms); 0 when there never were two. */
  readonly maxMs: number;
  /** Stretches with more than one owner. */
  readonly episodes: number;
  /** Still two owners when observation ended (`maxMs` then runs to `endAt`). */
  readonly unresolved: boolean;
}

/**
 * Dual ownership in an owner timeline ([time, owners] from `ip -ts monitor address` on both lbs,
 * test/lab/pair-lab.ts startOwnerMonitor): each stretch starts when a second owner appears and
 * ends when at most one is left, or at `endAt` if observation ended first.
 */
export function dualOwnership(timeline: readonly (readonly [number, readonly string[]])[], endAt: number): DualOwnership {
  const sorted = [...timeline].sort((a, b) => a[0] - b[0]);
  let maxMs = 0;
  let episodes = 0;
  let since: number | undefined;
  for (const [t, owners] of sorted) {
    if (owners.length > 1 && since === undefined) {
      since = t;
      episodes++;
    } else if (owners.length <= 1 && since !== undefined) {
      maxMs = Math.max(maxMs, t - since);
      since = undefined;
    }
  }
  if (since !== undefined) maxMs = Math.max(maxMs, endAt - since);
  return { maxMs, episodes, unresolved: since !== undefined };
}
