// Socket I/O of `mode http` sessions, done as the tcp relay does it (../tcp/relay.ts): reads
// land in a buffer of the socket's own (Node's `onread` option: no Buffer and no stream event
// per read) and writes go straight to the libuv handle (../tcp/direct-write.ts) when the socket
// has nothing queued; small writes are held until the end of the loop iteration
// (./write-batch.ts). A read buffer is reused for the next read of its socket unless the session
// still holds on to its bytes (a partial head, pipelined bytes, a write in progress): then the
// socket gets a fresh buffer and the old one stays with whoever holds it.
import type net from 'node:net';
import { canWriteDirect, directWrite, directWriteLatin1 } from '../tcp/direct-write.ts';
import type { WriteBatch } from './write-batch.ts';

/** First read buffer of a socket: HAProxy's tune.bufsize. */
const READ_SIZE = 16 * 1024;
/** After a read that filled its buffer (bulk data): fewer, larger reads. */
const BULK_READ_SIZE = 64 * 1024;

// Node calls the `onread.buffer` function right after each read callback of a socket (and once
// when it is made): the callback leaves here the buffer that socket reads into next.
let nextBuffer: Buffer | undefined;

/** `onread.buffer` for http sockets (client and server side). */
export function httpReadBuffer(): Buffer {
  const b = nextBuffer ?? Buffer.allocUnsafeSlow(READ_SIZE);
  nextBuffer = undefined;
  return b;
}

/** After a read of `nread` bytes into `buf`: choose the buffer of the socket's next read. */
export function nextHttpBuffer(buf: Buffer, nread: number, kept: boolean): void {
  if (nread === buf.length && buf.length < BULK_READ_SIZE) nextBuffer = Buffer.allocUnsafeSlow(BULK_READ_SIZE);
  else nextBuffer = kept ? Buffer.allocUnsafeSlow(buf.length) : buf;
}

/**
 * What a write did. SENT: go on (a fallback write may still sit in the socket's Writable queue,
 * see `writableLength`, until then its bytes are in use); PENDING: written to the handle but not
 * finished, `done` follows; FULL: the Writable queue is full, 'drain' follows.
 */
export const SENT = 0;
export const PENDING = 1;
export const FULL = 2;

/** Writes `buf` to the batch's socket; see SENT/PENDING/FULL. `done` is called only after PENDING. */
export function sendBuffer(batch: WriteBatch, buf: Buffer, done: () => void): number {
  if (batch.hold(buf)) return SENT;
  const socket = batch.socket;
  if (!canWriteDirect(socket)) return socket.write(buf) ? SENT : FULL;
  return directWrite(socket, buf, done) ? SENT : PENDING;
}

/** Same for a latin1 string (a head). */
export function sendLatin1(batch: WriteBatch, text: string, done: () => void): number {
  if (batch.hold(text)) return SENT;
  const socket = batch.socket;
  if (!canWriteDirect(socket)) return socket.write(text, 'latin1') ? SENT : FULL;
  return directWriteLatin1(socket, text, done) ? SENT : PENDING;
}
