import { describe, expect, it } from 'vitest';
import { formatDiagnostic, parseConfigText } from './config.ts';

function parse(text: string) {
  const r = parseConfigText(text, 'p.cfg', { env: {}, hostname: 'node1' });
  return {
    config: r.config,
    errors: r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic),
    warnings: r.diagnostics.filter((d) => d.severity === 'warning').map(formatDiagnostic),
  };
}

const T = '    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n';

describe('compression keyword', () => {
  it('keeps algos and types newest first, inherits them from defaults but not offload', () => {
    const r = parse(`defaults\n    mode http\n${T}    compression algo gzip\n    compression type text/html\n    compression offload\n` +
      'frontend F\n    bind 127.0.0.1:8000\n    compression algo raw-deflate identity\n    compression type text/plain application/json\n    default_backend B\n' +
      'backend B\n    compression offload\n    server s 127.0.0.1:9000\n');
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual(["p.cfg:8: defaults: 'compression' : 'offload' ignored in 'defaults' section."]);
    const [fe, be] = r.config!.proxies;
    expect(fe.compression).toEqual({ algos: ['identity', 'raw-deflate', 'gzip'], types: ['application/json', 'text/plain', 'text/html'], offload: false });
    expect(be.compression).toEqual({ algos: ['gzip'], types: ['text/html'], offload: true });
  });

  it("refuses unknown algorithms and missing words with HAProxy 2.6's messages", () => {
    const r = parse(`listen L\n    mode http\n    bind 127.0.0.1:8000\n${T}    server s 127.0.0.1:9000\n` +
      '    compression algo gzip brotli\n    compression algo\n    compression type\n    compression\n    compression level 9\n');
    expect(r.errors).toEqual([
      "p.cfg:8: listen 'L': 'compression' : 'brotli' is not a supported algorithm.",
      "p.cfg:9: listen 'L': 'compression' expects <algorithm>.",
      "p.cfg:10: listen 'L': 'compression' expects <type>.",
      "p.cfg:11: listen 'L': 'compression' expects 'algo', 'type' or 'offload'",
      "p.cfg:12: listen 'L': 'compression' expects 'algo', 'type' or 'offload'",
    ]);
  });

  it('is dropped in mode tcp, as HAProxy never compresses there', () => {
    const r = parse(`listen L\n    bind 127.0.0.1:8000\n${T}    server s 127.0.0.1:9000\n    compression algo gzip\n`);
    expect(r.errors).toEqual([]);
    expect(r.config!.proxies[0].compression).toBeUndefined();
  });
});
