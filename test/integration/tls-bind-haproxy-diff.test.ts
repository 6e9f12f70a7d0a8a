// Differential test of TLS termination against HAProxy 2.6: the same configuration text (same
// certificate files) runs in haproxy and in `hapair proxy`, the same node:tls clients connect to
// each, and what the clients get (handshake outcome, certificate CN, protocol, ALPN, status,
// Location, body) and what the backends receive (X-Forwarded-Proto and headers set from
// ssl_fc_sni, ssl_fc_protocol, ssl_fc_cipher, ssl_fc_alpn, ssl_c_used, ssl_c_verify) must match.
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distinctFreePorts, startHapairProxy, startHaproxy, startNameServer, type HaproxyRun, type NameServer } from './http-oracle-harness.ts';
import { headerIn, makePki, tlsRequest, type Pki, type TlsRequestOptions, type TlsResult } from './tls-bind-harness.ts';

const SAMPLE_HEADERS = ['x-forwarded-proto', 'x-sni', 'x-proto', 'x-cipher', 'x-alpn', 'x-cused', 'x-cverify', 'x-hassni', 'x-hascrt', 'x-resumed', 'x-sdn', 'x-scn', 'x-sou', 'x-sou-last', 'x-idn'];

let pki: Pki;
let main: NameServer;
let bee: NameServer;
let echo: net.Server;
let echoPort = 0;
let ports: number[] = [];
let runs: { name: string; run: HaproxyRun }[] = [];

function config(): string {
  const [https, http, strict, mtls, opt, v13, v12, tcp, srvOrder, cliOrder, curves, conn, list, crl] = ports;
  const samples = `    http-request redirect scheme https unless { ssl_fc }
    http-request set-header X-Forwarded-Proto https if { ssl_fc }
    http-request set-header X-SNI %[ssl_fc_sni]
    http-request set-header X-Proto %[ssl_fc_protocol]
    http-request set-header X-Cipher %[ssl_fc_cipher]
    http-request set-header X-ALPN %[ssl_fc_alpn]
    http-request set-header X-CUsed %[ssl_c_used]
    http-request set-header X-CVerify %[ssl_c_verify]
    http-request set-header X-HasSNI %[ssl_fc_has_sni]
    http-request set-header X-HasCrt %[ssl_fc_has_crt]
    http-request set-header X-Resumed %[ssl_fc_is_resumed]
    http-request set-header X-SDN "%[ssl_c_s_dn]"
    http-request set-header X-SCN "%[ssl_c_s_dn(cn)]"
    http-request set-header X-SOU "%[ssl_c_s_dn(ou)]"
    http-request set-header X-SOU-Last "%[ssl_c_s_dn(OU,-1)]"
    http-request set-header X-IDN "%[ssl_c_i_dn]"
`;
  return `global
    crt-base ${pki.dir}
defaults
    mode http
    timeout client 5s
    timeout connect 5s
    timeout server 5s
frontend fe
    bind 127.0.0.1:${https} ssl crt ${pki.pem('dflt')} crt ${pki.pem('a')} crt ${pki.pem('b')} alpn http/1.1,x-other
    bind 127.0.0.1:${http}
${samples}    use_backend bee if { ssl_fc_sni -i b.example }
    default_backend main
frontend strict
    bind 127.0.0.1:${strict} ssl crt ${pki.pem('a')} crt ${pki.pem('b')} strict-sni
${samples}    default_backend main
frontend mtls
    bind 127.0.0.1:${mtls} ssl crt ${pki.pem('a')} ca-file ${pki.caFile} verify required
${samples}    default_backend main
frontend optional
    bind 127.0.0.1:${opt} ssl crt ${pki.pem('a')} ca-file ${pki.caFile} verify optional
${samples}    default_backend main
frontend versions
    bind 127.0.0.1:${v13} ssl crt ${pki.pem('a')} ssl-min-ver TLSv1.3
    bind 127.0.0.1:${v12} ssl crt ${pki.pem('a')} force-tlsv12 ciphers ECDHE-RSA-AES128-GCM-SHA256
${samples}    default_backend main
frontend order
    bind 127.0.0.1:${srvOrder} ssl crt ${pki.pem('a')} ssl-max-ver TLSv1.2 ciphers ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384
    bind 127.0.0.1:${cliOrder} ssl crt ${pki.pem('a')} ssl-max-ver TLSv1.2 ciphers ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384 prefer-client-ciphers
    bind 127.0.0.1:${curves} ssl crt ${pki.pem('a')} curves X25519
${samples}    default_backend main
frontend conn
    bind 127.0.0.1:${conn} ssl crt ${pki.pem('a')}
    # Before the handshake: ssl_fc is true, ssl_fc_sni gives no sample yet.
    tcp-request connection reject if !{ ssl_fc }
    tcp-request connection reject if { ssl_fc_sni -m found }
${samples}    default_backend main
frontend list
    bind 127.0.0.1:${list} ssl crt dflt.pem crt-list ${pki.dir}/list.txt
${samples}    default_backend main
frontend crl
    bind 127.0.0.1:${crl} ssl crt ${pki.pem('a')} ca-file ${pki.caFile} crl-file ${pki.crlFile} verify required
${samples}    default_backend main
frontend offload
    mode tcp
    bind 127.0.0.1:${tcp} ssl crt ${pki.pem('a')} crt ${pki.pem('b')}
    use_backend echo_b if { ssl_fc_sni -i b.example }
    default_backend echo
backend main
    server s 127.0.0.1:${main.port}
backend bee
    server s 127.0.0.1:${bee.port}
backend echo
    mode tcp
    server s 127.0.0.1:${echoPort}
backend echo_b
    mode tcp
    server s 127.0.0.1:${echoPort}
`;
}

