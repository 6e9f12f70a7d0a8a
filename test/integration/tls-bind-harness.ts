// Test support for TLS termination (`bind ... ssl`): a throw-away PKI made with the openssl CLI
// (a CA, server certificates with SAN and wildcard names, client certificates from the CA and a
// self-signed rogue one) and a node:tls client that sends one HTTP/1.1 request (or raw bytes) and
// reports what it negotiated and received.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';

export interface Pki {
  readonly dir: string;
  /** PEM (certificate + key) per server name: `a` (a.example, *.a.example), `b` (b.example), `dflt` (default.example). */
  readonly pem: (name: 'a' | 'b' | 'dflt') => string;
  readonly caFile: string;
  /** Client certificate and key signed by the CA (C=FR, O=Test Org, OU=Ops, OU=Web, CN=client1) and a self-signed one (CN rogue). */
  readonly client: { cert: Buffer; key: Buffer };
  /** A client certificate of the CA (CN client2) that crlFile revokes. */
  readonly revoked: { cert: Buffer; key: Buffer };
  readonly crlFile: string;
  readonly rogue: { cert: Buffer; key: Buffer };
  cleanup(): void;
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

/** Server certificate files in `dir`: NAME.pem holds certificate then key, as HAProxy loads them. */
function serverCert(dir: string, name: string, cn: string, sans: string[]): void {
  const key = join(dir, `${name}.key`);
  const crt = join(dir, `${name}.crt`);
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${cn}`,
    '-addext', `subjectAltName=${sans.map((s) => `DNS:${s}`).join(',')}`, '-keyout', key, '-out', crt]);
  writeFileSync(join(dir, `${name}.pem`), readFileSync(crt, 'latin1') + readFileSync(key, 'latin1'));
}

export function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'hapair-tls-'));
  serverCert(dir, 'dflt', 'default.example', ['default.example']);
  serverCert(dir, 'a', 'a.example', ['a.example', '*.a.example']);
  serverCert(dir, 'b', 'b.example', ['b.example']);
  const p = (f: string): string => join(dir, f);
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=Test CA', '-keyout', p('ca.key'), '-out', p('ca.crt')]);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/C=FR/O=Test Org/OU=Ops/OU=Web/CN=client1', '-keyout', p('c1.key'), '-out', p('c1.csr')]);
  openssl(['x509', '-req', '-in', p('c1.csr'), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial', '-days', '2', '-out', p('c1.crt')]);
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=rogue', '-keyout', p('r.key'), '-out', p('r.crt')]);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=client2', '-keyout', p('c2.key'), '-out', p('c2.csr')]);
  openssl(['x509', '-req', '-in', p('c2.csr'), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial', '-days', '2', '-out', p('c2.crt')]);
  // `openssl ca` keeps its revocation database in files named by a config of its own.
  writeFileSync(p('index.txt'), '');
  writeFileSync(p('crlnumber'), '01\n');
  writeFileSync(p('ca.cnf'), `[ ca ]\ndefault_ca = d\n[ d ]\ndatabase = ${p('index.txt')}\ncrlnumber = ${p('crlnumber')}\ndefault_md = sha256\ndefault_crl_days = 2\n`);
  openssl(['ca', '-config', p('ca.cnf'), '-revoke', p('c2.crt'), '-keyfile', p('ca.key'), '-cert', p('ca.crt')]);
  openssl(['ca', '-config', p('ca.cnf'), '-gencrl', '-keyfile', p('ca.key'), '-cert', p('ca.crt'), '-out', p('crl.pem')]);
  return {
    dir,
    pem: (name) => p(`${name}.pem`),
    caFile: p('ca.crt'),
    client: { cert: readFileSync(p('c1.crt')), key: readFileSync(p('c1.key')) },
    rogue: { cert: readFileSync(p('r.crt')), key: readFileSync(p('r.key')) },
    revoked: { cert: readFileSync(p('c2.crt')), key: readFileSync(p('c2.key')) },
    crlFile: p('crl.pem'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface TlsResult {
  /** The handshake failed or the connection closed without an answer. */
  readonly error?: string;
  readonly protocol?: string;
  readonly alpn?: string | false | null;
  /** CN of the certificate the proxy presented. */
  readonly cn?: string;
  /** Everything the proxy sent after the handshake, latin1. */
  readonly received: string;
  /** Parsed HTTP response when `received` holds one. */
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export interface TlsRequestOptions extends tls.ConnectionOptions {
  /** Bytes to send once connected (default: a GET / with Host and connection: close). */
  readonly send?: string;
  readonly path?: string;
  readonly host?: string;
}

/** One connection: handshake, send, read until the proxy closes (bounded by a 5 s timer). */
export async function tlsRequest(port: number, opts: TlsRequestOptions = {}): Promise<TlsResult> {
  const { send, path = '/', host, ...conn } = opts;
  const sock = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...conn });
  const chunks: Buffer[] = [];
  let error: string | undefined;
  let secured = false;
  let info: Pick<TlsResult, 'protocol' | 'alpn' | 'cn'> = {};
  sock.on('data', (d: Buffer) => chunks.push(d));
  sock.on('error', (e) => (error ??= e.message));
  sock.once('secureConnect', () => {
    secured = true;
    info = { protocol: sock.getProtocol() ?? undefined, alpn: sock.alpnProtocol, cn: sock.getPeerCertificate().subject?.CN as string | undefined };
    sock.write(send ?? `GET ${path} HTTP/1.1\r\nhost: ${host ?? conn.servername ?? 'x'}\r\nconnection: close\r\n\r\n`);
  });
  const timer = setTimeout(() => sock.destroy(new Error('timeout')), 5000);
  try {
    // Not events.once: it would reject on the 'error' a refused handshake emits first.
    await new Promise((resolve) => sock.once('close', resolve));
  } finally {
    clearTimeout(timer);
  }
  const received = Buffer.concat(chunks).toString('latin1');
  if (!secured || (received === '' && error !== undefined)) return { error: error ?? 'closed', received, ...info };
  return { ...info, received, ...parseHttp(received) };
}

function parseHttp(text: string): Pick<TlsResult, 'status' | 'headers' | 'body'> {
  const split = text.indexOf('\r\n\r\n');
  if (!text.startsWith('HTTP/') || split < 0) return {};
  const [status, ...lines] = text.slice(0, split).split('\r\n');
  const headers: Record<string, string> = {};
  for (const l of lines) headers[l.slice(0, l.indexOf(':')).toLowerCase()] = l.slice(l.indexOf(':') + 1).trim();
  return { status: Number(status.split(' ')[1]), headers, body: text.slice(split + 4) };
}

/** The value of header `name` in a recorded request head (lower-cased name), undefined if absent. */
export function headerIn(head: string, name: string): string | undefined {
  for (const line of head.split('\r\n').slice(1)) {
    const i = line.indexOf(':');
    if (i > 0 && line.slice(0, i).toLowerCase() === name) return line.slice(i + 1).trim();
  }
  return undefined;
}
