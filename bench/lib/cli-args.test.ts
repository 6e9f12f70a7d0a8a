import { describe, expect, it } from 'vitest';
import { parseBenchArgs, pinningFor } from './cli-args.ts';

const DEFAULTS = ['tcp-short', 'tcp-bulk'];

describe('parseBenchArgs', () => {
  it('runs the default scenarios with 5 runs of 10 s after 2 s of warm-up', () => {
    expect(parseBenchArgs([], DEFAULTS)).toMatchObject({ scenarios: DEFAULTS, runs: 5, durationS: 10, warmupS: 2, pin: false });
  });
  it('takes scenarios as positionals and options anywhere', () => {
    const args = parseBenchArgs(['tcp', '--runs', '3', 'failover', '--duration', '20', '--json', 'out.json'], DEFAULTS);
    expect(args).toMatchObject({ scenarios: ['tcp', 'failover'], runs: 3, durationS: 20, json: 'out.json' });
  });
  it('splits --only on commas', () => {
    expect(parseBenchArgs(['--only', 'direct, haproxy'], DEFAULTS).only).toEqual(['direct', 'haproxy']);
  });
  it('rejects out-of-range or non-integer numbers', () => {
    expect(() => parseBenchArgs(['--runs', '0'], DEFAULTS)).toThrow(/--runs/);
    expect(() => parseBenchArgs(['--duration', '1.5'], DEFAULTS)).toThrow(/--duration/);
    expect(() => parseBenchArgs(['--duration', '301'], DEFAULTS)).toThrow(/--duration/);
  });
  it('rejects unknown options and an empty --only', () => {
    expect(() => parseBenchArgs(['--fast'], DEFAULTS)).toThrow(/fast/);
    expect(() => parseBenchArgs(['--only', ','], DEFAULTS)).toThrow(/--only/);
  });
});

describe('pinningFor', () => {
  it('puts the proxy on the last CPU and the load on the others', () => {
    expect(pinningFor(2)).toEqual({ proxy: '1', load: '0' });
    expect(pinningFor(8)).toEqual({ proxy: '7', load: '0-6' });
  });
  it('refuses a single CPU', () => expect(() => pinningFor(1)).toThrow(/2 CPUs/));
});
