// What the `mode tcp` runtime cannot serve yet, reported as configuration errors so that a
// config using it fails closed at check time and at start, never runs half-configured.
import type { ConfigDiagnostic, HapairConfig, ProxySpec } from '../config/model.ts';

const UNSUPPORTED_BALANCE: ReadonlySet<string> = new Set(['uri', 'url_param', 'hdr', 'rdp-cookie']);

function error(px: ProxySpec, message: string, loc = px.loc): ConfigDiagnostic {
  return { severity: 'error', loc, section: `${px.kind} '${px.name}'`, message };
}

function bindProblems(px: ProxySpec): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  for (const b of px.binds) {
    if (b.ssl !== undefined) out.push(error(px, "'bind ... ssl' is not supported yet (TLS termination is not implemented)", b.loc));
    if (b.accept_proxy) out.push(error(px, "'bind ... accept-proxy' is not supported yet", b.loc));
    if (b.transparent) out.push(error(px, "'bind ... transparent' is not supported", b.loc));
    if (b.interface !== undefined) out.push(error(px, "'bind ... interface' is not supported", b.loc));
  }
  return out;
}

/** Every reason `Runtime.start()` would refuse `config`; empty when it can run it. */
export function unsupportedByRuntime(config: HapairConfig): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  const byName = new Map(config.proxies.map((p) => [p.name, p] as const));
  for (const px of config.proxies) {
    if (px.disabled) continue;
    if (px.mode !== 'tcp') out.push(error(px, `'mode ${px.mode}' is not supported yet (only 'mode tcp' is implemented)`));
    if (px.kind !== 'frontend' && UNSUPPORTED_BALANCE.has(px.balance.algorithm)) {
      out.push(error(px, `'balance ${px.balance.algorithm}' is not supported yet`));
    }
    if (px.kind === 'backend') continue;
    out.push(...bindProblems(px));
    for (const rule of px.useBackends) {
      if (rule.condition !== undefined) {
        out.push(error(px, "'use_backend ... if|unless' is not supported yet (ACLs are not implemented)", rule.loc));
      }
    }
    const target = px.useBackends.find((r) => r.condition === undefined)?.backend ?? px.defaultBackend;
    if (target !== undefined) {
      const be = byName.get(target);
      if (be === undefined || be.kind === 'frontend') out.push(error(px, `unable to find required backend '${target}'`));
    }
  }
  return out;
}
