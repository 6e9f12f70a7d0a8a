import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChildRegistry, cpuSecondsFromStat } from './children.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function registry(): ChildRegistry {
  const dir = mkdtempSync(join(tmpdir(), 'bench-children-test-'));
  const children = new ChildRegistry(dir);
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => children.stopAll());
  return children;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('ChildRegistry', () => {
  it('stopAll ends every long-lived child', async () => {
    const children = registry();
    const a = children.spawn('a', 'sleep', ['60']);
    const b = children.spawn('b', 'sleep', ['60']);
    expect(a.running() && b.running()).toBe(true);
    await children.stopAll();
    expect(await a.exited).toMatchObject({ signal: 'SIGTERM' });
    expect(await b.exited).toMatchObject({ signal: 'SIGTERM' });
    expect(alive(a.pid) || alive(b.pid)).toBe(false);
  });

  it('keeps a child output in its log file', async () => {
    const children = registry();
    const child = children.spawn('echo', 'sh', ['-c', 'echo out; echo err >&2']);
    await child.exited;
    expect(child.logTail()).toContain('out');
    expect(child.logTail()).toContain('err');
  });

  it('run collects output and exit code', async () => {
    const result = await registry().run('sh', 'sh', ['-c', 'echo hi; exit 3'], 10_000);
    expect(result).toMatchObject({ code: 3, stdout: 'hi\n' });
  });

  it('run kills a client that outlives its timeout', async () => {
    await expect(registry().run('sleeper', 'sleep', ['60'], 200)).rejects.toThrow(/killed after 200 ms/);
  });

  it('run rejects a command that does not exist', async () => {
    await expect(registry().run('nope', '/nonexistent/bin', [], 1_000)).rejects.toThrow(/cannot start/);
  });
});

describe('cpuSecondsFromStat', () => {
  it('reads utime + stime after a command name holding spaces and parentheses', () => {
    const stat = '4242 (node (x) y) S 1 2 3 0 -1 4194304 99 0 0 0 250 50 0 0 20 0 11 0 390945 3133440 383';
    expect(cpuSecondsFromStat(stat, 100)).toBe(3);
  });
  it('is undefined on a truncated line', () => expect(cpuSecondsFromStat('1 (x) S 1 2', 100)).toBeUndefined());
});

describe('ChildHandle.cpuSeconds', () => {
  it('grows while the child burns CPU', async () => {
    const children = registry();
    const busy = children.spawn('busy', 'sh', ['-c', 'while :; do :; done']);
    const start = busy.cpuSeconds();
    let now = start;
    for (let i = 0; i < 100 && now === start; i++) {
      await new Promise((r) => setTimeout(r, 50));
      now = busy.cpuSeconds();
    }
    expect(start).toBeTypeOf('number');
    expect(now!).toBeGreaterThan(start!);
  });
});
