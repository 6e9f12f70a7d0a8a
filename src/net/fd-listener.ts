// `fd@N` listeners: a socket inherited already bound (from a parent process, systemd, or a test
// harness), HAProxy configuration.txt 5.1 "bind" address forms. listen(2) is (re)issued on it.
import { fdBindError } from './bind-error.ts';
import { listenAsync } from './listen-async.ts';
import type { Listener, ListenerOptions } from './listener.ts';

export async function listenFd(listener: Listener, fd: number, opts: ListenerOptions): Promise<void> {
  try {
    // The handle form: listen({ fd }, backlog) (Node net docs "server.listen(handle[, backlog])").
    await listenAsync(listener.server, (server) => server.listen({ fd }, opts.backlog));
  } catch (err) {
    throw fdBindError(fd, err, opts.context);
  }
  listener.setBound();
}
