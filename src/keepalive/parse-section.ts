// Parser of the `keepalive NAME` section (issue #5) from the raw section the config parser keeps
// (ExtraSection). Every problem is reported at once as a diagnostic with its file:line; any
// unknown keyword is an error, never ignored (ARCHITECTURE.md "Config language").
import type { ConfigDiagnostic, ExtraSection, SourceLoc } from '../config/model.ts';
import { checkNodes, checkVips, warnUselessWeights } from './check-section.ts';
import {
  LineReader,
  parseGarp,
  parseNo,
  parseNode,
  parseOptions,
  parseTiebreaker,
  parseTrackProxy,
  parseVip,
  SINGLE_VALUE,
  TIMING,
  timing,
  type Mutable,
} from './parse-keywords.ts';
import {
  KEEPALIVE_DEFAULTS as D,
  type KeepaliveNodeSpec,
  type KeepaliveSpec,
  type TiebreakerSpec,
  type TrackInterfaceSpec,
  type TrackProxySpec,
  type TrackScriptSpec,
  type VirtualIpSpec,
} from './spec.ts';

export { checkKeepaliveSpecs } from './check-section.ts';
export { MAX_WEIGHT } from './parse-keywords.ts';
export const MIN_ADVERT_INT = 10; // VRRPv3: centiseconds (RFC 5798 §5.2.7)
export const MAX_ADVERT_INT = 40_950;

export interface KeepaliveParseResult {
  readonly spec?: KeepaliveSpec;
  readonly diagnostics: readonly ConfigDiagnostic[];
}

