// `unique-id-format` and `unique-id-header` in the config (configuration.txt 4.2): sections,
// inheritance from defaults, and HAProxy 2.6's messages (cfgparse-listen.c, cfgparse.c), as
// `haproxy -c` prints them for the same lines (test/integration/unique-id-haproxy-diff.test.ts
// compares the running proxies).
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, parseConfigText } from './config.ts';

const T = 'timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n';

function parse(text: string) {
  const r = parseConfigText(text, 'p.cfg', { env: {}, hostname: 'node1' });
  return {
    config: r.config,
    errors: r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic),
    warnings: r.diagnostics.filter((d) => d.severity === 'warning').map(formatDiagnostic),
  };
}

const proxy = (kind: string, body: string, mode = 'http') =>
  `${kind} P\n    mode ${mode}\n    ${kind === 'backend' ? '' : 'bind 127.0.0.1:8000\n    '}${T}    ${kind === 'frontend' ? '' : 'server s 127.0.0.1:9000\n    '}${body}\n`;

describe('unique-id-format / unique-id-header', () => {
  it.each(['frontend', 'listen'])('are accepted in a %s', (kind) => {
    const r = parse(proxy(kind, 'unique-id-format %{+X}o\\ %ci:%cp_%fi:%fp_%Ts_%rt:%pid\n    unique-id-header X-Unique-ID'));
    expect(r.errors).toEqual([]);
    expect(r.config!.proxies[0]).toMatchObject({ uniqueIdFormat: '%{+X}o %ci:%cp_%fi:%fp_%Ts_%rt:%pid', uniqueIdHeader: 'X-Unique-ID' });
  });

  it('are inherited from defaults by frontends, and a frontend line replaces them', () => {
    const r = parse(`defaults\n    mode http\n    unique-id-format %rt\n    unique-id-header X-A\n${proxy('frontend', 'unique-id-header X-B')}${proxy('listen', '').replace('listen P', 'listen Q').replace(':8000', ':8001')}`);
    expect(r.errors).toEqual([]);
    expect(r.config!.proxies.map((p) => [p.name, p.uniqueIdFormat, p.uniqueIdHeader])).toEqual([['P', '%rt', 'X-B'], ['Q', '%rt', 'X-A']]);
  });

  it('are ignored with a warning in a backend (HAProxy accepts them there and never uses them)', () => {
    const r = parse(proxy('backend', 'unique-id-format %rt\n    unique-id-header X-ID'));
    expect(r.errors).toEqual([]);
    expect(r.warnings).toContain("p.cfg:7: backend 'P': 'unique-id-format' ignored because backend 'P' has no frontend capability");
    expect(r.config!.proxies[0].uniqueIdFormat).toBeUndefined();
  });

  it('refuse a missing or split argument with HAProxy messages', () => {
    const r = parse(proxy('frontend', 'unique-id-format %ci %cp\n    unique-id-format\n    unique-id-header'));
    expect(r.errors).toEqual([
      "p.cfg:7: frontend 'P': unique-id-format expects only one argument, don't forget to escape spaces!",
      "p.cfg:8: frontend 'P': unique-id-format expects an argument.",
      "p.cfg:9: frontend 'P': unique-id-header expects an argument.",
    ]);
  });

  it('compile the format against the mode: HTTP variables are refused in mode tcp, at the format line', () => {
    expect(parse(proxy('frontend', 'unique-id-format %ci_%HM', 'tcp')).errors).toEqual([
      "p.cfg:7: frontend 'P': failed to parse unique-id : format variable 'HM' is reserved for HTTP mode.",
    ]);
    expect(parse(proxy('frontend', 'unique-id-format %zz')).errors).toEqual([
      "p.cfg:7: frontend 'P': failed to parse unique-id : no such format variable 'zz'. If you wanted to emit the '%' character verbatim, you need to use '%%'.",
    ]);
    expect(parse(proxy('frontend', 'unique-id-format %ci_%rt\n    unique-id-header X-ID', 'tcp')).errors).toEqual([]);
  });

  it('report an inherited bad format at the defaults line', () => {
    const r = parse(`defaults\n    unique-id-format %HM\n${proxy('frontend', '', 'tcp')}`);
    expect(r.errors).toEqual(["p.cfg:2: frontend 'P': failed to parse unique-id : format variable 'HM' is reserved for HTTP mode."]);
  });
});
