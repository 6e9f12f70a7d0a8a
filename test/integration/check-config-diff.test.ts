// Health-check and server-TLS config verdicts, `hapair check` against `haproxy -c` on the same
// file: `observe layer7` outside http is an alert that does not fail the config (server.c
// srv_parse_observe), and `ssl-server-verify none` lets `ssl` servers go without a CA file.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runHapair } from '../support/process.ts';
import { freePort } from './proxy-harness.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'hapair-cfgdiff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function both(name: string, body: (port: number) => string) {
  const file = path.join(dir, name);
  writeFileSync(file, body(await freePort()));
  const hap = spawnSync('/usr/sbin/haproxy', ['-c', '-f', file], { encoding: 'utf8', timeout: 20_000 });
  const ours = await runHapair(['check', '-f', file]);
  return { hap: { code: hap.status, stderr: hap.stderr }, ours };
}

const DEFAULTS = 'defaults\n    mode tcp\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n';

describe('check config verdicts match haproxy -c', () => {
  it('observe layer7 in a tcp proxy: reported at the server line, config still valid', async () => {
    const { hap, ours } = await both('observe.cfg', (port) => `${DEFAULTS}listen b\n    bind 127.0.0.1:${port}\n    server s1 127.0.0.1:80 observe layer7 check\n`);
    expect(hap.code).toBe(0);
    expect(ours.code).toBe(0);
    expect(hap.stderr).toMatch(/observe\.cfg:8\] : 'server b\/s1' : 'layer7' can only be used in http proxies\./);
    expect(ours.stderr).toMatch(/observe\.cfg:8: listen 'b': server 'b\/s1': 'layer7' can only be used in http proxies\./);
  }, 30_000);

  it('ssl-server-verify none: ssl servers without verify nor ca-file are accepted', async () => {
    const { hap, ours } = await both(
      'verify.cfg',
      (port) => `global\n    ssl-server-verify none\n${DEFAULTS}listen b\n    bind 127.0.0.1:${port}\n    server s1 127.0.0.1:636 ssl check check-ssl\n`,
    );
    expect(hap.code).toBe(0);
    expect(ours.code).toBe(0);
    expect(ours.stderr).not.toMatch(/CA file/);
  }, 30_000);

  it('ssl-server-verify with a bad value is refused by both', async () => {
    const { hap, ours } = await both('badverify.cfg', (port) => `global\n    ssl-server-verify maybe\n${DEFAULTS}listen b\n    bind 127.0.0.1:${port}\n    server s1 127.0.0.1:80\n`);
    expect(hap.code).toBe(1);
    expect(ours.code).toBe(1);
    expect(hap.stderr).toContain("'ssl-server-verify' expects 'none' or 'required' as argument.");
    expect(ours.stderr).toContain("'ssl-server-verify' expects 'none' or 'required' as argument.");
  }, 30_000);

  it('option httplog [clf]: argument errors, the defaults override warnings and the mode tcp fallback, at the same lines', async () => {
    const { hap, ours } = await both('clf.cfg', (port) => [
      'defaults', '    mode http', '    timeout connect 1s', '    timeout client 1s', '    timeout server 1s',
      '    option httplog clf', '    option httplog clf', '    option httplog', '    log-format x', '    option httplog clf',
      'frontend f', `    bind 127.0.0.1:${port}`, '    option httplog foo', '    option httplog clf x', '    default_backend b',
      'backend b', '    server s 127.0.0.1:1',
      '',
    ].join('\n'));
    expect(hap.code).toBe(1);
    expect(ours.code).toBe(1);
    const expected: [number, string][] = [
      [7, "'option httplog clf' overrides previous 'option httplog clf' in 'defaults' section."],
      [8, "'option httplog' overrides previous 'option httplog clf' in 'defaults' section."],
      [9, "'log-format' overrides previous 'option httplog' in 'defaults' section."],
      [10, "'option httplog clf' overrides previous 'log-format' in 'defaults' section."],
      [13, "keyword 'httplog' only supports option 'clf'."],
      [14, "'option httplog' cannot handle unexpected argument 'x'"],
    ];
    const at = (out: string, mark: string): string | undefined => out.split('\n').find((l) => l.includes(mark));
    for (const [line, msg] of expected) {
      expect(at(hap.stderr, `clf.cfg:${line}]`)).toContain(msg);
      expect(at(ours.stderr, `clf.cfg:${line}:`)).toContain(msg);
    }
    // Checked once parsing succeeded: the warning cites the option's line, here in the defaults.
    const tcp = await both('clftcp.cfg', (port) => `${DEFAULTS}    option httplog clf\nlisten t\n    bind 127.0.0.1:${port}\n    log 127.0.0.1:514 local0\n    server s 127.0.0.1:1\n`);
    expect(tcp.hap.code).toBe(0);
    expect(tcp.ours.code).toBe(0);
    const fallback = "'option httplog' not usable with proxy 't' (needs 'mode http'). Falling back to 'option tcplog'.";
    expect(at(tcp.hap.stderr, 'clftcp.cfg:6]')).toContain(fallback);
    expect(at(tcp.ours.stderr, 'clftcp.cfg:6:')).toContain(fallback);
  }, 30_000);

  it('option originalto and http-send-name-header: the argument errors and the frontend warning, at the same lines', async () => {
    const { hap, ours } = await both('orgto.cfg', (port) => [
      'defaults', '    mode http', '    timeout connect 1s', '    timeout client 1s', '    timeout server 1s',
      'frontend f', `    bind 127.0.0.1:${port}`,
      '    option originalto except', '    option originalto except foo', '    option originalto header', '    option originalto bar',
      '    option originalto except 10.0.0.0/255.0.0.0 header X-O except ::1/128', '    option originalto except 10.0.0.0/33',
      '    option originalto if-none', '    http-send-name-header', '    http-send-name-header X a b', '    default_backend b',
      'backend b', '    http-send-name-header', '    http-send-name-header X-A b', '    no option originalto', '    server s 127.0.0.1:1',
      '',
    ].join('\n'));
    expect(hap.code).toBe(1);
    expect(ours.code).toBe(1);
    const expected: [number, string][] = [
      [8, "'option originalto except' expects <address>[/mask] as argument."],
      [9, "'option originalto except' expects <address>[/mask] as argument."],
      [10, "'option originalto header' expects <header_name> as argument."],
      [11, "'option originalto' only supports optional values: 'except' and 'header'."],
      [13, "'option originalto except' expects <address>[/mask] as argument."],
      [14, "'option originalto' only supports optional values: 'except' and 'header'."],
      [15, "'http-send-name-header' requires a header string."],
      [15, "'http-send-name-header' ignored because frontend 'f' has no backend capability"],
      [16, "'http-send-name-header' ignored because frontend 'f' has no backend capability"],
      [19, "'http-send-name-header' requires a header string."],
      [21, "negation/default is not supported for option 'originalto'"],
    ];
    const lines = (out: string, mark: string): string[] => out.split('\n').filter((l) => l.includes(mark));
    for (const [line, msg] of expected) {
      expect(lines(hap.stderr, `orgto.cfg:${line}]`).some((l) => l.includes(msg)), `haproxy ${line}: ${msg}`).toBe(true);
      expect(lines(ours.stderr, `orgto.cfg:${line}:`).some((l) => l.includes(msg)), `hapair ${line}: ${msg}`).toBe(true);
    }
    // Lines 12 (two excepts, a dotted mask, a header), 16 (extra words) and 20 are accepted by both.
    for (const line of [12, 20]) {
      expect(lines(hap.stderr, `orgto.cfg:${line}]`)).toEqual([]);
      expect(lines(ours.stderr, `orgto.cfg:${line}:`)).toEqual([]);
    }
  }, 30_000);
});
