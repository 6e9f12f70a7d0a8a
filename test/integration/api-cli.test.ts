// `hapair api` and `hapair proxy` serving `stats socket` end to end: the real CLI processes on
// the pinned Node, a UNIX and a TCP (ipv4@) stats socket.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, runHapair, startHapair, waitFor, type Running } from '../support/process.ts';

const dir = mkdtempSync(join(tmpdir(), 'hapair-api-cli-'));
let proxy: Running;
let cfg: string;
let tcpPort: number;

beforeAll(async () => {
  tcpPort = await freePort();
  const fePort = await freePort();
  cfg = join(dir, 'h.cfg');
  writeFileSync(
    cfg,
    `global
    stats socket ${dir}/api.sock mode 600 level admin
    stats socket ipv4@127.0.0.1:${tcpPort} level user
defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
listen app
    bind 127.0.0.1:${fePort}
    server s1 127.0.0.1:1
`,
  );
  proxy = startHapair(['proxy', '-f', cfg]);
  await waitFor(() => existsSync(join(dir, 'api.sock')), 15_000, 'the stats socket');
}, 30_000);

afterAll(async () => {
  if (proxy && proxy.child.exitCode === null && proxy.child.signalCode === null) {
    proxy.child.kill('SIGTERM');
    await proxy.exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('hapair api', () => {
  it('validates a configuration with stats sockets (no longer gated)', async () => {
    const r = await runHapair(['check', '-f', cfg]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('finds the socket from -f and prints the answer', async () => {
    const r = await runHapair(['api', '-f', cfg, 'show info']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Name: hapair\nVersion: /);
    expect(r.stdout).toMatch(new RegExp(`\\nPid: ${proxy.child.pid}\\n`));
  });

  it('talks to -S SOCKET, chains commands and enforces the socket level', async () => {
    const admin = await runHapair(['api', '-S', join(dir, 'api.sock'), 'set server app/s1 state maint;get weight app/s1;show servers state app']);
    expect(admin.code).toBe(0);
    expect(admin.stdout.split('\n').slice(0, 4)).toEqual(['', '1 (initial 1)', '', '1']);
    expect(admin.stdout).toMatch(/\n2 app 1 s1 127\.0\.0\.1 0 1 1 1 /);
    const user = await runHapair(['api', '-S', `ipv4@127.0.0.1:${tcpPort}`, 'set server app/s1 state ready']);
    expect(user.stdout).toBe('Permission denied\n\n');
  });

  it('reports an unreachable socket with exit code 2', async () => {
    const r = await runHapair(['api', '-S', join(dir, 'nope.sock'), 'show info']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot talk to .*nope\.sock/);
  });

  it('prints its usage', async () => {
    const r = await runHapair(['api', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: hapair api/);
  });
});
