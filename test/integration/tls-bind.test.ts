// TLS termination on `bind ... ssl` (configuration.txt 5.1), over real sockets on 127.0.0.1:
// certificate choice by SNI, strict-sni, ALPN, client certificates (verify optional/required),
// version limits, the ssl_fc* / ssl_c_* fetches in ACLs and set-header, redirect to https from
// a plain bind of the same frontend, mode tcp offloading, the handshake-failure log line and
// the frontend counters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatDiagnostic, parseConfigText } from '../../src/config/config.ts';
import type { HapairConfig } from '../../src/config/model.ts';
import type { TcpLogRecord } from '../../src/log/record.ts';
import { unsupportedByRuntime } from '../../src/proxy/runtime-support.ts';
import { httpBackend, type HttpBackend } from './http-harness.ts';
import { distinctFreePorts } from './http-oracle-harness.ts';
import { startProxy, waitFor, type TestProxy } from './proxy-harness.ts';
import { headerIn, makePki, tlsRequest, type Pki } from './tls-bind-harness.ts';

let pki: Pki;
const proxies: TestProxy[] = [];
const backends: HttpBackend[] = [];

beforeAll(() => {
  pki = makePki();
});

afterAll(async () => {
  for (const p of proxies) await p.runtime.stop();
  for (const b of backends) await b.close();
  pki.cleanup();
});

function configFrom(text: string): HapairConfig {
  const r = parseConfigText(text, 't.cfg', { env: {} });
  const errors = r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
  if (r.config === undefined || errors.length > 0) throw new Error(errors.join('\n'));
  return r.config;
}

interface Started {
  readonly proxy: TestProxy;
  /** Ports of the frontend's listeners, in bind order. */
  readonly ports: number[];
  /** Lines of connections that never became sessions (failed handshakes). */
  readonly errors: string[];
}

/** Each `bind 127.0.0.1:0` gets a free port (the config language refuses port 0). */
async function withPorts(text: string): Promise<string> {
  const n = text.split('bind 127.0.0.1:0').length - 1;
  const ports = await distinctFreePorts(n);
  let i = 0;
  return text.replaceAll('bind 127.0.0.1:0', () => `bind 127.0.0.1:${ports[i++]}`);
}

async function start(template: string, frontend = 'fe'): Promise<Started> {
  const text = await withPorts(template);
  const errors: string[] = [];
  // Records go to the proxy's own array (startProxy's waitLogs reads it), failed handshakes to `errors`.
  const holder: { logs?: TcpLogRecord[] } = {};
  const sink = Object.assign((rec: TcpLogRecord) => holder.logs!.push(rec), { connectionError: (line: string) => errors.push(line) });
  const proxy = await startProxy(configFrom(text), { accessLog: () => sink });
  holder.logs = proxy.logs;
  proxies.push(proxy);
  const ports = proxy.runtime.frontends.get(frontend)!.listeners.map((l) => l.port);
  return { proxy, ports, errors };
}

const DEFAULTS = 'defaults\n    mode http\n    timeout connect 5s\n    timeout client 5s\n    timeout server 5s\n';