beforeAll(async () => {
  pki = makePki();
  main = await startNameServer('main');
  bee = await startNameServer('bee');
  // mode tcp backend: answers what it received, tagged, then closes.
  echo = net.createServer((c) => c.once('data', (d) => c.end(`echo:${d.toString('latin1')}`)));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  echoPort = (echo.address() as net.AddressInfo).port;
  ports = await distinctFreePorts(14);
  // Filters replace a certificate's own names; a negative one excludes a name from the line's wildcard.
  writeFileSync(join(pki.dir, 'list.txt'), '# certificates by SNI\n\nb.pem\na.pem www.a.example *.a.example !bad.a.example\nb.pem other.example\n');
});

afterAll(async () => {
  for (const r of runs) await r.run.stop();
  await main?.close();
  await bee?.close();
  echo?.close();
  pki?.cleanup();
});

/** What a client and the backend saw for one request, comparable between the two proxies. */
interface Outcome {
  readonly ok: boolean;
  readonly cn?: string;
  readonly protocol?: string;
  readonly alpn?: string | false | null;
  readonly status?: number;
  readonly location?: string;
  readonly body?: string;
  readonly received?: string;
  readonly backend?: Record<string, string | undefined>;
}

async function outcome(port: number, opts: TlsRequestOptions, tcp = false): Promise<Outcome> {
  const r: TlsResult = await tlsRequest(port, opts);
  // Refused: nothing came back. (HAProxy refuses a bad client certificate with an alert inside the
  // handshake; hapair closes right after it, docs/tls.md: a TLSv1.3 client sees a close either way.)
  if (r.received === '') return { ok: false };
  if (tcp) return { ok: true, cn: r.cn, protocol: r.protocol, received: r.received };
  const head = lastHead();
  const backend = head === undefined ? undefined : Object.fromEntries(SAMPLE_HEADERS.map((h) => [h, headerIn(head, h)]));
  return { ok: true, cn: r.cn, protocol: r.protocol, alpn: r.alpn, status: r.status, location: r.headers?.location, body: r.body, backend };
}

