import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDiagnostic, parseConfigText } from './config.ts';
import { parseRetryOn } from './parse-retry-on.ts';

const HEAD = 'defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n';

function parse(text: string) {
  const r = parseConfigText(text, 'p.cfg', { env: {}, hostname: 'node1' });
  return { config: r.config, errors: r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic) };
}

const backend = (line: string) => `${HEAD}backend b\n    ${line}\n    server s 127.0.0.1:1\n`;

describe('retry-on', () => {
  it('reads every keyword, expands all-retryable-errors, and none is the empty list', () => {
    expect(parseRetryOn(['503', 'empty-response', '503'])).toEqual(['503', 'empty-response']);
    expect(parseRetryOn(['404', '401', '403', '408', '425', '500', '501', '502', '504', 'junk-response', 'response-timeout', '0rtt-rejected', 'conn-failure']))
      .toHaveLength(13);
    expect(new Set(parseRetryOn(['all-retryable-errors']) as string[])).toEqual(
      new Set(['conn-failure', 'empty-response', 'junk-response', 'response-timeout', '0rtt-rejected', '500', '502', '503', '504']),
    );
    expect(parseRetryOn(['none'])).toEqual([]);
  });

  it("refuses what HAProxy 2.6 refuses, with proxy.c's texts", () => {
    expect(parseRetryOn([])).toBe("'retry-on' needs at least one keyword to specify when to retry");
    expect(parseRetryOn(['505'])).toBe("'retry-on': unknown keyword '505'");
    expect(parseRetryOn(['none', '503'])).toBe("'retry-on' 'none' keyworld only usable alone");
    expect(parseRetryOn(['503', 'none'])).toBe("'retry-on' 'none' keyworld only usable alone");
  });

  it('is absent by default (conn-failure), replaced by each line, inherited from defaults', () => {
    expect(parse(backend('retries 2')).config!.proxies[0].retryOn).toBeUndefined();
    expect(parse(backend('retry-on 503\n    retry-on 504 404')).config!.proxies[0].retryOn).toEqual(['504', '404']);
    const inherited = parse(`${HEAD}    retry-on empty-response\nbackend b\n    server s 127.0.0.1:1\nbackend c\n    retry-on none\n    server s 127.0.0.1:1\n`);
    expect(inherited.errors).toEqual([]);
    expect(inherited.config!.proxies.map((p) => p.retryOn)).toEqual([['empty-response'], []]);
  });

  it('reports errors at their line, and refuses a frontend as HAProxy does', () => {
    expect(parse(backend('retry-on foo')).errors).toEqual(["p.cfg:7: backend 'b': 'retry-on': unknown keyword 'foo'"]);
    const fe = parse(`${HEAD}frontend f\n    bind 127.0.0.1:1\n    retry-on 503\n    retry-on\n    default_backend b\nbackend b\n    server s 127.0.0.1:1\n`);
    expect(fe.errors).toEqual([
      "p.cfg:8: frontend 'f': 'retry-on' only available in backend or listen section",
      "p.cfg:9: frontend 'f': 'retry-on' needs at least one keyword to specify when to retry",
    ]);
  });
});

describe('retry-on verdicts against haproxy -c', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hapair-retry-on-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['no keyword', backend('retry-on')],
    ['unknown keyword', backend('retry-on 503 505')],
    ['none with another', backend('retry-on none 503')],
    ['in a frontend', `${HEAD}frontend f\n    bind 127.0.0.1:1\n    retry-on 503\n    default_backend b\nbackend b\n    server s 127.0.0.1:1\n`],
    ['valid', backend('retry-on all-retryable-errors 404 401 403 408 425 501')],
    ['valid none', backend('retry-on none')],
    ['disable-l7-retry', backend('http-request disable-l7-retry if { method POST }')],
    ['disable-l7-retry with an argument', backend('http-request disable-l7-retry now')],
    ['valid in tcp mode', `${HEAD}    mode tcp\nlisten l\n    bind 127.0.0.1:1\n    retry-on 503 empty-response\n    server s 127.0.0.1:1\n`],
  ])('%s', (_name, text) => {
    const file = join(dir, 'r.cfg');
    writeFileSync(file, text);
    const ref = spawnSync('/usr/sbin/haproxy', ['-c', '-f', file], { encoding: 'utf8', timeout: 20_000 });
    const alert = /parsing \[[^\]]*r\.cfg:(\d+)\] ?: (.*)/.exec(ref.stderr);
    const ours = parse(text).errors;
    // haproxy -c exits 2 for a valid file without listener, 0 for a valid one with: both mean valid.
    if (alert === null) {
      expect(ref.status === 0 || ref.status === 2, ref.stderr).toBe(true);
      expect(ours).toEqual([]);
    } else {
      expect(ref.status).toBe(1);
      expect(ours).toHaveLength(1);
      expect(ours[0]).toMatch(new RegExp(`^p\\.cfg:${alert[1]}: `));
      expect(ours[0].endsWith(`: ${alert[2]}`)).toBe(true);
    }
  });
});