describe('TLS termination in mode http', () => {
  let be: HttpBackend;
  let beB: HttpBackend;
  let s: Started;

  beforeAll(async () => {
    be = await httpBackend('main');
    beB = await httpBackend('bee');
    backends.push(be, beB);
    s = await start(`${DEFAULTS}
frontend fe
    bind 127.0.0.1:0 ssl crt ${pki.pem('dflt')} crt ${pki.pem('a')} crt ${pki.pem('b')} alpn http/1.1,x-other
    bind 127.0.0.1:0
    http-request redirect scheme https unless { ssl_fc }
    http-request set-header X-Forwarded-Proto https if { ssl_fc }
    http-request set-header X-SNI %[ssl_fc_sni]
    http-request set-header X-Proto %[ssl_fc_protocol]
    http-request set-header X-Cipher %[ssl_fc_cipher]
    http-request set-header X-ALPN %[ssl_fc_alpn]
    http-request set-header X-Cert %[ssl_c_used]
    use_backend bee if { ssl_fc_sni -i b.example }
    default_backend main
backend main
    server s 127.0.0.1:${be.port}
backend bee
    server s 127.0.0.1:${beB.port}
`);
  });

  it('presents the certificate the SNI names (exact, wildcard), the first crt otherwise', async () => {
    const [port] = s.ports;
    expect((await tlsRequest(port, { servername: 'a.example' })).cn).toBe('a.example');
    expect((await tlsRequest(port, { servername: 'www.a.example' })).cn).toBe('a.example');
    expect((await tlsRequest(port, { servername: 'B.Example' })).cn).toBe('b.example');
    // One label only for a wildcard, and nothing matched: the default (first) certificate.
    expect((await tlsRequest(port, { servername: 'x.www.a.example' })).cn).toBe('default.example');
    expect((await tlsRequest(port, {})).cn).toBe('default.example');
  });

  it('gives the fetches their real values, in set-header and in use_backend', async () => {
    const r = await tlsRequest(s.ports[0], { servername: 'a.example', ALPNProtocols: ['http/1.1'], maxVersion: 'TLSv1.2' });
    expect(r.status).toBe(200);
    expect(r.body).toBe('main');
    expect(r.alpn).toBe('http/1.1');
    const head = be.heads.at(-1)!;
    expect(headerIn(head, 'x-forwarded-proto')).toBe('https');
    expect(headerIn(head, 'x-sni')).toBe('a.example');
    expect(headerIn(head, 'x-proto')).toBe('TLSv1.2');
    expect(headerIn(head, 'x-cipher')).toBe('ECDHE-RSA-AES256-GCM-SHA384');
    expect(headerIn(head, 'x-alpn')).toBe('http/1.1');
    expect(headerIn(head, 'x-cert')).toBe('0');
    const b = await tlsRequest(s.ports[0], { servername: 'b.example' });
    expect(b.body).toBe('bee');
    const hb = beB.heads.at(-1)!;
    expect(headerIn(hb, 'x-proto')).toBe('TLSv1.3');
    expect(headerIn(hb, 'x-alpn')).toBe('');
  });

  it('redirects the plain bind of the same frontend to https (unless { ssl_fc })', async () => {
    const sock = net.connect(s.ports[1], '127.0.0.1');
    let text = '';
    sock.on('data', (d) => (text += d.toString('latin1')));
    sock.end('GET /p?q=1 HTTP/1.1\r\nhost: www.example.org\r\n\r\n');
    await once(sock, 'close');
    expect(text).toMatch(/^HTTP\/1\.1 302 Found\r\n/);
    expect(text).toContain('\r\nlocation: https://www.example.org/p?q=1\r\n');
  });

  it('logs the frontend with a ~ and the handshake time, and keeps a session alive over TLS', async () => {
    const before = s.proxy.logs.length;
    const two = 'GET /1 HTTP/1.1\r\nhost: a\r\n\r\nGET /2 HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n';
    const r = await tlsRequest(s.ports[0], { servername: 'a.example', send: two });
    expect(r.received.match(/HTTP\/1\.1 200 OK/g)?.length).toBe(2);
    const recs = await waitFor(() => (s.proxy.logs.length >= before + 2 ? s.proxy.logs.slice(before) : undefined));
    expect(recs.map((x) => x.frontend)).toEqual(['fe~', 'fe~']);
    expect(recs[0].clientTls?.protocol).toBe('TLSv1.3');
    expect(recs[1].http!.Th).toBe(0);
  });
});

