// `set server <b>/<s> ssl on|off` with real traffic: one port answers TLS and plain HTTP alike and
// says which one it got, so each request shows whether the proxy connected over TLS; `show
// servers state` reports srv_use_ssl. (The switch also closes the server's idle connections, as
// srv_cleanup_connections does; new client connections never reuse them here, so this test does
// not observe that part.)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './proxy-harness.ts';
import { ask, startApiProxy, type ApiProxy } from './api-harness.ts';

const certDir = mkdtempSync(join(tmpdir(), 'hapair-ssl-switch-'));
let dual: net.Server;
let dualPort: number;
const connections = { tls: 0, plain: 0 };
let px: ApiProxy;
let fePort: number;

beforeAll(async () => {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(certDir, 'k.pem'), '-out', join(certDir, 'c.pem'), '-days', '2', '-subj', '/CN=srv.test'], { stdio: 'ignore' });
  const answer = (kind: string) => (_req: http.IncomingMessage, res: http.ServerResponse) => res.end(kind);
  const plain = http.createServer(answer('plain'));
  const secure = https.createServer({ key: readFileSync(join(certDir, 'k.pem')), cert: readFileSync(join(certDir, 'c.pem')) }, answer('tls'));
  // A TLS ClientHello starts with a handshake record (0x16): hand the socket to the right server.
  // A socket handed to a TLS server is read from its handle, so the first bytes go through a
  // stream wrapper that replays them.
  dual = net.createServer((sock) => {
    sock.on('error', () => {});
    sock.once('data', (first: Buffer) => {
      const isTls = first[0] === 0x16;
      connections[isTls ? 'tls' : 'plain']++;
      const wrapped = new Duplex({
        read: () => sock.resume(),
        write: (chunk: Buffer, _enc, cb) => sock.write(chunk, cb),
        final: (cb) => sock.end(cb),
        destroy: (err, cb) => (sock.destroy(), cb(err)),
      });
      sock.on('data', (c: Buffer) => wrapped.push(c) || sock.pause());
      sock.on('end', () => wrapped.push(null));
      sock.on('close', () => wrapped.destroy());
      wrapped.push(first);
      (isTls ? secure : plain).emit('connection', wrapped);
    });
  });
  await new Promise<void>((r) => dual.listen(0, '127.0.0.1', r));
  dualPort = (dual.address() as net.AddressInfo).port;
  fePort = await freePort();
  px = await startApiProxy((dir) => `global
    stats socket ${dir}/api.sock level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
listen app
    bind 127.0.0.1:${fePort}
    server s1 127.0.0.1:${dualPort} ssl verify none
    server s2 127.0.0.1:${dualPort}
`);
}, 30_000);

afterAll(async () => {
  await px?.stop();
  dual?.close();
  rmSync(certDir, { recursive: true, force: true });
});

const api = (cmd: string) => ask(px.sock('api.sock'), cmd);

/** Requests on one client connection (keep-alive on both sides), each answered with tls/plain. */
async function bodies(n: number): Promise<string[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const out: string[] = [];
  try {
    for (let i = 0; i < n; i++) {
      out.push(
        await new Promise<string>((resolve, reject) => {
          http
            .get({ host: '127.0.0.1', port: fePort, path: '/', agent }, (res) => {
              let body = '';
              res.setEncoding('latin1');
              res.on('data', (c: string) => (body += c));
              res.on('end', () => resolve(body));
            })
            .on('error', reject);
        }),
      );
    }
  } finally {
    agent.destroy();
  }
  return out;
}

const useSsl = async (srv: string) => (await api('show servers state app')).split('\n').find((l) => l.split(' ')[3] === srv)?.split(' ')[20];

describe('set server ssl', () => {
  it('switches a server between TLS and plain connections', async () => {
    await api('set server app/s2 state maint');
    expect(await bodies(2)).toEqual(['tls', 'tls']);
    expect(connections.tls).toBe(1);
    expect(await useSsl('s1')).toBe('1');
    expect(await api('set server app/s1 ssl off')).toBe('server ssl setting updated.\n\n');
    expect(await useSsl('s1')).toBe('0');
    expect(await bodies(2)).toEqual(['plain', 'plain']);
    expect(connections).toEqual({ tls: 1, plain: 1 });
    expect(await api('set server app/s1 ssl on')).toBe('server ssl setting updated.\n\n');
    expect(await bodies(1)).toEqual(['tls']);
    expect(connections).toEqual({ tls: 2, plain: 1 });
  });

  it('refuses a server without TLS settings and a value other than on/off, as HAProxy does', async () => {
    expect(await api('set server app/s2 ssl on')).toBe("'set server <srv> ssl' cannot be set.  default-server should define ssl settings\n\n");
    expect(await api('set server app/s1 ssl yes')).toBe("'set server <srv> ssl' expects 'on' or 'off'.\n\n");
    expect(await useSsl('s2')).toBe('0');
  });
});
