// The scenario contract: every benchmark under bench/scenarios/ is one file exporting a Scenario,
// registered in ./index.ts. The shared runner (../lib/runner.ts) knows nothing else about it.
//
// Lifecycle, driven by the runner:
//   prepare(ctx)            → a Topology: whatever the contenders share (backends, lab), started once
//   topology.start(name)    → a Target: one contender (e.g. haproxy, hapair) up and accepting
//   target.warmUp(ctx), target.measure(ctx)
//                           → a Sample, once per run, contenders alternating order each run
//   target.stop(), topology.close()  in finally blocks, even on failure
// A failover scenario (keepalived vs hapair) fits the same shape: its topology is the netns lab,
// its targets the two keepalive implementations, its sample the failover time.
import type { ChildRegistry } from '../lib/children.ts';

export interface BenchContext {
  /** Seconds of measurement per run (wrk -d, or the bulk transfer budget). */
  readonly durationS: number;
  /** Seconds of warm-up before each measurement (JIT, connection pools); not recorded. */
  readonly warmupS: number;
  /** Every spawned process registers here so that exit or SIGINT kills it. */
  readonly children: ChildRegistry;
  /** A fresh directory for this scenario's configs and process logs. */
  readonly workDir: string;
  /** Optional CPU pinning: the contender on `proxy`, load generator and backends on `load`. */
  readonly cpus?: { readonly proxy: string; readonly load: string };
  readonly log: (line: string) => void;
}

export interface Sample {
  /** The scenario's primary figure, in `Scenario.unit`. */
  readonly value: number;
  /** Latency percentiles over the measurement, when the client reports them. */
  readonly p50Ms?: number;
  readonly p99Ms?: number;
  /** Socket errors, timeouts, non-2xx responses, short transfers: any of them taints the run. */
  readonly errors: number;
  /** Work done in the measurement, in the scenario's `workUnit` (requests, MB ...). */
  readonly work?: number;
  /**
   * CPU seconds (user + system, all threads) the contender's process used during the
   * measurement, and the measurement's wall seconds: cores busy = cpuS / wallS, efficiency =
   * work / cpuS. On a small machine req/s can hide that one proxy needs twice the CPU.
   */
  readonly cpuS?: number;
  readonly wallS?: number;
  /** Free-form per-run facts worth keeping in the JSON (requests, bytes, transfers ...). */
  readonly detail?: Readonly<Record<string, number>>;
}

export interface Target {
  /** Unrecorded load before a measurement (JIT, caches), for `ctx.warmupS`. */
  warmUp(ctx: BenchContext): Promise<void>;
  measure(ctx: BenchContext): Promise<Sample>;
  stop(): Promise<void>;
}

export interface Topology {
  /** Starts one contender on this topology and resolves once it accepts and answers a probe. */
  start(contender: string, ctx: BenchContext): Promise<Target>;
  close(): Promise<void>;
}

export interface Scenario {
  readonly name: string;
  /** One line: what is measured and how (printed in the report and docs/benchmarks.md). */
  readonly summary: string;
  readonly unit: string;
  /** What `Sample.work` counts, for the efficiency column (e.g. `req` → req per CPU second). */
  readonly workUnit?: string;
  readonly higherIsBetter: boolean;
  /** Contenders in default order; the ratio is `candidate / baseline`. */
  readonly contenders: readonly string[];
  /** Contenders run only when asked for with --only (e.g. `direct`: no proxy, the ceiling). */
  readonly extraContenders?: readonly string[];
  readonly baseline: string;
  readonly candidate: string;
  /** Target for the ratio candidate/baseline of medians (e.g. 0.95), when the issue sets one. */
  readonly target?: number;
  prepare(ctx: BenchContext): Promise<Topology>;
}
