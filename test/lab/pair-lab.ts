// The keepalive lab: a pair of load balancers in network namespaces (reference/ha.md §5.11).
//
//   PREFIX-br : bridge br0 (its own namespace, no uplink: nothing leaves the lab)
//   PREFIX-gw .1 (tie-breaker)   PREFIX-lb1 .11   PREFIX-lb2 .12   PREFIX-cli .50
//   PREFIX-be1 .21   PREFIX-be2 .22        all on 10.199.N.0/24 and fd00:199:N::/64 via eth0
//   lb1:hb0 <-> lb2:hb0 : a back-to-back heartbeat cable, 10.199.(N+100).0/24
//   VIP 10.199.N.100/24, fd00:199:N::100/64
//
// Each lb runs `hapair keepalive -f FILE -L lbN` and `hapair proxy -f FILE` (the real commands):
// the proxy listens on the VIPs (bound ahead of time: ip_nonlocal_bind) and balances over be1 and
// be2, whose answer names the lb the connection came from (lab-programs.ts `backend`).
// Names are unique per test file (the prefix); leftovers of a crashed run are removed first.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCommand, type CommandResult } from '../../src/keepalive/commands.ts';

export const REPO = resolve(import.meta.dirname, '../..');
export const NODE = join(REPO, 'node_modules/.bin/node');
const PROGRAMS = join(REPO, 'test/lab/lab-programs.ts');
const HAPAIR = join(REPO, 'src/cli/hapair.ts');
export const NOTIFY_SCRIPT = join(REPO, 'keepalive/notify.sh');

export type LbName = 'lb1' | 'lb2';
const HOSTS = { gw: 1, lb1: 11, lb2: 12, be1: 21, be2: 22, cli: 50 } as const;
type Host = keyof typeof HOSTS;
export const PROXY_PORT = 8080;
const BACKEND_PORT = 9000;

export async function sh(args: readonly string[], timeout = 10_000): Promise<CommandResult> {
  return runCommand(args[0], args.slice(1), { timeout });
}

async function must(args: readonly string[]): Promise<string> {
  const r = await sh(args);
  if (r.failed) throw new Error(`${args.join(' ')}: ${r.stderr.trim() || r.message}`);
  return r.stdout;
}

/** Poll `fn` until it returns a value other than undefined/false; bounded in time and count. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 15_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 10_000 && Date.now() < deadline; i++) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export interface KeepaliveProc {
  readonly node: LbName;
  readonly pid: number;
  readonly exited: Promise<number | null>;
  readonly notifyLog: string;
  readonly control: string;
}

export interface KeepalivedProc {
  readonly node: LbName;
  /** The parent (`ip netns exec` execs keepalived, so the same pid). */
  readonly pid: number;
  /** The VRRP child: the election process. */
  readonly vrrpPid: number;
  readonly exited: Promise<number | null>;
  readonly log: string;
}

export interface LabStatus {
  readonly state: string;
  readonly priority: number;
  readonly master?: string;
  readonly faults: string[];
  readonly txSeq: string;
  readonly peers: { name: string; state: string; alive: boolean }[];
  readonly counters: { dropped: Record<string, number>; accepted: number; notes: Record<string, number> };
}

export interface ProbeResult {
  readonly n: number;
  readonly t: number;
  readonly ok: boolean;
  readonly node?: string;
  readonly err?: string;
}

export class PairLab {
  readonly prefix: string;
  readonly net: number;
  dir = '';
  readonly #procs = new Set<ChildProcess>();
  readonly #backends = new Set<ChildProcess>();
  #runs = 0;

  constructor(prefix: string, net: number) {
    // hpbf*: the failover benchmark (bench/scenarios/failover.ts), apart from the lab tests.
    if (!/^(hpk5|hpbf)[a-z]$/.test(prefix)) throw new Error('lab prefixes are hpk5a..hpk5z (tests), hpbfa..hpbfz (bench)');
    this.prefix = prefix;
    this.net = net;
  }

