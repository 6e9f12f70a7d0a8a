// A restart as systemd does it with systemd/hapair-proxy.service: the unit's own ExecStop command
// saves `show servers state` through `hapair api`, the proxy stops on SIGUSR1, and the next
// `hapair proxy` start applies the saved MAINT and weight.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO, runHapair, startHapair, waitFor, type Running } from '../support/process.ts';
import { tempDir } from './server-state-file-harness.ts';

const exec = promisify(execFile);
const running: Running[] = [];
const dirs: (() => void)[] = [];

afterEach(async () => {
  for (const p of running.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) {
      p.child.kill('SIGKILL');
      await p.exited;
    }
  }
  for (const d of dirs.splice(0)) d();
});

/** The unit's ExecStop, pointed at this checkout and at `stateDir` instead of /var/lib/hapair. */
function execStop(stateDir: string): string {
  const unit = readFileSync(join(REPO, 'systemd/hapair-proxy.service'), 'utf8');
  const line = unit.split('\n').find((l) => l.startsWith('ExecStop=-/bin/sh -c '));
  if (line === undefined) throw new Error('no ExecStop in the unit');
  const script = line.slice('ExecStop=-/bin/sh -c '.length).replace(/^'|'$/g, '');
  return script.replaceAll('/opt/hapair/node_modules/node/bin/node', process.execPath).replaceAll('/opt/hapair', REPO).replaceAll('/var/lib/hapair', stateDir);
}

async function start(cfg: string, sock: string): Promise<Running> {
  const p = startHapair(['proxy', '-f', cfg]);
  running.push(p);
  await waitFor(() => existsSync(sock), 30_000, 'the stats socket');
  return p;
}

async function api(cfg: string, command: string): Promise<string> {
  const r = await runHapair(['api', '-f', cfg, command]);
  expect(r.code).toBe(0);
  return r.stdout;
}

describe('server states across a systemd-style restart', () => {
  it('saves with the unit ExecStop and restores MAINT and the weight at the next start', async () => {
    const t = tempDir();
    dirs.push(t.remove);
    const sock = join(t.dir, 'api.sock');
    const cfg = join(t.dir, 'h.cfg');
    writeFileSync(
      cfg,
      `global
    stats socket ${sock} level admin
    server-state-file ${t.dir}/server-state
defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    load-server-state-from-file global
backend be
    server s1 127.0.0.1:1
    server s2 127.0.0.1:2 weight 10
`,
    );
    const first = await start(cfg, sock);
    expect(await api(cfg, 'set server be/s1 state maint')).toBe('\n');
    expect(await api(cfg, 'set server be/s2 weight 25')).toBe('\n');
    await exec('/bin/sh', ['-c', execStop(t.dir)], { env: { ...process.env, HAPAIR_CONFIG: cfg }, timeout: 20_000 });
    expect(readFileSync(join(t.dir, 'server-state'), 'latin1')).toMatch(/^1\n# be_id .*\n2 be 1 s1 127\.0\.0\.1 0 1 1 1 /);
    first.child.kill('SIGUSR1');
    expect((await first.exited).code).toBe(0);

    await start(cfg, sock);
    expect(await api(cfg, 'get weight be/s2')).toBe('25 (initial 10)\n\n');
    const s1 = (await api(cfg, 'show stat')).split('\n').find((l) => l.startsWith('be,s1,'));
    expect(s1?.split(',')[17]).toBe('MAINT');
  }, 120_000);
});
