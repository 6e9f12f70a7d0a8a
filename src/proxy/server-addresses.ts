// Server addresses are resolved once, at start (HAProxy resolves `server` hostnames while
// parsing, with libc). An unresolvable name does not stop the proxy: the server starts in
// maintenance with a log line, as HAProxy's `init-addr none` would leave it.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import type { Server } from '../backend/server.ts';

/** Hostname to one IP address, undefined when it does not resolve. */
export type HostResolver = (host: string) => Promise<string | undefined>;

export const libcResolver: HostResolver = async (host) => {
  try {
    return (await lookup(host)).address;
  } catch {
    return undefined;
  }
};

/** Replace every hostname by its address; put the servers whose name fails in MAINT. */
export async function resolveServerAddresses(servers: readonly Server[], resolve: HostResolver, log: Logger | undefined): Promise<void> {
  const pending: Promise<void>[] = [];
  for (const server of servers) {
    if (isIP(server.host) !== 0) continue;
    const fqdn = server.host;
    pending.push(
      resolve(fqdn).then((address) => {
        if (address !== undefined) {
          server.host = address;
          return;
        }
        server.admin.maint = true;
        server.emit('state', server);
        log?.warn(
          { backend: server.backendName, server: server.name, fqdn },
          `Server ${server.backendName}/${server.name} is going DOWN for maintenance (unresolvable FQDN '${fqdn}').`,
        );
      }),
    );
  }
  await Promise.all(pending);
}
