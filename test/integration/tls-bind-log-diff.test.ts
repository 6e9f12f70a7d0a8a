// Logs and counters of TLS listeners compared with HAProxy 2.6 (same config text, syslog over UDP,
// `show stat` on the runtime API): the line of a failed handshake (session_kill_embryonic), its
// absence under `option dontlognull` when the client sent nothing, log-format's %ft/%sslv/%sslc,
// tcplog's `fe~` in mode tcp, and the frontend's conn_tot/stot/scur after refused handshakes.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { showStatRows } from './api-harness.ts';
import { startHapairProxy, startHaproxy, startNameServer, type NameServer } from './http-oracle-harness.ts';
import { logLineWith, startLoggedRun, stopLoggedRuns, type LoggedRun } from './logged-run.ts';
import { makePki, tlsRequest, type Pki } from './tls-bind-harness.ts';

let pki: Pki;
let backend: NameServer;
let echo: net.Server;
let echoPort = 0;
const dirs: string[] = [];
const runs: (LoggedRun & { sock: string })[] = [];

function config(log: number, ports: readonly number[], sock: string): string {
  const [strict, plain, lf, quiet, tcp, slow, mtls, hs, hsPlain] = ports;
  return `global
    nbthread 1
    stats socket ${sock} level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    log 127.0.0.1:${log} format raw local0
frontend fe
    option httplog
    bind 127.0.0.1:${strict} name web ssl crt ${pki.pem('a')} strict-sni
    bind 127.0.0.1:${plain} ssl crt ${pki.pem('a')}
    default_backend b
frontend lf
    log-format "%ci %ft %f %b/%s %sslv %sslc %ST %{+Q}r"
    bind 127.0.0.1:${lf} ssl crt ${pki.pem('a')} crt ${pki.pem('b')}
    default_backend b
frontend quiet
    option httplog
    option dontlognull
    bind 127.0.0.1:${quiet} ssl crt ${pki.pem('a')} strict-sni
    default_backend b
frontend off
    mode tcp
    option tcplog
    bind 127.0.0.1:${tcp} ssl crt ${pki.pem('a')}
    default_backend echo
frontend slow
    option httplog
    timeout client 300ms
    bind 127.0.0.1:${slow} ssl crt ${pki.pem('a')}
    default_backend b
frontend mtls
    option httplog
    option dontlognull
    bind 127.0.0.1:${mtls} ssl crt ${pki.pem('a')} ca-file ${pki.caFile} verify required
    default_backend b
frontend hs
    option httpslog
    bind 127.0.0.1:${hs} ssl crt ${pki.pem('a')}
    bind 127.0.0.1:${hsPlain}
    default_backend b
backend b
    server s 127.0.0.1:${backend.port}
backend echo
    mode tcp
    server s 127.0.0.1:${echoPort}
`;
}

async function startRun(start: typeof startHaproxy): Promise<LoggedRun & { sock: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'hapair-tlslog-'));
  dirs.push(dir);
  const sock = join(dir, 'api.sock');
  const run = await startLoggedRun(start, 9, (log, ports) => config(log, ports, sock));
  return { ...run, sock };
}

/** A TCP connection that closes before sending a byte. */
async function emptyConnection(port: number): Promise<void> {
  const s = net.connect(port, '127.0.0.1');
  s.on('error', () => {});
  await new Promise((r) => s.once('connect', r));
  s.end();
  await new Promise((r) => s.once('close', r));
}

/** A TLSv1.2 session (ticket) to resume, from a connection that sends nothing. */
async function tls12Session(port: number): Promise<Buffer | undefined> {
  const tls = await import('node:tls');
  const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, maxVersion: 'TLSv1.2' });
  s.on('error', () => {});
  await new Promise((r) => s.once('secureConnect', r));
  const session = s.getSession();
  s.destroy();
  await new Promise((r) => s.once('close', r));
  return session;
}

/** A connection reset before sending a byte. */
async function resetAtOnce(port: number): Promise<void> {
  const s = net.connect(port, '127.0.0.1');
  s.on('error', () => {});
  await new Promise((r) => s.once('connect', r));
  await new Promise((r) => setTimeout(r, 50));
  s.resetAndDestroy();
  await new Promise((r) => s.once('close', r));
}

/** The first bytes of a ClientHello, then a FIN (or a reset). */
async function partialHello(port: number, reset: boolean): Promise<void> {
  const s = net.connect(port, '127.0.0.1');
  s.on('error', () => {});
  await new Promise((r) => s.once('connect', r));
  s.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0xc8, 0x01]));
  // Let the bytes reach the proxy before leaving.
  await new Promise((r) => setTimeout(r, 50));
  if (reset) s.resetAndDestroy();
  else s.end();
  await new Promise((r) => s.once('close', r));
}

