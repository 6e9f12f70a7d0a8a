// A connection to a server in http mode and the per-server pools of idle ones (HAProxy's
// idle/safe connection lists, configuration.txt 4.2 "http-reuse"). A connection belongs to one
// session while a request uses it; between requests it stays with its session (`http-reuse
// never`: private) or waits in its server's pool, where a close or stray bytes from the server
// remove it. As in HAProxy 2.6 (mux_h1.c h1_detach), a connection whose last transaction was its
// first one waits in the server's `idle` list, one that has served more in its `safe` list (it
// has shown the server keeps connections alive).
// Handlers are module-level and find their connection through a symbol: no closure per request.
import net from 'node:net';
import tls from 'node:tls';
import type { Server } from '../backend/server.ts';
import type { ServerTlsOptions } from '../proxy/server-tls-connect.ts';
import { httpReadBuffer, nextHttpBuffer, PENDING, sendBuffer, sendLatin1 } from './http-io.ts';
import { clockEventEnd, clockEventStart } from '../event-clock.ts';
import { WriteBatch } from './write-batch.ts';
import { useLazyIdleTimeout } from '../net/idle-timeout.ts';

/** What the session using a connection is told. */
export interface ServerConnOwner {
  onServerConnect(conn: ServerConn): void;
  onServerConnectError(conn: ServerConn, timedOut: boolean): void;
  /** Bytes from the server; with a read buffer of its own, valid only during the call. */
  onServerData(conn: ServerConn, chunk: Buffer): void;
  /** After onServerData: the owner still uses the bytes it was given (the buffer cannot be reused). */
  keepsServerBytes(conn: ServerConn): boolean;
  onServerEnd(conn: ServerConn): void;
  /** Error, timeout (`timedOut`) or close while in use. */
  onServerFail(conn: ServerConn, timedOut: boolean): void;
  onServerDrain(conn: ServerConn): void;
}

/** HAProxy's `pool-purge-delay` default: idle connections older than this are closed. */
export const IDLE_TIMEOUT_MS = 5000;
/** Idle connections kept per server at most (HAProxy `pool-max-conn` is unlimited by default). */
const MAX_IDLE_PER_SERVER = 1024;

const CONN = Symbol('hapair.serverConn');
interface ConnSocket extends net.Socket {
  [CONN]: ServerConn;
}

