// `server ... ssl` in mode http: requests go to an HTTPS server over TLS, with keep-alive.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configOf, serverSpec, startProxy, tcpBind, type TestProxy } from './proxy-harness.ts';
import { httpClient, httpSpec } from './http-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'hapair-http-tls-'));
let server: https.Server;
let proxy: TestProxy | undefined;
const connections = new Set<net.Socket>();
let tlsConnections = 0;

beforeAll(async () => {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=backend', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  server = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end(`tls ${req.method} ${req.url}`);
  });
  server.on('secureConnection', (s: net.Socket) => {
    tlsConnections++;
    connections.add(s);
    s.on('close', () => connections.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const params = { ssl: [], verify: ['none'] };
  proxy = await startProxy(configOf([httpSpec({ name: 'web', binds: [tcpBind(0)], servers: [serverSpec('s1', port, { params })] })]));
});

afterAll(async () => {
  await proxy?.runtime.stop();
  for (const s of connections) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

describe('server ssl', () => {
  it('forwards requests over one kept-alive TLS connection', async () => {
    const c = await httpClient(proxy!.port());
    for (const path of ['/a', '/b']) {
      c.send(`GET ${path} HTTP/1.1\r\nHost: t\r\n\r\n`);
      const r = await c.read();
      expect([r.status, r.body]).toEqual([200, `tls GET ${path}`]);
    }
    c.close();
    expect(tlsConnections).toBe(1);
  });
});
