import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChildRegistry } from './children.ts';
import { runScenario, selectContenders } from './runner.ts';
import type { BenchContext, Scenario, Topology } from '../scenarios/scenario.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function context(): BenchContext {
  const workDir = mkdtempSync(join(tmpdir(), 'bench-runner-test-'));
  dirs.push(workDir);
  return { durationS: 1, warmupS: 0, children: new ChildRegistry(workDir), workDir, log: () => {} };
}

/** A scenario whose contenders return scripted values and record every call. */
function scripted(values: Record<string, number[]>, failOn?: { contender: string; call: number }) {
  const calls: string[] = [];
  const scenario: Scenario = {
    name: 'fake', summary: 'scripted', unit: 'req/s', higherIsBetter: true,
    contenders: ['haproxy', 'hapair'], extraContenders: ['direct'], baseline: 'haproxy', candidate: 'hapair', target: 0.95,
    prepare: async (): Promise<Topology> => {
      calls.push('prepare');
      return {
        start: async (contender) => {
          calls.push(`start ${contender}`);
          let n = 0;
          return {
            warmUp: async () => void calls.push(`warmUp ${contender}`),
            measure: async () => {
              calls.push(`measure ${contender}`);
              if (failOn?.contender === contender && failOn.call === n) throw new Error(`${contender} died`);
              const value = values[contender]![n++]!;
              return { value, p99Ms: value / 10_000, errors: 0, work: value, cpuS: value / 100, wallS: 2 };
            },
            stop: async () => void calls.push(`stop ${contender}`),
          };
        },
        close: async () => void calls.push('close'),
      };
    },
  };
  return { scenario, calls };
}

describe('runScenario', () => {
  it('alternates the contenders order each run and takes medians and the ratio', async () => {
    const { scenario, calls } = scripted({ haproxy: [100, 300, 200], hapair: [90, 95, 1000] });
    const result = await runScenario(scenario, context(), { runs: 3 });
    expect(calls.filter((c) => c.startsWith('measure'))).toEqual([
      'measure haproxy', 'measure hapair', 'measure hapair', 'measure haproxy', 'measure haproxy', 'measure hapair',
    ]);
    expect(result.summaries.map((s) => s.median)).toEqual([200, 95]);
    expect(calls.slice(0, 5)).toEqual(['prepare', 'start haproxy', 'start hapair', 'warmUp haproxy', 'measure haproxy']);
    expect(result.summaries.map((s) => s.cpuCoresMedian)).toEqual([1, 0.475]);
    expect(result.efficiencyRatio).toBe(1);
    expect(result.ratio).toBeCloseTo(0.475);
    expect(result.p99Ratio).toBeCloseTo(0.0095 / 0.02);
    expect(result.targetMet).toBe(false);
    expect(result.runs).toHaveLength(6);
  });

  it('reports a failure with the runs measured so far and still stops everything', async () => {
    const { scenario, calls } = scripted({ haproxy: [100, 100], hapair: [99, 99] }, { contender: 'hapair', call: 1 });
    const result = await runScenario(scenario, context(), { runs: 2 });
    expect(result.error).toBe('hapair died');
    expect(result.runs.map((r) => r.contender)).toEqual(['haproxy', 'hapair']);
    expect(calls.slice(-3)).toEqual(['stop haproxy', 'stop hapair', 'close']);
  });
});

describe('selectContenders', () => {
  const { scenario } = scripted({});
  it('defaults to the scenario contenders', () => expect(selectContenders(scenario, undefined)).toEqual(['haproxy', 'hapair']));
  it('accepts extra contenders on request, in the scenario order', () => {
    expect(selectContenders(scenario, ['direct', 'haproxy'])).toEqual(['haproxy', 'direct']);
  });
  it('rejects a contender the scenario does not offer', () => {
    expect(() => selectContenders(scenario, ['nginx'])).toThrow(/unknown contender nginx/);
  });
});
