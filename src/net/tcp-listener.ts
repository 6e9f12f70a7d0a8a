// TCP listeners (IPv4/IPv6). HAProxy configuration.txt 5.1 "bind": an empty address or '*'
// means every IPv4 address; `v6only` keeps an IPv6 wildcard off IPv4, `v4v6` (the Linux default
// with bindv6only=0) serves both.
import type { BindAddress } from '../config/model.ts';
import { tcpBindError } from './bind-error.ts';
import { listenAsync } from './listen-async.ts';
import type { Listener, ListenerOptions } from './listener.ts';

type TcpAddress = Extract<BindAddress, { kind: 'tcp' }>;

/** The host to hand to listen(): wildcards made explicit so the family is what the config says. */
export function listenHost(addr: TcpAddress): string {
  if (addr.host === '' || addr.host === '*') return addr.family === 6 ? '::' : '0.0.0.0';
  return addr.host;
}

export async function listenTcp(listener: Listener, addr: TcpAddress, opts: ListenerOptions): Promise<void> {
  const host = listenHost(addr);
  try {
    await listenAsync(listener.server, (server) =>
      server.listen({
        host,
        port: addr.port,
        backlog: opts.backlog,
        // `v6only` wins over `v4v6` (configuration.txt 5.1 "v6only").
        ipv6Only: opts.bind.v6only,
        exclusive: true,
      }),
    );
  } catch (err) {
    throw tcpBindError(addr, err, opts.context);
  }
  listener.setBound();
}
