import { describe, expect, it } from 'vitest';
import { evalExpect, expectStepLabel, hexDump } from './tcpcheck-expect.ts';
import type { ExpectRule } from './tcpcheck-rules.ts';
import { expectRule } from './ruleset-helpers.ts';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const str = (text: string, more: Partial<ExpectRule> = {}): ExpectRule => ({ ...expectRule(1, { type: 'string', text }), ...more });

describe('tcp-check expect (src/tcpcheck.c tcpcheck_eval_expect)', () => {
  it('waits until the pattern could fit, then matches anywhere in the buffer', () => {
    expect(evalExpect(str('+PONG'), b('+PO'), false, 'tcp', true)).toEqual({ kind: 'wait' });
    expect(evalExpect(str('+PONG'), b('xx+PONG\r\n'), false, 'tcp', true)).toEqual({ kind: 'continue' });
  });

  it('keeps waiting on a mismatch without min-recv, and decides at the end of the stream', () => {
    expect(evalExpect(str('+PONG'), b('+NOPE\r\n'), false, 'tcp', true)).toEqual({ kind: 'wait' });
    expect(evalExpect(str('+PONG'), b('+NOPE\r\n'), true, 'tcp', true)).toEqual({
      kind: 'fail',
      status: 'L7RSP',
      code: 0,
      info: "TCPCHK did not match content '+PONG' at step 2",
    });
  });

  it('decides at once when min-recv is reached', () => {
    const r = str('+PONG', { minRecv: 3 });
    expect(evalExpect(r, b('+N'), false, 'tcp', true)).toEqual({ kind: 'wait' });
    expect(evalExpect(r, b('+NOPE'), false, 'tcp', true).kind).toBe('fail');
  });

  it('reports unwanted content for an inverted match, with the rule comment', () => {
    const r = str('ERR', { inverse: true, comment: 'no errors' });
    expect(evalExpect(r, b('+ERR\r\n'), false, 'tcp', true)).toEqual({
      kind: 'fail',
      status: 'L7RSP',
      code: 0,
      info: "TCPCHK matched unwanted content 'ERR' at step 2 comment: no errors",
    });
  });

  it('matches rbinary on the upper-case hex dump, rstring on raw bytes', () => {
    expect(hexDump(b('+P\x00'))).toBe('2B5000');
    const rb = expectRule(0, { type: 'rbinary', regex: /^2B50/, source: '^2B50' });
    expect(evalExpect(rb, b('+PONX'), true, 'tcp', true)).toEqual({ kind: 'continue' });
    const rs = expectRule(0, { type: 'rstring', regex: /^\+PONG/, source: '^\\+PONG' });
    expect(evalExpect(rs, b('+NOPE'), true, 'tcp', true)).toMatchObject({ info: 'TCPCHK did not match content (regex) at step 1' });
  });

  it('uses the protocol messages (on-error, error-status) and no generic text for protocol checks', () => {
    const r = str('+PONG\r\n', { errorStatus: 'L7STS', onError: (d) => d.toString('latin1').split('\r')[0]! });
    expect(evalExpect(r, b('-ERR wrong\r\n'), true, 'redis', true)).toEqual({ kind: 'fail', status: 'L7STS', code: 0, info: '-ERR wrong' });
    expect(evalExpect(str('x'), b('y'), true, 'redis', true)).toMatchObject({ info: '' });
  });

  it('labels expect steps like chk_report_conn_err', () => {
    expect(expectStepLabel(str('+PONG'))).toBe(" (expect string '+PONG')");
    expect(expectStepLabel(expectRule(0, { type: 'rbinary', regex: /x/, source: 'x' }))).toBe(' (expect binary regex)');
  });
});
