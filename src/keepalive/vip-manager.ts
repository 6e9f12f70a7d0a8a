// Floating addresses on this node: `ip addr` to add and remove them, gratuitous ARP (frames
// written to a socat raw-socket pipe started ahead of time, garp-pipe.ts; iputils `arping -U` as
// the fallback) and unsolicited neighbour advertisements to announce them, and a LAN probe that
// tells whether someone else still answers for them (reference/ha.md §5.9).
//
// IPv6 announcements: Debian's ndisc6 only solicits (it cannot send an unsolicited NA), and the
// kernel sends one by itself only for a DAD-checked address with ndisc_notify=1. So the NA
// (RFC 4861 §7.2.6: to ff02::1, hop limit 255, Override set, Target Link-Layer Address option) is
// built here (na-frame.ts) and written as a whole Ethernet frame to a second long-lived socat
// INTERFACE pipe; if that pipe is unusable, one `socat` per announcement sends the ICMPv6 body on a
// raw ICMPv6 socket and the kernel fills in the checksum (RFC 3542 §3.1). ndisc6 probes IPv6 VIPs.
//
// The interfaces' MAC addresses are re-read at every takeover (while `ip addr` runs) and before
// every later announcement round (a synchronous sysfs read), so announcements follow a changed MAC.
import { readFileSync } from 'node:fs';
import { execa, type ResultPromise } from 'execa';
import type { Logger } from 'pino';
import type { RunCommand } from './commands.ts';
import { GarpPipe, garpFrame } from './garp-pipe.ts';
import { buildUnsolicitedNa, NA_FRAME_LEN, naFrame } from './na-frame.ts';
import { IpBatch } from './ip-batch.ts';
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
const MAC = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i;

export class VipManager {
  readonly vips: readonly VipTarget[];
  readonly #run: RunCommand;
  /** Prepended to the gratuitous ARP command (spawned directly, not through `run`): tests' netns. */
  readonly #garpPrefix: readonly string[];
  readonly #log: Logger;
  readonly #background = new Set<Promise<unknown>>();
  readonly #lingering = new Set<ResultPromise>();
  readonly #pipes = new Map<string, GarpPipe>();
  readonly #macs = new Map<string, string>();
  #batch?: IpBatch;

  constructor(vips: readonly VipTarget[], run: RunCommand, log: Logger, garpPrefix: readonly string[] = []) {
    this.#garpPrefix = garpPrefix;
    this.vips = vips;
    this.#run = run;
    this.#log = log;
  }

