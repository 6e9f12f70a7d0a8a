import { describe, expect, it } from 'vitest';
import { BindError } from '../errors.ts';
import { describeBindAddress, strerror, tcpBindError } from './bind-error.ts';

describe('HAProxy-worded bind errors', () => {
  it('prints glibc strerror texts, not libuv ones', () => {
    expect(strerror({ code: 'EADDRINUSE', errno: -98 })).toBe('Address already in use');
    expect(strerror({ code: 'EADDRNOTAVAIL', errno: -99 })).toBe('Cannot assign requested address');
    expect(strerror({ code: 'EXDEV', errno: -18 })).toBe('Cross-device link not permitted');
  });

  it('formats addresses as HAProxy does', () => {
    expect(describeBindAddress({ kind: 'tcp', host: '::1', port: 80, family: 6 })).toBe('::1:80');
    expect(describeBindAddress({ kind: 'unix', path: '/run/a.sock' })).toBe('/run/a.sock');
    expect(describeBindAddress({ kind: 'fd', fd: 3 })).toBe('fd@3');
  });

  it('builds the full line with file, line and proxy', () => {
    const e = tcpBindError({ kind: 'tcp', host: '127.0.0.1', port: 80, family: 4 }, { code: 'EACCES', errno: -13 }, { proxy: 'web', loc: { file: 'h.cfg', line: 3 } });
    expect(e).toBeInstanceOf(BindError);
    expect(e.code).toBe('HAPAIR_E_BIND');
    expect(e.message).toBe('Binding [h.cfg:3] for proxy web: cannot bind socket (Permission denied) for [127.0.0.1:80]');
  });
});
