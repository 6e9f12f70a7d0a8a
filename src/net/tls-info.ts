// What a terminated TLS connection tells the fetches (`ssl_fc*`, `ssl_c_*`, configuration.txt
// 7.3.4) and the logs (%sslv, %sslc, %Th, the '~' of %ft): taken once when the handshake
// completes and kept on the client socket, so plain sockets pay one property read.
import type net from 'node:net';

/** A distinguished name as [short name, value] entries, in the certificate's order (`C`, `O`, `CN` ...). */
export type DnEntries = readonly (readonly [string, string])[];

/** Node's multi-line DN text (`C=FR\nCN=x`) as entries. */
export function dnEntries(text: string): DnEntries {
  const out: [string, string][] = [];
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out.push([line.slice(0, eq), line.slice(eq + 1)]);
  }
  return out;
}

export interface ClientTls {
  /** `ssl_fc_sni`: the server name the client sent, undefined without SNI. */
  readonly sni: string | undefined;
  /** `ssl_fc_protocol` / %sslv: `TLSv1.3` ... */
  readonly protocol: string;
  /** `ssl_fc_cipher` / %sslc: OpenSSL's cipher name. */
  readonly cipher: string;
  /** `ssl_fc_alpn`: the protocol chosen by ALPN, undefined without one. */
  readonly alpn: string | undefined;
  /** `ssl_c_used`: the client sent a certificate. */
  readonly certUsed: boolean;
  /** `ssl_c_verify`: OpenSSL's X509 verify result for that certificate (0 = ok or none). */
  readonly verify: number;
  /** `ssl_fc_is_resumed`: the session was resumed (ticket or session id). */
  readonly resumed: boolean;
  /** `ssl_c_s_dn` / `ssl_c_i_dn`: the client certificate's subject and issuer entries in order. */
  readonly subject: DnEntries | undefined;
  readonly issuer: DnEntries | undefined;
  /** Accept time of the TCP connection (wall clock, and monotonic for the timers). */
  readonly acceptDate: number;
  readonly tAccept: number;
  /** %Th: ms from accept to the end of the handshake. */
  readonly handshakeMs: number;
}

/**
 * A connection of a TLS listener before its handshake (`tcp-request connection` rules): HAProxy's
 * ssl_fc is already true there (the transport is SSL), no SNI, ALPN, version or cipher yet, no
 * client certificate (ssl_c_used false, ssl_c_verify 0).
 */
export const HANDSHAKE_PENDING: ClientTls = Object.freeze({
  sni: undefined, protocol: '', cipher: '', alpn: undefined, certUsed: false, verify: 0, resumed: false,
  subject: undefined, issuer: undefined, acceptDate: 0, tAccept: 0, handshakeMs: 0,
});

const CLIENT_TLS = Symbol('hapair.clientTls');
type Tagged = net.Socket & { [CLIENT_TLS]?: ClientTls };

export function clientTlsOf(socket: net.Socket): ClientTls | undefined {
  return (socket as Tagged)[CLIENT_TLS];
}

export function setClientTls(socket: net.Socket, info: ClientTls): void {
  (socket as Tagged)[CLIENT_TLS] = info;
}

/** OpenSSL X509_V_ERR_* numbers by the names Node reports (x509_vfy.h), for `ssl_c_verify`. */
export const X509_VERIFY_CODES: Readonly<Record<string, number>> = {
  UNABLE_TO_GET_ISSUER_CERT: 2, UNABLE_TO_GET_CRL: 3, UNABLE_TO_DECRYPT_CERT_SIGNATURE: 4,
  UNABLE_TO_DECRYPT_CRL_SIGNATURE: 5, UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: 6, CERT_SIGNATURE_FAILURE: 7,
  CRL_SIGNATURE_FAILURE: 8, CERT_NOT_YET_VALID: 9, CERT_HAS_EXPIRED: 10, CRL_NOT_YET_VALID: 11,
  CRL_HAS_EXPIRED: 12, ERROR_IN_CERT_NOT_BEFORE_FIELD: 13, ERROR_IN_CERT_NOT_AFTER_FIELD: 14,
  ERROR_IN_CRL_LAST_UPDATE_FIELD: 15, ERROR_IN_CRL_NEXT_UPDATE_FIELD: 16, OUT_OF_MEM: 17,
  DEPTH_ZERO_SELF_SIGNED_CERT: 18, SELF_SIGNED_CERT_IN_CHAIN: 19, UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 20,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 21, CERT_CHAIN_TOO_LONG: 22, CERT_REVOKED: 23, INVALID_CA: 24,
  PATH_LENGTH_EXCEEDED: 25, INVALID_PURPOSE: 26, CERT_UNTRUSTED: 27, CERT_REJECTED: 28,
  SUBJECT_ISSUER_MISMATCH: 29, AKID_SKID_MISMATCH: 30, AKID_ISSUER_SERIAL_MISMATCH: 31, KEYUSAGE_NO_CERTSIGN: 32,
  HOSTNAME_MISMATCH: 62,
};
