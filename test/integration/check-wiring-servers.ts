// Real LDAPS servers for the health-check wiring tests: OpenLDAP slapd on 127.0.0.1 serving
// ldaps:// with a certificate made by openssl, restartable on the same port, pausable (SIGSTOP)
// to play a server that hangs. Every process and file is removed by stop()/cleanup().
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface TlsFiles {
  readonly dir: string;
  readonly cert: string;
  readonly key: string;
  cleanup(): void;
}

/** A self-signed certificate (it is its own CA: `ca-file` takes it for `verify required`). */
export function makeCert(): TlsFiles {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hapair-wiring-tls-'));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=ldap.test', '-addext', 'subjectAltName=DNS:ldap.test,IP:127.0.0.1'], { stdio: 'ignore' });
  return { dir, cert, key, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

async function listening(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

export class Ldaps {
  readonly port: number;
  readonly #tls: TlsFiles;
  #dir: string | null = null;
  #child: ChildProcess | null = null;

  constructor(port: number, tls: TlsFiles) {
    this.port = port;
    this.#tls = tls;
  }

  async start(): Promise<void> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hapair-wiring-slapd-'));
    this.#dir = dir;
    const conf = path.join(dir, 'slapd.conf');
    writeFileSync(conf, [
      'include /etc/ldap/schema/core.schema',
      `pidfile ${path.join(dir, 'slapd.pid')}`,
      `TLSCertificateFile ${this.#tls.cert}`,
      `TLSCertificateKeyFile ${this.#tls.key}`,
      '',
    ].join('\n'));
    const child = spawn('/usr/sbin/slapd', ['-f', conf, '-h', `ldaps://127.0.0.1:${this.port}/`, '-d', '0'], { stdio: 'ignore' });
    this.#child = child;
    for (let i = 0; i < 100; i++) {
      if (child.exitCode !== null) break;
      if (await listening(this.port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    await this.stop();
    throw new Error(`slapd did not listen on ${this.port}`);
  }

  /** Freeze the process: established connections and new handshakes hang. */
  pause(): void {
    this.#child?.kill('SIGSTOP');
  }

  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = null;
    if (child !== null && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    }
    if (this.#dir !== null) rmSync(this.#dir, { recursive: true, force: true });
    this.#dir = null;
  }
}
