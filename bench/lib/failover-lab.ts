// The failover benchmark's lab driver: the keepalive netns lab (test/lab/pair-lab.ts) under its
// own prefix, a pair of hapair keepalive or keepalived 2.2 processes started on demand, the faults
// (link cut, SIGKILL of the election process and its restart), the client's probe, the VIP
// owners on both lbs (`ip -ts monitor address`: dual ownership) and the CPU-load check.
// Every step is bounded in time; namespaces and processes go at close(), and synchronously on
// process exit (Ctrl-C: run.ts's handler exits, the 'exit' hook below removes the namespaces).
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { BenchError } from './bench-error.ts';
import { hapairConfig, keepalivedConfig, type FailoverProfile, type LabAddresses } from './failover-configs.ts';
import { clientGap, dualOwnership, hapairTransitions, keepalivedTransitions, masterTransitions, type DualOwnership, type Gap } from './failover-gap.ts';
import { NODE, NOTIFY_SCRIPT, PairLab, sleep, waitFor } from '../../test/lab/pair-lab.ts';

export type FailoverContender = 'hapair' | 'keepalived';
export type Fault = 'link-cut' | 'kill';
export const FAULTS: readonly Fault[] = ['link-cut', 'kill'];

/** hpbf*: test/lab tests use hpk5*, so a bench never touches a test's lab (and vice versa). */
const PREFIX = 'hpbfa';
const NET = 59;

interface RunningPair {
  /** SIGKILL of lb1's election process, as a crash would do it. */
  killElection(): void;
  /** Start lb1's election process again (its proxy kept running). */
  restartElection(): Promise<void>;
  /** Every state transition logged so far by both nodes (hapair notify log / keepalived log). */
  transitions(): Promise<string[]>;
}

export interface FaultResult {
  readonly gap?: Gap;
  readonly probes: number;
  /** kill only: VIP owners from before the kill to lb1's return as master after its restart. */
  readonly dual?: DualOwnership;
  /** kill only: lb1 restarted and became the only owner again within the bound. */
  readonly restored?: boolean;
}

export interface CpuCheckResult {
  readonly transitions: number;
  readonly takeovers: number;
  readonly failedProbes: number;
  readonly lb2Answers: number;
  readonly probes: number;
  readonly cpu: string;
}

async function readLines(file: string): Promise<string[]> {
  return (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);
}

/** Synchronous last resort: kill everything in our namespaces and delete them. */
function removeNamespacesSync(): void {
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: 5000 }).stdout ?? '';
  const mine = list.split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith(`${PREFIX}-`));
  for (const ns of mine) {
    const pids = (spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', timeout: 5000 }).stdout ?? '').split('\n').filter((p) => /^\d+$/.test(p));
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // gone already
      }
    }
  }
  for (const ns of mine) spawnSync('ip', ['netns', 'del', ns], { timeout: 5000 });
}

export class FailoverLab {
  readonly #lab = new PairLab(PREFIX, NET);
  readonly #onExit = (): void => {
    removeNamespacesSync();
    if (this.#lab.dir) rmSync(this.#lab.dir, { recursive: true, force: true });
  };

