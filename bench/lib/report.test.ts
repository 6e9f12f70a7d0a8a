import { describe, expect, it } from 'vitest';
import { formatCpuSummary, formatRatio, formatSummary, formatTable, formatValue } from './report.ts';
import type { ScenarioResult } from './runner.ts';

describe('formatTable', () => {
  it('left-aligns the first column and right-aligns the others', () => {
    expect(formatTable([['a', 'bb'], ['ccc', 'd']])).toBe('a    bb\nccc   d');
  });
});

describe('formatValue', () => {
  it('rounds large values with separators and keeps a decimal on small ones', () => {
    expect(formatValue(31927.5)).toBe('31,928');
    expect(formatValue(12.34)).toBe('12.3');
    expect(formatValue(undefined)).toBe('-');
  });
});

describe('formatSummary', () => {
  const base: ScenarioResult = {
    scenario: 'tcp-short', summary: '', unit: 'req/s', higherIsBetter: true, baseline: 'haproxy', candidate: 'hapair',
    target: 0.95, contenders: ['haproxy', 'hapair'], runs: [],
    summaries: [
      { contender: 'haproxy', median: 30000, p99MedianMs: 3, taintedRuns: 0 },
      { contender: 'hapair', median: 28800, p99MedianMs: 4, taintedRuns: 0 },
    ],
    ratio: 0.96, p99Ratio: 4 / 3, targetMet: true,
  };
  it('shows medians, the ratio, p99s and the verdict', () => {
    const [header, row] = formatSummary([base]).split('\n');
    expect(header).toMatch(/scenario\s+unit\s+haproxy\s+hapair\s+hapair\/haproxy\s+p99 haproxy\s+p99 hapair/);
    expect(row).toMatch(/tcp-short\s+req\/s\s+30,000\s+28,800\s+0\.960\s+3\.00 ms\s+4\.00 ms\s+1\.333\s+>= 0\.95 met/);
  });
  it('says MISSED and ABORTED when they apply', () => {
    expect(formatSummary([{ ...base, ratio: 0.9, targetMet: false }])).toMatch(/>= 0\.95 MISSED/);
    expect(formatSummary([{ ...base, error: 'boom' }])).toMatch(/ABORTED/);
  });
  it('prints a dash for a ratio that cannot be computed', () => expect(formatRatio(undefined)).toBe('-'));
  it('gives an extra contender (node-floor) its own ratio to the baseline', () => {
    const withFloor: ScenarioResult = {
      ...base, contenders: ['haproxy', 'hapair', 'node-floor'],
      summaries: [...base.summaries, { contender: 'node-floor', median: 31500, p99MedianMs: 2, taintedRuns: 0 }],
    };
    const [header, row] = formatSummary([withFloor]).split('\n');
    expect(header).toMatch(/hapair\/haproxy\s+node-floor\/haproxy\s+p99 haproxy/);
    expect(row).toMatch(/28,800\s+31,500\s+0\.960\s+1\.050\s+3\.00 ms/);
  });
});

describe('formatCpuSummary', () => {
  it('shows cores busy, work per CPU second and the efficiency ratio', () => {
    const result: ScenarioResult = {
      scenario: 'tcp-short', summary: '', unit: 'req/s', workUnit: 'req', higherIsBetter: true, baseline: 'haproxy',
      candidate: 'hapair', contenders: ['haproxy', 'hapair'], runs: [],
      summaries: [
        { contender: 'haproxy', cpuCoresMedian: 0.44, efficiencyMedian: 60000, taintedRuns: 0 },
        { contender: 'hapair', cpuCoresMedian: 0.95, efficiencyMedian: 24000, taintedRuns: 0 },
      ],
      efficiencyRatio: 0.4,
    };
    const [header, row] = formatCpuSummary([result]).split('\n');
    expect(header).toMatch(/scenario\s+cores haproxy\s+cores hapair\s+per cpu-s\s+haproxy\s+hapair\s+hapair\/haproxy/);
    expect(row).toMatch(/tcp-short\s+0\.44\s+0\.95\s+req\s+60,000\s+24,000\s+0\.400/);
  });
});
