import { describe, expect, it } from 'vitest';
import { runCommand } from './commands.ts';

describe('runCommand', () => {
  it('returns output and exit code without rejecting', async () => {
    const ok = await runCommand('/bin/sh', ['-c', 'echo hi; echo err >&2'], { timeout: 5000 });
    expect(ok).toMatchObject({ exitCode: 0, stdout: 'hi\n', stderr: 'err\n', failed: false, timedOut: false });
    const bad = await runCommand('/bin/sh', ['-c', 'exit 3'], { timeout: 5000 });
    expect(bad).toMatchObject({ exitCode: 3, failed: true });
  });

  it('kills a command at its deadline', async () => {
    const r = await runCommand('/bin/sh', ['-c', 'sleep 5'], { timeout: 100 });
    expect(r).toMatchObject({ timedOut: true, failed: true });
  });

  it('reports a missing program as a failure', async () => {
    const r = await runCommand('/nonexistent/tool', [], { timeout: 1000 });
    expect(r.failed).toBe(true);
    expect(r.exitCode).toBeUndefined();
  });

  it('feeds stdin and passes env', async () => {
    const r = await runCommand('/bin/sh', ['-c', 'cat; echo "$X"'], { timeout: 5000, input: 'in\n', env: { X: 'y' } });
    expect(r.stdout).toBe('in\ny\n');
  });
});
