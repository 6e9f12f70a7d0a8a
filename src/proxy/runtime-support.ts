// What the `mode tcp` runtime cannot serve yet although the config language parses it, reported
// as configuration errors so that such a config fails closed at check time and at start. (Bind
// options and backend references are validated by the parser.)
import type { ConfigDiagnostic, HapairConfig, ProxySpec } from '../config/model.ts';
import { bindTlsContextOf, TlsConfigError } from '../net/tls-context.ts';

const UNSUPPORTED_BALANCE: ReadonlySet<string> = new Set(['rdp-cookie']);

function error(px: ProxySpec, message: string, loc = px.loc): ConfigDiagnostic {
  return { severity: 'error', loc, section: `${px.kind} '${px.name}'`, message };
}

/** Every reason `Runtime.start()` would refuse `config` (and warnings about what it leaves out); no error when it can run it. */
export function unsupportedByRuntime(config: HapairConfig): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  for (const px of config.proxies) {
    if (px.disabled) continue;
    out.push(...modeMismatches(config, px));
    if (px.kind !== 'frontend' && UNSUPPORTED_BALANCE.has(px.balance.algorithm)) {
      out.push(error(px, `'balance ${px.balance.algorithm}' is not supported yet`));
    }
    if (px.cookie?.dynamic === true) out.push(error(px, "'cookie ... dynamic' is not supported yet"));
    if (px.kind !== 'backend') out.push(...tlsContextErrors(px));
    // The HTTP session does not run tcp-request content rules (or wait for inspect-delay) yet.
    const rules = px.rules;
    if (px.mode === 'http' && rules !== undefined && rules.tcpContent.length > 0) {
      out.push(error(px, "'tcp-request content' rules in 'mode http' are not supported yet", rules.tcpContent[0].loc));
    }
    // HAProxy runs a backend's content rules after switching (AN_REQ_INSPECT_BE); the session does not.
    if (px.kind === 'backend' && rules !== undefined && rules.tcpContent.length > 0) {
      out.push(error(px, "'tcp-request content' rules in a backend are not supported yet", rules.tcpContent[0].loc));
    }
  }
  return out;
}

/** A tcp frontend may feed an http backend in HAProxy (implicit upgrade); hapair cannot yet. */
function modeMismatches(config: HapairConfig, px: ProxySpec): ConfigDiagnostic[] {
  if (px.kind === 'backend') return [];
  const out: ConfigDiagnostic[] = [];
  const names = new Set(px.useBackends.map((r) => r.backend));
  if (px.defaultBackend !== undefined) names.add(px.defaultBackend);
  for (const name of names) {
    const be = config.proxies.find((p) => p.name === name && p.kind !== 'frontend');
    if (be === undefined || be.disabled || px.mode !== 'tcp' || be.mode !== 'http') continue;
    out.push(error(px, `'mode tcp' frontend using 'mode http' backend '${name}' (implicit upgrade) is not supported yet`));
  }
  return out;
}

/** `bind ... ssl`: certificates, CA file, ciphers and curves are loaded as HAProxy does at startup. */
function tlsContextErrors(px: ProxySpec): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  for (const bind of px.binds) {
    if (bind.ssl?.enabled !== true) continue;
    try {
      for (const c of bindTlsContextOf(bind).certs) {
        for (const f of c.unused) out.push({ ...error(px, `'bind ${bind.arg ?? ''}' : '${f}' is not used: hapair does not staple OCSP responses nor send SCT lists.`, bind.loc), severity: 'warning' });
      }
    } catch (err) {
      if (!(err instanceof TlsConfigError)) throw err;
      out.push(error(px, `'bind ${bind.arg ?? ''}' : ${err.message}`, bind.loc));
    }
  }
  return out;
}
