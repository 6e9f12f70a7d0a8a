// Bulk transfer client: curl fetches `GET /<bytes>` to /dev/null, one transfer at a time, and
// reports its own byte count and wall time (`-w`), so the harness's event loop never sits on the
// data path. Throughput = bytes / seconds summed over the run's transfers.
import { BenchError } from './bench-error.ts';
import { LOOPBACK } from './net-wait.ts';
import type { BenchContext, Sample } from '../scenarios/scenario.ts';

const MAX_TRANSFERS_PER_RUN = 100;
const TRANSFER_TIMEOUT_S = 120;

export interface Transfer {
  readonly bytes: number;
  readonly seconds: number;
  readonly status: number;
}

/** Parses curl's `-w '%{size_download} %{time_total} %{http_code}'` line. */
export function parseCurlWriteOut(line: string): Transfer {
  const [bytes, seconds, status] = line.trim().split(/\s+/).map(Number);
  if (![bytes, seconds, status].every((n) => n !== undefined && Number.isFinite(n))) {
    throw new BenchError(`unexpected curl output: ${JSON.stringify(line)}`);
  }
  return { bytes: bytes!, seconds: seconds!, status: status! };
}

/** MB/s (10^6 bytes) over all transfers; short or non-200 transfers count as errors. */
export function sampleFromTransfers(transfers: readonly Transfer[], expectedBytes: number): Sample {
  let bytes = 0;
  let seconds = 0;
  let errors = 0;
  for (const t of transfers) {
    bytes += t.bytes;
    seconds += t.seconds;
    if (t.status !== 200 || t.bytes !== expectedBytes) errors += 1;
  }
  return {
    value: seconds > 0 ? bytes / seconds / 1e6 : 0,
    errors,
    work: bytes / 1e6,
    detail: { transfers: transfers.length, bytes, seconds },
  };
}

export async function fetchOnce(ctx: BenchContext, port: number, bytes: number): Promise<Transfer> {
  const args = [
    '-sS', '--max-time', String(TRANSFER_TIMEOUT_S), '-o', '/dev/null',
    '-w', '%{size_download} %{time_total} %{http_code}', `http://${LOOPBACK}:${port}/${bytes}`,
  ];
  const result = await ctx.children.run('curl', 'curl', args, (TRANSFER_TIMEOUT_S + 10) * 1000, { cpus: ctx.cpus?.load });
  if (result.code !== 0) throw new BenchError(`curl exited ${result.code}: ${result.stderr}`);
  return parseCurlWriteOut(result.stdout);
}

/** One unrecorded transfer when warm-up is on (whatever `warmupS` says: a transfer is the unit). */
export async function warmUpBulk(ctx: BenchContext, port: number, bytes: number): Promise<void> {
  if (ctx.warmupS > 0) await fetchOnce(ctx, port, bytes);
}

/** Transfers back to back until `durationS` has passed (at least one). */
export async function measureBulk(ctx: BenchContext, port: number, bytes: number): Promise<Sample> {
  const transfers: Transfer[] = [];
  const deadline = Date.now() + ctx.durationS * 1000;
  do {
    transfers.push(await fetchOnce(ctx, port, bytes));
  } while (Date.now() < deadline && transfers.length < MAX_TRANSFERS_PER_RUN);
  return sampleFromTransfers(transfers, bytes);
}