  ns(h: Host | 'br'): string {
    return `${this.prefix}-${h}`;
  }

  ip(h: Host): string {
    return `10.199.${this.net}.${HOSTS[h]}`;
  }

  ip6(h: Host): string {
    return `fd00:199:${this.net}::${HOSTS[h]}`;
  }

  hbIp(h: LbName): string {
    return `10.199.${this.net + 100}.${HOSTS[h]}`;
  }

  get vip(): string {
    return `10.199.${this.net}.100`;
  }

  /** A second IPv4 VIP (active/active). */
  get vip2(): string {
    return `10.199.${this.net}.101`;
  }

  get vip6(): string {
    return `fd00:199:${this.net}::100`;
  }

  get keyFile(): string {
    return join(this.dir, 'keepalive.key');
  }

  apiSocket(lb: LbName): string {
    return join(this.dir, `${lb}-api.sock`);
  }

  exec(h: Host | 'br', args: readonly string[], timeout = 10_000): Promise<CommandResult> {
    return sh(['ip', 'netns', 'exec', this.ns(h), ...args], timeout);
  }

  // ---- topology ------------------------------------------------------------------------------

  async create(): Promise<void> {
    await this.#removeLeftovers();
    this.dir = await mkdtemp(join(tmpdir(), `${this.prefix}-`));
    await writeFile(this.keyFile, `1 ${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    const hosts = Object.keys(HOSTS) as Host[];
    for (const n of ['br', ...hosts] as const) {
      await must(['ip', 'netns', 'add', this.ns(n)]);
      await must(['ip', '-n', this.ns(n), 'link', 'set', 'lo', 'up']);
    }
    const br = this.ns('br');
    await must(['ip', '-n', br, 'link', 'add', 'br0', 'type', 'bridge']);
    await must(['ip', '-n', br, 'link', 'set', 'br0', 'up']);
    for (const h of hosts) {
      await must(['ip', '-n', br, 'link', 'add', `p-${h}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', this.ns(h)]);
      await must(['ip', '-n', br, 'link', 'set', `p-${h}`, 'master', 'br0', 'up']);
      await must(['ip', '-n', this.ns(h), 'link', 'set', 'eth0', 'up']);
      await must(['ip', '-n', this.ns(h), 'addr', 'add', `${this.ip(h)}/24`, 'dev', 'eth0']);
      await must(['ip', '-n', this.ns(h), 'addr', 'add', `${this.ip6(h)}/64`, 'dev', 'eth0', 'nodad']);
    }
    // The back-to-back heartbeat cable.
    await must(['ip', '-n', this.ns('lb1'), 'link', 'add', 'hb0', 'type', 'veth', 'peer', 'name', 'hb0', 'netns', this.ns('lb2')]);
    for (const lb of ['lb1', 'lb2'] as const) {
      await must(['ip', '-n', this.ns(lb), 'link', 'set', 'hb0', 'up']);
      await must(['ip', '-n', this.ns(lb), 'addr', 'add', `${this.hbIp(lb)}/24`, 'dev', 'hb0']);
    }
    const peers = `${this.ip('lb1')}=lb1,${this.ip('lb2')}=lb2`;
    for (const be of ['be1', 'be2'] as const) {
      const args = [NODE, PROGRAMS, 'backend', '--name', be, '--listen', `${this.ip(be)}:${BACKEND_PORT}`, '--peers', peers];
      this.#backends.add(this.#spawn(be, args, `${be}.log`));
    }
    await waitFor('the LAN', async () => (await this.arping('cli', this.ip('gw'))) || undefined);
  }

