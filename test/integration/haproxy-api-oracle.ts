// HAProxy 2.6 (the oracle of the differential tests) started in the foreground on config text in
// a temp dir, ready once its stats socket answers the runtime API.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killChild } from '../support/process.ts';
import { ask } from './api-harness.ts';

export interface HaproxyApi {
  readonly dir: string;
  /** Path of a socket file in the temp dir. */
  sock(name: string): string;
  /** Kill haproxy and remove the temp dir. */
  stop(): Promise<void>;
}

/** Wait (bounded) until `path` exists and answers `show backend`. */
export async function waitApiSocket(path: string): Promise<void> {
  for (let i = 0; i < 200 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 25));
  for (let i = 0; i < 100; i++) {
    try {
      if ((await ask(path, 'show backend')).startsWith('# name')) return;
    } catch {
      // not accepting yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`haproxy did not answer on ${path}`);
}

/** `cfg(dir)` returns the config text, whose stats socket is `${dir}/${sockName}`. */
export async function startHaproxyApi(prefix: string, cfg: (dir: string) => string, sockName = 'api.sock'): Promise<HaproxyApi> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, 'h.cfg'), cfg(dir));
  const child = spawn('/usr/sbin/haproxy', ['-db', '-f', join(dir, 'h.cfg')], { stdio: 'ignore' });
  const stop = async (): Promise<void> => {
    await killChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitApiSocket(join(dir, sockName));
  } catch (e) {
    await stop();
    throw e;
  }
  return { dir, sock: (name) => join(dir, name), stop };
}