export function parseKeepaliveSection(section: ExtraSection): KeepaliveParseResult {
  const diagnostics: ConfigDiagnostic[] = [];
  const context = `keepalive '${section.name}'`;
  const error = (loc: SourceLoc, message: string) =>
    diagnostics.push({ severity: 'error', loc, section: context, message });
  const warn = (loc: SourceLoc, message: string) =>
    diagnostics.push({ severity: 'warning', loc, section: context, message });

  if (!section.name) error(section.loc, "'keepalive' expects a name");
  if (section.args.length > 0) error(section.loc, `unexpected argument '${section.args[0]}' after the name`);

  const s: Mutable<Partial<KeepaliveSpec>> & {
    nodes: KeepaliveNodeSpec[];
    vips: VirtualIpSpec[];
    trackInterfaces: TrackInterfaceSpec[];
    trackScripts: TrackScriptSpec[];
    tiebreakers: TiebreakerSpec[];
  } = { nodes: [], vips: [], trackInterfaces: [], trackScripts: [], tiebreakers: [] };
  let trackProxy: TrackProxySpec | null = { ...D.proxy };
  const garp: Mutable<KeepaliveSpec['garp']> = { ...D.garp };
  const notify: Mutable<KeepaliveSpec['notify']> = { timeout: D.notifyTimeout };
  let preemptSeen: string | undefined;

  const seen = new Map<string, SourceLoc>();
  for (const line of section.lines) {
    const r = new LineReader(line, error);
    const kw = r.keyword;
    if (!seen.has(kw)) seen.set(kw, r.loc);
    const once = <K extends keyof KeepaliveSpec>(key: K, value: KeepaliveSpec[K] | undefined) => {
      if (value === undefined) return;
      if (s[key] !== undefined) r.error(`'${kw}' given twice`);
      (s as Mutable<Partial<KeepaliveSpec>>)[key] = value;
    };
    switch (kw) {
      case 'interface':
        once('interface', r.next('an interface name'));
        break;
      case 'vrid':
        once('vrid', r.int('a virtual router id', 1, 255));
        break;
      case 'advert-int':
        once('advertInt', r.duration('an interval', MIN_ADVERT_INT));
        if (s.advertInt !== undefined && s.advertInt > MAX_ADVERT_INT) r.error(`'advert-int' is at most 40950ms`);
        break;
      case 'down-timer-adverts':
        once('downTimerAdverts', r.int('a count', 1, 100));
        break;
      case 'port':
        once('port', r.int('a UDP port', 1, 65535));
        break;
      case 'node':
        parseNode(r, s.nodes);
        break;
      case 'virtual-ip':
        parseVip(r, s.vips);
        break;
      case 'auth-key-file':
        once('authKeyFile', r.next('a file path'));
        break;
      case 'replay-window':
        once('replayWindow', r.duration('a time (0 = sequence check only)'));
        break;
      case 'preempt':
      case 'nopreempt':
        if (preemptSeen && preemptSeen !== kw) r.error(`'${kw}' conflicts with '${preemptSeen}'`);
        preemptSeen = kw;
        s.preempt = kw === 'preempt';
        break;
      case 'preempt-delay':
        once('preemptDelay', r.duration('a delay'));
        break;
      case 'startup-delay':
        once('startupDelay', r.duration('a delay'));
        break;
      case 'handoff-timeout':
        once('handoffTimeout', r.duration('a timeout', 1));
        break;
      case 'vip-probe': {
        let timeout: number = D.vipProbeTimeout;
        if (r.peek() === 'timeout') {
          r.next('timeout');
          timeout = r.duration('a timeout', 1) ?? timeout;
        }
        once('vipProbe', { enabled: true, timeout });
        break;
      }
      case 'no':
        parseNo(r, (what) => {
          if (what === 'track-proxy') trackProxy = null;
          else once('vipProbe', { enabled: false, timeout: D.vipProbeTimeout });
        });
        break;
      case 'track-interface': {
        const name = r.next('an interface name');
        const weight = parseOptions(r, { weight: 'weight' }).weight ?? 0;
        if (name) s.trackInterfaces.push({ name, weight, loc: r.loc });
        break;
      }
      case 'track-proxy':
        trackProxy = parseTrackProxy(r);
        break;
      case 'track-script': {
        const command = r.next('a command');
        const o = parseOptions(r, { weight: 'weight', ...TIMING });
        if (command) s.trackScripts.push({ command, ...timing(o, D.tracker), weight: o.weight ?? 0, loc: r.loc });
        break;
      }
      case 'tiebreaker':
        parseTiebreaker(r, s.tiebreakers);
        break;
      case 'garp-repeat':
      case 'garp-interval':
      case 'garp-delay':
      case 'garp-refresh':
      case 'garp-refresh-repeat':
        parseGarp(r, garp);
        break;
      case 'notify':
      case 'notify-master':
      case 'notify-backup':
      case 'notify-fault':
      case 'notify-stop': {
        const key = kw === 'notify' ? 'all' : (kw.slice(7) as 'master' | 'backup' | 'fault' | 'stop');
        const cmd = r.next('a script path');
        if (cmd !== undefined) {
          if (notify[key] !== undefined) r.error(`'${kw}' given twice`);
          notify[key] = cmd;
        }
        r.end();
        break;
      }
      case 'notify-timeout':
        notify.timeout = r.duration('a timeout', 1) ?? notify.timeout;
        r.end();
        break;
      default:
        r.error(`unknown keyword '${kw}' in keepalive section`);
        continue;
    }
    if (SINGLE_VALUE.has(kw)) r.end();
  }

  // Missing keywords are reported only when absent: an invalid one was already reported.
  for (const [kw, what] of [
    ['interface', "an 'interface'"],
    ['vrid', "a 'vrid'"],
    ['auth-key-file', "an 'auth-key-file' (heartbeats are always authenticated)"],
  ] as const) {
    if (!seen.has(kw)) error(section.loc, `missing ${what}`);
  }
  const nodeLines = section.lines.filter((l) => l.args[0] === 'node').length;
  if (nodeLines < 2) error(section.loc, `needs at least two 'node' lines, got ${nodeLines}`);
  if (!seen.has('virtual-ip')) error(section.loc, "needs at least one 'virtual-ip'");
  checkNodes(s.nodes, error);
  checkVips(s.vips, error);
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };

  const spec: KeepaliveSpec = {
    name: section.name,
    vrid: s.vrid!,
    interface: s.interface!,
    advertInt: s.advertInt ?? D.advertInt,
    downTimerAdverts: s.downTimerAdverts ?? D.downTimerAdverts,
    port: s.port ?? D.port,
    nodes: s.nodes,
    vips: s.vips,
    authKeyFile: s.authKeyFile!,
    replayWindow: s.replayWindow ?? D.replayWindow,
    preempt: s.preempt ?? true,
    preemptDelay: s.preemptDelay ?? 0,
    startupDelay: s.startupDelay ?? 0,
    vipProbe: s.vipProbe ?? { enabled: true, timeout: D.vipProbeTimeout },
    handoffTimeout: s.handoffTimeout ?? D.handoffTimeout,
    trackInterfaces: s.trackInterfaces,
    trackProxy: trackProxy ?? undefined,
    trackScripts: s.trackScripts,
    tiebreakers: s.tiebreakers,
    garp,
    notify,
    loc: section.loc,
  };
  if (spec.preemptDelay > 0 && !spec.preempt) warn(seen.get('preempt-delay')!, "'preempt-delay' has no effect with 'nopreempt'");
  warnUselessWeights(spec, warn);
  return { spec, diagnostics };
}
