// Plain-text report: the machine, each scenario's per-run values, then a summary table with
// medians, the candidate/baseline ratio, p99 medians and the target verdict, and a CPU table
// (cores each proxy kept busy, work per CPU second, and that efficiency's ratio).
import type { MachineInfo } from './machine.ts';
import type { ScenarioResult } from './runner.ts';

export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd()).join('\n');
}

export function formatValue(value: number | undefined): string {
  if (value === undefined) return '-';
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
}

export function formatMs(ms: number | undefined): string {
  return ms === undefined ? '-' : `${ms.toFixed(2)} ms`;
}

export function formatCores(cores: number | undefined): string {
  return cores === undefined ? '-' : cores.toFixed(2);
}

export function formatRatio(r: number | undefined): string {
  return r === undefined ? '-' : r.toFixed(3);
}

export function formatMachine(m: MachineInfo): string {
  return [
    `machine: ${m.nproc} CPU (${m.cpuModel}), ${m.memGiB} GiB, ${m.kernel}`,
    `node:    ${m.node}`,
    `haproxy: ${m.haproxy}`,
    `wrk:     ${m.wrk}`,
  ].join('\n');
}

/** One row per run, one column per contender (value, p99 and CPU cores where measured). */
export function formatRuns(result: ScenarioResult): string {
  const withP99 = result.runs.some((r) => r.sample.p99Ms !== undefined);
  const withCpu = result.runs.some((r) => r.sample.cpuS !== undefined);
  const columns = (c: string): string[] => [c, ...(withP99 ? [`p99 ${c}`] : []), ...(withCpu ? [`cpu ${c}`] : [])];
  const header = ['run', ...result.contenders.flatMap(columns)];
  const runNumbers = [...new Set(result.runs.map((r) => r.run))];
  const rows = runNumbers.map((run) => [String(run), ...result.contenders.flatMap((c) => {
    const sample = result.runs.find((r) => r.run === run && r.contender === c)?.sample;
    const value = formatValue(sample?.value) + (sample !== undefined && sample.errors > 0 ? ` (${sample.errors} err)` : '');
    const cores = sample?.cpuS !== undefined && sample.wallS ? sample.cpuS / sample.wallS : undefined;
    return [value, ...(withP99 ? [formatMs(sample?.p99Ms)] : []), ...(withCpu ? [formatCores(cores)] : [])];
  })]);
  const medians = ['median', ...result.contenders.flatMap((c) => {
    const s = result.summaries.find((x) => x.contender === c);
    return [formatValue(s?.median), ...(withP99 ? [formatMs(s?.p99MedianMs)] : []), ...(withCpu ? [formatCores(s?.cpuCoresMedian)] : [])];
  })];
  return `${result.scenario} (${result.unit}): ${result.summary}\n${formatTable([header, ...rows, medians])}`;
}

function verdict(result: ScenarioResult): string {
  if (result.error !== undefined) return 'ABORTED';
  if (result.target === undefined) return '-';
  const sign = result.higherIsBetter ? '>=' : '<=';
  if (result.targetMet === undefined) return `${sign} ${result.target} (n/a)`;
  return `${sign} ${result.target} ${result.targetMet ? 'met' : 'MISSED'}`;
}

/** The headline: medians per contender, candidate/baseline ratios, p99s, target verdict. */
export function formatSummary(results: readonly ScenarioResult[]): string {
  const contenders = [...new Set(results.flatMap((r) => r.contenders))];
  const first = results[0];
  const ratioName = first === undefined ? 'ratio' : `${first.candidate}/${first.baseline}`;
  // Extra rows asked for with --only (direct, node-floor) get their own ratio to the baseline.
  const extras = first === undefined ? [] : contenders.filter((c) => c !== first.candidate && c !== first.baseline);
  const header = ['scenario', 'unit', ...contenders, ratioName, ...extras.map((c) => `${c}/${first!.baseline}`),
    ...contenders.map((c) => `p99 ${c}`), `p99 ${ratioName}`, 'target'];
  const rows = results.map((r) => {
    const s = (c: string) => r.summaries.find((x) => x.contender === c);
    const toBaseline = (c: string): string => {
      const v = s(c)?.median;
      const b = s(r.baseline)?.median;
      return formatRatio(v === undefined || b === undefined || b === 0 ? undefined : v / b);
    };
    return [
      r.scenario, r.unit,
      ...contenders.map((c) => formatValue(s(c)?.median)),
      formatRatio(r.ratio),
      ...extras.map(toBaseline),
      ...contenders.map((c) => formatMs(s(c)?.p99MedianMs)),
      formatRatio(r.p99Ratio),
      verdict(r),
    ];
  });
  return formatTable([header, ...rows]);
}

/** CPU per contender: cores busy (median) and work per CPU second; the efficiency ratio. */
export function formatCpuSummary(results: readonly ScenarioResult[]): string {
  const contenders = [...new Set(results.flatMap((r) => r.contenders))];
  const first = results[0];
  const ratioName = first === undefined ? 'ratio' : `${first.candidate}/${first.baseline}`;
  const header = ['scenario', ...contenders.map((c) => `cores ${c}`), 'per cpu-s', ...contenders, ratioName];
  const rows = results.map((r) => {
    const s = (c: string) => r.summaries.find((x) => x.contender === c);
    return [
      r.scenario,
      ...contenders.map((c) => formatCores(s(c)?.cpuCoresMedian)),
      r.workUnit ?? '-',
      ...contenders.map((c) => formatValue(s(c)?.efficiencyMedian)),
      formatRatio(r.efficiencyRatio),
    ];
  });
  return formatTable([header, ...rows]);
}