let lastMain = 0;
let lastBee = 0;
/** The head a backend received since the previous call (main or bee). */
function lastHead(): string | undefined {
  let head: string | undefined;
  if (main.heads.length > lastMain) head = main.heads.at(-1);
  if (bee.heads.length > lastBee) head = bee.heads.at(-1);
  lastMain = main.heads.length;
  lastBee = bee.heads.length;
  return head;
}

interface Case {
  readonly name: string;
  readonly port: () => number;
  readonly opts: () => TlsRequestOptions;
  readonly tcp?: boolean;
}

const CASES: Case[] = [
  { name: 'SNI a.example, ALPN http/1.1, TLSv1.2', port: () => ports[0], opts: () => ({ servername: 'a.example', ALPNProtocols: ['http/1.1'], maxVersion: 'TLSv1.2' }) },
  { name: 'SNI under the wildcard', port: () => ports[0], opts: () => ({ servername: 'www.a.example' }) },
  { name: 'SNI b.example switches backend', port: () => ports[0], opts: () => ({ servername: 'b.example', ALPNProtocols: ['x-other', 'http/1.1'] }) },
  { name: 'SNI matching nothing: default certificate', port: () => ports[0], opts: () => ({ servername: 'x.www.a.example' }) },
  { name: 'no SNI: default certificate', port: () => ports[0], opts: () => ({}) },
  { name: 'client certificate not asked for', port: () => ports[0], opts: () => ({ servername: 'a.example', ...pki.client }) },
  { name: 'strict-sni, matching', port: () => ports[2], opts: () => ({ servername: 'b.example' }) },
  { name: 'strict-sni, no match', port: () => ports[2], opts: () => ({ servername: 'c.example' }) },
  { name: 'strict-sni, no SNI', port: () => ports[2], opts: () => ({}) },
  { name: 'verify required, CA-signed client', port: () => ports[3], opts: () => ({ ...pki.client }) },
  { name: 'verify required, no certificate', port: () => ports[3], opts: () => ({}) },
  { name: 'verify required, rogue certificate', port: () => ports[3], opts: () => ({ ...pki.rogue }) },
  { name: 'verify optional, no certificate', port: () => ports[4], opts: () => ({}) },
  { name: 'verify optional, CA-signed client', port: () => ports[4], opts: () => ({ ...pki.client }) },
  { name: 'verify optional, rogue certificate', port: () => ports[4], opts: () => ({ ...pki.rogue }) },
  { name: 'ssl-min-ver TLSv1.3, client up to 1.3', port: () => ports[5], opts: () => ({}) },
  { name: 'ssl-min-ver TLSv1.3, client up to 1.2', port: () => ports[5], opts: () => ({ maxVersion: 'TLSv1.2' }) },
  { name: 'force-tlsv12 with ciphers', port: () => ports[6], opts: () => ({}) },
  { name: 'force-tlsv12, client from 1.3', port: () => ports[6], opts: () => ({ minVersion: 'TLSv1.3' }) },
  { name: 'cipher order: the server\'s', port: () => ports[8], opts: () => ({ ciphers: 'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256' }) },
  { name: 'cipher order: prefer-client-ciphers', port: () => ports[9], opts: () => ({ ciphers: 'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256' }) },
  { name: 'curves X25519, client X25519', port: () => ports[10], opts: () => ({ ecdhCurve: 'X25519' }) },
  { name: 'curves X25519, client P-384 only', port: () => ports[10], opts: () => ({ ecdhCurve: 'P-384' }) },
  { name: 'tcp-request connection rules on ssl_fc / ssl_fc_sni', port: () => ports[11], opts: () => ({ servername: 'a.example' }) },
  ...['b.example', 'www.a.example', 'x.a.example', 'bad.a.example', 'a.example', 'other.example'].map((servername): Case => ({
    name: `crt-list, SNI ${servername}`, port: () => ports[12], opts: () => ({ servername }),
  })),
  { name: 'crl-file, valid client certificate', port: () => ports[13], opts: () => ({ ...pki.client }) },
  { name: 'crl-file, revoked client certificate', port: () => ports[13], opts: () => ({ ...pki.revoked }) },
  { name: 'mode tcp offload', port: () => ports[7], opts: () => ({ servername: 'a.example', send: 'ping' }), tcp: true },
  { name: 'mode tcp offload by SNI', port: () => ports[7], opts: () => ({ servername: 'b.example', send: 'pong' }), tcp: true },
];

