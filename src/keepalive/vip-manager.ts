// Floating addresses on this node: `ip addr` to add and remove them, gratuitous ARP (iputils
// `arping -U`) and unsolicited neighbour advertisements to announce them, and a LAN probe that
// tells whether someone else still answers for them (reference/ha.md §5.9).
//
// IPv6 announcements: Debian's ndisc6 only solicits (it cannot send an unsolicited NA), and the
// kernel sends one by itself only for a DAD-checked address with ndisc_notify=1. So the NA
// (RFC 4861 §7.2.6: to ff02::1, hop limit 255, Override set, Target Link-Layer Address option) is
// built here and sent through `socat` on a raw ICMPv6 socket; the kernel fills in the checksum
// (RFC 3542 §3.1). ndisc6 serves to probe an IPv6 VIP.
import { readFile } from 'node:fs/promises';
import { execa, type ResultPromise } from 'execa';
import type { Logger } from 'pino';
import type { RunCommand } from './commands.ts';
import { parseIp } from './ip-address.ts';

export interface VipTarget {
  readonly address: string;
  readonly prefix: number;
  readonly family: 4 | 6;
  readonly dev: string;
}

const IP_TIMEOUT = 5000;
const ARPING_LINGER = 2500; // arping -c 1 exits ~1 s after sending; killed past this
const GARP_SEND_MARGIN = 5; // ms from arping's header line to its packet on the wire
const GARP_WAIT = 200; // at most this long for arping's header
const IPV6_SOCKOPT = 41; // IPPROTO_IPV6
const IPV6_MULTICAST_HOPS = 18;

export class VipManager {
  readonly vips: readonly VipTarget[];
  readonly #run: RunCommand;
  readonly #log: Logger;
  readonly #background = new Set<Promise<unknown>>();
  readonly #lingering = new Set<ResultPromise>();

  constructor(vips: readonly VipTarget[], run: RunCommand, log: Logger) {
    this.vips = vips;
    this.#run = run;
    this.#log = log;
  }

