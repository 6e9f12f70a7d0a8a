// Harness for TLS passthrough tests (mode tcp, routing on req.ssl_sni): backends that terminate
// TLS themselves (node:tls with an openssl certificate) or answer plain bytes, and clients that
// send their ClientHello at once, in small pieces, or only in part.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { makeCert, type TlsFiles } from './check-wiring-servers.ts';

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface Pki {
  readonly files: TlsFiles;
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** A self-signed certificate made by openssl (check-wiring-servers.ts makeCert). */
export function makePki(): Pki {
  const files = makeCert();
  return { files, cert: readFileSync(files.cert), key: readFileSync(files.key) };
}

/**
 * A backend on 127.0.0.1: a connection whose first byte is a TLS handshake record is handed to a
 * node:tls server, which greets `NAME sni=SNI alpn=ALPN` and echoes; any other connection gets
 * `NAME plain:` + what it sent. `arrivals` names this backend once per accepted connection in `log`.
 */
export class PassthroughBackend {
  readonly name: string;
  port = 0;
  readonly #server: net.Server;
  readonly #tls: tls.Server;
  readonly #sockets = new Set<net.Socket>();

  constructor(name: string, pki: Pki, log: string[]) {
    this.name = name;
    this.#tls = tls.createServer({ key: pki.key, cert: pki.cert, ALPNProtocols: ['h2', 'http/1.1'] }, (t) => {
      t.on('error', () => t.destroy());
      t.write(`${name} sni=${t.servername || '-'} alpn=${t.alpnProtocol || '-'}\n`);
      t.on('data', (d: Buffer) => t.write(d));
      t.on('end', () => t.end());
    });
    this.#tls.on('tlsClientError', () => undefined);
    this.#server = net.createServer((s) => {
      log.push(name);
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
      s.on('error', () => s.destroy());
      s.once('data', (first: Buffer) => {
        if (first[0] === 0x16) {
          s.pause();
          s.unshift(first);
          this.#tls.emit('connection', s);
          return;
        }
        s.write(`${name} plain:${first.toString('latin1')}`);
        s.on('data', (d: Buffer) => s.write(d));
        s.on('end', () => s.end());
      });
    });
  }

  async listen(): Promise<this> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    this.port = (this.#server.address() as net.AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    this.#server.close();
    await once(this.#server, 'close');
  }
}

export interface ClientOptions {
  readonly servername?: string;
  readonly alpn?: string[];
  /** Key-exchange groups offered (a short list gives a short hello: `X25519`). */
  readonly ecdhCurve?: string;
  /** Send the first `slowBytes` bytes (default all) in pieces of `piece` bytes, 1 ms apart. */
  readonly piece?: number;
  readonly slowBytes?: number;
  /** Send only the first `holdAfter` bytes; the rest is never sent. */
  readonly holdAfter?: number;
}

/**
 * The client's socket as node:tls sees it: writes go to `raw` as `opts` says. The loop writing
 * pieces is bounded by the chunk's length.
 */
function wire(raw: net.Socket, opts: ClientOptions): Duplex {
  let slow = opts.slowBytes ?? Infinity;
  let room = opts.holdAfter ?? Infinity;
  const piece = opts.piece ?? Infinity;
  const d = new Duplex({
    read() {
      raw.resume();
    },
    write(chunk: Buffer, _enc, cb) {
      void (async () => {
        let c = chunk.subarray(0, Math.min(chunk.length, room));
        room -= c.length;
        while (c.length > 0 && slow > 0 && raw.writable) {
          const n = Math.min(piece, slow, c.length);
          raw.write(c.subarray(0, n));
          slow -= n;
          c = c.subarray(n);
          await delay(1);
        }
        if (c.length > 0 && raw.writable) raw.write(c);
        cb();
      })();
    },
    final(cb) {
      raw.end();
      cb();
    },
    destroy(err, cb) {
      raw.destroy();
      cb(err);
    },
  });
  raw.on('data', (c: Buffer) => {
    if (!d.push(c)) raw.pause();
  });
  raw.on('end', () => d.push(null));
  raw.on('close', () => d.destroy());
  raw.on('error', () => d.destroy());
  return d;
}

export interface TlsOutcome {
  /** The backend's greeting line, or `closed` / `no answer` when none came. */
  readonly greeting: string;
  /** After the greeting, a line sent came back through the proxy unchanged. */
  readonly echoed: boolean;
}

