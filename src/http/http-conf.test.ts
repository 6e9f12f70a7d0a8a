import { describe, expect, it } from 'vitest';
import type { ProxySpec } from '../config/model.ts';
import { parseIpNet } from '../acl/ip.ts';
import { parseConfigText } from '../config/config.ts';
import { connModeOf, forwardForOf, httpConfOf, parseForwardFor, sourceInNet } from './http-conf.ts';

const spec = (lines: string[][], defaults: string[][] = []): ProxySpec =>
  ({ lines: lines.map((args) => ({ args, loc: { file: 't', line: 1 } })), defaultsLines: defaults.map((args) => ({ args, loc: { file: 't', line: 1 } })) }) as unknown as ProxySpec;

describe('option forwardfor', () => {
  it('parses header, if-none and except (IPv4 or IPv6)', () => {
    expect(parseForwardFor([])).toEqual({ header: 'x-forwarded-for', ifNone: false, except: null });
    expect(parseForwardFor(['except', '10.0.0.0/8', 'header', 'X-Client-IP', 'if-none'])).toEqual({
      header: 'x-client-ip', ifNone: true, except: { v6: false, words: [0x0a000000], prefix: 8 },
    });
    expect(parseForwardFor(['except', '2001:db8::/32'])).toMatchObject({ except: { v6: true, prefix: 32 } });
    expect(parseForwardFor(['except', 'nope'])).toMatch(/IPv4 or IPv6 network/);
    expect(parseForwardFor(['bogus'])).toMatch(/does not understand/);
  });

  it('combines the frontend\'s and the backend\'s options as HAProxy does', () => {
    const fe = spec([['option', 'forwardfor', 'header', 'X-Fe', 'if-none', 'except', '10.0.0.0/8']]);
    const be = spec([['option', 'forwardfor', 'except', '::1']]);
    expect(forwardForOf(fe, spec([]))).toMatchObject({ header: 'x-fe', always: false, except: [{ prefix: 8 }] });
    expect(forwardForOf(fe, be)).toMatchObject({ header: 'x-forwarded-for', always: true, except: [{ prefix: 8 }, { prefix: 128 }] });
    expect(forwardForOf(spec([]), spec([]))).toBeNull();
    expect(forwardForOf(fe, fe)).toMatchObject({ header: 'x-fe', always: false });
  });

  it('matches a client address against an except network of its own family only', () => {
    const v4 = parseIpNet('127.0.0.0/8')!;
    const mapped = parseIpNet('::ffff:127.0.0.2/128')!;
    expect(sourceInNet('127.0.0.9', v4)).toBe(true);
    expect(sourceInNet('10.0.0.1', v4)).toBe(false);
    expect(sourceInNet('::ffff:127.0.0.2', v4)).toBe(false);
    expect(sourceInNet('::ffff:127.0.0.2', mapped)).toBe(true);
    expect(sourceInNet('127.0.0.2', mapped)).toBe(false);
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

describe('option http-buffer-request', () => {
  it("keeps the frontend's and the backend's option apart, with the backend's own timeout http-request", () => {
    const text = `defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n    timeout http-request 2s\n` +
      `frontend F\n    bind 127.0.0.1:8000\n    timeout http-request 9s\n    default_backend B\n` +
      `backend B\n    option http-buffer-request\n    server s 127.0.0.1:9000\n` +
      `backend C\n    server s 127.0.0.1:9000\n`;
    const proxies = parseConfigText(text, 't.cfg').config!.proxies;
    const px = (name: string) => proxies.find((p) => p.name === name)!;
    expect(httpConfOf(px('F'), px('B'))).toMatchObject({ feBufferRequest: false, beBufferRequest: true, httpRequestTimeout: 9000, beHttpRequestTimeout: 2000 });
    expect(httpConfOf(px('F'), px('C'))).toMatchObject({ feBufferRequest: false, beBufferRequest: false });
  });
});
