// The TLS handshake of an accepted connection on a `bind ... ssl` listener: HAProxy's embryonic
// session (src/session.c session_accept_fd, session_kill_embryonic), bounded by `timeout client`.
// Once the handshake completes the session starts on the TLS socket; a failed one is closed and
// logged as HAProxy 2.6 does without `error-log-format`: `ip:port [date] fe/bind: reason`.
import type net from 'node:net';
import tls from 'node:tls';
import { formatDateLog } from '../log/log-time.ts';
import type { Listener } from '../net/listener.ts';
import { dnEntries, setClientTls, X509_VERIFY_CODES, type ClientTls } from '../net/tls-info.ts';
import type { X509Certificate } from 'node:crypto';
import type { ProxyFrontend } from './proxy-frontend.ts';

/** conn_err_code_str() of the handshake errors (include/haproxy/connection.h). */
export const SSL_EMPTY = 'Connection closed during SSL handshake';
export const SSL_HANDSHAKE = 'SSL handshake failure';
export const SSL_TIMEOUT = 'Timeout during SSL handshake';
export const SSL_CRT_FAIL = 'SSL client certificate not trusted';

export interface TlsAcceptHost {
  /** The handshake completed: start the session on `socket`. */
  tlsEstablished(fe: ProxyFrontend, listener: Listener, socket: tls.TLSSocket): void;
  /** The handshake failed and the connection is closed: release the slot. */
  tlsFailed(fe: ProxyFrontend, listener: Listener, socket: tls.TLSSocket): void;
}

interface VerifyingHandle {
  verifyError?(): (Error & { code?: string }) | null;
}

/** Runs the handshake on `raw` with the listener's TLS context, then hands the result to `host`. Returns the TLS socket. */
export function acceptTls(host: TlsAcceptHost, fe: ProxyFrontend, listener: Listener, raw: net.Socket): tls.TLSSocket {
  const ctx = listener.tls!;
  const acceptDate = Date.now();
  const tAccept = performance.now();
  // Read at accept: a client that closes at once has no peer address any more afterwards.
  const src = raw.remoteAddress ?? 'unix';
  const srcPort = raw.remotePort ?? listener.id;
  const socket = new tls.TLSSocket(raw, ctx.socketOptions);
  let settled = false;
  let timer: NodeJS.Timeout | null = null;
  const fail = (reason: string): void => {
    if (settled) return;
    settled = true;
    if (timer !== null) clearTimeout(timer);
    socket.destroy();
    logFailure(fe, listener, src, srcPort, acceptDate, reason);
    host.tlsFailed(fe, listener, socket);
  };
  // ssl_sock.c ssl_sock_handshake: a clean close before the ClientHello was processed (no cipher
  // chosen yet: OpenSSL's TLS_ST_BEFORE) is "empty"; an OpenSSL error, a reset (HAProxy sees the
  // socket error first, measured: with or without bytes sent) or leaving later is a failure.
  const onError = (): void => fail(SSL_HANDSHAKE);
  const onClose = (): void => fail(socket.getCipher() !== undefined ? SSL_HANDSHAKE : SSL_EMPTY);
  socket.on('error', onError);
  // Half-open sockets: the client's FIN during the handshake is an 'end', not a 'close'.
  socket.on('end', onClose);
  socket.on('close', onClose);
  if (fe.clientTimeout > 0) timer = setTimeout(() => fail(SSL_TIMEOUT), fe.clientTimeout);
  socket.once('secure', () => {
    if (settled) return;
    const info = clientTlsInfo(socket, ctx.socketOptions.requestCert === true, acceptDate, tAccept);
    // HAProxy aborts the handshake on a certificate that fails verification, `verify optional` too.
    if (info.certUsed && info.verify !== 0) return fail(SSL_CRT_FAIL);
    settled = true;
    if (timer !== null) clearTimeout(timer);
    socket.removeListener('error', onError);
    socket.removeListener('end', onClose);
    socket.removeListener('close', onClose);
    setClientTls(socket, info);
    host.tlsEstablished(fe, listener, socket);
  });
  return socket;
}

function clientTlsInfo(socket: tls.TLSSocket, requested: boolean, acceptDate: number, tAccept: number): ClientTls {
  let certUsed = false;
  let verify = 0;
  let peer: X509Certificate | undefined;
  if (requested) {
    peer = socket.getPeerX509Certificate();
    certUsed = peer !== undefined;
    const err = certUsed ? (socket as unknown as { _handle: VerifyingHandle | null })._handle?.verifyError?.() : null;
    // An error Node has no number for still fails: 1 is X509_V_ERR_UNSPECIFIED.
    if (err) verify = X509_VERIFY_CODES[err.code ?? ''] ?? 1;
  }
  const servername = (socket as tls.TLSSocket & { servername?: string | false }).servername;
  const alpn = socket.alpnProtocol;
  return {
    sni: typeof servername === 'string' && servername !== '' ? servername : undefined,
    protocol: socket.getProtocol() ?? '',
    cipher: socket.getCipher()?.name ?? '',
    alpn: typeof alpn === 'string' && alpn !== '' ? alpn : undefined,
    certUsed,
    verify,
    resumed: socket.isSessionReused(),
    subject: peer === undefined ? undefined : dnEntries(peer.subject),
    issuer: peer === undefined ? undefined : dnEntries(peer.issuer),
    acceptDate,
    tAccept,
    handshakeMs: Math.floor(performance.now() - tAccept),
  };
}

/** session_kill_embryonic: `option dontlognull` skips connections that sent nothing. */
function logFailure(fe: ProxyFrontend, listener: Listener, src: string, srcPort: number, acceptDate: number, reason: string): void {
  const sink = fe.sink?.connectionError;
  if (sink === undefined) return;
  if (fe.dontlognull && reason === SSL_EMPTY) return;
  const bind = listener.bind.name ?? String(listener.id);
  sink(`${src}:${srcPort} [${formatDateLog(acceptDate)}] ${fe.name}/${bind}: ${reason}`);
}
