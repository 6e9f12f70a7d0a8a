// Features the config language parses but the runtime does not serve yet. They are errors, never
// silently ignored (a sysadmin must know that `stats socket` or `mode http` is not running).
import type { ConfigDiagnostic, HapairConfig } from '../config/model.ts';
import { unsupportedByRuntime } from '../proxy/runtime-support.ts';

export function runtimeGates(config: HapairConfig): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = config.global.statsSockets.map((sock) => ({
    severity: 'error',
    loc: sock.loc,
    section: 'global',
    message: "'stats socket' is not supported yet (the runtime API is not implemented)",
  }));
  return [...out, ...unsupportedByRuntime(config)];
}
