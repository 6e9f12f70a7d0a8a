// `server.listen()` as a promise: resolves on 'listening', rejects on the first 'error'.
import type net from 'node:net';

/** `start` issues the listen() call (its several forms take different arguments). */
export function listenAsync(server: net.Server, start: (server: net.Server) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    try {
      start(server);
    } catch (err) {
      server.off('error', onError);
      server.off('listening', onListening);
      reject(err as Error);
    }
  });
}
