// What the `mode tcp` runtime cannot serve yet although the config language parses it, reported
// as configuration errors so that such a config fails closed at check time and at start. (Bind
// options and backend references are validated by the parser.)
import type { ConfigDiagnostic, HapairConfig, ProxySpec } from '../config/model.ts';

const UNSUPPORTED_BALANCE: ReadonlySet<string> = new Set(['uri', 'url_param', 'hdr', 'rdp-cookie']);

function error(px: ProxySpec, message: string, loc = px.loc): ConfigDiagnostic {
  return { severity: 'error', loc, section: `${px.kind} '${px.name}'`, message };
}

/** Every reason `Runtime.start()` would refuse `config`; empty when it can run it. */
export function unsupportedByRuntime(config: HapairConfig): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  for (const px of config.proxies) {
    if (px.disabled) continue;
    if (px.mode !== 'tcp') out.push(error(px, `'mode ${px.mode}' is not supported yet (only 'mode tcp' is implemented)`));
    if (px.kind !== 'frontend' && UNSUPPORTED_BALANCE.has(px.balance.algorithm)) {
      out.push(error(px, `'balance ${px.balance.algorithm}' is not supported yet`));
    }
    // The parser refuses conditions today; the model can carry them, and backendTarget() would
    // silently skip one, so the runtime refuses it too.
    for (const rule of px.useBackends) {
      if (rule.condition !== undefined) {
        out.push(error(px, "'use_backend ... if|unless' is not supported yet (ACLs are not implemented)", rule.loc));
      }
    }
  }
  return out;
}
