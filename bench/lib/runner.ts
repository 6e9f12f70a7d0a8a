// The shared runner: one scenario, every contender on the same topology, runs alternating the
// contenders' order (so drift in the machine — thermal, page cache, noisy neighbours — hits both
// sides alike), then medians and the candidate/baseline ratio.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BenchError } from './bench-error.ts';
import { alternatingOrder, median, meetsTarget, ratio } from './stats.ts';
import type { BenchContext, Sample, Scenario, Target, Topology } from '../scenarios/scenario.ts';

export interface RunRecord {
  readonly run: number;
  readonly contender: string;
  readonly sample: Sample;
}

export interface ContenderSummary {
  readonly contender: string;
  readonly median?: number;
  readonly p99MedianMs?: number;
  readonly min?: number;
  readonly max?: number;
  /** Median CPU cores the contender kept busy during measurements (cpuS / wallS). */
  readonly cpuCoresMedian?: number;
  /** Median work per CPU second (e.g. requests per CPU second): the efficiency. */
  readonly efficiencyMedian?: number;
  /** Runs whose client counted errors; their values are still in the median, flagged. */
  readonly taintedRuns: number;
}

export interface ScenarioResult {
  readonly scenario: string;
  readonly summary: string;
  readonly unit: string;
  readonly workUnit?: string;
  readonly higherIsBetter: boolean;
  readonly baseline: string;
  readonly candidate: string;
  readonly target?: number;
  readonly contenders: readonly string[];
  readonly runs: readonly RunRecord[];
  readonly summaries: readonly ContenderSummary[];
  readonly ratio?: number;
  readonly p99Ratio?: number;
  /** candidate / baseline of the efficiency medians (work per CPU second). */
  readonly efficiencyRatio?: number;
  readonly targetMet?: boolean;
  /** Set when the scenario aborted; runs holds what was measured before. */
  readonly error?: string;
}

/** The contenders to run: the scenario's defaults, or `only` (checked against what it offers). */
export function selectContenders(scenario: Scenario, only: readonly string[] | undefined): string[] {
  if (only === undefined) return [...scenario.contenders];
  const offered = [...scenario.contenders, ...(scenario.extraContenders ?? [])];
  const unknown = only.filter((c) => !offered.includes(c));
  if (unknown.length > 0) throw new BenchError(`${scenario.name}: unknown contender ${unknown.join(', ')} (offers ${offered.join(', ')})`);
  return offered.filter((c) => only.includes(c));
}

export function summarize(scenario: Scenario, contenders: readonly string[], runs: readonly RunRecord[], error?: string): ScenarioResult {
  const summaries = contenders.map((contender): ContenderSummary => {
    const samples = runs.filter((r) => r.contender === contender).map((r) => r.sample);
    const values = samples.map((s) => s.value);
    const p99s = samples.flatMap((s) => (s.p99Ms === undefined ? [] : [s.p99Ms]));
    return {
      contender,
      median: median(values),
      p99MedianMs: median(p99s),
      cpuCoresMedian: median(samples.flatMap((s) => (s.cpuS !== undefined && s.wallS ? [s.cpuS / s.wallS] : []))),
      efficiencyMedian: median(samples.flatMap((s) => (s.cpuS && s.work !== undefined ? [s.work / s.cpuS] : []))),
      min: values.length > 0 ? Math.min(...values) : undefined,
      max: values.length > 0 ? Math.max(...values) : undefined,
      taintedRuns: samples.filter((s) => s.errors > 0).length,
    };
  });
  const of = (name: string): ContenderSummary | undefined => summaries.find((s) => s.contender === name);
  const r = ratio(of(scenario.candidate)?.median, of(scenario.baseline)?.median);
  return {
    scenario: scenario.name,
    summary: scenario.summary,
    unit: scenario.unit,
    workUnit: scenario.workUnit,
    higherIsBetter: scenario.higherIsBetter,
    baseline: scenario.baseline,
    candidate: scenario.candidate,
    target: scenario.target,
    contenders,
    runs,
    summaries,
    ratio: r,
    p99Ratio: ratio(of(scenario.candidate)?.p99MedianMs, of(scenario.baseline)?.p99MedianMs),
    efficiencyRatio: ratio(of(scenario.candidate)?.efficiencyMedian, of(scenario.baseline)?.efficiencyMedian),
    targetMet: meetsTarget(r, scenario.target, scenario.higherIsBetter),
    error,
  };
}

export interface RunOptions {
  readonly runs: number;
  readonly only?: readonly string[];
}

/** Runs one scenario to the end or to its first failure; never leaves a child running. */
export async function runScenario(scenario: Scenario, baseCtx: BenchContext, options: RunOptions): Promise<ScenarioResult> {
  const contenders = selectContenders(scenario, options.only);
  const ctx: BenchContext = { ...baseCtx, workDir: join(baseCtx.workDir, scenario.name) };
  mkdirSync(ctx.workDir, { recursive: true });
  const runs: RunRecord[] = [];
  const targets = new Map<string, Target>();
  let topology: Topology | undefined;
  try {
    topology = await scenario.prepare(ctx);
    for (const c of contenders) targets.set(c, await topology.start(c, ctx));
    for (let i = 0; i < options.runs; i++) {
      for (const c of alternatingOrder(contenders, i)) {
        const target = targets.get(c)!;
        await target.warmUp(ctx);
        const sample = await target.measure(ctx);
        runs.push({ run: i + 1, contender: c, sample });
        ctx.log(`  ${scenario.name} run ${i + 1}/${options.runs} ${c}: ${sample.value.toFixed(1)} ${scenario.unit}` +
          (sample.p99Ms === undefined ? '' : `, p99 ${sample.p99Ms.toFixed(2)} ms`) +
          (sample.cpuS === undefined || !sample.wallS ? '' : `, cpu ${(sample.cpuS / sample.wallS).toFixed(2)}`) + (sample.errors > 0 ? `, ${sample.errors} errors` : ''));
      }
    }
    return summarize(scenario, contenders, runs);
  } catch (err) {
    return summarize(scenario, contenders, runs, err instanceof Error ? err.message : String(err));
  } finally {
    for (const target of targets.values()) await target.stop();
    await topology?.close();
  }
}
