// Every process the harness starts (proxies, backends, wrk, curl) goes through one registry, so
// that a normal end, an exception, SIGINT or SIGTERM leaves nothing running. Long-lived children
// log to files (a full pipe would stall them); short clients are collected into strings.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchError } from './bench-error.ts';

const STOP_GRACE_MS = 3_000;
const TAIL_CHARS = 2_000;

export interface SpawnOptions {
  /** taskset CPU list (e.g. "1" or "0-2"): the child runs pinned there. */
  readonly cpus?: string;
  readonly cwd?: string;
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ChildHandle {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  readonly exited: Promise<ExitStatus>;
  running(): boolean;
  /** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. */
  stop(): Promise<void>;
  /** The end of the child's combined stdout/stderr, for error messages. */
  logTail(): string;
  /** User + system CPU seconds of the process, all threads (/proc/PID/stat), if readable. */
  cpuSeconds(): number | undefined;
}

export interface RunResult extends ExitStatus {
  readonly stdout: string;
  readonly stderr: string;
}

export class ChildRegistry {
  readonly #logDir: string;
  readonly #live = new Set<ChildProcess>();
  #seq = 0;

  constructor(logDir: string) {
    this.#logDir = logDir;
  }

  /** A long-lived child (server, proxy) whose output goes to `<logDir>/<n>-<name>.log`. */
  spawn(name: string, command: string, args: readonly string[], options: SpawnOptions = {}): ChildHandle {
    const logFile = join(this.#logDir, `${++this.#seq}-${name}.log`);
    const fd = openSync(logFile, 'a');
    const [cmd, argv] = pinned(command, args, options.cpus);
    const child = spawn(cmd, argv, { stdio: ['ignore', fd, fd], cwd: options.cwd });
    closeSync(fd);
    return this.#track(name, child, logFile);
  }

  /** A short-lived client: output collected, killed if it outlives `timeoutMs`. */
  run(name: string, command: string, args: readonly string[], timeoutMs: number, options: SpawnOptions = {}): Promise<RunResult> {
    const [cmd, argv] = pinned(command, args, options.cpus);
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: options.cwd });
    this.#live.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.once('error', (err) => {
        clearTimeout(timer);
        this.#live.delete(child);
        reject(new BenchError(`${name}: cannot start ${command}: ${err.message}`, { cause: err }));
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        this.#live.delete(child);
        if (signal === 'SIGKILL') reject(new BenchError(`${name}: killed after ${timeoutMs} ms\n${stderr}`));
        else resolve({ code, signal, stdout, stderr });
      });
    });
  }

  /** Stops every child still running; used by the runner's finally blocks and signal handlers. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.#live].map((child) => stopChild(child)));
  }

  /** Last resort on process exit: synchronous SIGKILL to whatever is left. */
  killAllNow(): void {
    for (const child of this.#live) child.kill('SIGKILL');
    this.#live.clear();
  }

  /**
   * SIGINT/SIGTERM stop the children, run `onInterrupt` (e.g. remove temp files), exit 130/143;
   * any exit kills leftovers.
   */
  installExitHooks(onInterrupt: () => void = () => {}): void {
    process.once('exit', () => this.killAllNow());
    for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
      process.once(sig, () => {
        process.stderr.write(`\nbench: ${sig}, stopping children\n`);
        void this.stopAll().finally(() => {
          onInterrupt();
          process.exit(code);
        });
      });
    }
  }

  #track(name: string, child: ChildProcess, logFile: string): ChildHandle {
    this.#live.add(child);
    const exited = new Promise<ExitStatus>((resolve) => {
      child.once('error', () => resolve({ code: null, signal: null }));
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    void exited.then(() => this.#live.delete(child));
    return {
      name,
      pid: child.pid ?? -1,
      logFile,
      exited,
      running: () => child.exitCode === null && child.signalCode === null && child.pid !== undefined,
      stop: () => stopChild(child),
      logTail: () => tail(logFile),
      cpuSeconds: () => (child.pid === undefined ? undefined : processCpuSeconds(child.pid)),
    };
  }
}

function pinned(command: string, args: readonly string[], cpus?: string): [string, string[]] {
  return cpus === undefined ? [command, [...args]] : ['taskset', ['-c', cpus, command, ...args]];
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await gone;
  clearTimeout(timer);
}

let clockTicks: number | undefined;

/** utime + stime of a process, proc(5) /proc/PID/stat fields 14 and 15, in seconds. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    return cpuSecondsFromStat(readFileSync(`/proc/${pid}/stat`, 'utf8'), (clockTicks ??= readClockTicks()));
  } catch {
    return undefined;
  }
}

/** Parses a /proc/PID/stat line; fields are counted after the `(comm)` that may hold spaces. */
export function cpuSecondsFromStat(stat: string, ticksPerSecond: number): number | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / ticksPerSecond : undefined;
}

function readClockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-TAIL_CHARS);
  } catch {
    return '';
  }
}
