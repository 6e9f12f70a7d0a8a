// `on-marked-up shutdown-backup-sessions` through the real Runtime (configuration.txt 5.2): while
// the only active server is DOWN, a client is served by the backup; when the active comes back UP
// its flag kills the sessions on backup servers so that clients reconnect to the active. Without
// the flag, the backup keeps its session.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/config.ts';
import { Runtime } from '../../src/proxy/runtime.ts';
import { closedPort } from './check-peers.ts';
import { freePort, TestServer, waitFor } from './proxy-harness.ts';

let rt: Runtime | undefined;
const servers: TestServer[] = [];
const clients: net.Socket[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await rt?.stop();
  rt = undefined;
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A server that says its name on connect and keeps the connection open. */
async function named(name: string, port = 0): Promise<TestServer> {
  const s = await new TestServer((sock) => sock.write(name)).listen(port);
  servers.push(s);
  return s;
}

/** Connect through the proxy; resolves with the first bytes (the serving server's name). */
async function connect(port: number): Promise<{ sock: net.Socket; name: string; closed: Promise<void> }> {
  const sock = net.connect(port, '127.0.0.1');
  clients.push(sock);
  sock.on('error', () => {});
  const closed = new Promise<void>((r) => sock.once('close', () => r()));
  const name = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no greeting')), 5000);
    sock.once('data', (d: Buffer) => {
      clearTimeout(timer);
      resolve(d.toString());
    });
  });
  return { sock, name, closed };
}

async function scenario(flag: string): Promise<{ backupClient: { sock: net.Socket; closed: Promise<void> }; port: number }> {
  const activePort = await closedPort();
  const backup = await named('backup');
  const port = await freePort();
  const text = `defaults\n    mode tcp\n    timeout connect 1s\n    timeout client 30s\n    timeout server 30s\nlisten L\n    bind 127.0.0.1:${port}\n    server A 127.0.0.1:${activePort} check inter 100 rise 1 fall 1 ${flag}\n    server B 127.0.0.1:${backup.port} check inter 100 backup\n`;
  const parsed = parseConfigText(text, 'up.cfg', { env: {} });
  rt = new Runtime(parsed.config!);
  await rt.start();
  const a = rt.backends.get('L')!.servers[0]!;
  await waitFor(() => (a.oper === 'DOWN' ? true : undefined), 10_000, 'A DOWN');
  const c = await connect(port);
  expect(c.name).toBe('backup');
  // The active comes back on its port: one successful check marks it UP.
  await named('active', activePort);
  await waitFor(() => (a.oper === 'UP' ? true : undefined), 10_000, 'A UP');
  return { backupClient: c, port };
}

describe('on-marked-up shutdown-backup-sessions', () => {
  it('kills the backup sessions when the active server comes UP; new clients go to the active', async () => {
    const { backupClient, port } = await scenario('on-marked-up shutdown-backup-sessions');
    await Promise.race([backupClient.closed, new Promise((_, reject) => setTimeout(() => reject(new Error('backup session still open')), 10_000))]);
    expect((await connect(port)).name).toBe('active');
  }, 30_000);

  it('leaves them alone without the flag', async () => {
    const { backupClient, port } = await scenario('');
    expect((await connect(port)).name).toBe('active');
    // The backup session still relays: its server's bytes still reach the client.
    const b = servers[0]!;
    const got = new Promise<string>((r) => backupClient.sock.once('data', (d: Buffer) => r(d.toString())));
    for (const s of b.sockets) s.write('still here');
    expect(await got).toBe('still here');
    expect(backupClient.sock.destroyed).toBe(false);
  }, 30_000);
});
