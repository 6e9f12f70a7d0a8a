// Test support: run the real `hapair` entry on the pinned Node, collect output, wait for ports.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const HAPAIR_ENTRY = fileURLToPath(new URL('../../src/cli/hapair.ts', import.meta.url));

export interface Running {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Start `hapair ARGS` with the running (pinned) Node; output is collected as it arrives. */
export function startHapair(args: readonly string[], stdio: StdioOptions = ['ignore', 'pipe', 'pipe']): Running {
  const child = spawn(process.execPath, [HAPAIR_ENTRY, ...args], { cwd: REPO, stdio, env: { ...process.env, HAPAIR_LOG_LEVEL: 'info' } });
  const run: Running = {
    child,
    stdout: '',
    stderr: '',
    exited: once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null })),
  };
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (run.stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (run.stderr += d));
  return run;
}

/** Run `hapair ARGS` to completion (bounded by `ms`). */
export async function runHapair(args: readonly string[], ms = 20_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = startHapair(args);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), ms);
  const { code } = await run.exited;
  clearTimeout(timer);
  return { code, stdout: run.stdout, stderr: run.stderr };
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as net.AddressInfo;
  srv.close();
  await once(srv, 'close');
  return port;
}

/** Poll until something accepts on host:port (bounded: `tries` × 50 ms). */
export async function waitForPort(port: number, host = '127.0.0.1', tries = 200): Promise<void> {
  for (let i = 0; i < tries; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, host);
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on ${host}:${port}`);
}

/** Poll `cond` every 20 ms, at most `ms`. */
export async function waitFor(cond: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** SIGKILL `child` and wait for it to exit; nothing if it already ended. */
export async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}
