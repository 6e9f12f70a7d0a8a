// Small writes of `mode http` sockets are held until the end of the event-loop iteration and
// then written, one write per socket, after every read of that iteration was handled (as
// HAProxy's muxes send after its streams ran). Writing in the middle of a read batch wakes the
// peer (client or server) while there is still work here; on a machine where proxy, client and
// server share the CPUs, each such wake-up tends to preempt the proxy. Measured with
// `npm run bench -- http-small` on 2 CPUs: see the commit that added this file.
//
// The bytes are copied into one shared slab (callers may reuse their read buffers at once) and
// each socket's bytes stay contiguous in it. Order on the wire is kept: a socket's held bytes
// go out before anything else written to it (write, end, cork, destroy flush them first). Large
// writes, sockets with a write already queued in libuv (back-pressure) and anything but plain
// TCP handles go the usual way.
import { Socket } from 'node:net';
import { canWriteDirect, directWrite } from '../tcp/direct-write.ts';

/** Writes up to this size are held; larger ones are written at once (bulk bodies). */
export const BATCH_MAX = 16 * 1024;
const SLAB_SIZE = 64 * 1024;

const AT = Symbol('hapair.batchAt');
const END = Symbol('hapair.batchEnd');

interface BatchedSocket extends Socket {
  /** Slab offset of this socket's held bytes, -1 when none. */
  [AT]: number;
  [END]: number;
}

interface QueueState {
  _handle: { writeQueueSize?: number } | null;
}

let slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
let used = 0;
/** Sockets holding bytes, in the order they first got some. */
let held: BatchedSocket[] = [];
/** The socket whose bytes end at `used` (its next bytes can be appended). */
let tail: BatchedSocket | null = null;
let scheduled = false;
/** A write from the slab is still in progress: the next batch needs a new slab. */
let retained = false;

/**
 * Holds `data` for `socket` when it can be; false when the caller must write it now (too large,
 * or the socket cannot take a direct write: TLS, connecting, queued or corked Writable data).
 */
export function holdWrite(socket: Socket, data: Buffer | string): boolean {
  const n = data.length;
  const q = (socket as unknown as QueueState)._handle;
  if (n > BATCH_MAX || !canWriteDirect(socket) || (q !== null && (q.writeQueueSize ?? 0) > 0)) {
    flushSocket(socket);
    return false;
  }
  const s = batched(socket);
  if (s[AT] >= 0 && tail !== s) flushSocket(s);
  if (used + n > SLAB_SIZE) flushAll();
  if (s[AT] < 0) {
    s[AT] = used;
    held.push(s);
  }
  used += typeof data === 'string' ? slab.write(data, used, 'latin1') : data.copy(slab, used);
  s[END] = used;
  tail = s;
  if (!scheduled) {
    scheduled = true;
    setImmediate(flushAll);
  }
  return true;
}

/** Write what `socket` holds now (before any other write to it). */
export function flushSocket(socket: Socket): void {
  const s = socket as BatchedSocket;
  const at = s[AT];
  if (at === undefined || at < 0) return;
  const end = s[END];
  s[AT] = -1;
  if (tail === s) tail = null;
  if (s.destroyed) return;
  // A write libuv could not finish at once keeps its slab region: the slab is then replaced.
  if (!directWrite(s, slab.subarray(at, end), noop)) retained = true;
}

function flushAll(): void {
  scheduled = false;
  const list = held;
  held = [];
  for (let i = 0; i < list.length; i++) flushSocket(list[i]);
  tail = null;
  if (retained) {
    slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
    retained = false;
  }
  used = 0;
}

function noop(): void {}

/** Give `socket` its batch fields and the flushing variants of its write-side methods (once). */
function batched(socket: Socket): BatchedSocket {
  const s = socket as BatchedSocket;
  if (s[AT] !== undefined) return s;
  s[AT] = -1;
  s[END] = 0;
  const plain: Socket = s;
  plain.write = writeAfterFlush as Socket['write'];
  plain.end = endAfterFlush as Socket['end'];
  plain.cork = corkAfterFlush;
  plain.destroy = destroyAfterFlush as Socket['destroy'];
  return s;
}

const proto = Socket.prototype;

function writeAfterFlush(this: Socket, ...args: unknown[]): boolean {
  flushSocket(this);
  return (proto.write as (...a: unknown[]) => boolean).apply(this, args);
}

function endAfterFlush(this: Socket, ...args: unknown[]): Socket {
  flushSocket(this);
  return (proto.end as (...a: unknown[]) => Socket).apply(this, args);
}

function corkAfterFlush(this: Socket): void {
  flushSocket(this);
  proto.cork.call(this);
}

function destroyAfterFlush(this: Socket, err?: Error): Socket {
  flushSocket(this);
  return proto.destroy.call(this, err);
}
