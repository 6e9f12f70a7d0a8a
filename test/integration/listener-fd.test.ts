// `bind fd@N`: a listening socket inherited from the parent process (as systemd socket
// activation or a test harness hands it over), served by a child running the runtime.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BindError } from '../../src/errors.ts';
import { openListener } from '../../src/net/listener.ts';
import { bindSpec, echoServer, exchange, waitFor, type TestServer } from './proxy-harness.ts';

const CHILD = join(import.meta.dirname, 'listener-fd-child.ts');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Child {
  readonly proc: ChildProcess;
  out: string;
}

function spawnWithListeningSocket(fd: number, backend: TestServer): Child {
  const proc = spawn(process.execPath, [CHILD, String(backend.port)], { stdio: ['ignore', 'pipe', 'pipe', fd] });
  const child: Child = { proc, out: '' };
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (child.out += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (child.out += d));
  cleanups.push(async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await once(proc, 'exit');
    }
  });
  return child;
}

describe('fd@ listeners', () => {
  it('serves a socket bound by the parent and inherited as fd 3', async () => {
    const echo = await echoServer();
    cleanups.push(() => echo.close());
    // Bound and listening here; the child gets a duplicate of the descriptor as its fd 3.
    const parent = net.createServer();
    parent.listen(0, '127.0.0.1');
    await once(parent, 'listening');
    const { port } = parent.address() as net.AddressInfo;
    const fd = (parent as unknown as { _handle: { fd: number } })._handle.fd;
    const child = spawnWithListeningSocket(fd, echo);
    // Our copy goes away: only the child holds the listening socket now.
    parent.close();
    await waitFor(() => (child.out.includes('ready\n') ? true : undefined), 20_000, `child ready (output: ${child.out})`);

    expect((await exchange(port, 'through fd@3')).toString()).toBe('through fd@3');
    const line = await waitFor(() => child.out.split('\n').find((l) => l.startsWith('{')), 10_000, 'access log line');
    const rec = JSON.parse(line) as { frontend: string; server: string; termination: string; bytesUploaded: number };
    expect(rec).toMatchObject({ frontend: 'inherited', server: 's1', termination: '--', bytesUploaded: 12 });

    child.proc.kill('SIGTERM');
    const [code] = (await once(child.proc, 'exit')) as [number | null];
    expect(code).toBe(0);
    // With the child gone nobody listens on the port any more.
    await expect(exchange(port, 'x')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('refuses a descriptor that is not a socket, naming it as HAProxy does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hapair-fd-'));
    const fd = openSync(join(dir, 'plain-file'), 'w');
    cleanups.push(() => {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    });
    const p = openListener({ address: { kind: 'fd', fd }, bind: bindSpec([{ kind: 'fd', fd }]), backlog: 16 }, () => {});
    await expect(p).rejects.toBeInstanceOf(BindError);
    await expect(p).rejects.toThrow(`[fd ${fd}]`);
  });
});