  /** Kill what we started (by pid, and anything left in our namespaces), delete namespaces. */
  async destroy(): Promise<void> {
    for (const p of this.#procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    this.#procs.clear();
    await this.#removeLeftovers();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }

  async #removeLeftovers(): Promise<void> {
    const list = (await sh(['ip', 'netns', 'list'])).stdout;
    const mine = list
      .split('\n')
      .map((l) => l.split(' ')[0])
      .filter((n) => n.startsWith(`${this.prefix}-`));
    for (const ns of mine) {
      const pids = (await sh(['ip', 'netns', 'pids', ns])).stdout.split('\n').filter((p) => /^\d+$/.test(p));
      for (const pid of pids) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    // Processes must be gone before a namespace really goes away.
    if (mine.length > 0) await sleep(200);
    for (const ns of mine) await sh(['ip', 'netns', 'del', ns]);
  }

  /**
   * Between tests: kill what the test started (keepalives, proxies, probes; backends stay), remove
   * the VIPs and restore every link, so each test starts from the same LAN.
   */
  async resetRun(): Promise<void> {
    const run = [...this.#procs].filter((p) => !this.#backends.has(p));
    for (const p of run) p.kill('SIGKILL');
    await Promise.race([Promise.all(run.map((p) => (p.exitCode !== null || p.signalCode !== null ? null : new Promise((r) => p.once('exit', r))))), sleep(5000)]);
    for (const h of ['lb1', 'lb2', 'cli'] as const) {
      // Anything else still in these namespaces was started by us (VIP guards finishing, hooks).
      const pids = (await sh(['ip', 'netns', 'pids', this.ns(h)])).stdout.split('\n').filter((x) => /^\d+$/.test(x));
      for (const pid of pids) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    await this.isolate(['lb1', 'lb2', 'gw', 'cli'], false);
    for (const h of Object.keys(HOSTS) as Host[]) {
      await this.lanLink(h, true);
      await this.ifState(h, true);
    }
    await this.hbCable(true);
    for (const lb of ['lb1', 'lb2'] as const) {
      for (const v of [`${this.vip}/24`, `${this.vip6}/64`, `${this.vip2}/24`]) await sh(['ip', '-n', this.ns(lb), 'addr', 'del', v, 'dev', 'eth0']);
    }
    await sh(['ip', '-n', this.ns('cli'), 'neigh', 'flush', 'dev', 'eth0']);
  }

  #spawn(h: Host, args: string[], logName: string, env: Record<string, string> = {}): ChildProcess {
    const out = createWriteStream(join(this.dir, logName), { flags: 'a' });
    const child = spawn('ip', ['netns', 'exec', this.ns(h), ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    child.stdout!.pipe(out);
    child.stderr!.pipe(out);
    child.stdin!.on('error', () => {});
    this.#procs.add(child);
    child.on('exit', () => this.#procs.delete(child));
    return child;
  }

  // ---- keepalive and proxies -----------------------------------------------------------------

  /** The lab's standard config (single LAN heartbeat link); `extra` lines go into the section. */
  config(extra: string[] = [], opts: { advert?: string; hbLinkOnly?: boolean; lanAndHb?: boolean } = {}): string {
    const addr = (lb: LbName) =>
      opts.hbLinkOnly ? this.hbIp(lb) : opts.lanAndHb ? `${this.ip(lb)},${this.hbIp(lb)}` : this.ip(lb);
    return [
      'keepalive VI_1',
      '    interface eth0',
      `    vrid ${this.net}`,
      `    advert-int ${opts.advert ?? '100ms'}`,
      `    node lb1 ${addr('lb1')} priority 150`,
      `    node lb2 ${addr('lb2')} priority 100`,
      '    port 5405',
      `    virtual-ip ${this.vip}/24`,
      `    virtual-ip ${this.vip6}/64`,
      `    auth-key-file ${this.keyFile}`,
      '    track-interface eth0',
      '    track-proxy weight -100',
      `    tiebreaker ${this.ip('gw')} interval 500ms timeout 500ms`,
      '    garp-repeat 3 garp-interval 100ms garp-refresh 60s',
      `    notify ${NOTIFY_SCRIPT}`,
      ...extra.map((l) => `    ${l}`),
      '',
    ].join('\n');
  }

  async startKeepalive(lb: LbName, configText: string): Promise<KeepaliveProc> {
    const run = ++this.#runs;
    const cfg = join(this.dir, `${lb}-${run}.cfg`);
    // Both lbs share this machine's file system, so each probes its own proxy's API socket; on
    // real nodes the path is the same and the file identical.
    await writeFile(cfg, configText.replace(/track-proxy weight/g, `track-proxy socket ${this.apiSocket(lb)} weight`));
    const notifyLog = join(this.dir, `${lb}-${run}-notify.log`);
    const control = join(this.dir, `${lb}-control.sock`);
    const child = this.#spawn(
      lb,
      [NODE, HAPAIR, 'keepalive', '-f', cfg, '-L', lb, '-S', control, '-d'],
      `${lb}-${run}-keepalive.log`,
      { HAPAIR_NOTIFY_LOG: notifyLog },
    );
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    await waitFor(`${lb} control socket`, async () => (await this.control({ control } as KeepaliveProc, 'show info').catch(() => '')).includes('Name: hapair-keepalive'));
    return { node: lb, pid: child.pid!, exited, notifyLog, control };
  }

  /**
   * keepalived (the Debian package) in `lb` instead of hapair keepalive, for side-by-side
   * comparisons: foreground, logging to the console (captured in the lab dir), own pid files.
   * It does not set ip_nonlocal_bind like hapair does, so this does it for the lab proxy.
   */
  async startKeepalived(lb: LbName, configText: string): Promise<KeepalivedProc> {
    const run = ++this.#runs;
    const base = join(this.dir, `${lb}-${run}-keepalived`);
    await writeFile(`${base}.conf`, configText);
    // Both families: the lab proxy also binds the IPv6 VIP.
    await must(['ip', 'netns', 'exec', this.ns(lb), 'sysctl', '-q', '-w', 'net.ipv4.ip_nonlocal_bind=1', 'net.ipv6.ip_nonlocal_bind=1']);
    const log = `${base}.log`;
    const child = this.#spawn(
      lb,
      ['keepalived', '-n', '-l', '-D', '-f', `${base}.conf`, '-p', `${base}.pid`, '-r', `${base}-vrrp.pid`, '-c', `${base}-checkers.pid`],
      `${lb}-${run}-keepalived.log`,
    );
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const vrrpPid = await waitFor(`${lb} keepalived VRRP child`, async () => {
      const pid = Number((await readFile(`${base}-vrrp.pid`, 'utf8').catch(() => '')).trim());
      return pid > 0 ? pid : undefined;
    });
    return { node: lb, pid: child.pid!, vrrpPid, exited, log };
  }

  /**
   * Keepalive and a proxy on lb1, then on lb2 (an ordered bring-up, so that even `nopreempt`
   * ends with lb1 as master); resolves once lb1 is the one master serving clients.
   */
  async startPair(configText: string): Promise<{ k1: KeepaliveProc; k2: KeepaliveProc; p1: ChildProcess; p2: ChildProcess }> {
    const k1 = await this.startKeepalive('lb1', configText);
    const p1 = await this.startProxy('lb1');
    await waitFor('lb1 master', async () => (await this.state(k1)).state === 'MASTER');
    const k2 = await this.startKeepalive('lb2', configText);
    const p2 = await this.startProxy('lb2');
    await waitFor('lb1 serving as the only master', async () => {
      const [owners, s1, s2] = await Promise.all([this.owners(), this.state(k1), this.state(k2)]);
      if (owners.join() !== 'lb1' || s1.state !== 'MASTER' || s2.state !== 'BACKUP' || s1.priority !== 150) return false;
      return (await this.request()) === 'lb1';
    });
    return { k1, k2, p1, p2 };
  }

  /** SIGTERM and wait for a clean exit. */
  async stopKeepalive(k: KeepaliveProc): Promise<number | null> {
    try {
      process.kill(k.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    return Promise.race([k.exited, sleep(15_000).then(() => -1)]);
  }

  /** `hapair proxy`'s config for `lb`: the VIPs on PROXY_PORT, round robin over be1 and be2. */
  proxyConfig(lb: LbName): string {
    return [
      'global',
      `    stats socket ${this.apiSocket(lb)} level admin`,
      '',
      'defaults',
      '    mode tcp',
      '    timeout connect 1s',
      '    timeout client 5s',
      '    timeout server 5s',
      '',
      'listen vip',
      `    bind ${this.vip}:${PROXY_PORT}`,
      `    bind [${this.vip6}]:${PROXY_PORT}`,
      `    bind ${this.vip2}:${PROXY_PORT}`,
      '    balance roundrobin',
      `    server be1 ${this.ip('be1')}:${BACKEND_PORT}`,
      `    server be2 ${this.ip('be2')}:${BACKEND_PORT}`,
      '',
    ].join('\n');
  }

  /**
   * `hapair proxy` in `lb`, bound to the VIPs before it holds them (ip_nonlocal_bind, set by
   * keepalive); resolves once its runtime API answers `show info` (what track-proxy asks).
   */
  async startProxy(lb: LbName): Promise<ChildProcess> {
    await waitFor(`${lb} ip_nonlocal_bind`, async () => (await this.exec(lb, ['cat', '/proc/sys/net/ipv4/ip_nonlocal_bind'])).stdout.trim() === '1');
    const cfg = join(this.dir, `${lb}-proxy.cfg`);
    await writeFile(cfg, this.proxyConfig(lb));
    await rm(this.apiSocket(lb), { force: true });
    const child = this.#spawn(lb, [NODE, HAPAIR, 'proxy', '-f', cfg], `${lb}-proxy.log`);
    await waitFor(`${lb} proxy API`, () => askUnix(this.apiSocket(lb), 'show info\n').then((a) => a.includes('Name:')).catch(() => false), 30_000);
    return child;
  }

  /** One command on a keepalive control socket. */
  control(k: Pick<KeepaliveProc, 'control'>, command: string): Promise<string> {
    return askUnix(k.control, `${command}\n`);
  }

  /** The instance's status (InstanceStatus as JSON) from the control socket. */
  async state(k: KeepaliveProc): Promise<LabStatus> {
    const j = JSON.parse(await this.control(k, 'show state json')) as { instances: LabStatus[] };
    return j.instances[0];
  }

  async notifyLines(k: KeepaliveProc): Promise<string[]> {
    const text = await readFile(k.notifyLog, 'utf8').catch(() => '');
    return text.split('\n').filter(Boolean);
  }

  // ---- observations --------------------------------------------------------------------------

  /** Which load balancers hold the IPv4 VIP (or `address`) right now. */
  async owners(address = this.vip): Promise<LbName[]> {
    const out: LbName[] = [];
    await Promise.all(
      (['lb1', 'lb2'] as const).map(async (lb) => {
        const r = await sh(['ip', '-n', this.ns(lb), '-o', 'addr', 'show', 'dev', 'eth0']);
        if (r.stdout.includes(` ${address}/`)) out.push(lb);
      }),
    );
    return out.sort();
  }

  async mac(h: Host): Promise<string> {
    return (await must(['ip', 'netns', 'exec', this.ns(h), 'cat', '/sys/class/net/eth0/address'])).trim();
  }

  /** The client's neighbour entry (lladdr) for an address, if any. */
  async clientNeigh(address: string): Promise<string | undefined> {
    const r = await sh(['ip', '-n', this.ns('cli'), 'neigh', 'show', address]);
    return /lladdr ([0-9a-f:]+)/.exec(r.stdout)?.[1];
  }

  async arping(from: Host, target: string): Promise<boolean> {
    const r = await this.exec(from, ['arping', '-c', '1', '-w', '1', '-I', 'eth0', target], 3000);
    return r.exitCode === 0;
  }

  /** One client request through the VIP: the answering node, or undefined. */
  async request(target = `${this.vip}:${PROXY_PORT}`): Promise<string | undefined> {
    const r = await this.exec('cli', [NODE, '-e', clientSnippet(target)], 5000);
    return r.exitCode === 0 ? r.stdout.trim().split(' ')[0] : undefined;
  }

  /** A client probing the VIP every `every` ms; stop() returns every probe's result. */
  /**
   * Resolves once the probe is running and answered (`settle` successes in a row), so that what
   * the caller does next happens under probing: a Node process takes a while to start on a busy host.
   */
  async startProbe(every = 10, timeout = 50, settle = 5): Promise<{ stop: () => Promise<ProbeResult[]> }> {
    const name = `probe-${Date.now()}.log`;
    const child = this.#spawn('cli', [NODE, PROGRAMS, 'probe', '--target', `${this.vip}:${PROXY_PORT}`, '--every', String(every), '--timeout', String(timeout)], name);
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    const results = async (): Promise<ProbeResult[]> => {
      const text = await readFile(join(this.dir, name), 'utf8').catch(() => '');
      return text
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as ProbeResult)
        .sort((a, b) => a.n - b.n);
    };
    await waitFor(`the probe answered ${settle} times in a row`, async () => {
      const r = await results();
      return r.length >= settle && r.slice(-settle).every((p) => p.ok);
    }, 30_000, 20);
    return {
      stop: async () => {
        child.stdin!.end();
        await Promise.race([exited, sleep(5000)]);
        return results();
      },
    };
  }

  /**
   * Every change of the VIP's owners, from `ip -ts monitor address` in both lbs (kernel events,
   * timestamped as they are printed: exact where polling would miss short overlaps, and no load).
   * stop() returns the timeline: [time, owners] at the start, then after each change.
   */
  async startOwnerMonitor(address = this.vip): Promise<{ stop: () => Promise<[number, LbName[]][]> }> {
    const run = ++this.#runs;
    const monitors = (['lb1', 'lb2'] as const).map((lb) => {
      const name = `${lb}-${run}-addr-monitor.log`;
      const child = this.#spawn(lb, ['ip', '-ts', 'monitor', 'address', 'dev', 'eth0'], name);
      return { lb, name, child, exited: new Promise<void>((r) => child.on('exit', () => r())) };
    });
    await sleep(300); // subscribed (netlink) well before anything the caller does next
    const start: [number, LbName[]] = [Date.now(), await this.owners(address)];
    return {
      stop: async () => {
        for (const m of monitors) m.child.kill('SIGTERM');
        await Promise.race([Promise.all(monitors.map((m) => m.exited)), sleep(5000)]);
        const events: { t: number; lb: LbName; added: boolean }[] = [];
        for (const m of monitors) {
          const text = await readFile(join(this.dir, m.name), 'utf8').catch(() => '');
          for (const line of text.split('\n')) {
            const e = /^\[(\S+)\] (Deleted )?.* inet6? ([0-9a-f.:]+)\//.exec(line);
            if (e && e[3] === address) events.push({ t: monitorTime(e[1]), lb: m.lb, added: e[2] === undefined });
          }
        }
        const owners = new Set(start[1]);
        const timeline: [number, LbName[]][] = [start];
        for (const e of events.filter((x) => x.t >= start[0]).sort((a, b) => a.t - b.t)) {
          if (e.added) owners.add(e.lb);
          else owners.delete(e.lb);
          timeline.push([e.t, [...owners].sort()]);
        }
        return timeline;
      },
    };
  }

  /** Sample VIP owners every ~`every` ms until stopped: [time, owners] pairs. */
  startOwnerSampler(every = 10): { stop: () => Promise<[number, LbName[]][]> } {
    const samples: [number, LbName[]][] = [];
    let running = true;
    const loop = (async () => {
      for (let i = 0; running && i < 100_000; i++) {
        samples.push([Date.now(), await this.owners()]);
        await sleep(every);
      }
    })();
    return {
      stop: async () => {
        running = false;
        await loop;
        return samples;
      },
    };
  }

  // ---- faults ----------------------------------------------------------------------------------

  /** Cut (or restore) a host's LAN link at the bridge: node loss as the rest of the LAN sees it. */
  async lanLink(h: Host, up: boolean): Promise<void> {
    await must(['ip', '-n', this.ns('br'), 'link', 'set', `p-${h}`, up ? 'up' : 'down']);
  }

  /** Set a host's own eth0 down or up. */
  async ifState(h: Host, up: boolean): Promise<void> {
    await must(['ip', '-n', this.ns(h), 'link', 'set', 'eth0', up ? 'up' : 'down']);
  }

  async hbCable(up: boolean): Promise<void> {
    await must(['ip', '-n', this.ns('lb1'), 'link', 'set', 'hb0', up ? 'up' : 'down']);
  }

  /** Bridge port isolation: isolated ports cannot reach each other (only non-isolated ones). */
  async isolate(hosts: Host[], on: boolean): Promise<void> {
    for (const h of hosts) await must(['ip', 'netns', 'exec', this.ns('br'), 'bridge', 'link', 'set', 'dev', `p-${h}`, 'isolated', on ? 'on' : 'off']);
  }

  /**
   * Send one UDP datagram from inside a namespace with any source address (spoofing tests):
   * socat's IP_TRANSPARENT socket may send from an address the host does not own.
   */
  async sendUdp(from: Host, source: string, target: string, port: number, payload: Buffer): Promise<void> {
    const r = await runCommand(
      'ip',
      ['netns', 'exec', this.ns(from), 'socat', '-u', 'STDIN', `UDP4-SENDTO:${target}:${port},bind=${source},ip-transparent`],
      { timeout: 5000, input: payload },
    );
    if (r.failed) throw new Error(`sendUdp: ${r.stderr.trim() || r.message}`);
  }

  /** The processes left in a namespace. */
  async nsPids(h: Host): Promise<number[]> {
    return (await sh(['ip', 'netns', 'pids', this.ns(h)])).stdout.split('\n').filter((x) => /^\d+$/.test(x)).map(Number);
  }

  signalPid(pid: number, signal: NodeJS.Signals): void {
    process.kill(pid, signal);
  }

  async writeKey(file: string): Promise<void> {
    await writeFile(file, `1 ${randomBytes(32).toString('hex')}\n`);
    await chmod(file, 0o600);
  }
}

/** `ip -ts` prints local time with microseconds: 2026-11-24T00:12:02.454288 → ms since the epoch. */
function monitorTime(ts: string): number {
  const [whole, frac = '0'] = ts.split('.');
  return new Date(whole).getTime() + Number(`0.${frac}`) * 1000;
}

function clientSnippet(target: string): string {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(target)!;
  return `const s=require('node:net').connect({host:${JSON.stringify(m[1])},port:${m[2]}});let d='';s.setTimeout(2000,()=>process.exit(2));s.on('data',(c)=>d+=c);s.on('end',()=>{process.stdout.write(d);process.exit(0)});s.on('error',()=>process.exit(1))`;
}

export function askUnix(path: string, text: string, timeout = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    const s = connect({ path });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no answer from ${path}`));
    }, timeout);
    s.setEncoding('utf8');
    s.on('connect', () => s.write(text));
    s.on('data', (d: string) => (data += d));
    s.on('end', () => {
      clearTimeout(timer);
      resolve(data);
    });
    s.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
