// The keyword parsers of the `keepalive` section (parse-section.ts runs them line by line): a
// reader over one line's arguments, and one function per keyword with options.
import type { ConfigLine, SourceLoc } from '../config/model.ts';
import { parseDuration } from './duration.ts';
import { parseIp } from './ip-address.ts';
import {
  KEEPALIVE_DEFAULTS as D,
  type KeepaliveNodeSpec,
  type KeepaliveSpec,
  type ProxyApiAddress,
  type TiebreakerMethod,
  type TiebreakerSpec,
  type TrackerTiming,
  type TrackProxySpec,
  type VirtualIpSpec,
} from './spec.ts';

export const MAX_WEIGHT = 253; // keepalived: ±253

export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class LineReader {
  readonly #line: ConfigLine;
  readonly #errors: (loc: SourceLoc, msg: string) => void;
  #i = 1;

  constructor(line: ConfigLine, error: (loc: SourceLoc, msg: string) => void) {
    this.#line = line;
    this.#errors = error;
  }

  get keyword(): string {
    return this.#line.args[0];
  }

  get loc(): SourceLoc {
    return this.#line.loc;
  }

  get done(): boolean {
    return this.#i >= this.#line.args.length;
  }

  peek(): string | undefined {
    return this.#line.args[this.#i];
  }

  next(what: string): string | undefined {
    const v = this.#line.args[this.#i++];
    if (v === undefined) this.error(`'${this.keyword}' expects ${what}`);
    return v;
  }

  error(msg: string): void {
    this.#errors(this.#line.loc, msg);
  }

  int(what: string, min: number, max: number): number | undefined {
    const v = this.next(what);
    if (v === undefined) return undefined;
    const n = /^-?\d+$/.test(v) ? Number(v) : NaN;
    if (!(n >= min && n <= max)) {
      this.error(`'${this.keyword}': ${what} must be an integer in ${min}..${max}, got '${v}'`);
      return undefined;
    }
    return n;
  }

  duration(what: string, min = 0): number | undefined {
    const v = this.next(what);
    if (v === undefined) return undefined;
    const ms = parseDuration(v);
    if (ms === undefined || ms < min) {
      this.error(`'${this.keyword}': ${what} must be a time${min > 0 ? ` of at least ${min}ms` : ''}, got '${v}'`);
      return undefined;
    }
    return ms;
  }

  /** Trailing arguments must be consumed. */
  end(): void {
    if (!this.done) this.error(`'${this.keyword}': unexpected argument '${this.peek()}'`);
  }
}

// ---- keyword parsers -----------------------------------------------------------------------

/** Keywords whose arguments are fixed: anything after them is an error. */
export const SINGLE_VALUE = new Set([
  'interface', 'vrid', 'advert-int', 'down-timer-adverts', 'port', 'auth-key-file', 'replay-window',
  'preempt', 'nopreempt', 'preempt-delay', 'startup-delay', 'handoff-timeout', 'vip-probe',
]);

export const TIMING = { interval: 'duration', timeout: 'duration', rise: 'count', fall: 'count' } as const;

type OptionKinds = Readonly<Record<string, 'duration' | 'count' | 'weight' | 'string'>>;
type OptionValues<K extends OptionKinds> = {
  [P in keyof K]?: K[P] extends 'string' ? string : number;
};

/** `key value` pairs after the positional arguments, each key at most once. */
export function parseOptions<K extends OptionKinds>(r: LineReader, kinds: K): OptionValues<K> {
  const out: Record<string, string | number | undefined> = {};
  while (!r.done) {
    const key = r.next('an option')!;
    const kind = kinds[key];
    if (kind === undefined) {
      r.error(`'${r.keyword}': unknown option '${key}' (expected ${Object.keys(kinds).join(', ')})`);
      return out as OptionValues<K>;
    }
    if (key in out) r.error(`'${r.keyword}': option '${key}' given twice`);
    out[key] =
      kind === 'duration'
        ? r.duration(key, 1)
        : kind === 'count'
          ? r.int(key, 1, 100)
          : kind === 'weight'
            ? r.int(key, -MAX_WEIGHT, MAX_WEIGHT)
            : r.next(key);
  }
  return out as OptionValues<K>;
}

export function timing(o: Partial<Record<keyof typeof TIMING, number>>, d: TrackerTiming): TrackerTiming {
  return { interval: o.interval ?? d.interval, timeout: o.timeout ?? d.timeout, rise: o.rise ?? d.rise, fall: o.fall ?? d.fall };
}

