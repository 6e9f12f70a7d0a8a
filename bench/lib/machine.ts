// What the figures were measured on, printed and saved with them: ratios move with core count
// and versions, so a number without its machine is not comparable.
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { HAPROXY_BIN, PINNED_NODE } from './proxies.ts';

export interface MachineInfo {
  readonly nproc: number;
  readonly cpuModel: string;
  readonly memGiB: number;
  readonly node: string;
  readonly haproxy: string;
  readonly wrk: string;
  readonly kernel: string;
}

function firstLine(command: string, args: readonly string[]): string {
  try {
    // wrk -v exits 1 after printing its banner, so read whatever it wrote.
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 }).split('\n')[0]!.trim();
  } catch (err) {
    const out = (err as { stdout?: string }).stdout ?? '';
    return out.split('\n')[0]?.trim() || 'unavailable';
  }
}

export function describeMachine(): MachineInfo {
  return {
    nproc: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: firstLine(PINNED_NODE, ['-v']),
    haproxy: firstLine(HAPROXY_BIN, ['-v']),
    wrk: firstLine('wrk', ['-v']),
    kernel: firstLine('uname', ['-sr']),
  };
}
