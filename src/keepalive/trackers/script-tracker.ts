// Script tracker: a user check run with `/bin/sh -c` under a deadline; exit status 0 is healthy
// (keepalived vrrp_script). Scripts fork: keep their interval at a second or more (keepalived #2546).
import type { Clock } from '../../clock.ts';
import type { RunCommand } from '../commands.ts';
import type { TrackScriptSpec } from '../spec.ts';
import { PollingTracker } from './tracker.ts';

export function scriptTracker(spec: TrackScriptSpec, run: RunCommand, clock: Clock): PollingTracker {
  return new PollingTracker(
    {
      name: `script ${spec.command}`,
      kind: 'script',
      weight: spec.weight,
      interval: spec.interval,
      rise: spec.rise,
      fall: spec.fall,
      check: async () => {
        const r = await run('/bin/sh', ['-c', spec.command], { timeout: spec.timeout });
        if (r.timedOut) return { ok: false, detail: `timed out after ${spec.timeout}ms` };
        return { ok: r.exitCode === 0, detail: r.exitCode === undefined ? r.message : `exit ${r.exitCode}` };
      },
    },
    clock,
  );
}
