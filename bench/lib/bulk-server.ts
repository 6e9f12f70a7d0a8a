// Bulk source for tcp-bulk, run as its own process: `node bench/lib/bulk-server.ts PORT`.
// Each connection sends one request head `GET /<bytes> HTTP/1.1`; the answer is a 200 with
// exactly that many bytes (default 100 MiB, at most 1 GiB) from one shared 1 MiB buffer,
// written with back-pressure, then the connection closes. Raw `net`, no per-chunk allocation.
import { createServer, type Socket } from 'node:net';

const CHUNK = Buffer.alloc(1 << 20, 'x');
const DEFAULT_BYTES = 100 * 1024 * 1024;
const MAX_BYTES = 1024 * 1024 * 1024;
const MAX_HEAD = 8 * 1024;

function requestedBytes(head: string): number {
  const path = /^GET \/(\d*)[ ?]/.exec(head)?.[1];
  const n = path ? Number(path) : DEFAULT_BYTES;
  return Math.min(Math.max(n, 0), MAX_BYTES);
}

function pump(socket: Socket, remaining: number): void {
  while (remaining > 0) {
    const chunk = remaining >= CHUNK.length ? CHUNK : CHUNK.subarray(0, remaining);
    remaining -= chunk.length;
    if (!socket.write(chunk)) {
      socket.once('drain', () => pump(socket, remaining));
      return;
    }
  }
  socket.end();
}

function serve(socket: Socket): void {
  let head = '';
  socket.on('error', () => socket.destroy());
  socket.setEncoding('latin1');
  const onData = (s: string): void => {
    head += s;
    if (head.length > MAX_HEAD) return void socket.destroy();
    if (!head.includes('\r\n\r\n')) return;
    socket.off('data', onData);
    socket.resume();
    const bytes = requestedBytes(head);
    socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${bytes}\r\nConnection: close\r\n\r\n`);
    pump(socket, bytes);
  };
  socket.on('data', onData);
}

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  process.stderr.write('usage: bulk-server.ts PORT\n');
  process.exit(2);
}
createServer(serve).listen(port, '127.0.0.1');
