// Real servers for the health-check integration tests: redis-server and OpenLDAP slapd, each
// started on 127.0.0.1 on a free port in its own temporary directory, stopped by `stop()`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { closedPort } from './check-peers.ts';

export interface RealServer {
  readonly port: number;
  stop(): Promise<void>;
}

async function waitListening(port: number, child: ChildProcess, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not listen on ${port}`);
}

async function stopChild(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
  await rm(dir, { recursive: true, force: true });
}

/** redis-server without persistence; `password` sets requirepass. */
export async function startRedis(password?: string): Promise<RealServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hapair-redis-'));
  const port = await closedPort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  if (password) args.push('--requirepass', password);
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  try {
    await waitListening(port, child, 'redis-server');
  } catch (err) {
    await stopChild(child, dir);
    throw err;
  }
  return { port, stop: () => stopChild(child, dir) };
}

/** slapd with a minimal slapd.conf (no database: an anonymous bind needs none), in the foreground. */
export async function startSlapd(): Promise<RealServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hapair-slapd-'));
  const port = await closedPort();
  const conf = path.join(dir, 'slapd.conf');
  await writeFile(conf, `include /etc/ldap/schema/core.schema\npidfile ${path.join(dir, 'slapd.pid')}\n`);
  const child = spawn('/usr/sbin/slapd', ['-f', conf, '-h', `ldap://127.0.0.1:${port}/`, '-d', '0'], { stdio: 'ignore' });
  try {
    await waitListening(port, child, 'slapd');
  } catch (err) {
    await stopChild(child, dir);
    throw err;
  }
  return { port, stop: () => stopChild(child, dir) };
}
