// Server-side TLS through the real Runtime, checks and traffic side by side (configuration.txt 5.2
// "ssl", "verify", "ca-file", "crt", "sni", "alpn", "check-sni", "check-alpn"; 3.1
// "ssl-server-verify"). A node:tls server that requires a client certificate records, for every
// connection, the SNI, the ALPN protocol it selected and the client certificate's CN. Every
// certificate is made by openssl in a temp dir.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/config.ts';
import { formatDiagnostic } from '../../src/config/diagnostics.ts';
import { Runtime } from '../../src/proxy/runtime.ts';
import { freePort, waitFor } from './proxy-harness.ts';

let dir = '';
const f = (name: string) => path.join(dir, name);

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

/** A certificate for `cn` signed by the test CA, with `ext` (an openssl extension line). */
function signed(name: string, cn: string, ext: string): void {
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`), '-subj', `/CN=${cn}`]);
  writeFileSync(f(`${name}.ext`), `${ext}\n`);
  openssl(['x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f(`${name}.pem`), '-days', '2', '-extfile', f(`${name}.ext`)]);
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hapair-tlsrt-'));
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=hapair test CA']);
  signed('srv', 'srv.test', 'subjectAltName=DNS:srv.test');
  signed('client', 'hapair-client', 'extendedKeyUsage=clientAuth');
  // HAProxy's `crt`: one PEM with the certificate and its key.
  writeFileSync(f('client-crt.pem'), readFileSync(f('client.pem'), 'latin1') + readFileSync(f('client.key'), 'latin1'));
  // A server certificate nobody in this test trusts.
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('rogue.key'), '-out', f('rogue.pem'), '-days', '2', '-subj', '/CN=srv.test']);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Seen {
  readonly sni: string | false | null;
  readonly alpn: string | false | null;
  readonly client?: string;
}

interface TlsPeer {
  readonly port: number;
  readonly seen: Seen[];
  close(): Promise<void>;
}

/** An echo server over TLS; `mutual` requires a client certificate signed by the test CA. */
async function tlsPeer(certName: 'srv' | 'rogue', mutual: boolean): Promise<TlsPeer> {
  const seen: Seen[] = [];
  const sockets = new Set<net.Socket>();
  const server = tls.createServer(
    {
      key: readFileSync(f(`${certName}.key`)),
      cert: readFileSync(f(`${certName}.pem`)),
      ca: readFileSync(f('ca.pem')),
      requestCert: mutual,
      rejectUnauthorized: mutual,
      ALPNProtocols: ['h2', 'http/1.1'],
    },
    (s) => {
      sockets.add(s);
      const cn = s.getPeerCertificate().subject?.CN;
      seen.push({ sni: s.servername, alpn: s.alpnProtocol, ...(typeof cn === 'string' ? { client: cn } : {}) });
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
      s.pipe(s);
    },
  );
  server.on('tlsClientError', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    seen,
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}

const peers: TlsPeer[] = [];
let rt: Runtime | undefined;
afterEach(async () => {
  await rt?.stop();
  rt = undefined;
  await Promise.all(peers.splice(0).map((p) => p.close()));
});

async function run(global: string, serverLine: string): Promise<{ port: number; rt: Runtime }> {
  const port = await freePort();
  const text = `${global}defaults\n    mode tcp\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n    timeout check 1s\nlisten L\n    bind 127.0.0.1:${port}\n    ${serverLine}\n`;
  const parsed = parseConfigText(text, 'tls.cfg', { env: {} });
  expect(parsed.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([]);
  rt = new Runtime(parsed.config!);
  await rt.start();
  return { port, rt };
}

async function echoThrough(port: number, text: string): Promise<string> {
  const sock = net.connect(port, '127.0.0.1');
  sock.on('error', () => {});
  try {
    return await new Promise<string>((resolve, reject) => {
      let got = '';
      const timer = setTimeout(() => reject(new Error(`no echo, got ${JSON.stringify(got)}`)), 5000);
      sock.on('data', (d: Buffer) => {
        got += d.toString();
        if (got.length >= text.length) {
          clearTimeout(timer);
          resolve(got);
        }
      });
      sock.once('close', () => {
        clearTimeout(timer);
        resolve(got);
      });
      sock.write(text);
    });
  } finally {
    sock.destroy();
  }
}

const state = (r: Runtime) => r.health!.stateOf(r.backends.get('L')!.servers[0]!)!;

describe('server TLS for checks and traffic', () => {
  it('checks send check-sni and check-alpn, traffic sends sni and alpn, and both present the crt', async () => {
    const p = await tlsPeer('srv', true);
    peers.push(p);
    const { port, rt: r } = await run(
      '',
      `server s1 127.0.0.1:${p.port} ssl verify required ca-file ${f('ca.pem')} crt ${f('client-crt.pem')} sni str(srv.test) alpn http/1.1 check check-sni srv.test check-alpn h2 inter 200 rise 1 fall 1`,
    );
    await waitFor(() => (state(r).check.status === 'L6OK' ? true : undefined), 10_000, 'check L6OK');
    expect(r.backends.get('L')!.servers[0]!.oper).toBe('UP');
    expect(await echoThrough(port, 'hello over TLS')).toBe('hello over TLS');
    const checks = p.seen.filter((s) => s.alpn === 'h2');
    const traffic = p.seen.filter((s) => s.alpn === 'http/1.1');
    expect(checks.length).toBeGreaterThan(0);
    expect(traffic).toHaveLength(1);
    expect(checks[0]).toEqual({ sni: 'srv.test', alpn: 'h2', client: 'hapair-client' });
    expect(traffic[0]).toEqual({ sni: 'srv.test', alpn: 'http/1.1', client: 'hapair-client' });
    expect(p.seen.every((s) => s.alpn === 'h2' || s.alpn === 'http/1.1')).toBe(true);
  }, 30_000);

  it("checks offer the server's alpn when check-alpn is not set, and no SNI without check-sni", async () => {
    const p = await tlsPeer('srv', false);
    peers.push(p);
    const { rt: r } = await run('', `server s1 127.0.0.1:${p.port} ssl verify none alpn http/1.1 check inter 200 rise 1 fall 1`);
    await waitFor(() => (state(r).check.status === 'L6OK' ? true : undefined), 10_000, 'check L6OK');
    // The peer records the handshake on its side's event, which may come after the check's result.
    await waitFor(() => (p.seen.length > 0 ? true : undefined), 10_000, 'the peer saw the handshake');
    expect(p.seen[0]).toEqual({ sni: false, alpn: 'http/1.1' });
  }, 30_000);

  it('a check verifies the certificate against ca-file and the SNI: an untrusted server is DOWN', async () => {
    const p = await tlsPeer('rogue', false);
    peers.push(p);
    const { port, rt: r } = await run('', `server s1 127.0.0.1:${p.port} ssl verify required ca-file ${f('ca.pem')} check check-sni srv.test inter 200 rise 1 fall 1`);
    await waitFor(() => (state(r).check.status === 'L6RSP' ? true : undefined), 10_000, 'check L6RSP');
    expect(r.backends.get('L')!.servers[0]!.oper).toBe('DOWN');
    expect(state(r).check.desc).toBe('SSL handshake failure');
    // Traffic is refused the same way: nothing reaches the untrusted server.
    expect(await echoThrough(port, 'secret')).toBe('');
  }, 30_000);

  it('with verify, the certificate must cover the check-sni (ssl_sock_srv_verifycbk)', async () => {
    const p = await tlsPeer('srv', false);
    peers.push(p);
    const { rt: r } = await run('', `server s1 127.0.0.1:${p.port} ssl verify required ca-file ${f('ca.pem')} check check-sni other.test inter 200 rise 1 fall 1`);
    await waitFor(() => (state(r).check.status === 'L6RSP' ? true : undefined), 10_000, 'check L6RSP');
    expect(r.backends.get('L')!.servers[0]!.oper).toBe('DOWN');
    // haproxy 2.6's text for this case (an untrusted chain reads "SSL handshake failure").
    expect(state(r).check.desc).toBe('Server presented an SSL certificate different from the expected one');
  }, 30_000);

  it('tcp-check connect ssl uses the server TLS context (CA, crt, verify) without ssl on the server', async () => {
    const good = await tlsPeer('srv', true);
    const rogue = await tlsPeer('rogue', false);
    peers.push(good, rogue);
    const rules = 'option tcp-check\n    tcp-check connect ssl\n    ';
    const tlsArgs = `verify required ca-file ${f('ca.pem')} crt ${f('client-crt.pem')} check-sni srv.test inter 200 rise 1 fall 1`;
    const { rt: r } = await run('', `${rules}server s1 127.0.0.1:${good.port} check ${tlsArgs}\n    server s2 127.0.0.1:${rogue.port} check ${tlsArgs}`);
    const st = (i: number) => r.health!.stateOf(r.backends.get('L')!.servers[i]!)!;
    await waitFor(() => (st(0).check.status === 'L6OK' && st(1).check.status === 'L6RSP' ? true : undefined), 10_000, 'L6OK and L6RSP');
    expect(good.seen[0]).toEqual({ sni: 'srv.test', alpn: false, client: 'hapair-client' });
  }, 30_000);

  it('global ssl-server-verify none turns verification off for servers without verify', async () => {
    const p = await tlsPeer('rogue', false);
    peers.push(p);
    const { port, rt: r } = await run('global\n    ssl-server-verify none\n', `server s1 127.0.0.1:${p.port} ssl check inter 200 rise 1 fall 1`);
    await waitFor(() => (state(r).check.status === 'L6OK' ? true : undefined), 10_000, 'check L6OK');
    expect(await echoThrough(port, 'plain trust')).toBe('plain trust');
  }, 30_000);

  it('an explicit verify required still wins over ssl-server-verify none', async () => {
    const p = await tlsPeer('rogue', false);
    peers.push(p);
    const { rt: r } = await run('global\n    ssl-server-verify none\n', `server s1 127.0.0.1:${p.port} ssl verify required ca-file ${f('ca.pem')} check inter 200 rise 1 fall 1`);
    await waitFor(() => (state(r).check.status === 'L6RSP' ? true : undefined), 10_000, 'check L6RSP');
  }, 30_000);
});

describe('what a check offers in its ClientHello, against haproxy 2.6', () => {
  // The same server line run by haproxy and by hapair against two recording peers.
  const LINES = [
    'ssl verify none alpn http/1.1 check inter 200',
    'ssl verify none alpn http/1.1 sni str(x.test) check inter 200',
    'ssl verify none check check-alpn h2 check-sni c.test inter 200',
  ];

  it("checks take check-sni / check-alpn, else the server's alpn and no SNI", async () => {
    const hapPeers = await Promise.all(LINES.map(() => tlsPeer('srv', false)));
    peers.push(...hapPeers);
    let cfg = 'defaults\n    mode tcp\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n';
    for (const [i, line] of LINES.entries()) cfg += `listen p${i}\n    bind 127.0.0.1:${await freePort()}\n    server s1 127.0.0.1:${hapPeers[i]!.port} ${line}\n`;
    writeFileSync(f('hap.cfg'), cfg);
    const hap = spawn('/usr/sbin/haproxy', ['-f', f('hap.cfg'), '-db'], { stdio: 'ignore' });
    try {
      await waitFor(() => (hapPeers.every((p) => p.seen.length > 0) ? true : undefined), 10_000, 'haproxy checks');
    } finally {
      const exited = new Promise((r) => hap.once('exit', r));
      hap.kill('SIGKILL');
      await exited;
    }
    for (const [i, line] of LINES.entries()) {
      const p = await tlsPeer('srv', false);
      peers.push(p);
      const { rt: r } = await run('', `server s1 127.0.0.1:${p.port} ${line}`);
      await waitFor(() => (p.seen.length > 0 ? true : undefined), 10_000, `hapair check ${i}`);
      await r.stop();
      rt = undefined;
      expect(p.seen[0], line).toEqual(hapPeers[i]!.seen[0]);
    }
  }, 60_000);
});
