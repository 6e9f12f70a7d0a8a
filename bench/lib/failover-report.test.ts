import { describe, expect, it } from 'vitest';
import { ADVERT_MS, CPU_TRANSITIONS, dualKey, formatFailoverTable, gapKey, type FailoverRecord } from './failover-report.ts';

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

  it('shows the worst dual ownership of each contender against one advert interval', () => {
    const dual = (contender: string, profile: string, v: number): FailoverRecord => ({
      contender,
      sample: { value: 0, errors: 0, detail: { [gapKey('kill', profile)]: 100, [dualKey('kill', profile)]: v } },
    });
    const text = formatFailoverTable(
      [dual('keepalived', 'default', 3000), dual('keepalived', 'default', 2500), dual('hapair', 'default', 30), dual('hapair', 'default', 120),
        dual('hapair', '50ms', 20), dual('hapair', '50ms', 70)],
      ['kill', 'link-cut'], ['default', '50ms'], 'keepalived', 'hapair',
    );
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/dual max keepalived\s+dual max hapair\s+dual hapair vs 1 advert/);
    const row = (fault: string, profile: string) => lines.find((l) => new RegExp(`^${fault}\\s+${profile}\\s`).test(l));
    expect(row('kill', 'default')).toMatch(/3000 ms\s+120 ms\s+<= 200 ms met$/);
    expect(row('kill', '50ms')).toMatch(/-\s+70 ms\s+<= 50 ms MISSED$/);
    expect(row('link-cut', 'default')).toMatch(/-\s+-\s+-$/);
    expect(ADVERT_MS).toEqual({ default: 200, '50ms': 50 });
  });
});
