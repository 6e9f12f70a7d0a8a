import { describe, expect, it } from 'vitest';
import { CPU_TRANSITIONS, formatFailoverTable, gapKey, type FailoverRecord } from './failover-report.ts';

const rec = (contender: string, gap: number, transitions: number): FailoverRecord => ({
  contender,
  sample: { value: gap, errors: 0, detail: { [gapKey('link-cut', '50ms')]: gap, [CPU_TRANSITIONS]: transitions } },
});

describe('formatFailoverTable', () => {
  it('shows medians, the ratio and the verdicts', () => {
    const text = formatFailoverTable(
      [rec('keepalived', 300, 0), rec('keepalived', 100, 0), rec('keepalived', 200, 0), rec('hapair', 150, 0), rec('hapair', 250, 1), rec('hapair', 190, 0)],
      ['link-cut'], ['50ms'], 'keepalived', 'hapair',
    );
    const [gapLine] = text.split('\n').filter((l) => l.startsWith('link-cut'));
    expect(gapLine).toMatch(/200 ms\s+190 ms\s+0\.950/);
    expect(gapLine).toMatch(/<= 200 ms met/);
    expect(text).toMatch(/sum over runs\s+0\s+1\s+-\s+-\s+0 MISSED/);
  });

  it('says n/a when the candidate has no figure', () => {
    const text = formatFailoverTable([rec('keepalived', 300, 0)], ['link-cut'], ['50ms'], 'keepalived', 'hapair');
    expect(text).toMatch(/<= 200 ms \(n\/a\)/);
    expect(text).toMatch(/0 \(n\/a\)/);
  });
});
