// The TLS side of a `bind ... ssl` listener (configuration.txt 5.1; ssl_sock.c
// ssl_sock_prepare_ctx, ssl_sock_switchctx_cbk): one secure context per certificate, chosen by
// the client's SNI (exact name, then a one-label wildcard, else the first certificate; with
// `strict-sni` no match refuses the handshake), and the node:tls options of the server sockets.
import { readFileSync } from 'node:fs';
import { constants as cryptoConstants } from 'node:crypto';
import tls from 'node:tls';
import { versionRange } from '../config/bind-tls.ts';
import type { BindSpec, BindTls, TlsVersion } from '../config/model.ts';
import { SniIndex } from './sni-index.ts';
import { CertLoadError, loadCrts, type LoadedCert } from './tls-certs.ts';

/** OpenSSL's default TLSv1.3 suites, kept when only `ciphers` is set (Node would drop them). */
const DEFAULT_CIPHERSUITES = 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256';
/** HAProxy leaves OpenSSL's default cipher list (Node's own default is narrower). */
const DEFAULT_CIPHERS = 'DEFAULT';

const NODE_VERSION: Readonly<Record<TlsVersion, tls.SecureVersion | undefined>> = {
  SSLv3: undefined, 'TLSv1.0': 'TLSv1', 'TLSv1.1': 'TLSv1.1', 'TLSv1.2': 'TLSv1.2', 'TLSv1.3': 'TLSv1.3',
};

export class TlsConfigError extends Error {
  readonly code = 'HAPAIR_E_TLS_CONFIG';
}

export interface BindTlsContext {
  /** Options of `new tls.TLSSocket(socket, options)` for an accepted connection. */
  readonly socketOptions: tls.TLSSocketOptions;
  readonly certs: readonly LoadedCert[];
}

/** Context options every certificate shares (Node swaps only certificate, key and chain on SNI). */
function commonOptions(t: BindTls, where: string): tls.SecureContextOptions {
  const range = versionRange(t, where);
  if (range === undefined) throw new TlsConfigError(`all SSL/TLS versions are disabled for ${where}`);
  // Node takes both lists in one string and tells them apart by the TLS_ prefix of TLSv1.3 names.
  if (t.ciphersuites !== undefined && t.ciphersuites.split(':').some((n) => !n.startsWith('TLS_'))) {
    throw new TlsConfigError(`unable to set TLS 1.3 cipher suites to '${t.ciphersuites}' for ${where}.`);
  }
  const ciphers = `${t.ciphers ?? DEFAULT_CIPHERS}:${t.ciphersuites ?? DEFAULT_CIPHERSUITES}`;
  const verify = t.verify ?? 'none';
  // HAProxy loads the file at parse time whatever `verify` says; it is used only to verify.
  const ca = t.caFile !== undefined ? readPem('ca-file', t.caFile) : undefined;
  const crl = t.crlFile !== undefined ? readPem('crl-file', t.crlFile) : undefined;
  return {
    minVersion: NODE_VERSION[range.min],
    maxVersion: NODE_VERSION[range.max],
    ciphers,
    // HAProxy sets SSL_OP_CIPHER_SERVER_PREFERENCE unless `prefer-client-ciphers`.
    honorCipherOrder: !t.preferClientCiphers,
    ecdhCurve: t.curves ?? t.ecdhe ?? 'auto',
    dhparam: 'auto',
    ...(t.noTlsTickets ? { secureOptions: cryptoConstants.SSL_OP_NO_TICKET } : {}),
    ...(verify !== 'none' && ca !== undefined ? { ca } : {}),
    // Node then checks the whole chain against them (X509_V_FLAG_CRL_CHECK_ALL), as HAProxy does.
    ...(verify !== 'none' && crl !== undefined ? { crl } : {}),
  };
}

function readPem(keyword: string, file: string): string {
  try {
    return readFileSync(file, 'latin1');
  } catch {
    throw new TlsConfigError(`'${keyword}' : unable to load ${file}`);
  }
}

function contextOf(common: tls.SecureContextOptions, cert: LoadedCert | undefined): tls.SecureContext {
  try {
    return tls.createSecureContext(cert === undefined ? common : { ...common, cert: cert.certChain, key: cert.key });
  } catch (err) {
    const msg = (err as Error).message;
    if (cert !== undefined && /key values mismatch/i.test(msg)) {
      throw new TlsConfigError(`inconsistencies between private key and certificate loaded from PEM file '${cert.file}'.`);
    }
    throw new TlsConfigError(cert !== undefined ? `unable to load SSL certificate into SSL Context '${cert.file}': ${msg}` : msg);
  }
}

function bareContext(common: tls.SecureContextOptions, t: BindTls, where: string): tls.SecureContext {
  try {
    return tls.createSecureContext(common);
  } catch (err) {
    const msg = (err as Error).message;
    if (/curve/i.test(msg)) throw new TlsConfigError(`unable to set SSL curves list to '${t.curves ?? t.ecdhe}' for ${where}.`);
    if (/cipher/i.test(msg)) {
      // OpenSSL says "no cipher match" for either list: blame the one the line set.
      if (t.ciphersuites !== undefined && (t.ciphers === undefined || /suite/i.test(msg))) throw new TlsConfigError(`unable to set TLS 1.3 cipher suites to '${t.ciphersuites}' for ${where}.`);
      throw new TlsConfigError(`unable to set SSL cipher list to '${t.ciphers}' for ${where}.`);
    }
    throw new TlsConfigError(`${msg} for ${where}.`);
  }
}

/** Builds a listener's TLS contexts; throws TlsConfigError (files, ciphers, versions). */
export function buildBindTlsContext(bind: BindSpec): BindTlsContext {
  const t = bind.ssl!;
  const where = `bind '${bind.arg ?? ''}' at [${bind.loc.file}:${bind.loc.line}]`;
  const common = commonOptions(t, where);
  // Settings first, without a certificate, to word their errors as HAProxy (ssl_sock_prepare_ctx).
  const bare = bareContext(common, t, where);
  let certs: LoadedCert[];
  try {
    certs = loadCrts(t.crts, t.crtBase);
  } catch (err) {
    if (err instanceof CertLoadError) throw new TlsConfigError(err.message);
    throw err;
  }
  const index = new SniIndex();
  const contexts = certs.map((c) => contextOf(common, c));
  certs.forEach((c, i) => index.add(c, contexts[i]));
  // strict-sni: the default context has no certificate, so a handshake nothing matched fails.
  const fallback = t.strictSni || contexts.length === 0 ? bare : contexts[0];
  const verify = t.verify ?? 'none';
  const socketOptions: tls.TLSSocketOptions = {
    isServer: true,
    secureContext: fallback,
    // No match keeps the socket's default context: the first certificate, or none with strict-sni.
    SNICallback: (servername, cb) => cb(null, index.find(servername)),
    requestCert: verify !== 'none',
    rejectUnauthorized: verify === 'required',
    ...(t.alpn !== undefined ? { ALPNProtocols: [...t.alpn] } : {}),
  };
  return { socketOptions, certs };
}

const built = new WeakMap<BindSpec, BindTlsContext>();

/** The context of a bind line, built once (the runtime gates at check time and the listener share it). */
export function bindTlsContextOf(bind: BindSpec): BindTlsContext {
  let ctx = built.get(bind);
  if (ctx === undefined) built.set(bind, (ctx = buildBindTlsContext(bind)));
  return ctx;
}