export function parseNode(r: LineReader, nodes: KeepaliveNodeSpec[]): void {
  const name = r.next('a node name and its address');
  const addresses: string[] = [];
  let priority: number = D.priority;
  while (!r.done) {
    const arg = r.next('an address')!;
    if (arg === 'priority') {
      priority = r.int('a priority', 1, 254) ?? priority;
      continue;
    }
    for (const a of arg.split(',').filter(Boolean)) {
      const ip = parseIp(a);
      if (ip) addresses.push(ip.text);
      else r.error(`'node ${name}': '${a}' is not an IP address (names are not resolved)`);
    }
  }
  if (name === undefined) return;
  if (addresses.length === 0) return r.error(`'node ${name}' needs an address`);
  if (addresses.length > 8) return r.error(`'node ${name}': at most 8 heartbeat links`);
  nodes.push({ name, addresses, priority, loc: r.loc });
}

export function parseVip(r: LineReader, vips: VirtualIpSpec[]): void {
  const text = r.next('an address[/prefix]');
  if (text === undefined) return;
  const [addr, pfx, extra] = text.split('/');
  const ip = parseIp(addr);
  if (!ip || extra !== undefined) return r.error(`'virtual-ip': '${text}' is not an address[/prefix]`);
  const max = ip.family === 4 ? 32 : 128;
  const prefix = pfx === undefined ? max : /^\d+$/.test(pfx) ? Number(pfx) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return r.error(`'virtual-ip': prefix of '${text}' must be 0..${max}`);
  const o = parseOptions(r, { dev: 'string' });
  vips.push({ address: ip.text, prefix, family: ip.family, dev: o.dev, loc: r.loc });
}

export function parseNo(r: LineReader, apply: (what: 'track-proxy' | 'vip-probe') => void): void {
  const what = r.next("'track-proxy' or 'vip-probe'");
  if (what === 'track-proxy' || what === 'vip-probe') apply(what);
  else if (what !== undefined) r.error(`'no ${what}' is not supported (only 'no track-proxy', 'no vip-probe')`);
  r.end();
}

export function parseTrackProxy(r: LineReader): TrackProxySpec | null {
  const o = parseOptions(r, { socket: 'string', addr: 'string', weight: 'weight', ...TIMING });
  let address: ProxyApiAddress | undefined;
  if (o.socket !== undefined && o.addr !== undefined) r.error("'track-proxy': give 'socket' or 'addr', not both");
  if (o.socket !== undefined) address = { kind: 'unix', path: o.socket };
  if (o.addr !== undefined) {
    const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(o.addr);
    const host = m?.[1] ?? m?.[2];
    const port = m ? Number(m[3]) : NaN;
    if (!host || !parseIp(host) || !(port >= 1 && port <= 65535)) {
      r.error(`'track-proxy': addr must be IP:PORT, got '${o.addr}'`);
    } else address = { kind: 'tcp', host, port };
  }
  return { ...timing(o, D.proxy), weight: o.weight ?? D.proxy.weight, address, loc: r.loc };
}

export function parseTiebreaker(r: LineReader, out: TiebreakerSpec[]): void {
  const address = r.next('an address');
  const o = parseOptions(r, { method: 'string', ...TIMING });
  if (address === undefined) return;
  const ip = parseIp(address);
  if (!ip) return r.error(`'tiebreaker': '${address}' is not an IP address`);
  const method = (o.method ?? (ip.family === 6 ? 'ndisc6' : 'arping')) as TiebreakerMethod;
  if (!['arping', 'ping', 'ndisc6'].includes(method)) {
    return r.error(`'tiebreaker': method must be arping, ping or ndisc6, got '${o.method}'`);
  }
  if ((method === 'arping' && ip.family !== 4) || (method === 'ndisc6' && ip.family !== 6)) {
    return r.error(`'tiebreaker': method ${method} does not fit ${address}`);
  }
  out.push({ address: ip.text, method, ...timing(o, D.tracker), loc: r.loc });
}

/** `garp-repeat 3 garp-interval 100ms garp-refresh 60s`: several settings may share a line. */
export function parseGarp(r: LineReader, g: Mutable<KeepaliveSpec['garp']>): void {
  let key: string | undefined = r.keyword;
  for (;;) {
    if (key === 'garp-repeat') g.repeat = r.int('a count', 1, 100) ?? g.repeat;
    else if (key === 'garp-refresh-repeat') g.refreshRepeat = r.int('a count', 1, 100) ?? g.refreshRepeat;
    else if (key === 'garp-interval') g.interval = r.duration('an interval', 1) ?? g.interval;
    else if (key === 'garp-delay') g.delay = r.duration('a delay (0 = none)') ?? g.delay;
    else if (key === 'garp-refresh') g.refresh = r.duration('an interval (0 = never)') ?? g.refresh;
    else return r.error(`unexpected '${key}' (expected a garp-* setting)`);
    if (r.done) return;
    key = r.next('a garp setting');
  }
}
