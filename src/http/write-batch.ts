// Small writes of `mode http` sockets are held until the end of the event-loop iteration and
// then written, one write per socket, after every read of that iteration was handled (as
// HAProxy's muxes send after its streams ran). Writing in the middle of a read batch wakes the
// peer (client or server) while there is still work here; on a machine where proxy, client and
// server share the CPUs, each such wake-up tends to preempt the proxy.
//
// The bytes are copied into one shared slab (callers may reuse their read buffers at once) and
// each socket's bytes stay contiguous in it. Order on the wire is kept: a socket's held bytes
// go out before anything else written to it (its write, end, cork and destroy flush them
// first). Large writes, sockets whose last flush could not finish at once (back-pressure: the
// caller's own writes then report it) and anything but plain TCP handles go the usual way.
import type { Socket } from 'node:net';
import { canWriteDirect, directWriteChecked } from '../tcp/direct-write.ts';
import { clockEventEnd, clockEventStart, inEvent } from '../event-clock.ts';

/** Writes up to this size are held; larger ones are written at once (bulk bodies). */
export const BATCH_MAX = 16 * 1024;
const SLAB_SIZE = 64 * 1024;

let slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
let used = 0;
/** Batches holding bytes, in the order they first got some: held[0..heldCount) (reused array). */
const held: (WriteBatch | null)[] = [];
let heldCount = 0;
/** The batch whose bytes end at `used` (its next bytes can be appended). */
let tail: WriteBatch | null = null;
let scheduled = false;
/** A write from the slab is still in progress: the next batch needs a new slab. */
let retained = false;

/** The held writes of one socket; made once per socket, before anything is written to it. */
export class WriteBatch {
  readonly socket: Socket;
  /** Slab offset of the held bytes, -1 when none. */
  at = -1;
  end = 0;
  /** A flushed write is still in progress: hold nothing until it is done. */
  congested = false;
  readonly #written = (): void => {
    this.congested = false;
  };

  constructor(socket: Socket) {
    this.socket = socket;
    flushBefore(socket, this);
  }

  /**
   * Holds `data` when it can; false when the caller must write it now (too large, congested, or
   * the socket cannot take a direct write: TLS, connecting, queued or corked Writable data). The
   * held bytes are flushed first then, so the caller's write comes after them.
   */
  hold(data: Buffer | string): boolean {
    const n = data.length;
    if (n > BATCH_MAX || this.congested || !canWriteDirect(this.socket)) {
      this.flush();
      return false;
    }
    if (this.at >= 0 && tail !== this) this.flush();
    if (used + n > SLAB_SIZE) flushAll();
    if (this.at < 0) {
      this.at = used;
      held[heldCount++] = this;
    }
    if (typeof data === 'string') used += latin1Write(slab, data, used);
    else {
      // TypedArray#set is one builtin memmove; Buffer#copy validates its arguments in JS first.
      slab.set(data, used);
      used += n;
    }
    this.end = used;
    tail = this;
    if (!scheduled) {
      scheduled = true;
      setImmediate(flushAll);
    }
    return true;
  }

  /** Write the held bytes now. */
  flush(): void {
    const at = this.at;
    if (at < 0) return;
    this.at = -1;
    if (tail === this) tail = null;
    // Held only after canWriteDirect(): what could undo that (Writable writes, end, cork) flushes
    // first, so a destroy is all there is left to check.
    if (this.socket.destroyed) return;
    // A write libuv could not finish at once keeps its slab region: the slab is then replaced.
    if (!directWriteChecked(this.socket, slab.subarray(at, this.end), this.#written)) {
      this.congested = true;
      retained = true;
    }
  }
}

interface Latin1Writer {
  latin1Write(text: string, offset: number): number;
}

/** Buffer#latin1Write: what buf.write(text, at, 'latin1') ends in, without its argument decoding. */
function latin1Write(buf: Buffer, text: string, at: number): number {
  return (buf as unknown as Latin1Writer).latin1Write(text, at);
}

function flushAll(): void {
  scheduled = false;
  // The writes' activity time stamps (../net/idle-timeout.ts) share one clock reading.
  if (inEvent()) return flushHeld();
  clockEventStart();
  try {
    flushHeld();
  } finally {
    clockEventEnd();
  }
}

function flushHeld(): void {
  // A flush cannot hold new bytes (it only writes), so the list does not grow meanwhile.
  for (let i = 0; i < heldCount; i++) {
    (held[i] as WriteBatch).flush();
    held[i] = null;
  }
  heldCount = 0;
  tail = null;
  if (retained) {
    slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
    retained = false;
  }
  used = 0;
}

/**
 * The socket's write-side methods flush its held bytes first. Installed when the socket is set
 * up, so that every http socket keeps one shape (property loads on it stay monomorphic).
 */
function flushBefore(socket: Socket, batch: WriteBatch): void {
  // The socket's own class's methods (a TLSSocket's for TLS).
  const { write, end, cork, destroy } = socket;
  socket.write = function (this: Socket, ...args: unknown[]): boolean {
    batch.flush();
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as Socket['write'];
  socket.end = function (this: Socket, ...args: unknown[]): Socket {
    batch.flush();
    return (end as (...a: unknown[]) => Socket).apply(this, args);
  } as Socket['end'];
  socket.cork = function (this: Socket): void {
    batch.flush();
    cork.call(this);
  };
  socket.destroy = function (this: Socket, err?: Error): Socket {
    batch.flush();
    return destroy.call(this, err);
  } as Socket['destroy'];
}
