import { describe, expect, it } from 'vitest';
import type { ProxySpec } from '../config/model.ts';
import { connModeOf, parseForwardFor } from './http-conf.ts';

const spec = (lines: string[][], defaults: string[][] = []): ProxySpec =>
  ({ lines: lines.map((args) => ({ args, loc: { file: 't', line: 1 } })), defaultsLines: defaults.map((args) => ({ args, loc: { file: 't', line: 1 } })) }) as unknown as ProxySpec;

describe('option forwardfor', () => {
  it('parses header, if-none and except', () => {
    expect(parseForwardFor([])).toEqual({ header: 'x-forwarded-for', ifNone: false, except: null });
    expect(parseForwardFor(['except', '10.0.0.0/8', 'header', 'X-Client-IP', 'if-none'])).toEqual({
      header: 'x-client-ip', ifNone: true, except: { net: 0x0a000000, mask: 0xff000000 },
    });
    expect(parseForwardFor(['except', 'nope'])).toMatch(/IPv4 network/);
    expect(parseForwardFor(['bogus'])).toMatch(/does not understand/);
  });
});

describe('connection mode', () => {
  it('takes the last mode option, defaults first, and `no option` back to keep-alive', () => {
    expect(connModeOf(spec([]))).toBe('http-keep-alive');
    expect(connModeOf(spec([], [['option', 'httpclose']]))).toBe('httpclose');
    expect(connModeOf(spec([['option', 'http-keep-alive']], [['option', 'httpclose']]))).toBe('http-keep-alive');
    expect(connModeOf(spec([['option', 'http-server-close'], ['no', 'option', 'http-server-close']]))).toBe('http-keep-alive');
  });
});