describe('TLS handshake policies', () => {
  it('strict-sni refuses a handshake without a matching name, and logs it as HAProxy', async () => {
    const s = await start(`${DEFAULTS}
frontend fe
    bind 127.0.0.1:0 name web ssl crt ${pki.pem('a')} strict-sni
    http-request return status 200 content-type text/plain string ok
`);
    const port = s.ports[0];
    expect((await tlsRequest(port, { servername: 'a.example' })).status).toBe(200);
    expect((await tlsRequest(port, { servername: 'b.example' })).error).toBeDefined();
    expect((await tlsRequest(port, {})).error).toBeDefined();
    const lines = await waitFor(() => (s.errors.length >= 2 ? s.errors : undefined));
    expect(lines[0]).toMatch(/^127\.0\.0\.1:\d+ \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d\.\d{3}\] fe\/web: SSL handshake failure$/);
    // HAProxy 2.6 counts the connection (conn_tot) but no session (stot) for a failed handshake.
    const c = s.proxy.runtime.frontends.get('fe')!.counters;
    await waitFor(() => (c.scur === 0 ? true : undefined));
    expect({ stot: c.stot, connTot: c.connTot }).toEqual({ stot: 1, connTot: 3 });
  });

  it('a client closing before any byte is "Connection closed during SSL handshake", not logged with dontlognull', async () => {
    const text = (opt: string): string => `${DEFAULTS}${opt}
frontend fe
    bind 127.0.0.1:0 ssl crt ${pki.pem('a')}
    http-request return status 200
`;
    const plain = await start(text(''));
    const quiet = await start(text('    option dontlognull\n'));
    for (const s of [plain, quiet]) {
      const sock = net.connect(s.ports[0], '127.0.0.1');
      await once(sock, 'connect');
      sock.end();
      await once(sock, 'close');
    }
    const line = await waitFor(() => plain.errors[0]);
    expect(line).toMatch(/ fe\/1: Connection closed during SSL handshake$/);
    await waitFor(() => (quiet.proxy.runtime.frontends.get('fe')!.counters.connTot === 1 && quiet.proxy.runtime.actconn === 0 ? true : undefined));
    expect(quiet.errors).toEqual([]);
  });

  it('tcp-request connection cannot see the TLS session (never matches, as HAProxy): TLS clients get through', async () => {
    const s = await start(`${DEFAULTS}
frontend fe
    bind 127.0.0.1:0 ssl crt ${pki.pem('a')}
    tcp-request connection reject if !{ ssl_fc }
    http-request return status 200
`);
    expect((await tlsRequest(s.ports[0], { servername: 'a.example' })).status).toBe(200);
  });

  it('alpn: the first of the bind list the client offers', async () => {
    const s = await start(`${DEFAULTS}
frontend fe
    bind 127.0.0.1:0 ssl crt ${pki.pem('a')} alpn x-first,http/1.1
    http-request return status 200 content-type text/plain lf-string %[ssl_fc_alpn]
`);
    const r = await tlsRequest(s.ports[0], { ALPNProtocols: ['http/1.1', 'x-first'] });
    expect(r.alpn).toBe('x-first');
    expect(r.body).toBe('x-first');
  });

  it('verify required: a client certificate from the CA is accepted, none or a rogue one refused', async () => {
    const s = await start(`${DEFAULTS}
frontend fe
    bind 127.0.0.1:0 ssl crt ${pki.pem('a')} ca-file ${pki.caFile} verify required
    http-request return status 200 content-type text/plain lf-string "used=%[ssl_c_used] verify=%[ssl_c_verify]"
`);
    const ok = await tlsRequest(s.ports[0], { ...pki.client });
    expect(ok.body).toBe('used=1 verify=0');
    expect((await tlsRequest(s.ports[0], {})).status).toBeUndefined();
    expect((await tlsRequest(s.ports[0], { ...pki.rogue })).status).toBeUndefined();
    const lines = await waitFor(() => (s.errors.length >= 2 ? s.errors : undefined));
    expect(lines.map((l) => l.slice(l.indexOf(': ') + 2))).toEqual(['SSL handshake failure', 'SSL client certificate not trusted']);
  });

  it('verify optional: no certificate is fine, a rogue one is refused', async () => {
    const s = await start(`${DEFAULTS}
frontend fe
    bind 127.0.0.1:0 ssl crt ${pki.pem('a')} ca-file ${pki.caFile} verify optional
    http-request return status 200 content-type text/plain lf-string "used=%[ssl_c_used] verify=%[ssl_c_verify]"
`);
    expect((await tlsRequest(s.ports[0], {})).body).toBe('used=0 verify=0');
    expect((await tlsRequest(s.ports[0], { ...pki.client })).body).toBe('used=1 verify=0');
    expect((await tlsRequest(s.ports[0], { ...pki.rogue })).status).toBeUndefined();
  });

  it('crl-file: a revoked client certificate is refused, a valid one accepted', async () => {
    const s = await start(`${DEFAULTS}
frontend fe
    bind 127.0.0.1:0 ssl crt ${pki.pem('a')} ca-file ${pki.caFile} crl-file ${pki.crlFile} verify required
    http-request return status 200
`);
    expect((await tlsRequest(s.ports[0], { ...pki.client })).status).toBe(200);
    expect((await tlsRequest(s.ports[0], { ...pki.revoked })).status).toBeUndefined();
    expect(await waitFor(() => s.errors[0])).toMatch(/: SSL client certificate not trusted$/);
  });

  it('ssl-min-ver / ssl-max-ver / force-tlsv12 bound the protocol version', async () => {
    const s = await start(`${DEFAULTS}
frontend fe
    bind 127.0.0.1:0 ssl crt ${pki.pem('a')} ssl-min-ver TLSv1.3
    bind 127.0.0.1:0 ssl crt ${pki.pem('a')} ssl-max-ver TLSv1.2
    bind 127.0.0.1:0 ssl crt ${pki.pem('a')} force-tlsv12
    http-request return status 200
`);
    const [min13, max12, force12] = s.ports;
    expect((await tlsRequest(min13, {})).protocol).toBe('TLSv1.3');
    expect((await tlsRequest(min13, { maxVersion: 'TLSv1.2' })).error).toBeDefined();
    expect((await tlsRequest(max12, {})).protocol).toBe('TLSv1.2');
    expect((await tlsRequest(force12, {})).protocol).toBe('TLSv1.2');
    expect((await tlsRequest(force12, { minVersion: 'TLSv1.3' })).error).toBeDefined();
  });

  it('ciphers and ciphersuites choose what is negotiated', async () => {
    const s = await start(`${DEFAULTS}
frontend fe
    bind 127.0.0.1:0 ssl crt ${pki.pem('a')} ciphersuites TLS_CHACHA20_POLY1305_SHA256
    bind 127.0.0.1:0 ssl crt ${pki.pem('a')} ssl-max-ver TLSv1.2 ciphers ECDHE-RSA-AES128-GCM-SHA256
    http-request return status 200 content-type text/plain lf-string %[ssl_fc_cipher]
`);
    expect((await tlsRequest(s.ports[0], {})).body).toBe('TLS_CHACHA20_POLY1305_SHA256');
    expect((await tlsRequest(s.ports[1], {})).body).toBe('ECDHE-RSA-AES128-GCM-SHA256');
  });
});

