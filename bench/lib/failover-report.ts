// The failover benchmark's own table (issue #5): fault x profile, the client-visible gap median
// of keepalived and hapair, their ratio and hapair's target, and the longest dual VIP ownership
// (worst run; kill and restart) against one advert interval; then the false failovers of the
// CPU-load check. It reads the per-run figures the scenario keeps in `Sample.detail`.
import { formatRatio, formatTable } from './report.ts';
import { median, ratio } from './stats.ts';
import type { Sample } from '../scenarios/scenario.ts';
import { PROFILES } from './failover-configs.ts';

export interface FailoverRecord {
  readonly contender: string;
  readonly sample: Sample;
}

/** Issue #5 targets for hapair's gap median, per profile (ms). */
export const GAP_TARGET_MS: Readonly<Record<string, number>> = { default: 1000, '50ms': 200 };

export const gapKey = (fault: string, profile: string): string => `gap ${fault} ${profile}`;
export const takeoverKey = (fault: string, profile: string): string => `takeover ${fault} ${profile}`;
/** Longest stretch with two VIP owners in the run (ms), kill fault only (through lb1's restart). */
export const dualKey = (fault: string, profile: string): string => `dual owners ${fault} ${profile}`;

/** One advert interval per profile (ms): issue #5 allows two owners for at most that long. */
export const ADVERT_MS: Readonly<Record<string, number>> = Object.fromEntries(Object.values(PROFILES).map((p) => [p.name, p.advertS * 1000]));
export const CPU_TRANSITIONS = 'cpu transitions';
export const CPU_FAILED_PROBES = 'cpu failed probes';

function values(records: readonly FailoverRecord[], contender: string, key: string): number[] {
  return records.filter((r) => r.contender === contender).flatMap((r) => {
    const v = r.sample.detail?.[key];
    return v === undefined ? [] : [v];
  });
}

const ms = (v: number | undefined): string => (v === undefined ? '-' : `${Math.round(v)} ms`);
const max = (v: readonly number[]): number | undefined => (v.length === 0 ? undefined : Math.max(...v));

export function formatFailoverTable(records: readonly FailoverRecord[], faults: readonly string[], profiles: readonly string[], baseline: string, candidate: string): string {
  const header = ['fault', 'profile', `gap ${baseline}`, `gap ${candidate}`, `${candidate}/${baseline}`, `takeover ${baseline}`, `takeover ${candidate}`, `target ${candidate}`,
    `dual max ${baseline}`, `dual max ${candidate}`, `dual ${candidate} vs 1 advert`];
  const rows: string[][] = [];
  for (const fault of faults) {
    for (const profile of profiles) {
      const b = median(values(records, baseline, gapKey(fault, profile)));
      const c = median(values(records, candidate, gapKey(fault, profile)));
      const target = GAP_TARGET_MS[profile];
      const verdict = target === undefined ? '-' : c === undefined ? `<= ${target} ms (n/a)` : `<= ${target} ms ${c <= target ? 'met' : 'MISSED'}`;
      const dualB = max(values(records, baseline, dualKey(fault, profile)));
      const dualC = max(values(records, candidate, dualKey(fault, profile)));
      const advert = ADVERT_MS[profile];
      const dualVerdict = advert === undefined || dualC === undefined ? '-' : `<= ${advert} ms ${dualC <= advert ? 'met' : 'MISSED'}`;
      rows.push([fault, profile, ms(b), ms(c), formatRatio(ratio(c, b)),
        ms(median(values(records, baseline, takeoverKey(fault, profile)))), ms(median(values(records, candidate, takeoverKey(fault, profile)))), verdict,
        ms(dualB), ms(dualC), dualVerdict]);
    }
  }
  const sum = (contender: string, key: string): number | undefined => {
    const v = values(records, contender, key);
    return v.length === 0 ? undefined : v.reduce((a, x) => a + x, 0);
  };
  const cpuHeader = ['cpu-load check (50ms)', `transitions ${baseline}`, `transitions ${candidate}`, `failed probes ${baseline}`, `failed probes ${candidate}`, `target ${candidate}`];
  const t = sum(candidate, CPU_TRANSITIONS);
  const str = (v: number | undefined): string => (v === undefined ? '-' : String(v));
  const cpuRow = ['sum over runs', str(sum(baseline, CPU_TRANSITIONS)), str(t), str(sum(baseline, CPU_FAILED_PROBES)), str(sum(candidate, CPU_FAILED_PROBES)),
    t === undefined ? '0 (n/a)' : `0 ${t === 0 ? 'met' : 'MISSED'}`];
  return `${formatTable([header, ...rows])}\n\n${formatTable([cpuHeader, cpuRow])}`;
}
