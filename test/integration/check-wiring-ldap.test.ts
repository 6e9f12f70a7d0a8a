// The seed's advanced config, run through the real Runtime against three real OpenLDAP slapd
// over ldaps (issue #3): `option ldap-check` over `check-ssl`, traffic over `ssl` with a verified
// certificate, `on-marked-down shutdown-sessions`, backup takeover and give-back after `rise`.
// Short `inter`/`rise`/`fall` replace the seed's `rise 15`; the structure is the seed's.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LDAP_ANONYMOUS_BIND } from '../../src/checks/ldap-check.ts';
import { parseConfigText } from '../../src/config/config.ts';
import { formatDiagnostic } from '../../src/config/diagnostics.ts';
import { Runtime } from '../../src/proxy/runtime.ts';
import { closedPort } from './check-peers.ts';
import { Ldaps, makeCert, type TlsFiles } from './check-wiring-servers.ts';
import { waitFor } from './proxy-harness.ts';

/** An LDAP bindResponse, success (RFC 4511 4.2.2): what slapd answers to LDAP_ANONYMOUS_BIND. */
const BIND_OK = /^300c02010161070a010004000400$/;

function config(sock: string, ca: string, ports: readonly number[]): string {
  const tls = `check-ssl ssl verify required ca-file ${ca}`;
  return `defaults
    default-server error-limit 10 rise 2 fall 2 inter 200 on-marked-down shutdown-sessions maxconn 125 maxqueue 125
listen UT
    bind ${sock} mode 666
    mode tcp
    timeout server 2m
    timeout client 2m
    timeout connect 1s
    timeout check 500
    option ldap-check
    balance leastconn
    server A 127.0.0.1:${ports[0]} check ${tls} on-error mark-down
    server B 127.0.0.1:${ports[1]} check ${tls} on-error mark-down
    server backup 127.0.0.1:${ports[2]} check ${tls} backup
`;
}

interface LdapClient {
  readonly socket: net.Socket;
  readonly closed: Promise<void>;
}

/** Connect through the proxy, bind anonymously, and check slapd's answer came back intact. */
async function bindThrough(sock: string): Promise<LdapClient> {
  const socket = net.connect(sock);
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const reply = await new Promise<Buffer>((resolve, reject) => {
    let got = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 14) resolve(got);
    });
    socket.once('close', () => reject(new Error(`closed after ${got.toString('hex')}`)));
    socket.write(LDAP_ANONYMOUS_BIND);
  });
  expect(reply.toString('hex')).toMatch(BIND_OK);
  return { socket, closed };
}

/** `p`, or a failure after `ms` (bounded waits only). */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('the seed config against real ldaps servers', () => {
  let tls: TlsFiles;
  let dir: string;
  let servers: Ldaps[] = [];
  let rt: Runtime | undefined;
  const lines: string[] = [];
  const clients: net.Socket[] = [];

  beforeAll(async () => {
    tls = makeCert();
    dir = mkdtempSync(path.join(os.tmpdir(), 'hapair-wiring-'));
    const ports = [await closedPort(), await closedPort(), await closedPort()];
    servers = ports.map((p) => new Ldaps(p, tls));
    await Promise.all(servers.map((s) => s.start()));
    const sock = path.join(dir, 'etab_UT.sock');
    const parsed = parseConfigText(config(sock, tls.cert, ports), 'ut.cfg', { env: {} });
    expect(parsed.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([]);
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(JSON.parse(chunk.toString()).msg as string);
        cb();
      },
    });
    rt = new Runtime(parsed.config!, { logger: pino({ level: 'info' }, sink) });
    await rt.start();
  }, 30_000);

  afterAll(async () => {
    for (const c of clients) c.destroy();
    await rt?.stop();
    await Promise.all(servers.map((s) => s.stop()));
    tls?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  const server = (name: string) => rt!.backends.get('UT')!.servers.find((s) => s.name === name)!;
  const state = (name: string) => rt!.health!.stateOf(server(name))!;
  const sock = () => path.join(dir, 'etab_UT.sock');
  const serverOfLastSession = () => [...rt!.sessions()][0]?.server?.name;

  it('ldap-check over check-ssl passes on every server, and traffic is relayed over TLS byte for byte', async () => {
    for (const name of ['A', 'B', 'backup']) await waitFor(() => (state(name).check.status === 'L7OK' ? true : undefined), 10_000, `${name} L7OK`);
    expect(['A', 'B', 'backup'].map((n) => server(n).oper)).toEqual(['UP', 'UP', 'UP']);
    const c = await bindThrough(sock());
    clients.push(c.socket);
    expect(['A', 'B']).toContain(serverOfLastSession());
    c.socket.destroy();
    await c.closed;
  }, 20_000);

  it('a hung server is marked DOWN by its checks and its sessions are shut down', async () => {
    const c = await bindThrough(sock());
    clients.push(c.socket);
    const victim = serverOfLastSession()!;
    expect(['A', 'B']).toContain(victim);
    servers[victim === 'A' ? 0 : 1]!.pause();
    // inter x fall + the check timeout, with a generous margin.
    await waitFor(() => (server(victim).oper === 'DOWN' ? true : undefined), 10_000, `${victim} DOWN`);
    // on-marked-down shutdown-sessions: the client through it is disconnected without the server closing.
    await within(c.closed, 10_000, 'the client through the DOWN server to be disconnected');
    expect(lines.some((l) => l.startsWith(`Server UT/${victim} is DOWN, reason: Layer`))).toBe(true);
    // A DOWN server gets no new traffic.
    for (let i = 0; i < 3; i++) {
      const n = await bindThrough(sock());
      clients.push(n.socket);
      expect(serverOfLastSession()).not.toBe(victim);
      n.socket.destroy();
      await n.closed;
    }
    await servers[victim === 'A' ? 0 : 1]!.stop();
  }, 30_000);

  it('with both actives down the backup takes over, and gives back after rise successes', async () => {
    const downIdx = server('A').oper === 'DOWN' ? 0 : 1;
    const other = downIdx === 0 ? 'B' : 'A';
    await servers[1 - downIdx]!.stop();
    await waitFor(() => (server(other).oper === 'DOWN' ? true : undefined), 10_000, `${other} DOWN`);
    const viaBackup = await bindThrough(sock());
    clients.push(viaBackup.socket);
    expect(serverOfLastSession()).toBe('backup');
    expect(lines.some((l) => l.startsWith(`Server UT/${other} is DOWN`) && l.includes('0 active and 1 backup servers left'))).toBe(true);
    // One active comes back: `rise 2` successful checks bring it UP and new traffic leaves the backup.
    await servers[downIdx]!.start();
    const back = downIdx === 0 ? 'A' : 'B';
    await waitFor(() => (server(back).oper === 'UP' ? true : undefined), 10_000, `${back} UP`);
    expect(state(back).check.health).toBeGreaterThanOrEqual(state(back).check.rise);
    expect(lines.some((l) => l.startsWith(`Server UT/${back} is UP, reason: Layer7 check passed`))).toBe(true);
    const again = await bindThrough(sock());
    clients.push(again.socket);
    expect(serverOfLastSession()).toBe(back);
    // The backup's own session was not touched (no shutdown-backup-sessions here).
    expect(viaBackup.socket.destroyed).toBe(false);
  }, 40_000);
});