/** A TLS client through the proxy at `port`, verifying the backend's certificate against `ca`. */
export async function tlsClient(port: number, ca: Buffer, opts: ClientOptions = {}, ms = 8000): Promise<TlsOutcome> {
  const raw = net.connect({ port, host: '127.0.0.1', noDelay: true });
  raw.on('error', () => undefined);
  await once(raw, 'connect');
  const sock = tls.connect({
    socket: wire(raw, opts), servername: opts.servername, ALPNProtocols: opts.alpn, ecdhCurve: opts.ecdhCurve, ca,
    // The certificate names ldap.test; the chain is still verified.
    checkServerIdentity: () => undefined,
  });
  let text = '';
  let closed = false;
  sock.on('data', (d: Buffer) => (text += d.toString('latin1')));
  sock.on('error', () => undefined);
  sock.on('close', () => (closed = true));
  const deadline = Date.now() + ms;
  try {
    while (!text.includes('\n') && !closed && Date.now() < deadline) await delay(5);
    const line = text.split('\n')[0]!;
    if (!text.includes('\n')) return { greeting: closed ? 'closed' : 'no answer', echoed: false };
    sock.write('ping 1234\n');
    while (!text.endsWith('ping 1234\n') && !closed && Date.now() < deadline) await delay(5);
    return { greeting: line, echoed: text === `${line}\nping 1234\n` };
  } finally {
    sock.destroy();
    raw.destroy();
  }
}

/** A client sending `bytes` and reading what comes back for `ms` or until closed. */
export async function plainClient(port: number, bytes: Buffer | string, ms = 3000): Promise<string> {
  const s = net.connect({ port, host: '127.0.0.1' });
  s.on('error', () => undefined);
  let text = '';
  let closed = false;
  s.on('data', (d: Buffer) => (text += d.toString('latin1')));
  s.on('close', () => (closed = true));
  await once(s, 'connect');
  s.write(bytes);
  const want = typeof bytes === 'string' ? bytes : bytes.toString('latin1');
  const deadline = Date.now() + ms;
  while (!closed && !text.endsWith(want) && Date.now() < deadline) await delay(5);
  s.destroy();
  return closed && text === '' ? 'closed' : text;
}

/** Wait (bounded) until `log` holds more than `before` entries: the backend a connection reached. */
export async function arrivedAt(log: readonly string[], before: number, ms = 8000): Promise<string> {
  const deadline = Date.now() + ms;
  while (log.length <= before && Date.now() < deadline) await delay(5);
  return log[before] ?? 'none';
}

/** Listen ports of the frontends both passthrough tests share. */
export interface PassthroughPorts {
  readonly tls: number;
  readonly strict: number;
  readonly pool: number;
  readonly short: number;
}

/** The frontends routed on the hello both passthrough tests run (config text, one section per line block). */
export function passthroughFrontends(p: PassthroughPorts): string {
  return `frontend tls_in
    bind 127.0.0.1:${p.tls}
    tcp-request inspect-delay 5s
    tcp-request content accept if { req.ssl_hello_type 1 }
    use_backend ldap if { req.ssl_sni -i ldap.example.com }
    use_backend web  if { req_ssl_sni -m end .example.com }
    default_backend other
frontend strict
    bind 127.0.0.1:${p.strict}
    tcp-request inspect-delay 5s
    tcp-request content reject unless { req.ssl_hello_type 1 }
    use_backend web if { req.ssl_sni -m end .example.com } { req.ssl_alpn h2 }
    default_backend other
frontend pool_in
    bind 127.0.0.1:${p.pool}
    tcp-request inspect-delay 5s
    tcp-request content accept if { req.ssl_hello_type 1 }
    default_backend pool
frontend short_delay
    bind 127.0.0.1:${p.short}
    tcp-request inspect-delay 500ms
    tcp-request content accept if { req.ssl_hello_type 1 }
    use_backend ldap if { req.ssl_sni -i ldap.example.com }
    default_backend other
`;
}

/** Their backends, `port(name)` giving each test backend's port (ldap, web, other, pa, pb). */
export function passthroughBackends(port: (name: string) => number): string {
  return `backend ldap
    server l1 127.0.0.1:${port('ldap')}
backend web
    server w1 127.0.0.1:${port('web')}
backend other
    server o1 127.0.0.1:${port('other')}
backend pool
    balance roundrobin
    use-server a if { req.ssl_sni a.example.com }
    use-server b if { req.ssl_sni b.example.com }
    server a 127.0.0.1:${port('pa')}
    server b 127.0.0.1:${port('pb')}
`;
}
