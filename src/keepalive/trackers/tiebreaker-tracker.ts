// Tie-breaker reachability (reference/ha.md §5.5-2, like fence_heuristics_ping): a node that cannot
// reach any tie-breaker (typically the gateway) is isolated and must never be master. Methods:
// `arping` (on-link IPv4: works in a bare netns, no ICMP socket rights needed), `ndisc6` (on-link
// IPv6), `ping` (iputils ping -c1 -W; routed targets).
import type { Clock } from '../../clock.ts';
import type { RunCommand } from '../commands.ts';
import type { TiebreakerSpec } from '../spec.ts';
import { PollingTracker, type CheckOutcome } from './tracker.ts';

export async function probeTiebreaker(spec: TiebreakerSpec, dev: string, run: RunCommand): Promise<CheckOutcome> {
  const t = spec.timeout;
  const secs = String(Math.max(1, Math.ceil(t / 1000)));
  const r =
    spec.method === 'arping'
      ? await run('arping', ['-c', '1', '-w', secs, '-I', dev, spec.address], { timeout: t })
      : spec.method === 'ndisc6'
        ? await run('ndisc6', ['-1', '-q', '-r', '1', '-w', String(Math.max(1, Math.round(t))), spec.address, dev], { timeout: t + 500 })
        : await run('ping', ['-n', '-q', '-c', '1', '-W', secs, spec.address], { timeout: t + 500 });
  const ok = r.exitCode === 0 && (spec.method !== 'arping' || /Received [1-9]/.test(r.stdout));
  return { ok, detail: ok ? `${spec.address} reachable (${spec.method})` : `${spec.address} unreachable (${spec.method})` };
}

export function tiebreakerTracker(spec: TiebreakerSpec, dev: string, run: RunCommand, clock: Clock): PollingTracker {
  return new PollingTracker(
    {
      name: `tiebreaker ${spec.address}`,
      kind: 'tiebreaker',
      weight: 0,
      interval: spec.interval,
      rise: spec.rise,
      fall: spec.fall,
      check: () => probeTiebreaker(spec, dev, run),
    },
    clock,
  );
}
