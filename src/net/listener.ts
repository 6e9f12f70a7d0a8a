// Listeners: one listening socket per `bind` address (HAProxy configuration.txt 5.1). The
// contract of src/net: `openListener()` turns a BindAddress into a running net.Server whose
// accepted sockets are half-open capable, Nagle-free and paused until their session reads them.
import net from 'node:net';
import { getSystemErrorName } from 'node:util';
import type { BindAddress, BindSpec } from '../config/model.ts';
import { describeBindAddress, type BindContext } from './bind-error.ts';
import { listenFd } from './fd-listener.ts';
import { listenTcp } from './tcp-listener.ts';
import { listenUnix } from './unix-listener.ts';
import type { BindTlsContext } from './tls-context.ts';

export type ConnectionHandler = (socket: net.Socket, listener: Listener) => void;

/**
 * Accepted sockets read into a buffer of their own through Node's `onread` option instead of
 * emitting 'data' (no allocation per read): `buffer` and `callback` are that option's (the
 * buffer function is called when the socket is made and after each read; `callback` runs with
 * the socket as `this` and returning false stops reading until `resume()`).
 */
export interface UserBufferReads {
  readonly buffer: () => Buffer | undefined;
  readonly callback: (this: net.Socket, nread: number, buf: Buffer) => boolean | void;
}

export interface ListenerOptions {
  readonly address: BindAddress;
  readonly bind: BindSpec;
  /** listen(2) backlog: the bind's `backlog`, else the frontend's, else its maxconn (4.2 "backlog"). */
  readonly backlog: number;
  /** Proxy name and `bind` line, for HAProxy-worded errors. */
  readonly context?: BindContext;
}

/**
 * Server options shared by every listener: half-open relays need `allowHalfOpen`; sockets start
 * paused so a session decides when to read (a connection over `maxconn` waits unread, as it
 * would in the kernel's accept queue).
 */
const SERVER_OPTIONS: net.ServerOpts = { allowHalfOpen: true, pauseOnConnect: true, noDelay: true };

export class Listener {
  readonly address: BindAddress;
  readonly bind: BindSpec;
  readonly server: net.Server;
  /** `127.0.0.1:80`, `/run/x.sock` or `fd@3`, for logs. */
  readonly label: string;
  /** Local TCP port (known after listen; also for `fd@` TCP sockets); 0 for UNIX sockets. */
  port = 0;
  /** Local address text for TCP listeners ('0.0.0.0', '::', '127.0.0.1'...); 'unix' otherwise. */
  host = 'unix';
  /** Connections currently open through this listener (bind `maxconn`). */
  conns = 0;
  /** Listener id within its proxy (HAProxy luid, from 1), logged as %cp for UNIX clients. */
  id = 0;
  /** Its sockets read through `UserBufferReads` (else they emit 'data'). */
  userBuffer = false;
  /** `bind ... ssl`: accepted sockets are TLS-terminated with this context (src/proxy/tls-handshake.ts). */
  tls: BindTlsContext | undefined = undefined;
  /** Removes what the listener created on the file system (UNIX sockets), once closed. */
  #cleanup: (() => void) | undefined;
  #closed: Promise<void> | undefined;

  constructor(address: BindAddress, bind: BindSpec, server: net.Server) {
    this.address = address;
    this.bind = bind;
    this.server = server;
    this.label = describeBindAddress(address);
  }

  /** Called by the openers once listening. */
  setBound(cleanup?: () => void): void {
    this.#cleanup = cleanup;
    const addr = this.server.address();
    if (addr !== null && typeof addr === 'object') {
      this.port = addr.port;
      this.host = addr.address;
    }
  }

  get isUnix(): boolean {
    return this.host === 'unix';
  }

  /**
   * Stop listening now; open connections are not touched. (net.Server's own 'close' waits for
   * every accepted connection to end, which is not what a listener closing means here.)
   */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    // libuv closes the descriptor inside close(): the address is free once this returns.
    if (this.server.listening) this.server.close();
    this.#cleanup?.();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Opens one listener; rejects with a BindError worded as HAProxy does. */
export async function openListener(opts: ListenerOptions, onConnection: ConnectionHandler, reads?: UserBufferReads): Promise<Listener> {
  const server = net.createServer(SERVER_OPTIONS);
  const listener = new Listener(opts.address, opts.bind, server);
  server.on('connection', (socket: net.Socket) => onConnection(socket, listener));
  const addr = opts.address;
  switch (addr.kind) {
    case 'tcp':
      await listenTcp(listener, addr, opts);
      break;
    case 'unix':
      await listenUnix(listener, addr.path, opts);
      break;
    case 'fd':
      await listenFd(listener, addr.fd, opts);
      break;
  }
  if (reads !== undefined) listener.userBuffer = acceptWithUserBuffers(listener, reads, onConnection);
  return listener;
}

interface AcceptingHandle {
  onconnection?: (err: number, clientHandle: ClientHandle | undefined) => void;
}
interface ClientHandle {
  close(): void;
}

/**
 * Node's net.Server builds accepted sockets without `onread`, so the accept callback of the
 * listening handle is replaced by one that does (what net.js onconnection does, minus the
 * connection count we do not use). Returns false, leaving Node's path, if the handle does not
 * look as expected (another Node version): sockets then emit 'data' and everything still works.
 */
function acceptWithUserBuffers(listener: Listener, reads: UserBufferReads, onConnection: ConnectionHandler): boolean {
  return acceptWithOnread(listener.server, reads, (socket) => onConnection(socket, listener));
}

/**
 * The same for any listening net.Server (bench/floor/node-floor.ts uses it too): accepted
 * sockets read through `reads`, with TCP_NODELAY; accept errors go to the server's 'error'.
 */
export function acceptWithOnread(server: net.Server, reads: UserBufferReads, onSocket: (socket: net.Socket) => void): boolean {
  const handle = (server as unknown as { _handle?: AcceptingHandle })._handle;
  if (handle === undefined || typeof handle.onconnection !== 'function') return false;
  handle.onconnection = (err, clientHandle) => {
    if (err !== 0 || clientHandle === undefined) {
      // EMFILE and the like: reported (the runtime logs them), never thrown.
      const error = Object.assign(new Error(`accept ${getSystemErrorName(err)}`), { code: getSystemErrorName(err), errno: err, syscall: 'accept' });
      if (server.listenerCount('error') > 0) server.emit('error', error);
      return;
    }
    const socket = new net.Socket({
      handle: clientHandle,
      allowHalfOpen: true,
      readable: true,
      writable: true,
      pauseOnCreate: true,
      onread: { buffer: reads.buffer, callback: reads.callback },
    } as unknown as net.SocketConstructorOpts);
    socket.setNoDelay(true);
    onSocket(socket);
  };
  return true;
}