  /**
   * Start the `ip` batch (ip-batch.ts) and the announcement pipes (garp-pipe.ts: one per interface
   * and family), and read the interfaces' MAC addresses, so that a takeover starts no process to
   * add and announce the VIPs. Without a MAC or a pipe, arping (or socat) announces.
   */
  async prepare(): Promise<void> {
    if (!this.#batch) {
      this.#batch = new IpBatch(this.#log, IP_TIMEOUT, this.#garpPrefix);
      this.#batch.start();
    }
    await this.refreshMacs();
    for (const v of this.vips) {
      const key = `${v.family}/${v.dev}`;
      if (this.#pipes.has(key)) continue;
      const pipe = new GarpPipe(v.dev, this.#log, this.#garpPrefix, v.family === 4 ? undefined : NA_FRAME_LEN);
      pipe.start();
      this.#pipes.set(key, pipe);
    }
  }

  /**
   * Read the MAC of every VIP interface again (a failed read keeps the last one known). Without a
   * test prefix this is a synchronous sysfs read (microseconds, never blocks on a disk): at a
   * takeover the thread pool's open/read/close round trips through a busy event loop cost 30-60 ms
   * before the GARP on a loaded 2-CPU host.
   */
  async refreshMacs(): Promise<void> {
    const devs = [...new Set(this.vips.map((v) => v.dev))];
    if (this.#garpPrefix.length === 0) {
      for (const dev of devs) this.#noteMac(dev, readMacSync(dev));
      return;
    }
    await Promise.all(devs.map(async (dev) => this.#noteMac(dev, await this.#readMacThroughPrefix(dev))));
  }

  #noteMac(dev: string, mac: string | undefined): void {
    if (!mac) return;
    const old = this.#macs.get(dev);
    if (old && old !== mac) this.#log.info({ dev, old, mac }, 'interface MAC address changed: announcing the new one');
    this.#macs.set(dev, mac);
  }

  /** The MAC of the interface as the tools see it through the test prefix (another netns). */
  async #readMacThroughPrefix(dev: string): Promise<string | undefined> {
    const r = await this.#run('cat', [`/sys/class/net/${dev}/address`], { timeout: IP_TIMEOUT });
    const mac = r.stdout.trim();
    return !r.failed && MAC.test(mac) ? mac : undefined;
  }

  /**
   * Takeover: add every VIP, then announce them if `wanted()` still holds; resolves once the first
   * announcements are out. Never announce before the add: a client whose cache moved here would
   * have its SYNs dropped until the address exists, and retransmit only after 1 s.
   * (Starting arping held on a pipe while `ip` runs was tried: on a loaded 2-CPU host the extra
   * process made the takeover slower, not faster.)
   */
  async claim(wanted: () => boolean = () => true): Promise<boolean> {
    const [ok] = await Promise.all([this.addAll(), this.refreshMacs()]);
    if (ok && wanted()) await this.#announceNow();
    return ok;
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

  /**
   * Remove every VIP at once, without listing them first: the release path of a master that yields
   * (one `ip` run per VIP instead of two runs in a row, so the overlap with the new master is
   * short). A VIP already gone is not an error.
   */
  async releaseAll(): Promise<void> {
    await Promise.all(
      this.vips.map(async (v) => {
        const args = ['addr', 'del', `${v.address}/${v.prefix}`, 'dev', v.dev];
        const r = await this.#ipRun(args);
        if (r.failed && !/address not found/i.test(r.stderr)) {
          this.#log.error({ cmd: `ip ${args.join(' ')}`, err: r.stderr.trim() || r.message }, 'ip command failed');
        }
      }),
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

  /** One gratuitous ARP / unsolicited NA per VIP, from the current MAC; resolves once they are on the wire. */
  async announce(): Promise<void> {
    await this.refreshMacs();
    await this.#announceNow();
  }

  async #announceNow(): Promise<void> {
    await Promise.all(this.vips.map((v) => (v.family === 4 ? this.#garp(v) : this.#unsolicitedNa(v))));
  }

  /** Does any host on the LAN answer for one of the VIPs within `timeout` ms? */
  async probeInUse(timeout: number): Promise<boolean> {
    const answers = await Promise.all(this.vips.map((v) => this.#probe(v, timeout)));
    return answers.some(Boolean);
  }

  /** At shutdown: end the arpings still lingering after their packet, wait for the rest. */
  async drain(): Promise<void> {
    this.#batch?.close();
    for (const p of this.#pipes.values()) p.close();
    for (const c of this.#lingering) c.kill('SIGKILL');
    await Promise.allSettled([...this.#background]);
  }

  /** Through the batch when it is up, else a process. */
  async #ipRun(args: string[]): Promise<{ failed: boolean; stderr: string; message: string }> {
    const b = await this.#batch?.run(args);
    if (b) return { failed: !b.ok, stderr: b.stderr, message: b.ok ? '' : 'failed' };
    return this.#run('ip', args, { timeout: IP_TIMEOUT });
  }

  async #ip(args: string[]): Promise<boolean> {
    const r = await this.#ipRun(args);
    if (r.failed) this.#log.error({ cmd: `ip ${args.join(' ')}`, err: r.stderr.trim() || r.message }, 'ip command failed');
    return !r.failed;
  }

  /**
   * One gratuitous ARP (-U: request with sender = target = VIP). iputils arping sends at once and
   * then lingers for its 1 s interval, so it stays in the background; we return once it has
   * printed its header (line-buffered through stdbuf), which it does right before sending.
   */
  async #garp(v: VipTarget): Promise<void> {
    const pipe = this.#pipes.get(`4/${v.dev}`);
    const mac = this.#macs.get(v.dev);
    if (pipe && mac && pipe.send(garpFrame(v.address, mac))) {
      await new Promise((r) => setTimeout(r, GARP_SEND_MARGIN));
      return;
    }
    return this.#arping(v);
  }

  #arping(v: VipTarget): Promise<void> {
    return new Promise((resolve) => {
      const argv = [...this.#garpPrefix, 'stdbuf', '-oL', 'arping', '-U', '-c', '1', '-I', v.dev, v.address];
      const child = execa(argv[0], argv.slice(1), {
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
    const mac = this.#macs.get(v.dev);
    if (!mac) {
      this.#log.warn({ vip: v.address, dev: v.dev }, 'no MAC address: cannot send an unsolicited NA');
      return;
    }
    if (this.#pipes.get(`6/${v.dev}`)?.send(naFrame(v.address, mac))) {
      await new Promise((r) => setTimeout(r, GARP_SEND_MARGIN));
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
    return this.#arpProbe(v, timeout);
  }

  /**
   * One ARP request for the VIP; true as soon as arping prints a reply (line-buffered through
   * stdbuf), false at `timeout`. Neither waits for arping to exit: on a loaded host its exit and
   * reaping can come after the master-down timer, which would then take a VIP its owner answered
   * for (a split brain). The child is killed and reaped in the background.
   */
  #arpProbe(v: VipTarget, timeout: number): Promise<boolean> {
    return new Promise((resolve) => {
      const argv = [...this.#garpPrefix, 'stdbuf', '-oL', 'arping', '-c', '1', '-w', '1', '-I', v.dev, v.address];
      const child = execa(argv[0], argv.slice(1), { reject: false, cleanup: false, stdin: 'ignore', buffer: false, timeout: ARPING_LINGER });
      let out = '';
      let done = false;
      const finish = (inUse: boolean): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(inUse);
        child.kill('SIGKILL');
      };
      const timer = setTimeout(() => finish(false), timeout);
      child.stdout?.setEncoding('utf8');
      child.stdout?.on('data', (d: string) => {
        out += d;
        if (/reply from/i.test(out)) finish(true);
      });
      this.#lingering.add(child);
      this.#track(
        child.then(() => {
          this.#lingering.delete(child);
          finish(/Received [1-9]/.test(out));
        }),
      );
    });
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

function readMacSync(dev: string): string | undefined {
  try {
    const mac = readFileSync(`/sys/class/net/${dev}/address`, 'utf8').trim();
    return MAC.test(mac) ? mac : undefined;
  } catch {
    return undefined;
  }
}
