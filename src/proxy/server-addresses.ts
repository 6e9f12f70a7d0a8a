// Server addresses at start: every server written with a hostname is resolved by its `init-addr`
// methods in order, default `last,libc` (configuration.txt 5.2 "init-addr"; server.c
// srv_iterate_initaddr): `last` takes the address the server-state-file kept, `libc` asks the
// system resolver, an IP literal falls back to it, `none` starts the server without an address in
// maintenance (`MAINT (resolution)`). When no method gives an address, the config is refused, as
// `haproxy -c` refuses it ("could not resolve address 'X'.").
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import type { Server } from '../backend/server.ts';
import { parseServerChecks } from '../checks/check-params.ts';
import { formatDiagnostic, sectionLabel } from '../config/diagnostics.ts';
import type { ConfigDiagnostic, HapairConfig, ServerSpec } from '../config/model.ts';
import { ConfigError } from '../errors.ts';

/** Hostname to one IP address, undefined when it does not resolve. */
export type HostResolver = (host: string) => Promise<string | undefined>;

/**
 * The `last` method's source: the address the server-state-file recorded for `backend/server`
 * (HAProxy srv->lastaddr), undefined when the file has none. Filled by the server-state-file loader.
 */
export type LastAddress = (backend: string, server: string) => string | undefined;

export const libcResolver: HostResolver = async (host) => {
  try {
    return (await lookup(host)).address;
  } catch {
    return undefined;
  }
};

/** What init-addr decided for one server; `warning` and `error` are HAProxy's texts. */
export type InitAddrOutcome =
  | { readonly address: string; readonly warning?: string }
  | { readonly maint: true; readonly warning?: string }
  | { readonly error: string };

/**
 * Walk the `init-addr` methods of one hostname in order (srv_iterate_initaddr). A failed `last`
 * or `libc` only matters for the texts: `none` and an IP literal then say that they took over.
 */
export async function iterateInitAddr(
  fqdn: string,
  methods: readonly string[],
  resolve: HostResolver,
  last: () => string | undefined = () => undefined,
): Promise<InitAddrOutcome> {
  let failed = false;
  for (const m of methods) {
    if (m === 'last') {
      const addr = last();
      if (addr === undefined) continue;
      // The state file holds an address, never a name (str2ip2 without resolution).
      if (isIP(addr) !== 0) return { address: addr };
      failed = true;
    } else if (m === 'libc') {
      const addr = await resolve(fqdn);
      if (addr !== undefined) return { address: addr };
      failed = true;
    } else if (m === 'none') {
      return failed ? { maint: true, warning: `could not resolve address '${fqdn}', disabling server.` } : { maint: true };
    } else if (isIP(m) !== 0) {
      return failed ? { address: m, warning: `could not resolve address '${fqdn}', falling back to configured address.` } : { address: m };
    }
  }
  return { error: failed ? `could not resolve address '${fqdn}'.` : `no method found to resolve address '${fqdn}'.` };
}

function initAddrMethods(spec: ServerSpec): readonly string[] {
  return parseServerChecks(spec.name, spec.params).settings.initAddr;
}

function diagnostic(backend: string, kind: string, spec: ServerSpec, severity: 'error' | 'warning', text: string): ConfigDiagnostic {
  return { severity, loc: spec.loc, section: sectionLabel(kind, backend), message: `server '${backend}/${spec.name}': ${text}` };
}

/**
 * `hapair check`: resolve every server hostname as HAProxy does at `-c` (servers of enabled
 * proxies with a backend capability) and report what fails, at the server's file:line.
 */
export async function checkServerAddresses(config: HapairConfig, resolve: HostResolver = libcResolver, last?: LastAddress): Promise<ConfigDiagnostic[]> {
  const jobs: Promise<ConfigDiagnostic | undefined>[] = [];
  for (const px of config.proxies) {
    if (px.disabled || px.kind === 'frontend') continue;
    for (const spec of px.servers) {
      if (isIP(spec.host) !== 0) continue;
      jobs.push(
        iterateInitAddr(spec.host, initAddrMethods(spec), resolve, () => last?.(px.name, spec.name)).then((o) => {
          if ('error' in o) return diagnostic(px.name, px.kind, spec, 'error', o.error);
          return o.warning !== undefined ? diagnostic(px.name, px.kind, spec, 'warning', o.warning) : undefined;
        }),
      );
    }
  }
  return (await Promise.all(jobs)).filter((d): d is ConfigDiagnostic => d !== undefined);
}

/**
 * At start: replace every hostname by the address its init-addr methods give, or leave the server
 * in maintenance for `none` (the health wiring turns `admin.maint` into RMAINT). Rejects with a
 * ConfigError naming every server no method resolved (HAProxy "Failed to initialize server(s) addr.").
 */
export async function resolveServerAddresses(servers: readonly Server[], resolve: HostResolver, log: Logger | undefined, last?: LastAddress): Promise<void> {
  const errors: string[] = [];
  await Promise.all(
    servers.map(async (server) => {
      if (isIP(server.host) !== 0) return;
      const fqdn = server.host;
      const o = await iterateInitAddr(fqdn, initAddrMethods(server.spec), resolve, () => last?.(server.backendName, server.name));
      const who = { backend: server.backendName, server: server.name, fqdn };
      if ('error' in o) {
        // As HAProxy prints it at start: the server's file:line, no section label.
        errors.push(formatDiagnostic({ severity: 'error', loc: server.spec.loc, message: `server '${server.backendName}/${server.name}': ${o.error}` }));
        return;
      }
      if (o.warning !== undefined) log?.warn(who, `Server ${server.backendName}/${server.name}: ${o.warning}`);
      if ('address' in o) {
        server.host = o.address;
        return;
      }
      server.admin.maint = true;
      server.emit('state', server);
    }),
  );
  if (errors.length > 0) throw new ConfigError([...errors, 'Failed to initialize server(s) addr.']);
}
