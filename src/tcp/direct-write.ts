// Relay writes straight to the socket's libuv handle, as Node's own net.Socket#_writeGeneric
// does (lib/internal/stream_base_commons.js writeGeneric), without the Writable stream around it:
// for short exchanges that layer (write request object, state bookkeeping, a nextTick per write)
// costs as much as the relay itself. Used only when the stream has nothing queued, so the byte
// order on the wire is unchanged; anything unusual falls back to socket.write().
// Contract: `directWrite()` returns true when the whole chunk went to the kernel at once (the
// caller's buffer is free again); false when the write is pending, and `done(socket)` is then
// called once it has completed (if it fails, the socket is destroyed with the error instead).
import type { Socket } from 'node:net';

interface WriteReq {
  handle: unknown;
  oncomplete: (this: WriteReq, status: number) => void;
  async: boolean;
  bytes: number;
  buffer: Buffer | null;
  socket: Socket | null;
  done: (() => void) | null;
}

interface StreamWrapBinding {
  WriteWrap: new () => WriteReq;
  streamBaseState: Int32Array;
  kLastWriteWasAsync: number;
}

interface StreamHandle {
  writeBuffer(req: WriteReq, data: Buffer): number;
  writeLatin1String(req: WriteReq, data: string): number;
}

interface InternalSocket {
  _handle: StreamHandle | null;
  _unrefTimer(): void;
  connecting: boolean;
  encrypted?: boolean;
}

const binding = loadBinding();

function loadBinding(): StreamWrapBinding | null {
  try {
    const b = (process as unknown as { binding(name: string): Partial<StreamWrapBinding> }).binding('stream_wrap');
    if (typeof b.WriteWrap !== 'function' || !(b.streamBaseState instanceof Int32Array) || typeof b.kLastWriteWasAsync !== 'number') return null;
    return b as StreamWrapBinding;
  } catch {
    return null;
  }
}

/** The handle write path can be used for `socket` right now (plain TCP, nothing queued). */
export function canWriteDirect(socket: Socket): boolean {
  const s = socket as unknown as InternalSocket;
  return binding !== null && s.encrypted !== true && s._handle !== null && typeof s._handle.writeBuffer === 'function' &&
    !s.connecting && socket.writableLength === 0 && socket.writableCorked === 0 &&
    !socket.writableEnded && !socket.destroyed;
}

function onDirectComplete(this: WriteReq, status: number): void {
  const socket = this.socket as Socket;
  const done = this.done as () => void;
  this.socket = null;
  this.done = null;
  if (status < 0) {
    socket.destroy(writeError(status));
    return;
  }
  (socket as unknown as InternalSocket)._unrefTimer();
  done();
}

function writeError(status: number): Error {
  const err = new Error(`write ${status}`) as Error & { errno: number; syscall: string };
  err.errno = status;
  err.syscall = 'write';
  return err;
}

/**
 * Writes `chunk` to `socket`. True: written (or failed: the socket is being destroyed) and the
 * chunk's memory is free; false: pending, `done()` follows once written (also called after a
 * socket.write() fallback, as its callback).
 */
export function directWrite(socket: Socket, chunk: Buffer, done: () => void): boolean {
  if (!canWriteDirect(socket)) {
    socket.write(chunk, done);
    return socket.writableLength === 0;
  }
  return handleWrite(socket, chunk, done);
}

/**
 * Same contract for a latin1 string (an HTTP head), written as socket.write(text, 'latin1')
 * would (the handle copies the string before writing). Only when canWriteDirect(socket).
 */
export function directWriteLatin1(socket: Socket, text: string, done: () => void): boolean {
  return handleWrite(socket, text, done);
}

/**
 * directWrite() without its canWriteDirect() check, for a caller that checked it and knows
 * nothing could have changed it since (../http/write-batch.ts: its socket's write-side methods
 * flush first; only a destroy can intervene, which it checks).
 */
export function directWriteChecked(socket: Socket, chunk: Buffer, done: () => void): boolean {
  return handleWrite(socket, chunk, done);
}

// A write request the kernel took at once is never attached to a native write (StreamBase::Write
// returns before creating one): the same object serves the next write, one allocation less.
let spareReq: WriteReq | null = null;

function handleWrite(socket: Socket, chunk: Buffer | string, done: () => void): boolean {
  const b = binding as StreamWrapBinding;
  const s = socket as unknown as InternalSocket;
  const req = spareReq ?? new b.WriteWrap();
  spareReq = null;
  req.handle = s._handle;
  req.oncomplete = onDirectComplete;
  req.async = false;
  req.bytes = 0;
  req.buffer = typeof chunk === 'string' ? null : chunk; // keeps the memory referenced while libuv writes from it
  req.socket = socket;
  req.done = done;
  const handle = s._handle as StreamHandle;
  const err = typeof chunk === 'string' ? handle.writeLatin1String(req, chunk) : handle.writeBuffer(req, chunk);
  if (err !== 0) {
    socket.destroy(writeError(err));
    return true;
  }
  s._unrefTimer();
  if (b.streamBaseState[b.kLastWriteWasAsync] !== 0) return false;
  req.socket = null;
  req.done = null;
  req.buffer = null;
  req.handle = null;
  spareReq = req;
  return true;
}
