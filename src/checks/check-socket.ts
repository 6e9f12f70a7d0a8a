// One health-check connection (the shell around a tcp-check run): TCP connect, optional PROXY
// header, optional TLS with `verify none`, an input buffer, and one-shot wake-ups for the run.
// Socket errors are recorded, never thrown: the run turns them into check statuses.
import net from 'node:net';
import tls from 'node:tls';
import type { CheckTlsContext } from './check.ts';

export type ConnPhase = 'l4' | 'l6' | 'ready' | 'closed';

export interface ConnError {
  /** errno name (ECONNREFUSED...) or an OpenSSL/Node code. */
  readonly code: string;
  readonly message: string;
  /** Phase the error happened in: L4 connect, L6 TLS handshake, or after. */
  readonly phase: ConnPhase;
}

export interface OpenOptions {
  readonly host: string;
  readonly port: number;
  readonly ssl: boolean;
  readonly sni?: string;
  readonly alpn?: readonly string[];
  readonly sendProxy?: false | 'v1' | 'v2';
  readonly linger: boolean;
  /** The server's TLS context (verify, CA, client certificate); unverified without one. */
  readonly tlsContext?: CheckTlsContext;
}

const NO_IDENTITY_CHECK = (): undefined => undefined;

/** strerror() texts for the errors a check meets, as HAProxy prints them in `info`. */
const STRERROR: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'Connection refused',
  ECONNRESET: 'Connection reset by peer',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  ETIMEDOUT: 'Connection timed out',
  EPIPE: 'Broken pipe',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EADDRINUSE: 'Address already in use',
  ECONNABORTED: 'Software caused connection abort',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EINVAL: 'Invalid argument',
  EAFNOSUPPORT: 'Address family not supported by protocol',
  ENOTFOUND: 'Name or service not known',
  EAI_AGAIN: 'Temporary failure in name resolution',
};

export function strerror(code: string): string | undefined {
  return STRERROR[code];
}

/** PROXY protocol v2 signature (HAProxy doc/proxy-protocol.txt 2.2). */
const PP2_SIG = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');

export class CheckConnection {
  phase: ConnPhase = 'l4';
  error: ConnError | null = null;
  /** The peer closed its side (end of stream). */
  eos = false;
  #input: Buffer[] = [];
  #inputLen = 0;
  #socket: net.Socket;
  #wake: (() => void) | null = null;
  readonly #linger: boolean;

  constructor(opts: OpenOptions) {
    this.#linger = opts.linger;
    const raw = net.connect({ host: opts.host, port: opts.port, noDelay: true });
    this.#socket = raw;
    raw.on('error', (err) => this.#fail(err));
    raw.once('connect', () => this.#onTcpConnected(raw, opts));
  }

  #onTcpConnected(raw: net.Socket, opts: OpenOptions): void {
    if (this.phase === 'closed') return;
    if (opts.sendProxy) raw.write(proxyHeader(raw, opts.sendProxy));
    if (!opts.ssl) {
      this.#attachReader(raw);
      this.#setPhase('ready');
      return;
    }
    this.#setPhase('l6');
    const servername = opts.sni && net.isIP(opts.sni) === 0 ? opts.sni : undefined;
    const tlsSock = tls.connect({
      socket: raw,
      rejectUnauthorized: false,
      ...opts.tlsContext,
      // With verification the name is checked against the SNI sent, none without (ssl_sock_srv_verifycbk).
      checkServerIdentity: servername ? (_h: string, cert: tls.PeerCertificate) => tls.checkServerIdentity(servername, cert) : NO_IDENTITY_CHECK,
      ...(servername ? { servername } : {}),
      ...(opts.alpn ? { ALPNProtocols: [...opts.alpn] } : {}),
    });
    this.#socket = tlsSock;
    tlsSock.on('error', (err) => this.#fail(err));
    tlsSock.once('secureConnect', () => this.#setPhase('ready'));
    this.#attachReader(tlsSock);
  }

  #attachReader(sock: net.Socket): void {
    sock.on('data', (chunk: Buffer) => {
      this.#input.push(chunk);
      this.#inputLen += chunk.length;
      this.#notify();
    });
    sock.on('end', () => {
      this.eos = true;
      this.#notify();
    });
    sock.on('close', () => {
      if (this.phase !== 'ready' && !this.error && this.phase !== 'closed') {
        this.error = { code: 'ECONNRESET', message: 'Connection reset by peer', phase: this.phase };
      }
      this.eos = true;
      this.#notify();
    });
  }

  #setPhase(phase: ConnPhase): void {
    if (this.phase === 'closed') return;
    this.phase = phase;
    this.#notify();
  }

  #fail(err: NodeJS.ErrnoException): void {
    if (!this.error && this.phase !== 'closed') {
      this.error = { code: err.code ?? 'EIO', message: err.message, phase: this.phase };
    }
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  /** Resolve at the next socket event or `interrupt()`. */
  next(): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  /** Wake a pending `next()` (the run's deadline fired). */
  interrupt(): void {
    this.#notify();
  }

  /** Bytes received since the last `takeInput`, appended to `prev`. */
  takeInput(prev: Buffer): Buffer {
    if (this.#inputLen === 0) return prev;
    const out = Buffer.concat([prev, ...this.#input]);
    this.#input = [];
    this.#inputLen = 0;
    return out;
  }

  get pendingInput(): number {
    return this.#inputLen;
  }

  write(data: Buffer): void {
    if (this.phase === 'closed' || data.length === 0) return;
    this.#socket.write(data);
  }

  /** Close: a graceful FIN with `linger`, otherwise a reset like HAProxy's check connections. */
  close(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    const sock = this.#socket;
    sock.removeAllListeners('data');
    sock.on('error', () => {});
    if (this.#linger || sock instanceof tls.TLSSocket || sock.destroyed) {
      sock.destroySoon();
      setTimeout(() => sock.destroy(), 1000).unref();
    } else {
      try {
        sock.resetAndDestroy();
      } catch {
        sock.destroy();
      }
    }
    this.#notify();
  }
}

/** PROXY header of a check connection: the check's own addresses (v1), LOCAL (v2). */
function proxyHeader(sock: net.Socket, version: 'v1' | 'v2'): Buffer {
  if (version === 'v2') return Buffer.concat([PP2_SIG, Buffer.from([0x20, 0x00, 0x00, 0x00])]);
  const fam = sock.remoteFamily === 'IPv6' ? 'TCP6' : 'TCP4';
  const line = `PROXY ${fam} ${sock.localAddress} ${sock.remoteAddress} ${sock.localPort} ${sock.remotePort}\r\n`;
  return Buffer.from(line, 'latin1');
}