async function runAll(): Promise<Outcome[]> {
  const out: Outcome[] = [];
  lastHead();
  for (const c of CASES) {
    out.push(await outcome(c.port(), c.opts(), c.tcp));
    lastHead();
  }
  return out;
}

/** The plain bind: the redirect to https. */
async function plainRedirect(): Promise<string> {
  const sock = net.connect(ports[1], '127.0.0.1');
  let text = '';
  sock.on('data', (d) => (text += d.toString('latin1')));
  sock.on('error', () => {});
  sock.end('GET /p?q=1 HTTP/1.1\r\nhost: www.example.org\r\n\r\n');
  await new Promise((r) => sock.once('close', r));
  const head = text.slice(0, text.indexOf('\r\n\r\n'));
  return [head.split('\r\n')[0], `location: ${headerIn(head, 'location')}`].join('\n');
}

describe('TLS termination, compared with HAProxy 2.6', () => {
  let oracle: Outcome[];
  let ours: Outcome[];
  let oracleRedirect: string;
  let ourRedirect: string;

  beforeAll(async () => {
    const h = await startHaproxy(config(), ports);
    try {
      oracle = await runAll();
      oracleRedirect = await plainRedirect();
    } finally {
      await h.stop();
    }
    const p = await startHapairProxy(config(), ports);
    runs.push({ name: 'hapair', run: p });
    ours = await runAll();
    ourRedirect = await plainRedirect();
  }, 60_000);

  it.each(CASES.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
    expect(ours[i]).toEqual(oracle[i]);
  });

  it('redirects the plain bind to https', () => {
    expect(oracleRedirect).toBe('HTTP/1.1 302 Found\nlocation: https://www.example.org/p?q=1');
    expect(ourRedirect).toBe(oracleRedirect);
  });

  it('the oracle exercised every outcome (handshakes refused and accepted, both backends)', () => {
    expect(oracle.filter((o) => !o.ok).length).toBeGreaterThanOrEqual(4);
    expect(oracle.some((o) => o.body === 'bee')).toBe(true);
    expect(oracle.some((o) => o.backend?.['x-cused'] === '1')).toBe(true);
    const dn = oracle.find((o) => o.backend?.['x-scn'] === 'client1')?.backend;
    expect([dn?.['x-sdn'], dn?.['x-sou'], dn?.['x-sou-last'], dn?.['x-idn']]).toEqual(['/C=FR/O=Test Org/OU=Ops/OU=Web/CN=client1', 'Ops', 'Web', '/CN=Test CA']);
    const at = (name: string): Outcome => oracle[CASES.findIndex((c) => c.name === name)];
    expect(at("cipher order: the server's").backend?.['x-cipher']).toBe('ECDHE-RSA-AES128-GCM-SHA256');
    expect(at('cipher order: prefer-client-ciphers').backend?.['x-cipher']).toBe('ECDHE-RSA-AES256-GCM-SHA384');
    expect(at('curves X25519, client P-384 only').ok).toBe(false);
    expect(at('tcp-request connection rules on ssl_fc / ssl_fc_sni').status).toBe(200);
    expect([at('crl-file, valid client certificate').status, at('crl-file, revoked client certificate').ok]).toEqual([200, false]);
    expect(['b.example', 'www.a.example', 'x.a.example', 'bad.a.example', 'a.example', 'other.example'].map((n) => at(`crt-list, SNI ${n}`).cn))
      .toEqual(['b.example', 'a.example', 'a.example', 'default.example', 'default.example', 'b.example']);
  });
});
