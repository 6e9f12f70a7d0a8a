// node:tls options of a server's TLS context (configuration.txt 5.2 "ssl", "verify", "ca-file",
// "crt", "sni", "alpn"), files read once at start. HAProxy checks the certificate chain with
// `verify required` and the name only when an SNI (or `verifyhost`) gives one; health checks
// share the context (CA, client certificate, verify) with their own `check-sni`/`check-alpn`.
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { parseServerTls, type ServerTlsSettings, type SslServerVerify } from '../config/server-tls.ts';

export type ServerTlsOptions = Pick<tls.ConnectionOptions, 'rejectUnauthorized' | 'ca' | 'cert' | 'key' | 'servername' | 'ALPNProtocols' | 'checkServerIdentity'>;

/** What a check connection takes from the server's context (its `alpn` too); it adds its own SNI and `check-alpn`. */
export type CheckTlsContext = Pick<tls.ConnectionOptions, 'rejectUnauthorized' | 'ca' | 'cert' | 'key' | 'ALPNProtocols'>;

const NO_IDENTITY_CHECK = (): undefined => undefined;

/** The name check HAProxy's ssl_sock_srv_verifycbk makes: against the SNI sent, none without one. */
export function identityCheck(sni: string | undefined): tls.ConnectionOptions['checkServerIdentity'] {
  return sni !== undefined ? (_host: string, cert: tls.PeerCertificate) => tls.checkServerIdentity(sni, cert) : NO_IDENTITY_CHECK;
}

function contextOptions(s: ServerTlsSettings): CheckTlsContext {
  const pem = s.crt !== undefined ? readFileSync(s.crt) : undefined;
  return {
    rejectUnauthorized: s.verify === 'required',
    ...(s.caFile !== undefined ? { ca: readFileSync(s.caFile) } : {}),
    // HAProxy's `crt` is one PEM holding the certificate and its key.
    ...(pem !== undefined ? { cert: pem, key: pem } : {}),
    // The server's `alpn` is set on its SSL_CTX (ssl_sock_prepare_srv_ctx): checks offer it unless `check-alpn`.
    ...(s.alpn !== undefined ? { ALPNProtocols: [...s.alpn] } : {}),
  };
}

/** Traffic: undefined when the server is reached in clear (`ssl` unset or `no-ssl`). */
export function serverTlsOptions(
  params: Readonly<Record<string, readonly string[]>>,
  globalVerify: SslServerVerify = 'required',
  /** Also when traffic is plain but the server has TLS settings (HAProxy's ssl_ctx, for `set server ssl on`). */
  evenOff = false,
): ServerTlsOptions | undefined {
  const parsed = parseServerTls(params, globalVerify);
  const s = parsed.settings;
  if (s === undefined || (!parsed.traffic && !evenOff)) return undefined;
  const sni = s.sni;
  return {
    ...contextOptions(s),
    ...(sni !== undefined ? { servername: sni } : {}),
    checkServerIdentity: identityCheck(sni),
  };
}

/** Checks over TLS (`check-ssl`, or `ssl` inherited): the server's context, undefined without TLS. */
export function checkTlsContext(params: Readonly<Record<string, readonly string[]>>, globalVerify: SslServerVerify = 'required', tcpCheckSsl = false): CheckTlsContext | undefined {
  const s = parseServerTls(params, globalVerify, tcpCheckSsl).settings;
  return s === undefined ? undefined : contextOptions(s);
}
