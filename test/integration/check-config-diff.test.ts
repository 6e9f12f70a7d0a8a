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
});