  /** Add every VIP (idempotent: `ip addr replace`); false if any failed. */
  async addAll(): Promise<boolean> {
    const results = await Promise.all(this.vips.map((v) => this.#ip(['addr', 'replace', ...addrArgs(v)])));
    return results.every(Boolean);
  }

  /** Remove every VIP that is present. */
  async removeAll(): Promise<void> {
    const held = new Set(await this.held());
    await Promise.all(
      this.vips.filter((v) => held.has(v.address)).map((v) => this.#ip(['addr', 'del', `${v.address}/${v.prefix}`, 'dev', v.dev])),
    );
  }

  /** The configured VIPs present on their interfaces now. */
  async held(): Promise<string[]> {
    const devs = [...new Set(this.vips.map((v) => v.dev))];
    const present = new Set<string>();
    for (const dev of devs) {
      const r = await this.#run('ip', ['-j', 'addr', 'show', 'dev', dev], { timeout: IP_TIMEOUT });
      if (r.failed) continue;
      for (const a of parseAddrJson(r.stdout)) present.add(a);
    }
    return this.vips.filter((v) => present.has(v.address)).map((v) => v.address);
  }

  /** One gratuitous ARP / unsolicited NA per VIP; resolves once they are on the wire. */
  async announce(): Promise<void> {
    await Promise.all(this.vips.map((v) => (v.family === 4 ? this.#garp(v) : this.#unsolicitedNa(v))));
  }

  /** Does any host on the LAN answer for one of the VIPs within `timeout` ms? */
  async probeInUse(timeout: number): Promise<boolean> {
    const answers = await Promise.all(this.vips.map((v) => this.#probe(v, timeout)));
    return answers.some(Boolean);
  }

  /** At shutdown: end the arpings still lingering after their packet, wait for the rest. */
  async drain(): Promise<void> {
    for (const c of this.#lingering) c.kill('SIGKILL');
    await Promise.allSettled([...this.#background]);
  }

  async #ip(args: string[]): Promise<boolean> {
    const r = await this.#run('ip', args, { timeout: IP_TIMEOUT });
    if (r.failed) this.#log.error({ cmd: `ip ${args.join(' ')}`, err: r.stderr.trim() || r.message }, 'ip command failed');
    return !r.failed;
  }

  /**
   * One gratuitous ARP (-U: request with sender = target = VIP). iputils arping sends at once and
   * then lingers for its 1 s interval, so it stays in the background; we return once it has
   * printed its header (line-buffered through stdbuf), which it does right before sending.
   */
  #garp(v: VipTarget): Promise<void> {
    return new Promise((resolve) => {
      const child = execa('stdbuf', ['-oL', 'arping', '-U', '-c', '1', '-I', v.dev, v.address], {
        reject: false,
        cleanup: false,
        timeout: ARPING_LINGER,
        stdin: 'ignore',
        buffer: false,
      });
      const done = () => setTimeout(resolve, GARP_SEND_MARGIN);
      const fallback = setTimeout(resolve, GARP_WAIT);
      child.stdout?.once('data', () => {
        clearTimeout(fallback);
        done();
      });
      this.#lingering.add(child);
      const p = child.then((r) => {
        this.#lingering.delete(child);
        clearTimeout(fallback);
        resolve();
        if (r.failed && !r.timedOut && !r.isTerminated) this.#log.warn({ vip: v.address, err: r.shortMessage }, 'arping -U failed');
      });
      this.#track(p);
    });
  }

  async #unsolicitedNa(v: VipTarget): Promise<void> {
    const mac = await readMac(v.dev);
    if (!mac) {
      this.#log.warn({ vip: v.address, dev: v.dev }, 'no MAC address: cannot send an unsolicited NA');
      return;
    }
    const r = await this.#run(
      'socat',
      ['-u', 'STDIN', `IP6-SENDTO:[ff02::1]:58,bind=[${v.address}],so-bindtodevice=${v.dev},setsockopt-int=${IPV6_SOCKOPT}:${IPV6_MULTICAST_HOPS}:255`],
      { timeout: IP_TIMEOUT, input: buildUnsolicitedNa(v.address, mac) },
    );
    if (r.failed) this.#log.warn({ vip: v.address, err: r.stderr.trim() || r.message }, 'unsolicited NA failed');
  }

  async #probe(v: VipTarget, timeout: number): Promise<boolean> {
    if (v.family === 6) {
      const wait = String(Math.max(1, Math.round(timeout)));
      const r = await this.#run('ndisc6', ['-1', '-q', '-r', '1', '-w', wait, v.address, v.dev], { timeout: timeout + 500 });
      return r.exitCode === 0;
    }
    // A reply ends arping at once (exit 0); silence is cut short by our deadline.
    const r = await this.#run('arping', ['-c', '1', '-w', '1', '-I', v.dev, v.address], { timeout });
    return r.exitCode === 0 && /Received [1-9]/.test(r.stdout);
  }

  #track(p: Promise<unknown>): void {
    this.#background.add(p);
    void p.finally(() => this.#background.delete(p));
  }
}

function addrArgs(v: VipTarget): string[] {
  const base = [`${v.address}/${v.prefix}`, 'dev', v.dev];
  // nodad: usable at once; preferred_lft 0: never picked as a source address for outgoing
  // connections (they would break when the VIP moves), still accepted as a destination.
  return v.family === 6 ? [...base, 'nodad', 'preferred_lft', '0'] : base;
}

/** Addresses (canonical text) in `ip -j addr show` output. */
export function parseAddrJson(json: string): string[] {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return [];
  }
  if (!Array.isArray(data)) return [];
  const out: string[] = [];
  for (const link of data as { addr_info?: { local?: string }[] }[]) {
    for (const a of link.addr_info ?? []) {
      const ip = a.local ? parseIp(a.local) : undefined;
      if (ip) out.push(ip.text);
    }
  }
  return out;
}

async function readMac(dev: string): Promise<string | undefined> {
  try {
    const mac = (await readFile(`/sys/class/net/${dev}/address`, 'utf8')).trim();
    return /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(mac) ? mac : undefined;
  } catch {
    return undefined;
  }
}

/** ICMPv6 Neighbor Advertisement, unsolicited (RFC 4861 §4.4): R=0, S=0, O=1, with TLLA. */
export function buildUnsolicitedNa(address: string, mac: string): Buffer {
  const target = parseIp(address);
  if (!target || target.family !== 6) throw new TypeError(`not an IPv6 address: ${address}`);
  const buf = Buffer.alloc(32);
  buf[0] = 136; // type: Neighbor Advertisement; code 0; checksum 0: the kernel computes it
  buf[4] = 0x20; // Override
  Buffer.from(target.bytes).copy(buf, 8);
  buf[24] = 2; // option: Target Link-Layer Address
  buf[25] = 1; // length in units of 8 bytes
  Buffer.from(mac.replaceAll(':', ''), 'hex').copy(buf, 26);
  return buf;
}
