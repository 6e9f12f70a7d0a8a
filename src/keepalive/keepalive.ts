// hapair keepalive: the VRRP-like half of the pair (issue #5, ARCHITECTURE.md "Two processes").
//
// Contract:
// - Config: `keepalive NAME` sections, identical on every node; parseKeepaliveSection(section)
//   turns the raw ExtraSection into a KeepaliveSpec plus diagnostics (file:line), and
//   checkKeepaliveSpecs checks several sections together. Register with the config parser through
//   reportKeepaliveSection.
// - Runtime: runKeepalive(options) runs the process until SIGTERM/SIGINT and resolves with the exit
//   code; startKeepalive(options) returns a KeepaliveDaemon handle (tests, embedding).
// - Election (election.ts): VRRPv3 states INIT, BACKUP, MASTER, FAULT, STOP; Master_Down_Interval =
//   downTimerAdverts × advert + skew; preempt / nopreempt / preempt-delay; priority 0 on a clean
//   stop; dual-master resolution by (priority, address); graceful make-before-break handoffs for
//   switchover, stop and a degraded master; a LAN probe of the VIPs before a timed takeover.
// - Wire (advert-codec.ts): unicast UDP, HMAC-SHA256/128 with key ids, sequence window and
//   timestamp freshness (replay-guard.ts); bad packets are dropped, counted and logged, rate-limited.
// - Host: VIPs with `ip addr`, gratuitous ARP with `arping -U`, unsolicited NA via `socat` raw
//   ICMPv6; trackers (interface, proxy runtime API, script, tie-breaker); notify hooks in order; a
//   control socket; a guard process that removes the VIPs if keepalive dies.
import type { ConfigDiagnostic, ExtraSection, SourceLoc } from '../config/model.ts';
import { parseKeepaliveSection } from './parse-section.ts';

export { parseKeepaliveSection, checkKeepaliveSpecs, type KeepaliveParseResult } from './parse-section.ts';
export {
  runKeepalive,
  startKeepalive,
  parseKeepaliveSections,
  KeepaliveDaemon,
  DEFAULT_CONTROL_SOCKET,
  type KeepaliveOptions,
} from './run-keepalive.ts';
export type { KeepaliveSpec, ProxyApiAddress } from './spec.ts';
export type { KeepaliveState } from './election.ts';
export type { InstanceStatus } from './instance.ts';
export { executeCommand, CONTROL_HELP } from './control-socket.ts';

/** What the config parser's section registry hands a section parser to report through. */
export interface DiagnosticSink {
  error(loc: SourceLoc | undefined, message: string): void;
  warning(loc: SourceLoc | undefined, message: string): void;
}

/** Adapter for registerSection('keepalive', { parse: reportKeepaliveSection }). */
export function reportKeepaliveSection(section: ExtraSection, report: DiagnosticSink): void {
  for (const d of parseKeepaliveSection(section).diagnostics) {
    report[d.severity === 'error' ? 'error' : 'warning'](d.loc, d.message);
  }
}

export type { ConfigDiagnostic };
