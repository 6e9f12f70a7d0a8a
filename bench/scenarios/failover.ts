// failover (issue #5): the client-visible gap when lb1 fails, hapair keepalive next to
// keepalived 2.2 in the netns lab, and false failovers under CPU load. One measurement of a
// contender = every cell once: fault (link cut, SIGKILL of the election process) x profile
// (default, advert-int 50ms), then the 60 s CPU-load check with the 50ms profile. The kill cell
// restarts lb1's election process afterwards and records the longest dual VIP ownership from the
// kill to lb1's return (detail `dual owners kill PROFILE`, ms), shown against one advert interval.
// Sample.value is the run's worst gap (the headline in the shared summary); the per-cell figures
// go into Sample.detail and the cross table printed when the scenario ends.
import { FAULTS, FailoverLab, type FailoverContender } from '../lib/failover-lab.ts';
import { PROFILES, type FailoverProfile } from '../lib/failover-configs.ts';
import { CPU_FAILED_PROBES, CPU_TRANSITIONS, dualKey, formatFailoverTable, gapKey, takeoverKey, type FailoverRecord } from '../lib/failover-report.ts';
import type { BenchContext, Sample, Scenario, Target, Topology } from './scenario.ts';

const PROFILE_LIST: readonly FailoverProfile[] = [PROFILES.default, PROFILES.fast];
const DEFAULT_CPU_CHECK_S = 60;

/**
 * The issue asks for a 60 s CPU-load check, while the harness's --duration defaults to 10 s for
 * throughput runs: the check uses --duration only when it is on the command line.
 */
function cpuCheckSeconds(ctx: BenchContext): number {
  const explicit = process.argv.some((a) => a === '--duration' || a.startsWith('--duration='));
  return explicit ? ctx.durationS : DEFAULT_CPU_CHECK_S;
}

/** Long enough for a takeover and the client's ARP entry to follow (15 adverts, at least 2 s). */
const windowMs = (p: FailoverProfile): number => Math.max(2000, p.advertS * 15_000);

async function measureContender(lab: FailoverLab, contender: FailoverContender, ctx: BenchContext): Promise<Sample> {
  const detail: Record<string, number> = {};
  let errors = 0;
  let worst = 0;
  for (const profile of PROFILE_LIST) {
    for (const fault of FAULTS) {
      const r = await lab.measureFault(contender, profile, fault, windowMs(profile));
      if (r.dual) {
        const dualMs = Math.round(r.dual.maxMs * 10) / 10;
        detail[dualKey(fault, profile.name)] = dualMs;
        ctx.log(`    ${contender} ${fault} ${profile.name} + restart: dual VIP ownership max ${dualMs} ms ` +
          `(${r.dual.episodes} episode(s)${r.dual.unresolved ? ', still two owners at the end' : ''}, advert ${profile.advertS * 1000} ms)`);
      }
      if (r.restored === false) {
        errors++;
        ctx.log(`    ${contender} ${fault} ${profile.name}: lb1 not the only VIP owner within 20 s of its restart`);
      }
      if (r.gap === undefined) {
        errors++;
        ctx.log(`    ${contender} ${fault} ${profile.name}: lb2 never answered within ${windowMs(profile)} ms`);
        continue;
      }
      detail[gapKey(fault, profile.name)] = r.gap.gapMs;
      detail[takeoverKey(fault, profile.name)] = r.gap.takeoverMs;
      worst = Math.max(worst, r.gap.gapMs);
      ctx.log(`    ${contender} ${fault} ${profile.name}: gap ${r.gap.gapMs} ms, takeover ${r.gap.takeoverMs} ms, ${r.gap.failed} failed probes`);
    }
  }
  const seconds = cpuCheckSeconds(ctx);
  const cpu = await lab.cpuCheck(contender, PROFILES.fast, seconds * 1000);
  detail[CPU_TRANSITIONS] = cpu.transitions;
  detail[CPU_FAILED_PROBES] = cpu.failedProbes;
  detail['cpu lb2 answers'] = cpu.lb2Answers;
  ctx.log(`    ${contender} cpu-load ${seconds} s on cpu ${cpu.cpu}: ${cpu.transitions} transitions (${cpu.takeovers} to MASTER), ` +
    `${cpu.failedProbes}/${cpu.probes} failed probes, ${cpu.lb2Answers} answered by lb2`);
  return { value: worst, errors: errors + cpu.transitions, detail };
}

export const failover: Scenario = {
  name: 'failover',
  summary: 'client-visible gap (probe every 10 ms) after link cut / kill on lb1, default and 50ms adverts; worst cell per run',
  unit: 'ms',
  higherIsBetter: false,
  contenders: ['keepalived', 'hapair'],
  baseline: 'keepalived',
  candidate: 'hapair',
  async prepare(ctx: BenchContext): Promise<Topology> {
    const lab = new FailoverLab();
    await lab.create();
    const records: FailoverRecord[] = [];
    ctx.log(`  failover lab in ${lab.dir}`);
    return {
      async start(contender: string): Promise<Target> {
        const name = contender as FailoverContender;
        return {
          async warmUp(): Promise<void> {},
          async measure(c: BenchContext): Promise<Sample> {
            const sample = await measureContender(lab, name, c);
            records.push({ contender: name, sample });
            return sample;
          },
          async stop(): Promise<void> {},
        };
      },
      async close(): Promise<void> {
        if (records.length > 0) {
          const table = formatFailoverTable(records, FAULTS, PROFILE_LIST.map((p) => p.name), 'keepalived', 'hapair');
          process.stdout.write('failover gaps (medians over runs; gap = last success before the fault to first success after;\n' +
            ' dual max = worst run\'s longest stretch with the VIP on both lbs, from the kill through lb1\'s restart and preemption):\n' +
            `${table}\n\n`);
        }
        await lab.close();
      },
    };
  },
};