/** Clear-text bytes to a TLS port: the proxy closes it. */
async function plainBytes(port: number, text: string): Promise<void> {
  const s = net.connect(port, '127.0.0.1');
  s.on('error', () => {});
  s.on('data', () => {});
  await new Promise((r) => s.once('connect', r));
  s.write(text);
  await new Promise((r) => s.once('close', r));
}

/** The line without what differs by nature: ports of the run, client ports, dates, timers. */
function mask(run: LoggedRun, line: string): string {
  let out = line;
  for (const p of run.ports) out = out.replaceAll(String(p), 'PORT');
  return out
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:CPORT')
    .replace(/\[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d\.\d{3}\]/g, '[DATE]')
    .replace(/ -?\d+\/-?\d+\/-?\d+(\/-?\d+\/-?\d+)? /g, ' TIMERS ');
}

beforeAll(async () => {
  pki = makePki();
  backend = await startNameServer('b1');
  echo = net.createServer((c) => c.once('data', (d) => c.end(`echo:${d.toString('latin1')}`)));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  echoPort = (echo.address() as net.AddressInfo).port;
  runs.push(await startRun(startHaproxy), await startRun(startHapairProxy));
  for (const r of runs) {
    const [strict, plain, lf, quiet, tcp, slow, mtls, hs, hsPlain] = r.ports;
    await tlsRequest(strict, { servername: 'nomatch.example' });
    await emptyConnection(plain);
    await partialHello(plain, false);
    await partialHello(plain, true);
    await resetAtOnce(plain);
    // A client that refuses the (self-signed) certificate leaves after the server's flight.
    await tlsRequest(plain, { servername: 'a.example', rejectUnauthorized: true });
    await tlsRequest(plain, { servername: 'a.example', path: '/ok' });
    await tlsRequest(lf, { servername: 'b.example', path: '/lf', maxVersion: 'TLSv1.2' });
    await emptyConnection(quiet);
    await tlsRequest(quiet, { servername: 'nomatch.example' });
    await tlsRequest(tcp, { servername: 'a.example', send: 'ping' });
    // Connects and says nothing: the handshake times out after `timeout client`.
    const idle = net.connect(slow, '127.0.0.1');
    idle.on('error', () => {});
    await new Promise((res) => idle.once('close', res));
    await plainBytes(mtls, 'GET / HTTP/1.1\r\nhost: a\r\n\r\n');
    await tlsRequest(mtls, {});
    await tlsRequest(mtls, { ...pki.rogue });
    await tlsRequest(mtls, { ...pki.client, path: '/mtls-ok' });
    await tlsRequest(hs, { servername: 'a.example', path: '/hs-sni' });
    await tlsRequest(hs, { path: '/hs-nosni', maxVersion: 'TLSv1.2' });
    const session = await tls12Session(hs);
    await tlsRequest(hs, { path: '/hs-resumed', maxVersion: 'TLSv1.2', session });
    await plainBytes(hsPlain, 'GET /hs-plain HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n');
  }
}, 60_000);

