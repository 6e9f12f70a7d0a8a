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

  it('refuses mode http, naming the section', () => {
    expect(problems('listen web\n  mode http\n  bind 127.0.0.1:1\n')).toEqual(["t.cfg:1: listen 'web': 'mode http' is not supported yet (only 'mode tcp' is implemented)"]);
  });

  it('ignores disabled proxies', () => {
    expect(problems('listen web\n  mode http\n  disabled\n  bind 127.0.0.1:1\n')).toEqual([]);
  });

  it('refuses conditional use_backend until ACLs exist (should the parser let one through)', () => {
    const r = parseConfigText('frontend fe\n  mode tcp\n  bind 127.0.0.1:1\n  default_backend be\nbackend be\n  mode tcp\n', 't.cfg');
    const [fe, be] = r.config!.proxies;
    const rule = { backend: 'be', condition: { polarity: 'if' as const, terms: ['TRUE'] }, loc: { file: 't.cfg', line: 9 } };
    const config = { ...r.config!, proxies: [{ ...fe, useBackends: [rule] }, be] };
    expect(unsupportedByRuntime(config).map(formatDiagnostic)).toEqual([
      "t.cfg:9: frontend 'fe': 'use_backend ... if|unless' is not supported yet (ACLs are not implemented)",
    ]);
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
