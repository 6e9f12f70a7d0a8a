// The certificate a TLS handshake presents for the client's SNI (ssl_sock.c ssl_sock_switchctx_cbk,
// HAProxy 2.6 with OpenSSL's ClientHello callback): an exact name first, else a one-label
// wildcard, names compared lower-cased; the first certificate loaded wins a name given twice.
import type tls from 'node:tls';
import type { LoadedCert } from './tls-certs.ts';

interface WildEntry {
  readonly ctx: tls.SecureContext;
  /** The crt-list line's negative filters: names this wildcard must not answer. */
  readonly neg: ReadonlySet<string>;
}

/**
 * SNI index (ssl_sock.c ssl_sock_switchctx_cbk): an exact name first, else a `*.suffix` wildcard
 * whose crt-list line does not exclude the name; the first certificate loaded wins.
 */
export class SniIndex {
  readonly #exact = new Map<string, tls.SecureContext>();
  readonly #wild = new Map<string, WildEntry[]>();

  add(cert: LoadedCert, ctx: tls.SecureContext): void {
    const neg = new Set(cert.negNames);
    for (const name of cert.names) {
      if (name.startsWith('*.')) {
        const suffix = name.slice(1);
        const list = this.#wild.get(suffix);
        if (list === undefined) this.#wild.set(suffix, [{ ctx, neg }]);
        else list.push({ ctx, neg });
      } else if (!this.#exact.has(name)) this.#exact.set(name, ctx);
    }
  }

  find(servername: string): tls.SecureContext | undefined {
    const name = servername.toLowerCase();
    const exact = this.#exact.get(name);
    if (exact !== undefined) return exact;
    const dot = name.indexOf('.');
    const list = dot < 0 ? undefined : this.#wild.get(name.slice(dot));
    return list?.find((e) => !e.neg.has(name))?.ctx;
  }
}
