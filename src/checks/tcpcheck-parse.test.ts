import { describe, expect, it } from 'vitest';
import { literalLogFormat, parseCheckLine } from './tcpcheck-parse.ts';

const parse = (line: string, index = 0): ReturnType<typeof parseCheckLine> => parseCheckLine(line.split(' '), index);

describe('tcp-check / http-check line parsing (src/tcpcheck.c parse_tcpcheck_*)', () => {
  it('parses connect options', () => {
    expect(parse('tcp-check connect port 8080 ssl sni a.example linger comment hi')).toEqual({
      rule: { action: 'connect', index: 0, implicit: false, useDefaults: false, sendProxy: false, ssl: true, linger: true, port: 8080, sni: 'a.example', comment: 'hi' },
    });
    expect(parse('tcp-check connect port 70000')).toEqual({
      error: "'tcp-check connect' : expects a valid TCP port (from range 1 to 65535) or a sample expression, got 70000.",
    });
    expect(parse('tcp-check connect bogus')).toMatchObject({ error: expect.stringContaining("but got 'bogus' as argument") });
  });

  it('parses send, send-binary and literal send-lf; refuses log-format expressions', () => {
    const s = parse('tcp-check send PING', 3);
    expect('rule' in s && s.rule).toMatchObject({ action: 'send', index: 3, kind: 'string', data: Buffer.from('PING') });
    const sb = parse('tcp-check send-binary 50494e47');
    expect('rule' in sb && sb.rule).toMatchObject({ kind: 'binary', data: Buffer.from('PING') });
    expect(parse('tcp-check send-binary 504')).toMatchObject({ error: expect.stringContaining('even number of hex digit') });
    expect(parse('tcp-check send-lf %[src]')).toMatchObject({ error: expect.stringContaining('not supported') });
    expect(literalLogFormat('100%% ok')).toBe('100% ok');
    expect(literalLogFormat('%ci')).toBeUndefined();
  });

  it('parses expect with options, negation and http patterns', () => {
    const e = parse('tcp-check expect min-recv 4 error-status L7STS tout-status L6TOUT ! string ERR');
    expect('rule' in e && e.rule).toMatchObject({ action: 'expect', minRecv: 4, inverse: true, errorStatus: 'L7STS', toutStatus: 'L6TOUT', pattern: { type: 'string', text: 'ERR' } });
    const h = parse('http-check expect status 200-299,301');
    expect('rule' in h && h.rule).toMatchObject({ pattern: { type: 'status', ranges: [[200, 299], [301, 301]] } });
    const hb = parse('http-check expect !string down');
    expect('rule' in hb && hb.rule).toMatchObject({ inverse: true, pattern: { type: 'body', text: 'down' } });
    const hh = parse('http-check expect hdr name -m beg x-st value -m sub ok');
    expect('rule' in hh && hh.rule).toMatchObject({ pattern: { type: 'hdr', full: false, name: { match: 'beg', text: 'x-st' }, value: { match: 'sub', text: 'ok' } } });
  });

  it('refuses patterns of the other family, bad statuses and unknown words with haproxy texts', () => {
    expect(parse('tcp-check expect status 200')).toMatchObject({ error: expect.stringContaining("'only supports min-recv") });
    expect(parse('http-check expect binary 00')).toMatchObject({ error: expect.stringContaining("'[!]rstatus'") });
    expect(parse('tcp-check expect ok-status L9OK string x')).toEqual({
      error: "'tcp-check expect' : 'ok-status' only supports 'L4OK', 'L6OK', 'L7OK' or 'L7OKC' status (got 'L9OK').",
    });
    expect(parse('tcp-check expect string a string b')).toEqual({ error: "'tcp-check expect' : only on pattern expected." });
    expect(parse('tcp-check expect status-code x string a')).toMatchObject({ error: expect.stringContaining('not supported') });
    expect(parse('tcp-check set-var(check.x) int(1)')).toMatchObject({ error: expect.stringContaining("only supports 'comment', 'connect'") });
  });

  it('parses http-check send and the flags', () => {
    const s = parse('http-check send meth GET uri /h ver HTTP/1.1 hdr Host a hdr Content-Length 5 body x');
    expect('rule' in s && s.rule).toMatchObject({ method: 'GET', uri: '/h', version: 'HTTP/1.1', headers: [{ name: 'Host', value: 'a' }], body: 'x' });
    expect(parse('http-check send hdr host a hdr Host b')).toMatchObject({ error: expect.stringContaining("header already defined (previous value is 'a')") });
    expect(parse('http-check disable-on-404')).toEqual({ flag: 'disable-on-404' });
    expect(parse('http-check send-state')).toEqual({ flag: 'send-state' });
  });
});
