// Loopback port helpers: pick a free port, wait until a started child accepts on it, and send one
// HTTP/1.1 probe through it. Everything here talks to 127.0.0.1 only.
import { connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { BenchError } from './bench-error.ts';
import type { ChildHandle } from './children.ts';

export const LOOPBACK = '127.0.0.1';
const POLL_MS = 50;

/** A port the kernel just handed out as free on 127.0.0.1 (closed again before use). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new BenchError('no free port'))));
    });
  });
}

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: LOOPBACK, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Polls until `port` accepts; fails early (with the child's log) if `child` exits first. */
export async function waitForAccept(port: number, child: ChildHandle, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!child.running()) throw new BenchError(`${child.name} exited before accepting on ${port}:\n${child.logTail()}`);
    if (await tryConnect(port)) return;
    await sleep(POLL_MS);
  }
  throw new BenchError(`${child.name} did not accept on ${LOOPBACK}:${port} within ${timeoutMs} ms:\n${child.logTail()}`);
}

/** One `GET path` with `Connection: close`; resolves with the raw response bytes as latin1. */
export function httpGet(port: number, path = '/', timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: LOOPBACK, port });
    let response = '';
    socket.setTimeout(timeoutMs, () => socket.destroy(new BenchError(`probe of ${port} timed out`)));
    socket.once('connect', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n`));
    socket.setEncoding('latin1').on('data', (s: string) => (response += s));
    socket.once('error', reject);
    socket.once('close', () => resolve(response));
  });
}

/** Fails unless a probe through `port` returns status 200 and a body containing `expect`. */
export async function probeHttp(port: number, expect: string, what: string, path = '/'): Promise<void> {
  const response = await httpGet(port, path);
  if (!response.startsWith('HTTP/1.1 200') || !response.includes(expect)) {
    throw new BenchError(`${what}: probe through port ${port} got ${JSON.stringify(response.slice(0, 200))}`);
  }
}
