// The systemd units (systemd/*.service): `systemd-analyze verify` accepts them, with /opt/hapair
// pointed at this checkout (verify checks that ExecStart's program exists), and the keepalive
// unit keeps the properties the pair relies on (ordering with the proxy, capabilities, clean stop).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/keepalive/commands.ts';
import { REPO } from './pair-lab.ts';

const UNITS = ['hapair-proxy.service', 'hapair-keepalive.service'];
let dir = '';

afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = '';
});

async function unitText(name: string): Promise<string> {
  return readFile(join(REPO, 'systemd', name), 'utf8');
}

/** The units with /opt/hapair replaced by this checkout, in a temporary directory. */
async function localUnits(edit: (name: string, text: string) => string = (_n, t) => t): Promise<string[]> {
  dir = await mkdtemp(join(tmpdir(), 'hpk5-units-'));
  const paths: string[] = [];
  for (const name of UNITS) {
    const path = join(dir, name);
    await writeFile(path, edit(name, (await unitText(name)).replaceAll('/opt/hapair', REPO)));
    paths.push(path);
  }
  return paths;
}

function verify(paths: string[]) {
  return runCommand('systemd-analyze', ['verify', '--man=no', ...paths], { timeout: 30_000 });
}

describe('systemd units', () => {
  it('systemd-analyze verify accepts the proxy and keepalive units', async () => {
    const r = await verify(await localUnits());
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  });

  it('systemd-analyze verify rejects a keepalive unit whose node binary is missing (the check bites)', async () => {
    const paths = await localUnits((name, t) => (name === 'hapair-keepalive.service' ? t.replaceAll('/node_modules/node/bin/node', '/no/such/node') : t));
    const r = await verify(paths);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain('hapair-keepalive.service');
  });

  it('keepalive runs Node 24 from the package, after the network and the proxy, with the capabilities it needs', async () => {
    const text = await unitText('hapair-keepalive.service');
    const line = (key: string) => text.split('\n').find((l) => l.startsWith(`${key}=`));
    expect(line('ExecStart')).toMatch(/^ExecStart=\/opt\/hapair\/node_modules\/node\/bin\/node \/opt\/hapair\/src\/cli\/hapair.ts keepalive -f /);
    expect(line('After')?.split(/[=\s]+/)).toEqual(expect.arrayContaining(['network-online.target', 'hapair-proxy.service']));
    expect(line('Wants')).toContain('network-online.target');
    expect(line('AmbientCapabilities')?.split(/[=\s]+/)).toEqual(expect.arrayContaining(['CAP_NET_ADMIN', 'CAP_NET_RAW']));
    expect(line('KillSignal')).toBe('KillSignal=SIGTERM');
    expect(line('Restart')).toBe('Restart=on-failure');
  });
});