afterAll(async () => {
  await stopLoggedRuns(runs);
  await backend?.close();
  echo?.close();
  pki?.cleanup();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The embryonic-session lines of frontend `fe`, in order. */
function handshakeLines(r: LoggedRun, fe: string): string[] {
  return r.lines.filter((l) => l.includes(` ${fe}/`) && /: (SSL|Connection|Timeout)/.test(l)).map((l) => mask(r, l));
}

describe('TLS listeners log and count like HAProxy 2.6', () => {
  it('a refused handshake is logged with the listener name (or id), and so is a client leaving during it (closed, reset with or without bytes, after the server flight)', async () => {
    await logLineWith(runs[1], 'fe/web: SSL handshake failure');
    const lines = runs.map((r) => handshakeLines(r, 'fe'));
    // The start-up probes (one connection per port, closed at once) come first.
    expect(lines[0]).toEqual([
      '127.0.0.1:CPORT [DATE] fe/web: Connection closed during SSL handshake',
      '127.0.0.1:CPORT [DATE] fe/2: Connection closed during SSL handshake',
      '127.0.0.1:CPORT [DATE] fe/web: SSL handshake failure',
      '127.0.0.1:CPORT [DATE] fe/2: Connection closed during SSL handshake',
      '127.0.0.1:CPORT [DATE] fe/2: Connection closed during SSL handshake',
      '127.0.0.1:CPORT [DATE] fe/2: SSL handshake failure',
      '127.0.0.1:CPORT [DATE] fe/2: SSL handshake failure',
      '127.0.0.1:CPORT [DATE] fe/2: SSL handshake failure',
    ]);
    expect(lines[1]).toEqual(lines[0]);
  });

  it('httplog prints fe~, log-format %ft %f %sslv %sslc', async () => {
    // %B differs by nature: HAProxy counts its internal (HTX) size, hapair the bytes (docs/http.md).
    const http = await Promise.all(runs.map(async (r) => mask(r, await logLineWith(r, '/ok')).replace(/ 200 \d+ /, ' 200 B ')));
    expect(http[0]).toContain(' fe~ b/s ');
    expect(http[1]).toBe(http[0]);
    const lf = await Promise.all(runs.map(async (r) => mask(r, await logLineWith(r, '/lf'))));
    expect(lf[0]).toBe('127.0.0.1 lf~ lf b/s TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384 200 "GET /lf HTTP/1.1"');
    expect(lf[1]).toBe(lf[0]);
  });

  it('tcplog prints fe~ in mode tcp', async () => {
    const lines = await Promise.all(runs.map(async (r) => mask(r, await logLineWith(r, ' off~ '))));
    expect(lines[0]).toMatch(/^127\.0\.0\.1:CPORT \[DATE\] off~ echo\/s TIMERS 9 -- /);
    expect(lines[1]).toBe(lines[0]);
  });

  it('option dontlognull: an empty connection is not logged, a refused handshake is', async () => {
    await logLineWith(runs[1], 'quiet/1: SSL handshake failure');
    const quiet = runs.map((r) => handshakeLines(r, 'quiet'));
    expect(quiet[0]).toEqual(['127.0.0.1:CPORT [DATE] quiet/1: SSL handshake failure']);
    expect(quiet[1]).toEqual(quiet[0]);
  });

  it('a handshake that times out (timeout client) is logged as such', async () => {
    await logLineWith(runs[1], 'slow/1: Timeout');
    const lines = runs.map((r) => handshakeLines(r, 'slow'));
    expect(lines[0]).toEqual([
      '127.0.0.1:CPORT [DATE] slow/1: Connection closed during SSL handshake',
      '127.0.0.1:CPORT [DATE] slow/1: Timeout during SSL handshake',
    ]);
    expect(lines[1]).toEqual(lines[0]);
  });

  it('clear-text HTTP on a TLS port, then verify required: a missing and a rogue client certificate, logged as HAProxy words them', async () => {
    await logLineWith(runs[1], 'mtls/1: SSL client');
    await logLineWith(runs[1], '/mtls-ok');
    const lines = runs.map((r) => handshakeLines(r, 'mtls'));
    expect(lines[0]).toEqual([
      '127.0.0.1:CPORT [DATE] mtls/1: SSL handshake failure',
      '127.0.0.1:CPORT [DATE] mtls/1: SSL handshake failure',
      '127.0.0.1:CPORT [DATE] mtls/1: SSL client certificate not trusted',
    ]);
    expect(lines[1]).toEqual(lines[0]);
  });

  it("option httpslog: httplog plus the TLS errors, resumption, SNI, version and cipher", async () => {
    const out: string[][] = [];
    for (const r of runs) {
      const lines: string[] = [];
      for (const m of ['/hs-sni', '/hs-nosni', '/hs-resumed', '/hs-plain']) {
        // Timers and %B masked in the httplog part only: the TLS tail has slash-separated numbers too.
        const line = await logLineWith(r, m);
        const q = line.indexOf('"GET');
        lines.push(mask(r, line.slice(0, q)).replace(/ (\d{3}) \d+ /, ' $1 B ') + line.slice(q));
      }
      out.push(lines);
    }
    expect(out[0][0]).toMatch(/^127\.0\.0\.1:CPORT \[DATE\] hs~ b\/s TIMERS 200 B - - ---- TIMERS 0\/0 "GET/);
    expect(out[0].map((l) => l.slice(l.indexOf('"GET')))).toEqual([
      '"GET /hs-sni HTTP/1.1" 0/0000000000000000/0/0/0 a.example/TLSv1.3/TLS_AES_256_GCM_SHA384',
      '"GET /hs-nosni HTTP/1.1" 0/0000000000000000/0/0/0 -/TLSv1.2/ECDHE-RSA-AES256-GCM-SHA384',
      '"GET /hs-resumed HTTP/1.1" 0/0000000000000000/0/0/1 -/TLSv1.2/ECDHE-RSA-AES256-GCM-SHA384',
      '"GET /hs-plain HTTP/1.1" 0/-/-/-/0 -/-/-',
    ]);
    expect(out[1]).toEqual(out[0]);
  });

  it('show stat: conn_tot counts every connection, stot the completed handshakes', async () => {
    const fields = ['scur', 'stot', 'conn_tot', 'req_tot', 'hrsp_2xx', 'ereq'];
    const rows = await Promise.all(runs.map(async (r) => {
      const stat = await showStatRows(r.sock);
      return Object.fromEntries(['fe', 'quiet', 'off', 'slow', 'mtls'].map((fe) => [fe, fields.map((f) => `${f}=${stat.get(`${fe}/FRONTEND`)?.get(f)}`).join(' ')]));
    }));
    // Two start-up probes, the refused handshake, the empty connection, two cut hellos, a reset, the
    // client refusing the certificate, the request.
    expect(rows[0].fe).toBe('scur=0 stot=1 conn_tot=9 req_tot=1 hrsp_2xx=1 ereq=0');
    expect(rows[1]).toEqual(rows[0]);
  });
});
