// The L4 relay (HAProxy `mode tcp` once a server is connected): bytes both ways with
// backpressure, half-close forwarding, inactivity timeouts and a termination cause. Contract:
// one Relay per session owns the client socket from accept to close and the server socket from
// `attach()` to close; it reports exactly once through `RelayOwner.onRelayEnd`.
//
// Buffers as HAProxy keeps them: each socket reads into one buffer of its own (Node's `onread`
// user buffer, no allocation per read). A chunk is written to the other side straight from that
// buffer; while the write is pending the source stops reading, so a slow reader holds at most
// one buffer per direction and nothing is lost or overwritten. Writes go straight to the socket
// handle when its stream has nothing queued (./direct-write.ts): most complete at once.
// Hot path: module-level handlers find their Relay through a symbol on the socket (no closure
// per chunk, no pipe()); the only closures are the two write callbacks made per session.
import type { Socket } from 'node:net';
import { nextReadBuffer } from './buffer-pool.ts';
import { directWrite } from './direct-write.ts';

export { relayReadBuffer } from './buffer-pool.ts';
import type { TerminationCause } from './termination.ts';

export interface RelayOwner {
  /**
   * The client left before a server was attached: an error, a timeout, or an end of stream with
   * nothing to forward (HAProxy back_may_abort_req). The owner stops queueing or connecting
   * and calls `abort()`.
   */
  onClientAbort(relay: Relay): void;
  /** Every socket of the relay is closed; `cause` tells why. Called once. */
  onRelayEnd(relay: Relay): void;
  /** Client bytes arrived (or the client finished sending) while no server is attached (tcp-request content inspection). */
  onClientData?(relay: Relay): void;
  /**
   * The client ended its stream without sending anything while no server is attached: true when
   * the owner still decides on that (HAProxy runs tcp-request content rules on the final, empty
   * data); false makes it a client abort.
   */
  onEmptyClientEnd?(relay: Relay): boolean;
}

/** Inactivity timeouts in ms, 0 = none (HAProxy configuration.txt 4.2 "timeout ..."). */
export interface RelayTimeouts {
  /** Client side: `timeout tunnel` if set, else `timeout client`. */
  readonly client: number;
  /** Server side: `timeout tunnel` if set, else `timeout server`. */
  readonly server: number;
  /** Replace the side's timeout once a direction is shut (`timeout client-fin` / `server-fin`). */
  readonly clientFin: number;
  readonly serverFin: number;
}

/** Client bytes read while no server is attached: HAProxy's request buffer (tune.bufsize). */
export const PENDING_LIMIT = 16 * 1024;

/** How long `closeClient()` waits for the client to close its side before resetting it. */
export const CLOSE_LINGER_MS = 1000;

const RELAY = Symbol('hapair.relay');
interface RelaySocket extends Socket {
  [RELAY]: Relay;
}

export class Relay {
  readonly client: Socket;
  server: Socket | null = null;
  readonly owner: RelayOwner;
  /** Bytes read from the client (HAProxy req.total, %U) and from the server (res.total, %B). */
  bytesIn = 0;
  bytesOut = 0;
  /** First event that ended the session abnormally; '-' while everything is normal. */
  cause: TerminationCause = '-';
  clientEof = false;
  serverEof = false;
  /** The sockets' current read buffers, known from their first read (recycled at the end). */
  clientBuffer: Buffer | null = null;
  serverBuffer: Buffer | null = null;
  #timeouts: RelayTimeouts | null = null;
  /** Inactivity timeouts currently armed on each socket (0 = none). */
  #clientTimer = 0;
  #serverTimer = 0;
  #pending: Buffer[] | null = null;
  #pendingBytes = 0;
  /** Reading stopped on this side until the other side has flushed what it was given. */
  #clientHeld = false;
  #serverHeld = false;
  #open = 1; // sockets not yet closed
  #ended = false;
  #aborted = false;
  /** closeClient(): what the client still sends is read and dropped. */
  #discard = false;

  /**
   * Takes the client socket, paused, and starts reading it (buffered until `attach`).
   * `userBuffer`: the socket was made with `onread: { buffer: relayReadBuffer, callback:
   * relayClientRead }`; otherwise its 'data' events are used.
   */
  constructor(client: Socket, owner: RelayOwner, clientTimeout: number, userBuffer: boolean) {
    this.client = client;
    this.owner = owner;
    (client as RelaySocket)[RELAY] = this;
    if (!userBuffer) client.on('data', onClientData);
    client.on('end', onClientEnd);
    client.on('error', onClientError);
    client.on('timeout', onClientTimeout);
    client.on('close', onSocketClose);
    if (clientTimeout > 0) client.setTimeout(clientTimeout);
    this.#clientTimer = clientTimeout;
    client.resume();
  }

