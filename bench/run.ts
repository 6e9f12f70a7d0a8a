// `npm run bench -- [scenario...] [options]`: side-by-side benchmarks of hapair and HAProxy 2.6.
// Not a test (never part of `npm test`): figures vary with the machine; read them as ratios.
// Progress goes to stderr, the report to stdout; docs/benchmarks.md explains both.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { BenchError } from './lib/bench-error.ts';
import { ChildRegistry } from './lib/children.ts';
import { parseBenchArgs, pinningFor, USAGE, type BenchArgs } from './lib/cli-args.ts';
import { describeMachine, type MachineInfo } from './lib/machine.ts';
import { REPO_ROOT } from './lib/proxies.ts';
import { formatCpuSummary, formatMachine, formatRuns, formatSummary } from './lib/report.ts';
import { runScenario, type ScenarioResult } from './lib/runner.ts';
import { DEFAULT_SCENARIOS, findScenario, SCENARIOS } from './scenarios/index.ts';
import type { BenchContext, Scenario } from './scenarios/scenario.ts';

const RESULTS_DIR = join(REPO_ROOT, 'bench', 'results');
const log = (line: string): void => void process.stderr.write(`${line}\n`);

function resolveScenarios(names: readonly string[]): Scenario[] {
  return names.map((name) => {
    const scenario = findScenario(name);
    if (scenario === undefined) throw new BenchError(`unknown scenario '${name}' (known: ${SCENARIOS.map((s) => s.name).join(', ')})`);
    return scenario;
  });
}

function writeJson(file: string, args: BenchArgs, machine: MachineInfo, results: readonly ScenarioResult[]): string {
  const path = resolve(RESULTS_DIR, file);
  mkdirSync(dirname(path), { recursive: true });
  const settings = { runs: args.runs, durationS: args.durationS, warmupS: args.warmupS, only: args.only, pin: args.pin };
  writeFileSync(path, `${JSON.stringify({ date: new Date().toISOString(), machine, settings, results }, null, 2)}\n`);
  return path;
}

async function bench(args: BenchArgs): Promise<number> {
  const scenarios = resolveScenarios(args.scenarios);
  const machine = describeMachine();
  const workDir = mkdtempSync(join(tmpdir(), 'hapair-bench-'));
  const children = new ChildRegistry(workDir);
  children.installExitHooks(() => rmSync(workDir, { recursive: true, force: true }));
  const ctx: BenchContext = {
    durationS: args.durationS, warmupS: args.warmupS, children, workDir, log,
    cpus: args.pin ? pinningFor(machine.nproc) : undefined,
  };
  process.stdout.write(`${formatMachine(machine)}\n`);
  process.stdout.write(`settings: ${args.runs} runs x ${args.durationS} s (warm-up ${args.warmupS} s), ` +
    `contenders alternate order each run, pinning ${ctx.cpus ? `proxy cpu ${ctx.cpus.proxy}, load cpu ${ctx.cpus.load}` : 'off'}\n\n`);
  const results: ScenarioResult[] = [];
  try {
    for (const scenario of scenarios) {
      log(`${scenario.name}: starting`);
      const result = await runScenario(scenario, ctx, { runs: args.runs, only: args.only });
      results.push(result);
      process.stdout.write(`${formatRuns(result)}\n`);
      if (result.error !== undefined) process.stdout.write(`ABORTED: ${result.error}\n`);
      process.stdout.write('\n');
    }
  } finally {
    await children.stopAll();
  }
  process.stdout.write(`summary (medians over ${args.runs} runs):\n${formatSummary(results)}\n\n`);
  process.stdout.write(`proxy CPU during measurements (medians; work per CPU second is the efficiency):\n${formatCpuSummary(results)}\n`);
  if (args.json !== undefined) log(`results written to ${writeJson(args.json, args, machine, results)}`);
  const failed = results.some((r) => r.error !== undefined);
  if (failed) log(`configs and process logs kept in ${workDir}`);
  else rmSync(workDir, { recursive: true, force: true });
  return failed ? 1 : 0;
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseBenchArgs(argv, DEFAULT_SCENARIOS);
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (args.list) {
    for (const s of SCENARIOS) process.stdout.write(`${s.name.padEnd(12)} ${s.summary}\n`);
    return 0;
  }
  return bench(args);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  if (!(err instanceof BenchError)) process.stderr.write(`${(err as Error).stack ?? ''}\n`);
  process.exitCode = err instanceof BenchError ? 2 : 1;
}
