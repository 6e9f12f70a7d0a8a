// wrk as the load generator: runs it with ./wrk-report.lua and turns its one JSON line into a
// Sample. Keeping wrk's own text output alongside makes a run easy to check by eye.
import { join } from 'node:path';
import { BenchError } from './bench-error.ts';
import { LOOPBACK } from './net-wait.ts';
import type { BenchContext, Sample } from '../scenarios/scenario.ts';

const REPORT_SCRIPT = join(import.meta.dirname, 'wrk-report.lua');
const MARKER = 'WRK_JSON ';
/** Slack on top of wrk's own duration before the harness kills it. */
const OVERRUN_MS = 30_000;

export interface WrkOptions {
  readonly port: number;
  readonly path?: string;
  readonly threads?: number;
  readonly connections?: number;
  readonly durationS: number;
}

export interface WrkReport {
  readonly requests: number;
  readonly duration_us: number;
  readonly bytes: number;
  readonly connect_errors: number;
  readonly read_errors: number;
  readonly write_errors: number;
  readonly status_errors: number;
  readonly timeouts: number;
  readonly lat_mean_us: number;
  readonly lat_p50_us: number;
  readonly lat_p90_us: number;
  readonly lat_p99_us: number;
  readonly lat_max_us: number;
}

const FIELDS: readonly (keyof WrkReport)[] = [
  'requests', 'duration_us', 'bytes', 'connect_errors', 'read_errors', 'write_errors',
  'status_errors', 'timeouts', 'lat_mean_us', 'lat_p50_us', 'lat_p90_us', 'lat_p99_us', 'lat_max_us',
];

/** Extracts the report line printed by wrk-report.lua; throws when absent or incomplete. */
export function parseWrkOutput(stdout: string): WrkReport {
  const line = stdout.split('\n').find((l) => l.startsWith(MARKER));
  if (line === undefined) throw new BenchError(`wrk printed no ${MARKER.trim()} line:\n${stdout.slice(-1000)}`);
  const raw: unknown = JSON.parse(line.slice(MARKER.length));
  const record = raw as Record<string, unknown>;
  for (const field of FIELDS) {
    if (typeof record[field] !== 'number' || !Number.isFinite(record[field])) {
      throw new BenchError(`wrk report lacks a numeric '${field}': ${line}`);
    }
  }
  return raw as WrkReport;
}

/** Requests per second, p50/p99 in ms, and every error wrk counts (non-2xx/3xx included). */
export function sampleFromWrk(report: WrkReport): Sample {
  const errors = report.connect_errors + report.read_errors + report.write_errors + report.status_errors + report.timeouts;
  return {
    value: report.duration_us > 0 ? report.requests / (report.duration_us / 1e6) : 0,
    p50Ms: report.lat_p50_us / 1000,
    p99Ms: report.lat_p99_us / 1000,
    errors,
    work: report.requests,
    detail: { requests: report.requests, bytes: report.bytes, durationS: report.duration_us / 1e6, latMaxMs: report.lat_max_us / 1000 },
  };
}

export function wrkArgs(options: WrkOptions): string[] {
  return [
    `-t${options.threads ?? 1}`, `-c${options.connections ?? 50}`, `-d${options.durationS}s`,
    '--latency', '-s', REPORT_SCRIPT, `http://${LOOPBACK}:${options.port}${options.path ?? '/'}`,
  ];
}

export async function runWrk(ctx: BenchContext, options: WrkOptions): Promise<Sample> {
  const timeoutMs = options.durationS * 1000 + OVERRUN_MS;
  const result = await ctx.children.run('wrk', 'wrk', wrkArgs(options), timeoutMs, { cpus: ctx.cpus?.load });
  if (result.code !== 0) throw new BenchError(`wrk exited ${result.code}: ${result.stderr || result.stdout}`);
  return sampleFromWrk(parseWrkOutput(result.stdout));
}
