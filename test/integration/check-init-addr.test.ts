// `init-addr` end to end: `hapair check` resolves server names and fails like `haproxy -c` (the
// same lines, severities and texts), and the runtime starts `init-addr none` servers in
// `MAINT (resolution)` while a libc-resolved name gets its address and passes its checks.
// Names under `.invalid` never resolve (RFC 6761); `localhost` comes from /etc/hosts.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { statsStatus } from '../../src/backend/server-state-view.ts';
import { parseConfigText } from '../../src/config/config.ts';
import { ConfigError } from '../../src/errors.ts';
import { Runtime } from '../../src/proxy/runtime.ts';
import { runHapair } from '../support/process.ts';
import { freePort, TestServer, echoServer, waitFor } from './proxy-harness.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'hapair-initaddr-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runHaproxyCheck(file: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('/usr/sbin/haproxy', ['-c', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

/** `severity line message` of every server-address line, whichever program printed it. */
function addressLines(stderr: string): string[] {
  const out: string[] = [];
  for (const l of stderr.split('\n')) {
    const sev = l.startsWith('[ALERT]') ? 'alert' : l.startsWith('[WARNING]') ? 'warning' : undefined;
    // haproxy: "[a.cfg:8] : 'server b/s1' : text"; hapair: "a.cfg:8: listen 'b': server 'b/s1': text".
    const m = /:(\d+)\]? ?: .*(?:'server (\S+)'|server '([^']+)')\s?: (.*resolve address.*)$/.exec(l);
    if (sev && m) out.push(`${sev} ${m[1]} ${m[2] ?? m[3]} ${m[4]}`);
  }
  return out.sort();
}

describe('hapair check resolves server names like haproxy -c', () => {
  it('reports unresolvable names, IP fallbacks and init-addr none with the same texts and exit code', async () => {
    const port = await freePort();
    const file = path.join(dir, 'a.cfg');
    writeFileSync(
      file,
      `defaults
    mode tcp
    timeout connect 1s
    timeout client 1s
    timeout server 1s
listen b
    bind 127.0.0.1:${port}
    server s1 nx1.invalid:80
    server s2 localhost:80
    server s3 nx2.invalid:80 init-addr none
    server s4 nx3.invalid:80 init-addr libc,10.0.0.1
    server s5 nx4.invalid:80 init-addr last,libc
    server s6 nx5.invalid:80 init-addr libc,none
`,
    );
    const hap = await runHaproxyCheck(file);
    const ours = await runHapair(['check', '-f', file]);
    expect(hap.code).toBe(1);
    expect(ours.code).toBe(1);
    const expected = [
      "alert 8 b/s1 could not resolve address 'nx1.invalid'.",
      "alert 12 b/s5 could not resolve address 'nx4.invalid'.",
      "warning 11 b/s4 could not resolve address 'nx3.invalid', falling back to configured address.",
      "warning 13 b/s6 could not resolve address 'nx5.invalid', disabling server.",
    ].sort();
    expect(addressLines(hap.stderr)).toEqual(expected);
    expect(addressLines(ours.stderr)).toEqual(expected);
    expect(hap.stderr).toContain('Failed to initialize server(s) addr.');
    expect(ours.stderr).toContain('Failed to initialize server(s) addr.');
    expect(ours.stdout).toBe('');
    // Same verdict from `hapair proxy -c`.
    const c = await runHapair(['proxy', '-c', '-f', file]);
    expect(c.code).toBe(1);
    expect(addressLines(c.stderr)).toEqual(expected);
  }, 60_000);

  it('accepts the config once every name resolves or has a fallback', async () => {
    const port = await freePort();
    const file = path.join(dir, 'ok.cfg');
    const text = `defaults\n    mode tcp\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\nlisten b\n    bind 127.0.0.1:${port}\n    server s2 localhost:80\n    server s3 nx2.invalid:80 init-addr none\n`;
    writeFileSync(file, text);
    const hap = await runHaproxyCheck(file);
    const ours = await runHapair(['check', '-f', file]);
    expect(hap.code).toBe(0);
    expect(ours.code, ours.stderr).toBe(0);
    expect(ours.stdout).toBe('Configuration file is valid\n');
  }, 60_000);
});

describe('init-addr at start', () => {
  let rt: Runtime | undefined;
  let srv: TestServer | undefined;
  afterEach(async () => {
    await rt?.stop();
    rt = undefined;
    await srv?.close();
    srv = undefined;
  });

  it('resolves localhost with libc, starts an init-addr none server in MAINT (resolution)', async () => {
    srv = await echoServer();
    const port = await freePort();
    const parsed = parseConfigText(
      `defaults\n    mode tcp\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\nlisten b\n    bind 127.0.0.1:${port}\n    server up localhost:${srv.port} check inter 100 init-addr libc\n    server nx nx.invalid:${srv.port} check inter 100 init-addr libc,none\n`,
      'b.cfg',
      { env: {} },
    );
    expect(parsed.config).toBeDefined();
    rt = new Runtime(parsed.config!);
    await rt.start();
    const be = rt.backends.get('b')!;
    const [up, nx] = be.servers;
    expect(up!.host).toBe('127.0.0.1');
    const nxState = rt.health!.stateOf(nx!)!;
    expect(statsStatus(nxState)).toBe('MAINT (resolution)');
    await waitFor(() => (rt!.health!.stateOf(up!)!.check.status === 'L4OK' ? true : undefined), 5000, 'localhost checked');
    // A server in maintenance is not checked.
    expect(nxState.check.status).not.toBe('L4OK');
    expect(nx!.isUsable()).toBe(false);
  });

  it('refuses to start when a name does not resolve and no method takes over', async () => {
    const port = await freePort();
    const parsed = parseConfigText(
      `defaults\n    mode tcp\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\nlisten b\n    bind 127.0.0.1:${port}\n    server nx nx.invalid:80\n`,
      'c.cfg',
      { env: {} },
    );
    rt = new Runtime(parsed.config!);
    const err = await rt.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).lines).toEqual([
      "c.cfg:8: server 'b/nx': could not resolve address 'nx.invalid'.",
      'Failed to initialize server(s) addr.',
    ]);
    expect(rt.state).toBe('stopped');
  });
});
