// node:tls options of a server with `ssl` (configuration.txt 5.2 "ssl", "verify", "ca-file",
// "crt", "sni", "alpn"), files read once at start. HAProxy checks the certificate chain with
// `verify required` and the name only when `sni` (or `verifyhost`) gives one.
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { parseServerTls } from '../config/server-tls.ts';

export type ServerTlsOptions = Pick<tls.ConnectionOptions, 'rejectUnauthorized' | 'ca' | 'cert' | 'key' | 'servername' | 'ALPNProtocols' | 'checkServerIdentity'>;

const NO_IDENTITY_CHECK = (): undefined => undefined;

export function serverTlsOptions(params: Readonly<Record<string, readonly string[]>>): ServerTlsOptions | undefined {
  const s = parseServerTls(params).settings;
  if (s === undefined) return undefined;
  const pem = s.crt !== undefined ? readFileSync(s.crt) : undefined;
  const sni = s.sni;
  return {
    rejectUnauthorized: s.verify === 'required',
    ...(s.caFile !== undefined ? { ca: readFileSync(s.caFile) } : {}),
    // HAProxy's `crt` is one PEM holding the certificate and its key.
    ...(pem !== undefined ? { cert: pem, key: pem } : {}),
    ...(sni !== undefined ? { servername: sni } : {}),
    ...(s.alpn !== undefined ? { ALPNProtocols: [...s.alpn] } : {}),
    checkServerIdentity: sni !== undefined ? (_host: string, cert: tls.PeerCertificate) => tls.checkServerIdentity(sni, cert) : NO_IDENTITY_CHECK,
  };
}
