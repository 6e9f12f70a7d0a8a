// Read buffers for relayed sockets. Each socket reads into one buffer of its own (HAProxy's
// model: two `tune.bufsize` buffers per connection, configuration.txt 4.2 "maxconn"); a socket
// whose reads fill its buffer is moving bulk data and moves to a larger one (fewer reads, fewer
// wake-ups). Buffers are recycled here so that a new connection does not allocate.

/** HAProxy's default tune.bufsize: what every socket starts with. */
export const BUFSIZE = 16 * 1024;
/** For bulk transfers: Node's own read size (libuv suggests 64 KiB). */
export const BULK_BUFSIZE = 64 * 1024;

export class BufferPool {
  readonly size: number;
  readonly #max: number;
  readonly #free: Buffer[] = [];

  /** Buffers of `size` bytes; at most `max` idle ones are kept. */
  constructor(size: number, max: number) {
    this.size = size;
    this.#max = max;
  }

  acquire(): Buffer {
    return this.#free.pop() ?? Buffer.allocUnsafe(this.size);
  }

  /** Only for a buffer nothing reads into or writes from any more (its socket is closed). */
  release(buf: Buffer): void {
    if (buf.length === this.size && this.#free.length < this.#max) this.#free.push(buf);
  }

  get idle(): number {
    return this.#free.length;
  }
}

export const smallBuffers = new BufferPool(BUFSIZE, 1024);
export const bulkBuffers = new BufferPool(BULK_BUFSIZE, 256);

/** Give a read buffer back to the pool of its size. */
export function releaseReadBuffer(buf: Buffer): void {
  if (buf.length === BULK_BUFSIZE) bulkBuffers.release(buf);
  else smallBuffers.release(buf);
}

// Node calls an `onread.buffer` function once when the socket is made, then right after every
// read callback (net.js onStreamRead). The relay's read callbacks call nextReadBuffer(), which
// leaves here the buffer the next read of that socket uses; a new socket finds nothing here and
// gets a fresh one.
let nextBuffer: Buffer | undefined;

/** `onread.buffer` for relayed sockets (every one of them must use it with these callbacks). */
export function relayReadBuffer(): Buffer {
  const b = nextBuffer ?? smallBuffers.acquire();
  nextBuffer = undefined;
  return b;
}

/**
 * After a read into `buf`: the buffer the socket reads into next. A read that filled its
 * buffer means bulk data: continue with a BULK_BUFSIZE one; the small one goes back to the pool
 * if the chunk was already written out (`free`), else to the garbage collector.
 */
export function nextReadBuffer(buf: Buffer, nread: number, free: boolean): Buffer {
  if (nread < buf.length || buf.length >= BULK_BUFSIZE) return (nextBuffer = buf);
  const bigger = bulkBuffers.acquire();
  if (free) smallBuffers.release(buf);
  return (nextBuffer = bigger);
}
