// Shared by `hapair check` and `hapair proxy`: one validator, every diagnostic printed at once.
import { formatDiagnostic, loadConfig, registerSection } from '../config/config.ts';
import type { ConfigDiagnostic, HapairConfig } from '../config/model.ts';
import { parseKeepaliveSections } from '../keepalive/keepalive.ts';
import { checkServerAddresses } from '../proxy/server-addresses.ts';
import { runtimeGates } from './runtime-gates.ts';

// `keepalive NAME` sections belong to `hapair keepalive`; they are validated here with the rest
// (one validator for `check`, `proxy -c` and both processes' start).
registerSection('keepalive');

export interface Loaded {
  readonly config?: HapairConfig;
  readonly errors: number;
  readonly warnings: number;
}

/** Load and validate; print warnings and errors to `err`. `config` is set only when there is no error. */
export function loadAndReport(files: readonly string[], err: NodeJS.WritableStream): Loaded {
  const { config, diagnostics } = loadConfig([...files], { env: process.env });
  const all: ConfigDiagnostic[] = [...diagnostics];
  if (config) all.push(...runtimeGates(config), ...parseKeepaliveSections(config.extraSections).diagnostics);
  let errors = 0;
  let warnings = 0;
  for (const d of all) {
    if (d.severity === 'error') errors++;
    else warnings++;
    err.write(`${d.severity === 'error' ? '[ALERT]' : '[WARNING]'} ${formatDiagnostic(d)}\n`);
  }
  if (errors > 0) {
    err.write(`[ALERT] ${errors} error(s) found in configuration; fatal errors found in configuration.\n`);
    return { errors, warnings };
  }
  return { config, errors, warnings };
}

/**
 * Resolve server hostnames by their `init-addr` methods, as `haproxy -c` does, and print what
 * fails in the same format. False when a server gets no address (HAProxy exits 1 then).
 */
export async function reportServerAddresses(config: HapairConfig, err: NodeJS.WritableStream): Promise<boolean> {
  const diags = await checkServerAddresses(config);
  for (const d of diags) err.write(`${d.severity === 'error' ? '[ALERT]' : '[WARNING]'} ${formatDiagnostic(d)}\n`);
  if (!diags.some((d) => d.severity === 'error')) return true;
  err.write('[ALERT] Failed to initialize server(s) addr.\n');
  return false;
}
