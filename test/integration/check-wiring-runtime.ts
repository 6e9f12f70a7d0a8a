// Shared setup of the health-check wiring tests: the real Runtime started on config text with its
// log lines captured, and the seed's ldaps config (issue #3) on three slapd with an anonymous LDAP
// bind through it.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { expect } from 'vitest';
import { LDAP_ANONYMOUS_BIND } from '../../src/checks/ldap-check.ts';
import { parseConfigText } from '../../src/config/config.ts';
import { formatDiagnostic } from '../../src/config/diagnostics.ts';
import { Runtime } from '../../src/proxy/runtime.ts';
import { closedPort } from './check-peers.ts';
import { Ldaps, makeCert, type TlsFiles } from './check-wiring-servers.ts';

/** Parse `text` (no error allowed), start a Runtime whose log messages go to `lines`. */
export async function startLoggedRuntime(text: string, file: string, lines: string[]): Promise<Runtime> {
  const parsed = parseConfigText(text, file, { env: {} });
  expect(parsed.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([]);
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(JSON.parse(chunk.toString()).msg as string);
      cb();
    },
  });
  const rt = new Runtime(parsed.config!, { logger: pino({ level: 'info' }, sink) });
  await rt.start();
  return rt;
}

/** The seed's advanced config on a unix socket, three ldaps servers checked over `check-ssl`. */
export function seedLdapConfig(sock: string, ca: string, ports: readonly number[]): string {
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

export interface LdapClient {
  readonly socket: net.Socket;
  readonly closed: Promise<void>;
  /** The first bytes slapd answered (at least a bindResponse's 14). */
  readonly reply: Buffer;
}

/** Connect through the proxy and bind anonymously; resolves once slapd's answer came back. */
export async function bindThrough(sock: string): Promise<LdapClient> {
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
  return { socket, closed, reply };
}

/** The seed config run on three real slapd (A, B, backup): start() in beforeAll, stop() in afterAll. */
export class SeedLdapFixture {
  /** slapd behind A, B and backup, in that order. */
  readonly servers: Ldaps[] = [];
  /** Log messages of the Runtime. */
  readonly lines: string[] = [];
  /** Client sockets to destroy at the end. */
  readonly clients: net.Socket[] = [];
  rt: Runtime | undefined;
  #tls: TlsFiles | undefined;
  #dir = '';

  async start(prefix: string): Promise<void> {
    const tls = (this.#tls = makeCert());
    this.#dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    const ports = [await closedPort(), await closedPort(), await closedPort()];
    this.servers.push(...ports.map((p) => new Ldaps(p, tls)));
    await Promise.all(this.servers.map((s) => s.start()));
    this.rt = await startLoggedRuntime(seedLdapConfig(this.sock(), tls.cert, ports), 'ut.cfg', this.lines);
  }

  async stop(): Promise<void> {
    for (const c of this.clients) c.destroy();
    await this.rt?.stop();
    await Promise.all(this.servers.map((s) => s.stop()));
    this.#tls?.cleanup();
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true });
  }

  /** The proxy's unix socket (`bind ... mode 666`). */
  sock(): string {
    return path.join(this.#dir, 'etab_UT.sock');
  }

  server(name: string) {
    return this.rt!.backends.get('UT')!.servers.find((s) => s.name === name)!;
  }

  state(name: string) {
    return this.rt!.health!.stateOf(this.server(name))!;
  }
}