describe('TLS certificates and defaults', () => {
  it('crt DIR loads every file in name order (first is the default); a key may sit in FILE.key', async () => {
    const dir = join(pki.dir, 'certs');
    mkdirSync(dir);
    copyFileSync(pki.pem('b'), join(dir, '1-b.pem'));
    copyFileSync(pki.pem('a'), join(dir, '2-a.pem'));
    // certificate alone, its key beside it, as HAProxy's ssl-load-extra-files loads them
    copyFileSync(join(pki.dir, 'dflt.crt'), join(dir, '3-d.pem'));
    copyFileSync(join(pki.dir, 'dflt.key'), join(dir, '3-d.pem.key'));
    const s = await start(`${DEFAULTS}
frontend fe
    bind 127.0.0.1:0 ssl crt ${dir}
    http-request return status 200
`);
    const cn = async (servername?: string): Promise<string | undefined> => (await tlsRequest(s.ports[0], servername ? { servername } : {})).cn;
    expect([await cn('a.example'), await cn('b.example'), await cn('default.example'), await cn()]).toEqual(['a.example', 'b.example', 'default.example', 'b.example']);
  });

  it('ssl-default-bind-options and crt-base apply to the bind lines', async () => {
    const s = await start(`global
    crt-base ${pki.dir}
    ssl-default-bind-options ssl-min-ver TLSv1.3
${DEFAULTS}
frontend fe
    bind 127.0.0.1:0 ssl crt a.pem
    bind 127.0.0.1:0 ssl crt a.pem ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.2
    http-request return status 200
`);
    expect((await tlsRequest(s.ports[0], { maxVersion: 'TLSv1.2' })).error).toBeDefined();
    expect((await tlsRequest(s.ports[0], {})).protocol).toBe('TLSv1.3');
    expect((await tlsRequest(s.ports[1], {})).protocol).toBe('TLSv1.2');
  });

  it('a handshake that does not come within timeout client is "Timeout during SSL handshake"', async () => {
    const s = await start(`defaults
    mode tcp
    timeout connect 5s
    timeout client 200ms
    timeout server 5s
frontend fe
    bind 127.0.0.1:0 ssl crt ${pki.pem('a')}
    default_backend b
backend b
    server s 127.0.0.1:1
`);
    const sock = net.connect(s.ports[0], '127.0.0.1');
    sock.on('error', () => {});
    const closed = new Promise((r) => sock.once('close', r));
    await closed;
    expect(await waitFor(() => s.errors[0])).toMatch(/ fe\/1: Timeout during SSL handshake$/);
    expect(s.proxy.runtime.frontends.get('fe')!.counters.stot).toBe(0);
  });
});