export class ServerConn {
  readonly socket: net.Socket;
  readonly #batch: WriteBatch;
  readonly server: Server;
  readonly port: number;
  owner: ServerConnOwner | null;
  connected = false;
  /** Requests sent on it so far (more than 0: it was reused, a failure may be retried). */
  requests = 0;
  #pooled = false;
  /** Timer currently armed on the socket (ms, 0 = none), to avoid re-arming the same value. */
  #timer = 0;
  /** Direct writes not finished yet (their bytes are still in use). */
  writesPending = 0;
  readonly #written = (): void => {
    this.writesPending--;
    this.owner?.onServerDrain(this);
  };

  constructor(server: Server, port: number, owner: ServerConnOwner, connectTimeout: number, keepAlive: boolean, tlsOpts: ServerTlsOptions | undefined) {
    this.server = server;
    this.port = port;
    this.owner = owner;
    server.connects++;
    // Plain TCP reads into a buffer of its own (./http-io.ts); TLS sockets emit 'data'.
    const socket = tlsOpts !== undefined
      ? tls.connect({ host: server.host, port, ...tlsOpts })
      : net.connect({ host: server.host, port, noDelay: true, onread: { buffer: httpReadBuffer, callback: onRead } } as net.NetConnectOpts);
    if (tlsOpts !== undefined) socket.setNoDelay(true);
    if (keepAlive) socket.setKeepAlive(true);
    this.socket = socket;
    if (tlsOpts === undefined) useLazyIdleTimeout(socket);
    this.#batch = new WriteBatch(socket);
    (socket as ConnSocket)[CONN] = this;
    socket.on(tlsOpts !== undefined ? 'secureConnect' : 'connect', onConnect);
    socket.on('error', onError);
    socket.on('timeout', onTimeout);
    socket.on('close', onClose);
    if (tlsOpts !== undefined) socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('drain', onDrain);
    this.setTimeout(connectTimeout);
  }

  setTimeout(ms: number): void {
    if (ms === this.#timer) return;
    this.#timer = ms;
    this.socket.setTimeout(ms);
  }

  /** Write to the server; false when the caller should wait for onServerDrain. */
  send(buf: Buffer): boolean {
    const r = sendBuffer(this.#batch, buf, this.#written);
    if (r === PENDING) this.writesPending++;
    return r === 0;
  }

  sendHead(text: string): boolean {
    const r = sendLatin1(this.#batch, text, this.#written);
    if (r === PENDING) this.writesPending++;
    return r === 0;
  }

  /** Bytes given to a write are still in use. */
  get writing(): boolean {
    return this.writesPending > 0 || this.socket.writableLength > 0;
  }

  get pooled(): boolean {
    return this.#pooled;
  }

  destroy(): void {
    this.owner = null;
    if (this.#pooled) unpool(this);
    this.socket.destroy();
  }

  /** Park in the server's pool (safe list after a second or later request); false (and nothing done) when it cannot be kept. */
  park(): boolean {
    const pools = poolsOf(this.server);
    if (pools.safe.length + pools.idle.length >= MAX_IDLE_PER_SERVER || this.socket.destroyed || !this.socket.writable) return false;
    this.owner = null;
    this.#pooled = true;
    this.setTimeout(IDLE_TIMEOUT_MS);
    (this.requests > 1 ? pools.safe : pools.idle).push(this);
    return true;
  }

  /**
   * Leave the session it belongs to without going to a pool: idle, closed on any event (the
   * `timeout server` armed for the last response stays: no timer change per request).
   */
  detach(): void {
    this.owner = null;
  }

  /**
   * A parked connection of `server` for `owner`: from the safe list when `safe`, else (or when
   * that is empty) from the idle list when `idle`; the longest parked first (HAProxy's trees of
   * idle connections return the first inserted of equal keys). Null if none.
   */
  static fromPool(server: Server, owner: ServerConnOwner, safe: boolean, idle: boolean): ServerConn | null {
    const pools = POOLS.get(server);
    if (pools === undefined) return null;
    return (safe ? ServerConn.#take(pools.safe, owner) : null) ?? (idle ? ServerConn.#take(pools.idle, owner) : null);
  }

  static #take(list: ServerConn[], owner: ServerConnOwner): ServerConn | null {
    while (list.length > 0) {
      const conn = list.shift()!;
      conn.#pooled = false;
      if (conn.socket.destroyed || !conn.socket.writable) continue;
      conn.owner = owner;
      return conn;
    }
    return null;
  }

  /** Idle connections parked for `server` (tests, stats). */
  static idleCount(server: Server): number {
    const pools = POOLS.get(server);
    return pools === undefined ? 0 : pools.safe.length + pools.idle.length;
  }

  /** Close every idle connection of `server` (server going down, runtime stopping). */
  static purge(server: Server): void {
    const pools = POOLS.get(server);
    if (pools === undefined) return;
    POOLS.delete(server);
    for (const c of [...pools.safe, ...pools.idle]) {
      c.#pooled = false;
      c.socket.destroy();
    }
  }


  /** An idle connection saw an event: it can no longer be reused. */
  onIdleEvent(): void {
    if (this.#pooled) unpool(this);
    this.socket.destroy();
  }
}

/** A server's parked connections: HAProxy's safe and idle lists. */
interface ServerPools {
  readonly safe: ServerConn[];
  readonly idle: ServerConn[];
}

const POOLS = new WeakMap<Server, ServerPools>();

function poolsOf(server: Server): ServerPools {
  let pools = POOLS.get(server);
  if (pools === undefined) POOLS.set(server, (pools = { safe: [], idle: [] }));
  return pools;
}

function unpool(conn: ServerConn): void {
  const pools = POOLS.get(conn.server);
  if (pools === undefined) return;
  for (const list of [pools.safe, pools.idle]) {
    const i = list.indexOf(conn);
    if (i >= 0) list.splice(i, 1);
  }
}

function connOf(s: net.Socket): ServerConn {
  return (s as ConnSocket)[CONN];
}

function onConnect(this: net.Socket): void {
  const c = connOf(this);
  c.connected = true;
  c.owner?.onServerConnect(c);
}

function onError(this: net.Socket): void {
  const c = connOf(this);
  const owner = c.owner;
  if (owner === null) c.onIdleEvent();
  else if (!c.connected) owner.onServerConnectError(c, false);
  else owner.onServerFail(c, false);
}

function onTimeout(this: net.Socket): void {
  const c = connOf(this);
  const owner = c.owner;
  if (owner === null) c.onIdleEvent();
  else if (!c.connected) owner.onServerConnectError(c, true);
  else owner.onServerFail(c, true);
}

function onClose(this: net.Socket): void {
  const c = connOf(this);
  const owner = c.owner;
  if (owner === null) c.onIdleEvent();
  else if (!c.connected) owner.onServerConnectError(c, false);
  else owner.onServerFail(c, false);
}

function onData(this: net.Socket, chunk: Buffer): void {
  const c = connOf(this);
  const owner = c.owner;
  // Bytes from an idle server connection answer no request: it cannot be reused.
  if (owner === null) c.onIdleEvent();
  else owner.onServerData(c, chunk);
}

/** `onread.callback` of plain TCP server sockets. */
function onRead(this: net.Socket, nread: number, buf: Buffer): boolean {
  const c = connOf(this);
  const owner = c.owner;
  if (owner === null) {
    c.onIdleEvent();
    nextHttpBuffer(buf, nread, false);
    return false;
  }
  clockEventStart();
  try {
    owner.onServerData(c, buf.subarray(0, nread));
  } finally {
    clockEventEnd();
  }
  nextHttpBuffer(buf, nread, owner.keepsServerBytes(c));
  return true;
}

function onEnd(this: net.Socket): void {
  const c = connOf(this);
  const owner = c.owner;
  if (owner === null) c.onIdleEvent();
  else owner.onServerEnd(c);
}

function onDrain(this: net.Socket): void {
  const c = connOf(this);
  c.owner?.onServerDrain(c);
}
