// Features the config language parses but the runtime does not serve yet. They are errors, never
// silently ignored (a sysadmin must know that `mode http` is not running).
import type { ConfigDiagnostic, HapairConfig } from '../config/model.ts';
import { unsupportedByRuntime } from '../proxy/runtime-support.ts';

export function runtimeGates(config: HapairConfig): ConfigDiagnostic[] {
  return unsupportedByRuntime(config);
}