  async create(): Promise<void> {
    if (process.getuid?.() !== 0) throw new BenchError('failover: the netns lab needs root (ip netns)');
    const missing = ['keepalived', 'taskset', 'arping'].filter((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status !== 0);
    if (missing.length > 0) throw new BenchError(`failover: missing ${missing.join(', ')}`);
    process.once('exit', this.#onExit);
    await this.#lab.create();
  }

  async close(): Promise<void> {
    try {
      await this.#lab.destroy();
    } finally {
      process.removeListener('exit', this.#onExit);
    }
  }

  get addresses(): LabAddresses {
    const lab = this.#lab;
    return { vrid: NET, vip: lab.vip, ip: (lb) => lab.ip(lb), keyFile: lab.keyFile, notifyScript: NOTIFY_SCRIPT };
  }

  /** Where the processes' logs and configs are (kept when the bench aborts). */
  get dir(): string {
    return this.#lab.dir;
  }

  /**
   * A gap: pair up with lb1 serving, probe every 10 ms, inject the fault, wait `windowMs`. The kill
   * goes on: lb1's election process restarts and takes the VIP back (preemption), and the VIP
   * owners on both lbs, watched from before the kill until lb1 is the only owner again, give the
   * longest dual ownership (issue #5: "never two owners for more than one advert interval").
   */
  async measureFault(contender: FailoverContender, profile: FailoverProfile, fault: Fault, windowMs: number): Promise<FaultResult> {
    try {
      const pair = await this.#startPair(contender, profile);
      const monitor = fault === 'kill' ? await this.#lab.startOwnerMonitor() : undefined;
      const probe = await this.#lab.startProbe(10, 50);
      await sleep(500);
      const faultAt = Date.now();
      if (fault === 'kill') pair.killElection();
      else await this.#lab.lanLink('lb1', false);
      await sleep(windowMs);
      const probes = await probe.stop();
      const gap = clientGap(probes, faultAt, 'lb2');
      if (!monitor) return { gap, probes: probes.length };
      await pair.restartElection();
      const restored = await waitFor('lb1 the only VIP owner after its restart', async () => (await this.#lab.owners()).join() === 'lb1', 20_000, 50)
        .then(() => true, () => false);
      await sleep(Math.max(300, profile.advertS * 5000)); // a late release still shows up
      const endAt = Date.now();
      const timeline = await monitor.stop();
      return { gap, probes: probes.length, dual: dualOwnership(timeline, endAt), restored };
    } finally {
      await this.#lab.resetRun();
    }
  }

  /**
   * False failovers under CPU load: lb1's processes and a spinning node process share one CPU for
   * `durationMs`; every state transition either node logs meanwhile is a false one.
   */
  async cpuCheck(contender: FailoverContender, profile: FailoverProfile, durationMs: number): Promise<CpuCheckResult> {
    try {
      const pair = await this.#startPair(contender, profile);
      const cpu = String(availableParallelism() - 1);
      await this.#pinNamespace('lb1', cpu);
      const before = (await pair.transitions()).length;
      const probe = await this.#lab.startProbe(10, 50);
      const spin = `const end = Date.now() + ${durationMs}; while (Date.now() < end) {}`;
      const busy = await this.#lab.exec('lb1', ['taskset', '-c', cpu, NODE, '-e', spin], durationMs + 15_000);
      if (busy.failed) throw new BenchError(`failover: the busy loop failed: ${busy.stderr.trim() || busy.message}`);
      const probes = await probe.stop();
      const during = (await pair.transitions()).slice(before);
      return {
        transitions: during.length,
        takeovers: masterTransitions(during),
        failedProbes: probes.filter((p) => !p.ok).length,
        lb2Answers: probes.filter((p) => p.ok && p.node === 'lb2').length,
        probes: probes.length,
        cpu,
      };
    } finally {
      await this.#lab.resetRun();
    }
  }

  async #pinNamespace(lb: 'lb1', cpu: string): Promise<void> {
    for (const pid of await this.#pids(lb)) await this.#lab.exec(lb, ['taskset', '-a', '-p', '-c', cpu, String(pid)]);
  }

  async #pids(lb: 'lb1' | 'lb2'): Promise<number[]> {
    const r = spawnSync('ip', ['netns', 'pids', this.#lab.ns(lb)], { encoding: 'utf8', timeout: 5000 });
    return (r.stdout ?? '').split('\n').filter((p) => /^\d+$/.test(p)).map(Number);
  }

  /** lb1 up and master first, then lb2 as backup; resolves once the client is served by lb1. */
  async #startPair(contender: FailoverContender, profile: FailoverProfile): Promise<RunningPair> {
    const lab = this.#lab;
    const pair = contender === 'hapair' ? await this.#startHapair(profile) : await this.#startKeepalived(profile);
    await waitFor('lb1 serving as the only VIP owner', async () => (await lab.owners()).join() === 'lb1' && (await lab.request()) === 'lb1', 20_000, 100);
    // Let lb2 see a few adverts so that it is a settled backup, not a node just out of its init.
    await sleep(Math.max(500, profile.advertS * 5000));
    if ((await lab.owners()).join() !== 'lb1') throw new BenchError(`failover: ${contender} pair did not settle with lb1 as master`);
    return pair;
  }

  async #startHapair(profile: FailoverProfile): Promise<RunningPair> {
    const lab = this.#lab;
    const config = hapairConfig(this.addresses, profile);
    const k1 = await lab.startKeepalive('lb1', config);
    await lab.startProxy('lb1');
    await waitFor('hapair lb1 master', async () => (await lab.state(k1)).state === 'MASTER', 20_000, 100);
    const k2 = await lab.startKeepalive('lb2', config);
    await lab.startProxy('lb2');
    await waitFor('hapair lb2 backup', async () => (await lab.state(k2)).state === 'BACKUP', 20_000, 100);
    return {
      killElection: () => lab.signalPid(k1.pid, 'SIGKILL'),
      restartElection: async () => void (await lab.startKeepalive('lb1', config)),
      transitions: async () => hapairTransitions([...(await readLines(k1.notifyLog)), ...(await readLines(k2.notifyLog))]),
    };
  }

  async #startKeepalived(profile: FailoverProfile): Promise<RunningPair> {
    const lab = this.#lab;
    const config1 = keepalivedConfig(this.addresses, profile, 'lb1');
    const k1 = await lab.startKeepalived('lb1', config1);
    await lab.startProxy('lb1');
    await waitFor('keepalived lb1 master', async () => (await readLines(k1.log)).some((l) => l.includes('Entering MASTER STATE')), 20_000, 100);
    const k2 = await lab.startKeepalived('lb2', keepalivedConfig(this.addresses, profile, 'lb2'));
    await lab.startProxy('lb2');
    await waitFor('keepalived lb2 backup', async () => (await readLines(k2.log)).some((l) => l.includes('Entering BACKUP STATE')), 20_000, 100);
    return {
      // Stop the parent first: it would respawn its VRRP child, and a parent that dies first
      // makes the child shut down cleanly (release the VIP, priority 0): not a crash.
      killElection: () => {
        lab.signalPid(k1.pid, 'SIGSTOP');
        lab.signalPid(k1.vrrpPid, 'SIGKILL');
        lab.signalPid(k1.pid, 'SIGKILL');
      },
      restartElection: async () => void (await lab.startKeepalived('lb1', config1)),
      transitions: async () => keepalivedTransitions([...(await readLines(k1.log)), ...(await readLines(k2.log))]),
    };
  }
}
