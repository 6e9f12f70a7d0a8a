// Whole-line checks of `bind ... ssl` once the proxy's mode and the global defaults are known
// (ssl_sock.c ssl_sock_prepare_bind_conf, ssl_sock_prepare_ctx). Certificate files are loaded by
// the listener's TLS context (src/net/tls-context.ts), checked at `hapair check` too.
import { resolveBindTls, versionRange, type GlobalBindTls } from './bind-tls.ts';
import type { BindSpec } from './model.ts';
import type { ProxyDraft } from './proxy-draft.ts';

/** Resolves each TLS bind of `px` against the globals (in place) and reports what HAProxy refuses. */
export function checkBindTls(px: ProxyDraft, global: GlobalBindTls): void {
  px.binds = px.binds.map((b) => (b.ssl === undefined ? b : checkOne(px, { ...b, ssl: resolveBindTls(b.ssl, global) })));
}

function checkOne(px: ProxyDraft, b: BindSpec): BindSpec {
  const t = b.ssl!;
  // As HAProxy names the line in these messages (bind_conf->arg, file, line).
  const onLine = `bind '${b.arg ?? ''}' at [${b.loc.file}:${b.loc.line}]`;
  const where = (what: string): string => `Proxy '${px.name}': ${what} for ${onLine}`;
  if (!t.enabled) {
    if (t.crts.length > 0) px.report.warning(b.loc, `${where('A certificate was specified but SSL was not enabled')} (use 'ssl').`);
    return b;
  }
  if (t.crts.length === 0) {
    if (t.strictSni) px.report.warning(b.loc, `${where('no SSL certificate specified')}, ssl connections will fail (use 'crt').`);
    else px.report.error(b.loc, `${where('no SSL certificate specified')} (use 'crt').`);
  }
  if (t.verify !== undefined && t.verify !== 'none' && t.caFile === undefined) {
    px.report.error(b.loc, `Proxy '${px.name}': verify is enabled but no CA file specified for ${onLine}.`);
  }
  // hapair has no HTTP/2: a client told "h2" would then speak a protocol nobody parses.
  if (px.mode === 'http' && t.alpn?.includes('h2')) {
    px.report.error(b.loc, `'bind ${b.arg ?? ''}' : 'alpn h2' cannot be served: hapair has no HTTP/2 in 'mode http' (use 'alpn http/1.1').`);
  }
  const range = versionRange(t, onLine);
  if (range === undefined) px.report.error(b.loc, `Proxy '${px.name}': all SSL/TLS versions are disabled for ${onLine}.`);
  else for (const w of range.warnings) px.report.warning(b.loc, `Proxy '${px.name}': ${w}`);
  return b;
}
