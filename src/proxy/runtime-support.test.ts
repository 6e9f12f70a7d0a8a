import { describe, expect, it } from 'vitest';
import { formatDiagnostic, parseConfigText } from '../config/config.ts';
import { backendTarget } from './runtime.ts';
import { unsupportedByRuntime } from './runtime-support.ts';

function problems(text: string): string[] {
  const r = parseConfigText(text, 't.cfg');
  if (!r.config) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
  return unsupportedByRuntime(r.config).map(formatDiagnostic);
}

describe('what the tcp runtime refuses', () => {
  it('accepts a plain mode tcp configuration', () => {
    expect(problems('defaults\n  mode tcp\nlisten a\n  bind 127.0.0.1:1\n  server s 127.0.0.1:2\n')).toEqual([]);
  });

  it('accepts mode http', () => {
    expect(problems('listen web\n  mode http\n  bind 127.0.0.1:1\n')).toEqual([]);
  });

  it('refuses a tcp frontend with an http backend (implicit upgrade not implemented)', () => {
    const cfg = 'defaults\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\nfrontend fe\n  mode tcp\n  bind 127.0.0.1:1\n  default_backend be\nbackend be\n  mode http\n  server s 127.0.0.1:2\n';
    expect(problems(cfg)).toEqual([
      "t.cfg:5: frontend 'fe': 'mode tcp' frontend using 'mode http' backend 'be' (implicit upgrade) is not supported yet",
    ]);
  });

  it('ignores disabled proxies', () => {
    expect(problems('listen web\n  mode http\n  disabled\n  bind 127.0.0.1:1\n')).toEqual([]);
  });

  it('accepts conditional use_backend in mode tcp (the tcp session evaluates it)', () => {
    const cfg = 'frontend fe\n  mode tcp\n  bind 127.0.0.1:1\n  use_backend be if { src 10.0.0.0/8 }\n  default_backend be\nbackend be\n  mode tcp\n';
    expect(problems(cfg)).toEqual([]);
  });

  it('refuses tcp-request content rules in a backend (run after switching in HAProxy; not here yet)', () => {
    const cfg = 'frontend fe\n  mode tcp\n  bind 127.0.0.1:1\n  default_backend b\nbackend b\n  mode tcp\n  tcp-request content reject if { req.ssl_sni x }\n  server s 127.0.0.1:2\n';
    expect(problems(cfg)).toEqual(["t.cfg:7: backend 'b': 'tcp-request content' rules in a backend are not supported yet"]);
  });

  it('refuses tcp-request content rules in mode http (the HTTP session does not run them yet)', () => {
    const cfg = 'frontend fe\n  mode http\n  bind 127.0.0.1:1\n  tcp-request content reject if { src 10.0.0.0/8 }\n';
    expect(problems(cfg)).toEqual(["t.cfg:4: frontend 'fe': 'tcp-request content' rules in 'mode http' are not supported yet"]);
  });
});

describe('backendTarget', () => {
  it('prefers an unconditional use_backend, then default_backend, then a listen itself', () => {
    const r = parseConfigText(
      'frontend a\n  bind 127.0.0.1:1\n  mode tcp\n  use_backend x\n  default_backend y\nfrontend b\n  bind 127.0.0.1:1\n  mode tcp\n  default_backend y\nlisten c\n  bind 127.0.0.1:1\n  mode tcp\nfrontend d\n  bind 127.0.0.1:1\n  mode tcp\nbackend x\n  mode tcp\nbackend y\n  mode tcp\n',
      't.cfg',
    );
    const [a, b, c, d] = r.config!.proxies;
    expect([backendTarget(a), backendTarget(b), backendTarget(c), backendTarget(d)]).toEqual(['x', 'y', 'c', undefined]);
  });
});

describe('L7 balancers and cookie persistence', () => {
  const listen = (lines: string) => `listen web\n  mode http\n  bind 127.0.0.1:1\n${lines}  server s 127.0.0.1:2 cookie a\n`;

  it('runs balance uri, url_param and hdr, and cookie persistence', () => {
    for (const line of ['balance uri whole', 'balance url_param id check_post', 'balance hdr(host) use_domain_only', 'cookie SRV insert indirect nocache']) {
      expect(problems(listen(`  ${line}\n`))).toEqual([]);
    }
  });

  it('refuses dynamic cookies and rdp-cookie', () => {
    expect(problems(listen('  cookie SRV insert dynamic\n'))).toEqual(["t.cfg:1: listen 'web': 'cookie ... dynamic' is not supported yet"]);
    expect(problems(listen('  balance rdp-cookie\n'))).toEqual(["t.cfg:1: listen 'web': 'balance rdp-cookie' is not supported yet"]);
  });
});
