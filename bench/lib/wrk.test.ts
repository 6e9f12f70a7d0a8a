import { describe, expect, it } from 'vitest';
import { BenchError } from './bench-error.ts';
import { parseWrkOutput, sampleFromWrk, wrkArgs } from './wrk.ts';

const OUTPUT = `Running 3s test @ http://127.0.0.1:19999/
  1 threads and 50 connections
Requests/sec: 104192.15
WRK_JSON {"requests":312911,"duration_us":3003211,"bytes":23781236,"connect_errors":0,"read_errors":2,"write_errors":0,"status_errors":3,"timeouts":1,"lat_mean_us":301.2,"lat_p50_us":217,"lat_p90_us":450,"lat_p99_us":1101,"lat_max_us":4762}
`;

describe('parseWrkOutput', () => {
  it('reads the report line among wrk text', () => {
    const report = parseWrkOutput(OUTPUT);
    expect(report.requests).toBe(312911);
    expect(report.lat_p99_us).toBe(1101);
  });
  it('rejects output without a report line', () => {
    expect(() => parseWrkOutput('Requests/sec: 1\n')).toThrow(BenchError);
  });
  it('rejects a report missing a field', () => {
    expect(() => parseWrkOutput('WRK_JSON {"requests":1}\n')).toThrow(/duration_us/);
  });
});

describe('sampleFromWrk', () => {
  it('computes req/s from requests and duration, latencies in ms, and sums every error kind', () => {
    const sample = sampleFromWrk(parseWrkOutput(OUTPUT));
    expect(sample.value).toBeCloseTo(312911 / 3.003211, 3);
    expect(sample.p50Ms).toBeCloseTo(0.217);
    expect(sample.p99Ms).toBeCloseTo(1.101);
    expect(sample.errors).toBe(6);
  });
});

describe('wrkArgs', () => {
  it('defaults to one thread and 50 connections on loopback with the report script', () => {
    const args = wrkArgs({ port: 8080, durationS: 10 });
    expect(args.slice(0, 4)).toEqual(['-t1', '-c50', '-d10s', '--latency']);
    expect(args[5]).toMatch(/wrk-report\.lua$/);
    expect(args.at(-1)).toBe('http://127.0.0.1:8080/');
  });
});
