// Command line of `npm run bench -- [scenario...] [options]`, parsed with node:util parseArgs.
// Every number is bounded so that a typo cannot start an hour-long run.
import { parseArgs } from 'node:util';
import { BenchError } from './bench-error.ts';

export interface BenchArgs {
  readonly scenarios: readonly string[];
  readonly runs: number;
  readonly durationS: number;
  readonly warmupS: number;
  readonly only?: readonly string[];
  readonly json?: string;
  readonly pin: boolean;
  readonly list: boolean;
  readonly help: boolean;
}

export const USAGE = `usage: npm run bench -- [scenario...] [options]
   or: node bench/run.ts [scenario...] [options]

Runs HAProxy and hapair side by side on the same topology, alternating runs,
and prints medians and the ratio hapair/HAProxy. Default scenarios: tcp-short tcp-bulk.

options:
  --runs N          measured runs per contender (default 5, 1..50)
  --duration S      seconds measured per run (default 10, 1..300)
  --warmup S        seconds of warm-up before each run (default 2, 0..60)
  --only LIST       contenders to run, comma-separated (e.g. haproxy, or direct,haproxy,hapair;
                    node-floor: Node's own I/O cost with no HTTP work, in the wrk scenarios)
  --json FILE       also write the results as JSON (relative names go under bench/results/)
  --pin             taskset: proxy on the last CPU, client and backends on the others
  --list            list the scenarios and exit
  -h, --help        this text
`;

function boundedInt(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new BenchError(`--${name} must be an integer in ${min}..${max}, got '${raw}'`);
  return n;
}

export function parseBenchArgs(argv: readonly string[], defaultScenarios: readonly string[]): BenchArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        runs: { type: 'string' },
        duration: { type: 'string' },
        warmup: { type: 'string' },
        only: { type: 'string' },
        json: { type: 'string' },
        pin: { type: 'boolean', default: false },
        list: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    throw new BenchError((err as Error).message);
  }
  const { values, positionals } = parsed;
  const only = values.only?.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (only !== undefined && only.length === 0) throw new BenchError('--only needs at least one contender');
  return {
    scenarios: positionals.length > 0 ? positionals : [...defaultScenarios],
    runs: boundedInt('runs', values.runs, 5, 1, 50),
    durationS: boundedInt('duration', values.duration, 10, 1, 300),
    warmupS: boundedInt('warmup', values.warmup, 2, 0, 60),
    only,
    json: values.json,
    pin: values.pin ?? false,
    list: values.list ?? false,
    help: values.help ?? false,
  };
}

/** CPU lists for --pin: the proxy alone on the last CPU, everything else on the rest. */
export function pinningFor(nproc: number): { proxy: string; load: string } {
  if (nproc < 2) throw new BenchError('--pin needs at least 2 CPUs');
  const last = nproc - 1;
  return { proxy: String(last), load: last === 1 ? '0' : `0-${last - 1}` };
}
