// UNIX socket listeners: `bind /path mode 666 user ... group ...` served end to end.
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BindError } from '../../src/errors.ts';
import { openListener } from '../../src/net/listener.ts';
import { bindSpec, configOf, echoServer, exchange, proxySpec, serverSpec, startProxy, type TestProxy } from './proxy-harness.ts';
import net from 'node:net';
import { once } from 'node:events';

const dir = mkdtempSync(join(tmpdir(), 'hapair-unix-'));
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function unixProxy(path: string, extra: Parameters<typeof bindSpec>[1] = {}): Promise<TestProxy> {
  const echo = await echoServer();
  cleanups.push(() => echo.close());
  const px = await startProxy(
    configOf([proxySpec({ name: 'ux', binds: [bindSpec([{ kind: 'unix', path }], extra)], servers: [serverSpec('s1', echo.port)] })]),
  );
  cleanups.push(() => px.runtime.stop());
  return px;
}

async function exchangeUnix(path: string, payload: string): Promise<string> {
  const sock = net.connect({ path, allowHalfOpen: true });
  const chunks: Buffer[] = [];
  sock.on('data', (c: Buffer) => chunks.push(c));
  await once(sock, 'connect');
  sock.end(payload);
  await once(sock, 'close');
  return Buffer.concat(chunks).toString();
}

describe('unix socket listeners', () => {
  it('applies `mode 666` to the socket file and relays through it', async () => {
    const path = join(dir, 'a.sock');
    const px = await unixProxy(path, { mode: 0o666 });
    const st = statSync(path);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o666);
    expect(await exchangeUnix(path, 'over unix')).toBe('over unix');
    const [rec] = await px.waitLogs(1);
    // HAProxy logs "unix" and the listener id for UNIX clients (configuration.txt 8.2.2).
    expect(rec.clientIp).toBe('unix');
    expect(rec.clientPort).toBe(1);
    expect(rec.termination).toBe('--');
  });

  it('applies a restrictive mode as well (600)', async () => {
    const path = join(dir, 'b.sock');
    await unixProxy(path, { mode: 0o600 });
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('replaces a stale file at the path and removes its socket on stop', async () => {
    const path = join(dir, 'stale.sock');
    writeFileSync(path, 'left over by a crashed process');
    const px = await unixProxy(path);
    expect(statSync(path).isSocket()).toBe(true);
    expect(await exchangeUnix(path, 'fresh')).toBe('fresh');
    await px.runtime.stop();
    expect(existsSync(path)).toBe(false);
    expect(existsSync(`${path}.${process.pid}.tmp`)).toBe(false);
  });

  it('sets the owner and group, by name and by number', async () => {
    // As root the socket can be given away; otherwise only to ourselves.
    const root = process.getuid?.() === 0;
    const byName = join(dir, 'named.sock');
    await unixProxy(byName, root ? { user: 'nobody', group: 'nogroup' } : { user: String(process.getuid!()), group: String(process.getgid!()) });
    const st = statSync(byName);
    expect(st.uid).toBe(root ? 65534 : process.getuid!());
    expect(st.gid).toBe(root ? 65534 : process.getgid!());

    const byNumber = join(dir, 'numbered.sock');
    await unixProxy(byNumber, { user: root ? '123' : String(process.getuid!()), group: root ? '456' : String(process.getgid!()) });
    const st2 = statSync(byNumber);
    expect(st2.uid).toBe(root ? 123 : process.getuid!());
    expect(st2.gid).toBe(root ? 456 : process.getgid!());
  });

  it('refuses an unknown user with a BindError and leaves nothing behind', async () => {
    const path = join(dir, 'nouser.sock');
    const p = openListener(
      { address: { kind: 'unix', path }, bind: bindSpec([{ kind: 'unix', path }], { user: 'no-such-user-hapair' }), backlog: 16 },
      () => {},
    );
    await expect(p).rejects.toBeInstanceOf(BindError);
    await expect(p).rejects.toThrow(/unknown user 'no-such-user-hapair'/);
    expect(existsSync(path)).toBe(false);
  });

  it('reports a path in a missing directory as HAProxy does', async () => {
    const path = join(dir, 'missing', 'x.sock');
    const p = openListener({ address: { kind: 'unix', path }, bind: bindSpec([{ kind: 'unix', path }]), backlog: 16 }, () => {});
    await expect(p).rejects.toThrow(`cannot bind UNIX socket (No such file or directory) [${path}]`);
  });
});
