import { describe, expect, it } from 'vitest';
import type { ConfigLine } from '../config/model.ts';
import { selectCheckRules, type RuleEntry } from './check-rules-inherit.ts';

let n = 0;
const L = (text: string): ConfigLine => ({ args: text.split(' '), loc: { file: 't.cfg', line: ++n } });
const words = (entries: readonly RuleEntry[]): string[] => entries.map((e) => ('line' in e ? e.line.args.slice(1).join(' ') : `option ${e.option.name} ${e.option.args.join(' ')}`));

describe('check rules through `defaults B from A` chains', () => {
  it("a child defaults' rules replace the parent's, as a proxy's replace its defaults'", () => {
    const a = [L('option tcp-check'), L('tcp-check send parent')];
    const b = [L('tcp-check send child')];
    expect(words(selectCheckRules([], [a, b]).entries)).toEqual(['send child']);
    expect(words(selectCheckRules([L('tcp-check send own')], [a, b]).entries)).toEqual(['send own']);
    // Flattened into one section, the rules would pile up instead.
    expect(words(selectCheckRules([], [[...a, ...b]]).entries)).toEqual(['send parent', 'send child']);
  });

  it('a section without rules passes its parent ruleset down the chain', () => {
    const a = [L('option httpchk GET /p'), L('http-check send hdr Host p')];
    expect(words(selectCheckRules([], [a, [], []]).entries)).toEqual(['option httpchk GET /p', 'send hdr Host p']);
    expect(selectCheckRules([], [a, [L('option tcp-check')]]).option?.name).toBe('tcp-check');
  });

  it("option tcp-check in a child defaults keeps the inherited list, else starts the child's own", () => {
    const a = [L('option tcp-check'), L('tcp-check send parent')];
    expect(words(selectCheckRules([L('option tcp-check')], [a, [L('option tcp-check')]]).entries)).toEqual(['send parent']);
    // The parent's rules were unused (no option there): the child's option starts its own ruleset.
    const unused = [L('tcp-check send unused')];
    expect(words(selectCheckRules([], [unused, [L('option tcp-check'), L('tcp-check send child')]]).entries)).toEqual(['send child']);
  });

  it('unused marks of a defaults section do not reach its children', () => {
    const r = selectCheckRules([], [[L('http-check send hdr X 1')], [L('tcp-check send unused')]]);
    expect(r.unusedHttp).toEqual([]);
    expect(r.unusedTcp).toEqual([]);
    const own = selectCheckRules([L('tcp-check send mine')], [[L('http-check send hdr X 1')]]);
    expect(own.unusedTcp.map((l) => l.args.join(' '))).toEqual(['tcp-check send mine']);
  });
});
