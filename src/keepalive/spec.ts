// The typed model of one `keepalive NAME` section (issue #5), produced by parse-section.ts.
// Durations are milliseconds. Defaults are applied by the parser, so every field is set.
import type { SourceLoc } from '../config/model.ts';

export interface KeepaliveNodeSpec {
  readonly name: string;
  /** One address per heartbeat link, canonical text; the first is the primary (tie-break). */
  readonly addresses: readonly string[];
  readonly priority: number;
  readonly loc: SourceLoc;
}

export interface VirtualIpSpec {
  readonly address: string; // canonical text
  readonly prefix: number;
  readonly family: 4 | 6;
  /** Interface for this VIP; default: the section's `interface`. */
  readonly dev?: string;
  readonly loc: SourceLoc;
}

/** Check cadence and hysteresis shared by the polling trackers (keepalived vrrp_script rise/fall). */
export interface TrackerTiming {
  readonly interval: number;
  readonly timeout: number;
  readonly rise: number;
  readonly fall: number;
}

/** weight 0: a failure forces FAULT; otherwise the weight is added to the priority while failing. */
export interface TrackInterfaceSpec {
  readonly name: string;
  readonly weight: number;
  readonly loc: SourceLoc;
}

export type ProxyApiAddress =
  | { readonly kind: 'unix'; readonly path: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

export interface TrackProxySpec extends TrackerTiming {
  /** Runtime API to probe with `show info`; undefined = the proxy's stats socket (runKeepalive). */
  readonly address?: ProxyApiAddress;
  readonly weight: number;
  readonly loc?: SourceLoc;
}

export interface TrackScriptSpec extends TrackerTiming {
  /** Run with `/bin/sh -c`; exit status 0 = healthy. */
  readonly command: string;
  readonly weight: number;
  readonly loc: SourceLoc;
}

export type TiebreakerMethod = 'arping' | 'ping' | 'ndisc6';

export interface TiebreakerSpec extends TrackerTiming {
  readonly address: string;
  readonly method: TiebreakerMethod;
  readonly loc: SourceLoc;
}

export interface GarpSpec {
  /** Gratuitous ARPs / unsolicited NAs sent on takeover, `interval` apart. */
  readonly repeat: number;
  readonly interval: number;
  /** A second burst this long after takeover (0 = none; keepalived garp_master_delay). */
  readonly delay: number;
  /** While master, re-announce every `refresh` (0 = never; keepalived garp_master_refresh). */
  readonly refresh: number;
  readonly refreshRepeat: number;
}

export interface NotifySpec {
  /** Called on every transition with INSTANCE STATE PRIORITY. */
  readonly all?: string;
  readonly master?: string;
  readonly backup?: string;
  readonly fault?: string;
  readonly stop?: string;
  readonly timeout: number;
}

export interface KeepaliveSpec {
  readonly name: string;
  readonly vrid: number;
  readonly interface: string;
  readonly advertInt: number;
  readonly downTimerAdverts: number;
  /** UDP port heartbeats are sent to and received on. */
  readonly port: number;
  readonly nodes: readonly KeepaliveNodeSpec[];
  readonly vips: readonly VirtualIpSpec[];
  readonly authKeyFile: string;
  /** Freshness window for adverts' timestamps; 0 = sequence check only. */
  readonly replayWindow: number;
  readonly preempt: boolean;
  readonly preemptDelay: number;
  readonly startupDelay: number;
  readonly vipProbe: { readonly enabled: boolean; readonly timeout: number };
  readonly handoffTimeout: number;
  readonly trackInterfaces: readonly TrackInterfaceSpec[];
  /** undefined: `no track-proxy`. */
  readonly trackProxy?: TrackProxySpec;
  readonly trackScripts: readonly TrackScriptSpec[];
  /** A node that reaches none of them is in FAULT (never master). */
  readonly tiebreakers: readonly TiebreakerSpec[];
  readonly garp: GarpSpec;
  readonly notify: NotifySpec;
  readonly loc: SourceLoc;
}

export const KEEPALIVE_DEFAULTS = {
  advertInt: 200,
  downTimerAdverts: 3,
  port: 5405,
  priority: 100,
  replayWindow: 10_000,
  vipProbeTimeout: 300,
  // The target adds and announces the VIPs (tens of ms) before the handoff completes; spawning
  // ip and arping was seen to take over 1 s on an overloaded host. Only a failing handoff waits.
  handoffTimeout: 3000,
  tracker: { interval: 1000, timeout: 1000, rise: 2, fall: 2 },
  proxy: { interval: 200, timeout: 500, rise: 2, fall: 2, weight: 0 },
  garp: { repeat: 3, interval: 100, delay: 2000, refresh: 60_000, refreshRepeat: 1 },
  notifyTimeout: 10_000,
} as const;