  get attached(): boolean {
    return this.server !== null;
  }

  /** Client bytes not yet forwarded (before `attach`), for HAProxy's "empty request" test. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** Those bytes as one buffer (tcp-request content fetches), undefined when none. */
  pendingData(): Buffer | undefined {
    const p = this.#pending;
    if (p === null || p.length === 0) return undefined;
    if (p.length > 1) this.#pending = [Buffer.concat(p)];
    return this.#pending![0];
  }

  /**
   * The server connection (made with `onread: { buffer: relayReadBuffer, callback:
   * relayServerRead }`) is established:
   * forward what the client sent so far, then relay. False, and nothing attached, when the
   * client is already gone: the caller closes `server`.
   */
  attach(server: Socket, timeouts: RelayTimeouts): boolean {
    if (this.#aborted || this.client.destroyed) return false;
    this.server = server;
    this.#timeouts = timeouts;
    this.#serverTimer = -1; // whatever the connect phase left: set it now
    this.#open++;
    (server as RelaySocket)[RELAY] = this;
    server.on('end', onServerEnd);
    server.on('error', onServerError);
    server.on('timeout', onServerTimeout);
    server.on('close', onSocketClose);
    const pending = this.#pending;
    this.#pending = null;
    this.#pendingBytes = 0;
    if (pending !== null) for (const chunk of pending) server.write(chunk, this.#afterServerWrite);
    if (this.clientEof) server.end();
    // Held for the pending limit, or now for the flush of what was pending.
    this.#clientHeld = server.writableLength > 0;
    if (!this.#clientHeld && !this.clientEof) this.client.resume();
    this.#applyTimeouts();
    server.resume();
    return true;
  }

  /** End the session now (timeouts, failures, admin action): both sockets are destroyed. */
  abort(cause: TerminationCause): void {
    this.#aborted = true;
    if (this.cause === '-') this.cause = cause;
    this.client.destroy();
    this.server?.destroy();
  }

  /**
   * End a session that never reached a server (no server, queue or connect failure) with a FIN
   * rather than a reset: the client's bytes are read and dropped until it closes too, or for
   * CLOSE_LINGER_MS at most. Closing with unread bytes would make the kernel send an RST.
   */
  closeClient(cause: TerminationCause): void {
    if (this.server !== null || this.#aborted) {
      this.abort(cause);
      return;
    }
    this.#aborted = true;
    this.#discard = true;
    if (this.cause === '-') this.cause = cause;
    this.#pending = null;
    this.#pendingBytes = 0;
    this.client.end();
    this.#clientTimer = CLOSE_LINGER_MS;
    this.client.setTimeout(CLOSE_LINGER_MS);
    if (this.#clientHeld) {
      this.#clientHeld = false;
      this.client.resume();
    }
  }

  /** Client bytes: forward them, or keep a copy until attached. False = stop reading for now. */
  fromClient(chunk: Buffer): boolean {
    this.bytesIn += chunk.length;
    if (this.#discard) return true;
    const server = this.server;
    if (server === null) {
      // The read buffer is reused: what waits for the server must be a copy.
      (this.#pending ??= []).push(Buffer.from(chunk));
      this.#pendingBytes += chunk.length;
      const more = this.#pendingBytes < PENDING_LIMIT;
      if (!more) this.#clientHeld = true;
      this.owner.onClientData?.(this);
      return more;
    }
    if (directWrite(server, chunk, this.#afterServerWrite)) return true;
    this.#clientHeld = true;
    // A server that has shut its side is now expected to read: its timer matters again.
    if (this.serverEof) this.#applyTimeouts();
    return false;
  }

  fromServer(chunk: Buffer): boolean {
    this.bytesOut += chunk.length;
    const client = this.client;
    if (directWrite(client, chunk, this.#afterClientWrite)) return true;
    this.#serverHeld = true;
    if (this.clientEof) this.#applyTimeouts();
    return false;
  }

  /** The server flushed the client's bytes: the client's buffer is free, read it again. */
  readonly #afterServerWrite = (): void => {
    if (this.#clientHeld && this.server !== null && this.server.writableLength === 0) {
      this.#clientHeld = false;
      if (!this.clientEof) this.client.resume();
      if (this.serverEof) this.#applyTimeouts();
    }
  };

  readonly #afterClientWrite = (): void => {
    if (this.#serverHeld && this.client.writableLength === 0) {
      this.#serverHeld = false;
      if (!this.serverEof) this.server?.resume();
      if (this.clientEof) this.#applyTimeouts();
    }
  };

  /**
   * HAProxy arms a side's timeout only while something is expected from that side: data to
   * read from it, or data of ours it has to read (src/stream.c, src/stconn.c). Once either
   * direction is shut, `timeout client-fin` / `server-fin` replace the side's timeout when set
   * (configuration.txt 4.2 "timeout client-fin").
   */
  #applyTimeouts(): void {
    const t = this.#timeouts;
    if (t === null) return;
    const halfClosed = this.clientEof || this.serverEof;
    const clientExpected = !this.clientEof || this.#serverHeld;
    const serverExpected = !this.serverEof || this.#clientHeld;
    const client = !clientExpected ? 0 : halfClosed && t.clientFin > 0 ? t.clientFin : t.client;
    const server = !serverExpected ? 0 : halfClosed && t.serverFin > 0 ? t.serverFin : t.server;
    if (client !== this.#clientTimer) {
      this.#clientTimer = client;
      this.client.setTimeout(client);
    }
    if (server !== this.#serverTimer && this.server !== null) {
      this.#serverTimer = server;
      this.server.setTimeout(server);
    }
  }

  onClientEnd(): void {
    this.clientEof = true;
    if (this.server === null) {
      // An empty request with the client gone: nothing will ever be sent (HAProxy CC / CQ),
      // unless the owner still inspects.
      const empty = this.#pendingBytes === 0;
      if (empty && this.owner.onEmptyClientEnd === undefined) return this.onClientFailure('C');
      // Nothing more is expected from the client: queue and connect timeouts rule.
      if (this.#clientTimer !== 0) {
        this.#clientTimer = 0;
        this.client.setTimeout(0);
      }
      if (!empty) this.owner.onClientData?.(this);
      else if (!this.owner.onEmptyClientEnd!(this)) this.onClientFailure('C');
      return;
    }
    this.server.end();
    this.#applyTimeouts();
  }

  onServerEnd(): void {
    this.serverEof = true;
    this.client.end();
    this.#applyTimeouts();
  }

  onClientFailure(cause: TerminationCause): void {
    if (this.#aborted) return;
    if (this.server === null) {
      this.#aborted = true;
      if (this.cause === '-') this.cause = cause;
      this.owner.onClientAbort(this);
      return;
    }
    this.abort(cause);
  }

  onClientTimeout(): void {
    // A client that does not close after closeClient(): reset it.
    if (this.#discard) this.client.destroy();
    else this.onClientFailure('c');
  }

  onSocketClosed(): void {
    if (--this.#open > 0 || this.#ended) return;
    this.#ended = true;
    this.owner.onRelayEnd(this);
  }
}

function relayOf(socket: Socket): Relay {
  return (socket as RelaySocket)[RELAY];
}

/**
 * `onread.callback` for client sockets (Node net docs "socket.connect(options)": `this` is the
 * socket, returning false stops reading). Give it, with relayReadBuffer, to the listener.
 */
export function relayClientRead(this: Socket, nread: number, buf: Buffer): boolean {
  const relay = relayOf(this);
  const more = relay.fromClient(buf.subarray(0, nread));
  relay.clientBuffer = nextReadBuffer(buf, nread, more);
  return more;
}

/** `onread.callback` for server sockets: give it, with relayReadBuffer, to net.connect(). */
export function relayServerRead(this: Socket, nread: number, buf: Buffer): boolean {
  const relay = relayOf(this);
  const more = relay.fromServer(buf.subarray(0, nread));
  relay.serverBuffer = nextReadBuffer(buf, nread, more);
  return more;
}

/** Client sockets without a user buffer (fallback): 'data' events, paused like the others. */
function onClientData(this: Socket, chunk: Buffer): void {
  if (!relayOf(this).fromClient(chunk)) this.pause();
}

function onClientEnd(this: Socket): void {
  relayOf(this).onClientEnd();
}

function onServerEnd(this: Socket): void {
  relayOf(this).onServerEnd();
}

function onClientError(this: Socket): void {
  relayOf(this).onClientFailure('C');
}

function onClientTimeout(this: Socket): void {
  relayOf(this).onClientTimeout();
}

function onServerError(this: Socket): void {
  relayOf(this).abort('S');
}

function onServerTimeout(this: Socket): void {
  relayOf(this).abort('s');
}

function onSocketClose(this: Socket): void {
  relayOf(this).onSocketClosed();
}