describe('TLS data path', () => {
  it('carries a 2 MB request body and a 3 MB response intact (back-pressure on the TLS socket)', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 'r').toString('latin1');
    const be = await httpBackend((_head, body, socket) => {
      socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${big.length}\r\nx-got: ${body.length}\r\n\r\n`);
      socket.write(big);
    });
    backends.push(be);
    const s = await start(`${DEFAULTS}
frontend fe
    bind 127.0.0.1:0 ssl crt ${pki.pem('a')}
    default_backend b
backend b
    server s 127.0.0.1:${be.port}
`);
    const body = 'q'.repeat(2 * 1024 * 1024);
    const r = await tlsRequest(s.ports[0], { send: `POST /up HTTP/1.1\r\nhost: a\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}` });
    expect(r.status).toBe(200);
    expect(r.headers!['x-got']).toBe(String(body.length));
    expect(r.body!.length).toBe(big.length);
    expect(r.body === big).toBe(true);
  });

  it('resumes TLS sessions by ticket unless no-tls-tickets', async () => {
    const s = await start(`${DEFAULTS}
frontend fe
    bind 127.0.0.1:0 ssl crt ${pki.pem('a')} ssl-max-ver TLSv1.2
    bind 127.0.0.1:0 ssl crt ${pki.pem('a')} ssl-max-ver TLSv1.2 no-tls-tickets
    http-request return status 200
`);
    const reused: boolean[] = [];
    for (const port of s.ports) {
      const first = await tlsSession(port, undefined);
      reused.push((await tlsSession(port, first.session)).reused);
    }
    expect(reused).toEqual([true, false]);
  });
});

describe('TLS under churn', () => {
  it('60 concurrent clients, a third cut mid-handshake, a third reset: every slot comes back, only the rest counted as sessions', async () => {
    const s = await start(`${DEFAULTS}
frontend fe
    bind 127.0.0.1:0 ssl crt ${pki.pem('a')}
    http-request return status 200 content-type text/plain string ok
`);
    const port = s.ports[0];
    const cut = async (reset: boolean): Promise<void> => {
      const sock = net.connect(port, '127.0.0.1');
      sock.on('error', () => {});
      await once(sock, 'connect');
      // The first bytes of a ClientHello record, then the client goes away.
      sock.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0xc8, 0x01]));
      if (reset) sock.resetAndDestroy();
      else sock.end();
      await new Promise((r) => sock.once('close', r));
    };
    const jobs: Promise<unknown>[] = [];
    for (let i = 0; i < 60; i++) jobs.push(i % 3 === 0 ? tlsRequest(port, {}) : cut(i % 3 === 2));
    const results = await Promise.all(jobs);
    expect(results.filter((r) => (r as { status?: number } | undefined)?.status === 200).length).toBe(20);
    const fe = s.proxy.runtime.frontends.get('fe')!;
    await waitFor(() => (s.proxy.runtime.actconn === 0 && fe.counters.scur === 0 ? true : undefined));
    expect({ stot: fe.counters.stot, connTot: fe.counters.connTot, lines: s.errors.length }).toEqual({ stot: 20, connTot: 60, lines: 40 });
    // A ClientHello never completed: "closed" after a FIN, a failure after a reset (as HAProxy 2.6).
    const reasons = s.errors.map((l) => l.slice(l.indexOf(': ') + 2));
    expect(reasons.filter((r) => r === 'Connection closed during SSL handshake').length).toBe(20);
    expect(reasons.filter((r) => r === 'SSL handshake failure').length).toBe(20);
  });
});

/** A handshake only (TLSv1.2: the session is known at secureConnect), offering `session` to resume. */
async function tlsSession(port: number, session: Buffer | undefined): Promise<{ session: Buffer | undefined; reused: boolean }> {
  const tls = await import('node:tls');
  const sock = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, session });
  await once(sock, 'secureConnect');
  const out = { session: sock.getSession(), reused: sock.isSessionReused() };
  sock.destroy();
  return out;
}

describe('TLS offloading in mode tcp', () => {
  it('decrypts to a plain backend; ssl_fc_sni switches backends; tcplog shows fe~', async () => {
    const plainA = net.createServer((c) => c.end('from-a\n')).listen(0, '127.0.0.1');
    const plainB = net.createServer((c) => c.end('from-b\n')).listen(0, '127.0.0.1');
    await Promise.all([once(plainA, 'listening'), once(plainB, 'listening')]);
    const pa = (plainA.address() as net.AddressInfo).port;
    const pb = (plainB.address() as net.AddressInfo).port;
    try {
      const s = await start(`defaults
    mode tcp
    timeout connect 5s
    timeout client 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:0 ssl crt ${pki.pem('a')} crt ${pki.pem('b')}
    tcp-request content accept if { ssl_fc }
    use_backend bb if { ssl_fc_sni -i b.example }
    default_backend ba
backend ba
    server s 127.0.0.1:${pa}
backend bb
    server s 127.0.0.1:${pb}
`);
      expect((await tlsRequest(s.ports[0], { servername: 'a.example', send: 'hello' })).received).toBe('from-a\n');
      expect((await tlsRequest(s.ports[0], { servername: 'b.example', send: 'hello' })).received).toBe('from-b\n');
      const recs = await s.proxy.waitLogs(2);
      expect(recs.map((r) => `${r.frontend} ${r.backend}`).sort()).toEqual(['fe~ ba', 'fe~ bb']);
    } finally {
      plainA.close();
      plainB.close();
    }
  });
});

const addr = (text: string, i: number): string => [...text.matchAll(/bind (127\.0\.0\.1:\d+)/g)][i][1];

describe('TLS files at check time', () => {
  it('warns about OCSP and SCT files next to a certificate (not served), the listener still starts', async () => {
    const dir = join(pki.dir, 'ocsp');
    mkdirSync(dir);
    copyFileSync(pki.pem('a'), join(dir, 'site.pem'));
    writeFileSync(join(dir, 'site.pem.ocsp'), 'x');
    const text = await withPorts(`${DEFAULTS}frontend fe\n    bind 127.0.0.1:0 ssl crt ${dir}/site.pem\n    http-request return status 200\n`);
    const diags = unsupportedByRuntime(configFrom(text));
    expect(diags.map((d) => `${d.severity} ${d.message}`)).toEqual([
      `warning 'bind ${addr(text, 0)}' : '${dir}/site.pem.ocsp' is not used: hapair does not staple OCSP responses nor send SCT lists.`,
    ]);
    const s = await start(`${DEFAULTS}frontend fe\n    bind 127.0.0.1:0 ssl crt ${dir}/site.pem\n    http-request return status 200\n`);
    expect((await tlsRequest(s.ports[0], {})).status).toBe(200);
  });

  it('crt-list: a missing list and per-certificate [options] are refused with the list file:line', async () => {
    writeFileSync(join(pki.dir, 'opts.txt'), `# with options\n${pki.pem('a')} [alpn h2] a.example\n`);
    const text = await withPorts(`${DEFAULTS}frontend fe\n    bind 127.0.0.1:0 ssl crt-list ${pki.dir}/none.txt\n    bind 127.0.0.1:0 ssl crt-list ${pki.dir}/opts.txt\n    http-request return status 200\n`);
    const problems = unsupportedByRuntime(configFrom(text)).map((d) => d.message.slice(d.message.indexOf(' : ') + 3));
    expect(problems).toEqual([
      `cannot open file '${pki.dir}/none.txt' : ENOENT`,
      `parsing [${pki.dir}/opts.txt:2]: per-certificate settings ('[...]') are not supported yet`,
    ]);
  });

  it('reports cipher, cipher suite and curve lists OpenSSL refuses, worded as HAProxy', async () => {
    const text = await withPorts(`${DEFAULTS}frontend fe\n    bind 127.0.0.1:0 ssl crt ${pki.pem('a')} ciphers NOPE\n    bind 127.0.0.1:0 ssl crt ${pki.pem('a')} ciphersuites AES128-SHA\n    bind 127.0.0.1:0 ssl crt ${pki.pem('a')} curves NOPE\n    http-request return status 200\n`);
    const problems = unsupportedByRuntime(configFrom(text)).map((d) => d.message.slice(d.message.indexOf(' : ') + 3));
    expect(problems).toEqual([
      `unable to set SSL cipher list to 'NOPE' for bind '${addr(text, 0)}' at [t.cfg:7].`,
      `unable to set TLS 1.3 cipher suites to 'AES128-SHA' for bind '${addr(text, 1)}' at [t.cfg:8].`,
      `unable to set SSL curves list to 'NOPE' for bind '${addr(text, 2)}' at [t.cfg:9].`,
    ]);
  });

  it('reports a missing certificate and a key that does not match, with file:line', async () => {
    const text = await withPorts(`${DEFAULTS}frontend fe\n    bind 127.0.0.1:0 ssl crt ${pki.dir}/nope.pem\n    bind 127.0.0.1:0 ssl crt ${pki.dir}/a.crt\n    http-request return status 200\n`);
    const problems = unsupportedByRuntime(configFrom(text)).map(formatDiagnostic);
    expect(problems).toEqual([
      `t.cfg:7: frontend 'fe': 'bind ${addr(text, 0)}' : unable to stat SSL certificate from file '${pki.dir}/nope.pem' : No such file or directory.`,
      // a.crt has no key in it, but a.crt.key does not exist either (a.key is another name).
      `t.cfg:8: frontend 'fe': 'bind ${addr(text, 1)}' : unable to load SSL private key from PEM file '${pki.dir}/a.crt'.`,
    ]);
  });
});
