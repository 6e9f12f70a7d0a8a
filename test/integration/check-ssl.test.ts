// TLS for checks (`check-ssl`, `check-sni`, `tcp-check connect ssl`) and `option ssl-hello-chk`,
// against a node:tls server with a self-signed certificate (checks use `verify none`).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseProxyChecks } from '../../src/checks/proxy-checks.ts';
import { sslHelloCheckRuleset, sslv3ClientHello } from '../../src/checks/ssl-hello-check.ts';
import { runTcpCheck } from '../../src/checks/tcpcheck-run.ts';
import { IMPLICIT_CONNECT, type TcpCheckRuleset } from '../../src/checks/tcpcheck-rules.ts';
import { closeAll, peer, replyOnce, target, track } from './check-peers.ts';

let dir = '';
let key = Buffer.alloc(0);
let cert = Buffer.alloc(0);

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hapair-checkssl-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'k.pem'), '-out', path.join(dir, 'c.pem'), '-days', '2', '-subj', '/CN=check.test'], { stdio: 'ignore' });
  key = readFileSync(path.join(dir, 'k.pem'));
  cert = readFileSync(path.join(dir, 'c.pem'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(closeAll);

const CONNECT: TcpCheckRuleset = { kind: 'connect', rules: [IMPLICIT_CONNECT] };

async function tlsServer(onSecure: (s: tls.TLSSocket) => void = () => {}): Promise<{ port: number; sni: (string | false | null)[] }> {
  const sni: (string | false | null)[] = [];
  const server = tls.createServer({ key, cert }, (s) => {
    sni.push(s.servername);
    s.on('error', () => {});
    onSecure(s);
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sockets = new Set<net.Socket>();
  server.on('connection', (c) => (sockets.add(c), c.on('close', () => sockets.delete(c))));
  track({ close: () => new Promise<void>((resolve) => (sockets.forEach((c) => c.destroy()), server.close(() => resolve()))) });
  return { port: (server.address() as net.AddressInfo).port, sni };
}

describe('check-ssl', () => {
  it('reports L6OK for a TLS connect check, sending check-sni', async () => {
    const s = await tlsServer((t) => t.end());
    const r = await runTcpCheck(CONNECT, target(s.port, { ssl: true, sni: 'api.check.test' }));
    expect(r).toMatchObject({ status: 'L6OK', info: '' });
    // The server side finishes its handshake after the client (TLS 1.3): wait for it, bounded.
    for (let i = 0; i < 100 && s.sni.length === 0; i++) await new Promise((res) => setTimeout(res, 10));
    expect(s.sni).toEqual(['api.check.test']);
  });

  it('reports L6RSP when the server does not speak TLS, L6TOUT when it says nothing', async () => {
    const plain = await peer(replyOnce('220 not tls at all\r\n', { banner: true }));
    expect(await runTcpCheck(CONNECT, target(plain.port, { ssl: true }))).toMatchObject({ status: 'L6RSP', info: 'SSL handshake failure' });
    const closing = await peer((s) => s.end());
    expect(await runTcpCheck(CONNECT, target(closing.port, { ssl: true }))).toMatchObject({ status: 'L6RSP', info: 'Connection closed during SSL handshake' });
    const silent = await peer(() => {});
    expect(await runTcpCheck(CONNECT, target(silent.port, { ssl: true }))).toMatchObject({ status: 'L6TOUT', info: '' });
  });

  it('runs an HTTP check over TLS', async () => {
    const server = https.createServer({ key, cert }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    track({ close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))) });
    const { config } = parseProxyChecks([{ args: ['option', 'httpchk', 'GET', '/'], loc: { file: 't', line: 1 } }]);
    const port = (server.address() as net.AddressInfo).port;
    expect(await runTcpCheck(config.ruleset, target(port, { ssl: true }))).toMatchObject({ status: 'L7OK', code: 200 });
  });

  it('switches to TLS on a tcp-check connect ssl step', async () => {
    const s = await tlsServer((t) => t.on('data', () => t.end('+PONG\r\n')));
    const lines = ['option tcp-check', 'tcp-check connect ssl sni one.test', 'tcp-check send PING\r\n', 'tcp-check expect string +PONG'];
    const { config } = parseProxyChecks(lines.map((l, i) => ({ args: l.split(' '), loc: { file: 't', line: i + 1 } })));
    expect(await runTcpCheck(config.ruleset, target(s.port))).toMatchObject({ status: 'L7OK', info: '(tcp-check)' });
    expect(s.sni).toEqual(['one.test']);
  });
});

describe('option ssl-hello-chk', () => {
  it('sends an SSLv3 ClientHello and accepts the TLS server answer (alert or handshake)', async () => {
    const s = await tlsServer();
    expect(await runTcpCheck(sslHelloCheckRuleset(), target(s.port))).toMatchObject({ status: 'L6OK', info: '' });
  });

  it('sends HAProxy bytes: header, time, fixed random, 39 ciphers, null compression', async () => {
    const p = await peer(replyOnce(Buffer.from('1603010000', 'hex')));
    const before = Math.floor(Date.now() / 1000);
    expect(await runTcpCheck(sslHelloCheckRuleset(), target(p.port))).toMatchObject({ status: 'L6OK' });
    const got = p.received[0]!;
    expect(got.length).toBe(126);
    const t = got.readUInt32BE(11);
    expect(t).toBeGreaterThanOrEqual(before);
    expect(got).toEqual(sslv3ClientHello(t));
  });

  it('reports garbage as L6RSP, silence as L6TOUT and an empty reply with its step', async () => {
    const junk = await peer(replyOnce('garbage!!'));
    expect(await runTcpCheck(sslHelloCheckRuleset(), target(junk.port))).toMatchObject({ status: 'L6RSP', info: '' });
    const silent = await peer(() => {});
    expect(await runTcpCheck(sslHelloCheckRuleset(), target(silent.port))).toMatchObject({ status: 'L6TOUT', info: '' });
    const closing = await peer((s) => s.once('data', () => s.end()));
    expect(await runTcpCheck(sslHelloCheckRuleset(), target(closing.port))).toMatchObject({ status: 'L6RSP', info: 'TCPCHK got an empty response at step 2' });
  });
});
