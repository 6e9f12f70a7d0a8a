// Harness for the server-state-file tests: one temp dir holding the config, the state files and
// the sockets; HAProxy 2.6 (the oracle) and hapair's Runtime started on the same config text.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config.ts';
import { Runtime } from '../../src/proxy/runtime.ts';
import { ask } from './api-harness.ts';
import { killChild } from '../support/process.ts';
import { waitApiSocket } from './haproxy-api-oracle.ts';

/** The config under test: `dir` holds the state files, `sock` is this process's stats socket. */
export type ConfigText = (dir: string, sock: string) => string;

export interface Oracle {
  readonly sock: string;
  stop(): Promise<void>;
}

export function tempDir(): { readonly dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'hapair-ssf-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** HAProxy 2.6 in the foreground on `cfg`; its stderr is kept for the state-file warnings. */
export async function startHaproxy(dir: string, name: string, cfg: ConfigText): Promise<Oracle & { stderr(): string }> {
  const sock = join(dir, `${name}.sock`);
  const file = join(dir, `${name}.cfg`);
  writeFileSync(file, cfg(dir, sock));
  const child: ChildProcess = spawn('/usr/sbin/haproxy', ['-db', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  const stop = (): Promise<void> => killChild(child);
  try {
    await waitApiSocket(sock);
  } catch (e) {
    await stop();
    throw new Error(`${String(e)}\n${err}`);
  }
  return { sock, stop, stderr: () => err };
}

/** hapair's Runtime on `cfg` (the real parser and start sequence). */
export async function startHapairRuntime(dir: string, name: string, cfg: ConfigText): Promise<Oracle & { runtime: Runtime }> {
  const sock = join(dir, `${name}.sock`);
  const file = join(dir, `${name}.cfg`);
  writeFileSync(file, cfg(dir, sock));
  const { config, diagnostics } = loadConfig([file], { env: {} });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (!config || errors.length > 0) throw new Error(`bad test config: ${JSON.stringify(errors)}`);
  const runtime = new Runtime(config);
  await runtime.start();
  return { sock, runtime, stop: () => runtime.stop() };
}

/** Send commands one connection each; fail on any answer that is not an empty line. */
export async function run(sock: string, commands: readonly string[]): Promise<void> {
  for (const c of commands) {
    const answer = await ask(sock, c);
    if (answer !== '\n' && !answer.includes("by 'stats socket command'")) throw new Error(`${c}: ${JSON.stringify(answer)}`);
  }
}

/** `show servers state` lines without srv_time_since_last_change (column 9). */
export async function serversState(sock: string, backend = ''): Promise<string[]> {
  const text = await ask(sock, `show servers state${backend ? ` ${backend}` : ''}`);
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split(' ').filter((_, i) => i !== 9 || l.startsWith('#')).join(' '));
}

/** Chosen `show stat` columns of the server rows, as "pxname/svname field=value ...". */
export async function statColumns(sock: string, fields: readonly string[]): Promise<string[]> {
  const lines = (await ask(sock, 'show stat')).split('\n').filter((l) => l !== '');
  const header = lines[0]!.replace(/^# /, '').split(',');
  return lines.slice(1).map((l) => {
    const cells = l.split(',');
    const get = (f: string): string => cells[header.indexOf(f)] ?? '';
    return `${get('pxname')}/${get('svname')} ${fields.map((f) => `${f}=${get(f)}`).join(' ')}`;
  });
}
