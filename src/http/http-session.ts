// One client connection in `mode http` (HAProxy's H1 mux + stream + http_ana.c, condensed):
// read a request head, choose a backend and a server, send the request over a new or idle
// server connection, relay the response, log the transaction, then wait for the next request on
// the same connection (keep-alive, pipelining) or close it. Errors answer with HAProxy's status
// and error page and end only this session.
//
// Hot path: one object per connection holds all per-request state (reset between requests), the
// socket handlers are module-level functions, heads are one string each way, body bytes are
// forwarded as received. No Promise and no closure per request (an applet's Promise excepted).
import type net from 'node:net';
import type { QueueWaiter } from '../backend/backend.ts';
import type { Server } from '../backend/server.ts';
import type { Listener } from '../net/listener.ts';
import type { BalanceKey } from '../lb/balancer.ts';
import type { ProxyBackend } from '../proxy/proxy-backend.ts';
import type { ProxyFrontend } from '../proxy/proxy-frontend.ts';
import type { TerminationCause, TerminationPhase } from '../tcp/termination.ts';
import { BODY_CHUNKED, BODY_CLOSE, BODY_LENGTH, BODY_NONE, H1Message, HTX_HEAD_LIMIT, htxHeadBytes, responseBodyKind } from './h1-message.ts';
import { CHUNK_ERROR, CHUNK_MORE, ChunkedScanner } from './h1-chunked.ts';
import type { ErrorReply } from './error-pages.ts';
import { CONTINUE_100, CONTINUE_100_HTX, oneChunk, requestBufferFull, takeExpectContinue } from './buffer-request.ts';
import { findHeadEnd, skipLeadingEmptyLines } from './h1-head-end.ts';
import { useLazyIdleTimeout } from '../net/idle-timeout.ts';
import { parseRequestHead, parseResponseHead } from './h1-parse.ts';
import { cookieLogChars } from './cookie-persist.ts';
import { persistRequest, persistResponse } from './cookie-session.ts';
import { CONN_CLOSE, CONN_KEEP_ALIVE, CONN_NONE, writeRequestHead, writeResponseHead } from './h1-write.ts';
import type { HttpConf } from './http-conf.ts';
import { ServerConn, type ServerConnOwner } from './server-conn.ts';
import { httpReadBuffer, nextHttpBuffer, PENDING, SENT, sendBuffer, sendLatin1 } from './http-io.ts';
import type { UserBufferReads } from '../net/listener.ts';
import { HttpTxnBase, type LocalAnswer } from './http-txn.ts';
import { clockEventEnd, clockEventStart } from '../event-clock.ts';
import type { AppletRoute } from './applet-routes.ts';
import { WriteBatch } from './write-batch.ts';
import { httpLogRecord } from './http-log-record.ts';
import type { TcpLogRecord } from '../log/record.ts';
import type { Applet, AppletResponse } from './applet.ts';
import type { Condition } from '../acl/acl.ts';
import { matchesMonitorUri } from './monitor-uri.ts';
import type { CompressionAlgo } from '../config/model.ts';
import { compressibleResponse, rewriteCompressedHead, selectCompression } from './compression.ts';
import { ResponseCompressor } from './compressor.ts';
import { chunkData, compressedPieces } from './compressed-relay.ts';

/** HAProxy's input buffer (tune.bufsize): a head that does not end within it is refused. */
export const MAX_HEAD = 16384;
/** Client bytes buffered ahead (pipelined requests, body before the server is connected). */
const MAX_BUFFERED = 16384;

// Session states.
const S_HEAD = 0; // waiting for (the rest of) a request head
const S_BACKEND = 1; // head parsed, waiting for a server slot or connection
const S_FORWARD = 2; // request sent or being sent, response awaited or being relayed
const S_APPLET = 3; // an applet answers
const S_TUNNEL = 4; // after 101 / CONNECT: bytes both ways
const TUNNEL_CLIENT = 1;
const TUNNEL_SERVER = 2;
const S_CLOSING = 5; // answered and closing; client bytes are dropped
const S_DONE = 6;
const S_BODY = 7; // option http-buffer-request: the request body is awaited before going on
const S_TARPIT = 8; // http-request tarpit: held until `timeout tarpit`, client events ignored

// Where the body is awaited (option http-buffer-request): before use_backend (the frontend's
// option), or after it, before the backend's rules (the backend's option only).
const WAIT_NONE = 0;
const WAIT_FE = 1;
const WAIT_BE = 2;

// Layer-7 retries of the current request (retry-on), decided when it is first sent.
const L7_UNSET = 0;
const L7_ON = 1;
const L7_OFF = 2;

/** What a session needs from its runtime (same contract as the tcp session's host). */
export interface HttpSessionHost {
  readonly actconn: number;
  sessionEnded(session: HttpSession): void;
}

/** Per-frontend pieces the runtime resolves once (backend lookup, confs, applets, logging). */
export interface HttpFrontendContext {
  readonly frontend: ProxyFrontend;
  /** Pick the backend for a parsed request; null = none (503). */
  selectBackend(session: HttpSession): ProxyBackend | null;
  confOf(backend: ProxyBackend | null): HttpConf;
  /** Log one finished transaction. */
  log(session: HttpSession): void;
  routesOf(proxy: ProxyFrontend | ProxyBackend): readonly AppletRoute[];
  /** A running backend by name (`nbsrv(BE)`); undefined when unknown or disabled. */
  backendNamed(name: string): ProxyBackend | undefined;
}

const SOCKET_SESSION = Symbol('hapair.httpSession');
interface ClientSocket extends net.Socket {
  [SOCKET_SESSION]: HttpSession;
}

export class HttpSession extends HttpTxnBase implements BalanceKey, QueueWaiter, ServerConnOwner {
  readonly host: HttpSessionHost;
  readonly ctx: HttpFrontendContext;
  readonly client: net.Socket;
  readonly #clientBatch: WriteBatch;
  /** Intrusive list of live sessions kept by the runtime. */
  prev: HttpSession | null = null;
  next: HttpSession | null = null;
  #st = S_HEAD;
  /**
   * Who sent the last tunnel bytes: an idle tunnel's timeout blames the side silent the longest,
   * as HAProxy 2.6's read timeouts do (cD after a client message the server answered).
   */
  #tunnelLast = 0;
  /** Unconsumed client bytes (a partial head, pipelined requests). */
  #in: Buffer | null = null;
  /** Request body bytes received before the server connection was ready. */
  #pending: Buffer[] | null = null;
  #pendingBytes = 0;
  #reqKind = BODY_NONE;
  #reqLeft = 0;
  #reqDone = false;
  readonly #reqChunks = new ChunkedScanner();
  #resHead: Buffer | null = null;
  #resKind = BODY_NONE;
  #resLeft = 0;
  #resHeadDone = false;
  readonly #resChunks = new ChunkedScanner();
  /** `compression`: the algorithm the request chose (null: none), the response's encoder (null: not compressed). */
  #compAlgo: CompressionAlgo | null = null;
  #comp: ResponseCompressor | null = null;
  #conn: ServerConn | null = null;
  /** The session's own idle server connection between requests (HAProxy's private conns). */
  #own: ServerConn | null = null;
  #reqHeadText = '';
  #holdsSlot = false;
  #queued = false;
  #previous: Server | null = null;
  /** The server was chosen by use-server or a persistence cookie (HAProxy SF_DIRECT). */
  #direct = false;
  #turnAround: NodeJS.Timeout | null = null;
  #tarpit: NodeJS.Timeout | null = null;
  #tarpitStatus = 500;
  #clientEof = false;
  #closeClient = false;
  /** Re-encoded chunked body pieces of the current read (reused array). */
  readonly #pieces: (Buffer | string)[] = [];
  /** Request body bytes went straight to the server (the request cannot be resent). */
  #streamed = false;
  #l7 = L7_UNSET;
  #clientTimer = -1;
  /** option http-buffer-request: which wait is under way (WAIT_*), its end (ms since accept, -1: none). */
  #waitAt = WAIT_NONE;
  #waitDeadline = -1;
  /** Body data bytes the wait has seen in #in, how far it scanned #in (chunked), its scanner. */
  #waitData = 0;
  #waitScanned = 0;
  readonly #waitChunks = new ChunkedScanner();
  /** The body was awaited: a chunked one buffered whole goes out as one chunk, as from HAProxy. */
  #mergeChunks = false;
  /** The frontend's settings (head timeouts), looked up once. */
  readonly #feConf: HttpConf;
  /** Direct writes to the client not finished yet (their bytes are still in use). */
  #clientWrites = 0;
  readonly #clientWritten = (): void => {
    this.#clientWrites--;
    this.onClientDrain();
  };

  constructor(host: HttpSessionHost, ctx: HttpFrontendContext, listener: Listener, socket: net.Socket) {
    super(ctx.frontend, listener, socket);
    this.host = host;
    this.ctx = ctx;
    this.client = socket;
    if (!(socket as { encrypted?: boolean }).encrypted) useLazyIdleTimeout(socket);
    this.#clientBatch = new WriteBatch(socket);
    this.conf = ctx.confOf(ctx.frontend.backend);
    this.#feConf = this.conf;
    (socket as ClientSocket)[SOCKET_SESSION] = this;
    // With the listener's user buffer, reads come through httpClientRead instead.
    if (!listener.userBuffer) socket.on('data', onClientData);
    socket.on('end', onClientEnd);
    socket.on('error', onClientError);
    socket.on('timeout', onClientTimeout);
    socket.on('close', onClientClose);
    socket.on('drain', onClientDrain);
  }

  start(): void {
    this.#waitHead(true);
    this.client.resume();
  }

  routesOf(proxy: ProxyFrontend | ProxyBackend): readonly AppletRoute[] {
    return this.ctx.routesOf(proxy);
  }

  logTxn(): void {
    if (!this.monitorRequest) this.ctx.log(this);
  }

  backendNamed(name: string): ProxyBackend | undefined {
    return this.ctx.backendNamed(name);
  }

  logRecord(): TcpLogRecord {
    return httpLogRecord(this);
  }

  // ---- client side -------------------------------------------------------------------------

  #setClientTimeout(ms: number): void {
    if (ms === this.#clientTimer) return;
    this.#clientTimer = ms;
    this.client.setTimeout(ms);
  }

  /** Arm the head timers: http-request on a new connection, http-keep-alive between requests. */
  #waitHead(first: boolean): void {
    this.#st = S_HEAD;
    const conf = this.#feConf;
    // A first head waits for the earlier of `timeout http-request` and `timeout client` (HAProxy 2.6).
    const idle = first ? earliest(conf.httpRequestTimeout, conf.clientTimeout) : conf.keepAliveTimeout;
    this.#setClientTimeout(idle > 0 ? idle : conf.clientTimeout);
    if (this.#in !== null) this.#parseHead();
  }

  onClientData(chunk: Buffer): void {
    switch (this.#st) {
      case S_HEAD:
        this.#append(chunk);
        this.#parseHead();
        return;
      case S_BACKEND:
        this.#bufferBody(chunk, 0);
        return;
      case S_BODY:
        this.#append(chunk);
        if (this.#bodyBuffered()) this.#endWait();
        else this.#armWaitTimer();
        return;
      case S_FORWARD:
        if (!this.#reqDone) this.#forwardBody(chunk, 0);
        else this.#stash(chunk, 0);
        return;
      case S_TUNNEL:
        this.bytesIn += chunk.length;
        this.#tunnelLast = TUNNEL_CLIENT;
        if (this.#conn !== null && !this.#conn.send(chunk)) this.client.pause();
        return;
      case S_APPLET:
        if (!this.#reqDone) this.#collectAppletBody(chunk, 0);
        else this.#stash(chunk, 0);
        return;
      default:
        return; // closing: dropped
    }
  }

  /** Write to the client; false when the server side should wait (drain or write done). */
  #sendClient(buf: Buffer): boolean {
    const r = sendBuffer(this.#clientBatch, buf, this.#clientWritten);
    if (r === PENDING) this.#clientWrites++;
    return r === SENT;
  }

  #sendClientHead(head: string): boolean {
    const r = sendLatin1(this.#clientBatch, head, this.#clientWritten);
    if (r === PENDING) this.#clientWrites++;
    return r === SENT;
  }

  /** After a client read: its bytes are still referenced (kept, or being written). */
  keepsClientBytes(): boolean {
    return this.#in !== null || this.#pending !== null || (this.#conn !== null && this.#conn.writing);
  }

  /** ServerConnOwner: after a server read, its bytes are still referenced. */
  keepsServerBytes(): boolean {
    return this.#resHead !== null || this.#clientWrites > 0 || this.client.writableLength > 0;
  }

  #append(chunk: Buffer): void {
    this.#in = this.#in === null ? chunk : Buffer.concat([this.#in, chunk]);
  }

  /** Keep bytes after the current request (pipelining); stop reading when too much waits. */
  #stash(buf: Buffer, from: number): void {
    if (from >= buf.length) return;
    this.#append(from === 0 ? buf : buf.subarray(from));
    if (this.#in!.length > MAX_BUFFERED) this.client.pause();
  }

  #parseHead(): void {
    let buf = this.#in!;
    if (this.tRequest < 0) this.markRequestStart();
    const start = skipLeadingEmptyLines(buf, 0, buf.length);
    if (start > 0) {
      buf = buf.subarray(start);
      this.#in = buf.length > 0 ? buf : null;
      if (buf.length === 0) return;
    }
    const end = findHeadEnd(buf, 0, buf.length);
    if (end < 0) {
      if (buf.length > MAX_HEAD) this.#badRequest(400, buf);
      else this.#armRequestDeadline();
      return;
    }
    if (end > MAX_HEAD) return this.#badRequest(400, buf);
    const req = this.req;
    req.reset();
    const text = latin1Head(buf, end);
    let status = parseRequestHead(text, req);
    if (status === 0 && req.htxSize() > HTX_HEAD_LIMIT) status = 400;
    // A bad request is logged as HAProxy does: `<BADREQ>`, %TR -1, nothing sent counted.
    if (status !== 0) return this.#badRequest(status, buf);
    this.tHead = this.elapsed();
    const eol = text.indexOf('\n');
    this.requestLine = text.slice(0, text.charCodeAt(eol - 1) === 0x0d ? eol - 1 : eol);
    this.#in = end < buf.length ? buf.subarray(end) : null;
    // As HAProxy counts (%U, bin): its internal (HTX) copy of the head, not the wire bytes.
    this.bytesIn += req.htxBytes();
    this.#onRequest();
  }

  /**
   * `timeout http-request` counts from the first byte of the head (slowloris); `timeout client`
   * (inactivity) still ends a stalled head first when shorter, as in HAProxy 2.6.
   */
  #armRequestDeadline(): void {
    const conf = this.#feConf;
    if (conf.httpRequestTimeout <= 0) return this.#setClientTimeout(conf.clientTimeout);
    const left = conf.httpRequestTimeout - (this.elapsed() - this.tRequest);
    this.#setClientTimeout(earliest(left > 1 ? left : 1, conf.clientTimeout));
  }

  #badRequest(status: number, head?: Buffer): void {
    this.counterErrorRequest();
    if (head !== undefined) this.captureInvalidRequest(head);
    this.#answerError(status, 'P', 'R', undefined, true);
  }

  /** A complete, valid request head: rules, backend, then a server. */
  #onRequest(): void {
    this.#st = S_BACKEND;
    this.beginStream();
    // From here on `timeout client` (unchanged, so no timer work, when no http-request timeout).
    this.#setClientTimeout(this.conf.clientTimeout);
    const req = this.req;
    this.#reqKind = req.requestBodyKind();
    this.#reqLeft = req.contentLength;
    this.#reqDone = this.#reqKind === BODY_NONE;
    this.#reqChunks.reset();
    this.#resKind = BODY_NONE;
    const monitor = this.frontend.spec.monitor;
    if (monitor !== undefined && matchesMonitorUri(monitor.uri, req.uri)) return this.#answerMonitor(monitor.fail);
    const verdict = this.runRequestRules();
    if (verdict !== null) return this.#answer(verdict);
    if (this.#feConf.feBufferRequest && this.#waitBody(WAIT_FE, this.#feConf.httpRequestTimeout)) return;
    this.#switchBackend();
  }

  /** use_backend; with only the backend's option http-buffer-request, its body wait comes next. */
  #switchBackend(): void {
    const be = this.ctx.selectBackend(this);
    this.setBackend(be);
    if (be !== null) {
      this.conf = this.ctx.confOf(be);
      if (!this.#feConf.feBufferRequest && this.conf.beBufferRequest) {
        // Switched to the backend before the wait (stream_set_backend): it counts there already.
        this.#enterBackend(be);
        if (this.#waitBody(WAIT_BE, this.conf.beHttpRequestTimeout)) return;
      }
    }
    this.#afterSwitch(be);
  }

  /** The backend's rules, an applet, or a server. */
  #afterSwitch(be: ProxyBackend | null): void {
    if (be !== null) {
      const beVerdict = this.runBackendRules(be);
      if (beVerdict !== null) {
        // The stream was switched to the backend before its rules ran (stream_set_backend): it counts there.
        this.#enterBackend(be);
        // A body read by the wait counts in %U as #answer skips it (HAProxy read it into its buffer).
        return this.#answer(beVerdict);
      }
    }
    const applet = this.appletFor(be);
    if (applet !== null) return this.#runApplet(applet);
    if (be === null) {
      this.#countAwaited();
      return this.#answerError(503, 'S', 'C');
    }
    this.#enterBackend(be);
    this.#waitData = 0;
    // Body bytes that came with the head (or were awaited).
    const rest = this.#in;
    this.#in = null;
    if (rest !== null) this.#bufferBody(rest, 0);
    this.#persist(be);
    this.addUniqueIdHeader();
    // The compression filter sees the request once every rule ran (AN_REQ_FLT_HTTP_HDRS).
    this.#compAlgo = this.conf.compression === null ? null : selectCompression(this.req, this.conf.compression);
    this.#assign();
  }

  #enterBackend(be: ProxyBackend): void {
    if (this.enteredBackend) return;
    be.counters.enter();
    this.enteredBackend = true;
  }

  // ---- option http-buffer-request ------------------------------------------------------------

  /**
   * Start waiting for the request body (http_wait_for_msg_body): a request with a body, after the
   * `100 Continue` HAProxy sends itself for `Expect: 100-continue`. False when there is nothing
   * to wait for (no body, or all of it, or a full buffer, already here): go on at once.
   * `timeout`: the waiting proxy's `timeout http-request`, counted from now.
   */
  #waitBody(at: number, timeout: number): boolean {
    if (this.#reqKind === BODY_NONE || this.req.method === 'CONNECT') return false;
    if (takeExpectContinue(this.req, this.#reqKind)) {
      this.bytesOut += CONTINUE_100_HTX;
      this.client.write(CONTINUE_100, 'latin1');
    }
    this.#waitAt = at;
    this.#waitData = this.#waitScanned = 0;
    this.#waitChunks.reset();
    this.#mergeChunks = this.#reqKind === BODY_CHUNKED;
    if (this.#bodyBuffered()) {
      this.#waitAt = WAIT_NONE;
      // HAProxy's request time (%TR) ends with the wait (s->logs.tv_request).
      this.tHead = this.elapsed();
      return false;
    }
    this.#st = S_BODY;
    this.#waitDeadline = timeout > 0 ? this.elapsed() + timeout : -1;
    this.#armWaitTimer();
    return true;
  }

  /** The body is in #in whole, or the request buffer is full, or its chunks are malformed (400 later). */
  #bodyBuffered(): boolean {
    const buf = this.#in;
    if (buf === null) return false;
    if (this.#reqKind === BODY_LENGTH) {
      this.#waitData = Math.min(buf.length, this.#reqLeft);
      return this.#waitData === this.#reqLeft || requestBufferFull(this.req, this.#waitData);
    }
    const chunks = this.#waitChunks;
    const r = chunks.scan(buf, this.#waitScanned, buf.length);
    this.#waitScanned = buf.length;
    this.#waitData = chunks.htxBytes;
    return r !== CHUNK_MORE || requestBufferFull(this.req, this.#waitData);
  }

  /** A local answer after the wait: the body bytes it got count in %U as in HAProxy (read into its buffer). */
  #countAwaited(): void {
    this.bytesIn += this.#waitData;
    this.#waitData = 0;
  }

  /** `timeout http-request` from the start of the wait, and `timeout client` between reads. */
  #armWaitTimer(): void {
    const ct = this.#feConf.clientTimeout;
    if (this.#waitDeadline < 0) return this.#setClientTimeout(ct);
    const left = this.#waitDeadline - this.elapsed();
    this.#setClientTimeout(earliest(left > 1 ? left : 1, ct));
  }

  #endWait(): void {
    const at = this.#waitAt;
    this.#waitAt = WAIT_NONE;
    this.#st = S_BACKEND;
    this.tHead = this.elapsed();
    this.#setClientTimeout(this.#feConf.clientTimeout);
    if (at === WAIT_FE) this.#switchBackend();
    else this.#afterSwitch(this.backend);
  }

  /**
   * No body in time (`timeout http-request`, or `timeout client` between reads): HAProxy's stream
   * answers 408 and closes, logged `cR` with %TR -1 and the body bytes received in %U, counted
   * as a failed request (http_wait_for_msg_body abort_req).
   */
  #waitTimedOut(): void {
    this.#waitAt = WAIT_NONE;
    this.#countAwaited();
    this.tHead = -1;
    this.counterErrorRequest();
    this.#answerError(408, 'c', 'R');
  }

  /**
   * The client closed or reset before its body was in: no server is tried, nothing is answered,
   * logged `-1 CR` with %TR at the close; a frontend's wait still reached use_backend (HAProxy's
   * analysers go on to the switching rules before the stream sees the close).
   */
  #leaveWait(): void {
    const at = this.#waitAt;
    this.#waitAt = WAIT_NONE;
    this.#countAwaited();
    this.tHead = this.elapsed();
    if (at === WAIT_FE) {
      const be = this.ctx.selectBackend(this);
      this.setBackend(be);
      if (be !== null) {
        this.conf = this.ctx.confOf(be);
        this.#enterBackend(be);
      }
    }
    this.#abort('C', 'R');
  }

  /** Cookie persistence (configuration.txt 4.2 "cookie"): may pin the server, edits Cookie fields. */
  #persist(be: ProxyBackend): void {
    const r = persistRequest(be.spec, be.servers, this.req, this, be.spec.cookie !== undefined && this.pinnedServer(be) !== null);
    this.persistence = r;
    if (r !== null) this.cookieFlags = cookieLogChars(be.spec.cookie, r.status, 'N');
  }

  /** Body bytes before the server is connected: keep them (bounded), the rest is pipelined. */
  #bufferBody(buf: Buffer, from: number): void {
    if (this.#reqDone) return this.#stash(buf, from);
    const end = this.#bodyEnd(buf, from);
    if (end === -2) return this.#badRequest(400);
    const stop = end < 0 ? buf.length : end;
    if (this.#reqKind === BODY_CHUNKED) {
      const whole = this.#mergeChunks && end >= 0 && this.#pending === null;
      const pending = (this.#pending ??= []);
      for (const p of whole ? oneChunk(this.#pieces) : this.#pieces) {
        const b = typeof p === 'string' ? Buffer.from(p, 'latin1') : p;
        pending.push(b);
        this.#pendingBytes += b.length;
      }
    } else if (stop > from) {
      const part = from === 0 && stop === buf.length ? buf : buf.subarray(from, stop);
      (this.#pending ??= []).push(part);
      this.#pendingBytes += part.length;
    }
    if (this.#pendingBytes > MAX_BUFFERED) this.client.pause();
    if (end >= 0) this.#stash(buf, end);
  }

  /**
   * Where the request body ends in buf[from..]: an index, -1 when all of it is body, -2 on a
   * malformed chunk. Updates the framing state; sets #reqDone at the end.
   */
  #bodyEnd(buf: Buffer, from: number): number {
    if (this.#reqKind === BODY_LENGTH) {
      const n = buf.length - from;
      if (n < this.#reqLeft) {
        this.#reqLeft -= n;
        this.bytesIn += n;
        return -1;
      }
      const end = from + this.#reqLeft;
      this.bytesIn += this.#reqLeft;
      this.#reqLeft = 0;
      this.#reqDone = true;
      return end;
    }
    // Chunked bodies go out re-encoded (#pieces), as HAProxy's do.
    this.#pieces.length = 0;
    const chunks = this.#reqChunks;
    const counted = chunks.htxBytes;
    const r = chunks.scan(buf, from, buf.length, this.#pieces);
    this.bytesIn += chunks.htxBytes - counted;
    if (r === CHUNK_MORE) return -1;
    if (r === CHUNK_ERROR) return -2;
    this.#reqDone = true;
    return r;
  }

  #forwardBody(buf: Buffer, from: number): void {
    const end = this.#bodyEnd(buf, from);
    if (end === -2) {
      this.counterErrorRequest();
      return this.#abort('P', 'D');
    }
    const stop = end < 0 ? buf.length : end;
    if (stop > from && this.#conn !== null) {
      this.#streamed = true;
      const socket = this.#conn.socket;
      const ok = this.#reqKind === BODY_CHUNKED
        ? writePieces(socket, this.#pieces)
        : this.#conn.send(from === 0 && stop === buf.length ? buf : buf.subarray(from, stop));
      if (!ok) this.client.pause();
    }
    if (end >= 0) {
      this.#stash(buf, end);
      this.#armServerWait();
    }
  }

  onClientEnd(): void {
    this.#clientEof = true;
    switch (this.#st) {
      case S_HEAD:
        // A client leaving between requests is a normal end; in the middle of a head, `CR`.
        if (this.#in === null && this.tRequest < 0) return this.#closedIdle();
        // Even empty lines count: HAProxy answers 400 to a close with bytes pending.
        this.counterErrorRequest();
        return this.#answerError(400, 'C', 'R', undefined, true);
      case S_BODY:
        return this.#leaveWait();
      case S_BACKEND:
        if (!this.#reqDone || this.ctx.confOf(this.backend).abortOnClose) return this.#abort('C', this.#queued ? 'Q' : 'C');
        return;
      case S_FORWARD:
        if (!this.#reqDone) return this.#abort('C', 'D');
        // HAProxy 2.6 gives up on the server and answers its 400 page, logged `400 CH`.
        if (this.ctx.confOf(this.backend).abortOnClose && !this.#resHeadDone) return this.#answerError(400, 'C', 'H');
        // Otherwise the response goes out as it would (no `connection: close` added), and so do
        // those of requests already pipelined; #endTxn closes once none is left (HAProxy 2.6).
        return;
      case S_TUNNEL:
        this.#conn?.socket.end();
        return;
      case S_APPLET:
        this.#closeClient = true;
        return;
      case S_TARPIT:
        return;
      default:
        return this.#finish();
    }
  }

  onClientTimeout(): void {
    if (this.#st === S_HEAD) {
      // No byte of a next request (`timeout http-keep-alive`), or of a first one under option
      // http-ignore-probes (a browser's pre-connect): a silent close.
      if (this.#in === null && this.tRequest < 0 && (this.requests > 0 || this.#feConf.ignoreProbes)) return this.#finish();
      this.counterErrorRequest();
      return this.#answerError(408, 'c', 'R', undefined, true);
    }
    if (this.#st === S_TUNNEL) return this.#abort(this.#tunnelLast === TUNNEL_CLIENT ? 's' : 'c', 'D');
    if (this.#st === S_BODY) return this.#waitTimedOut();
    this.#abort('c', this.#resHeadDone ? 'D' : this.#st === S_BACKEND ? (this.#queued ? 'Q' : 'C') : 'H');
  }

  /**
   * The client closed while no request was started: silent between requests, but a connection
   * that never sent one is logged as HAProxy does (`400 CR <BADREQ>`, unless dontlognull), and
   * counted, except under option http-ignore-probes.
   */
  #closedIdle(): void {
    if (this.requests === 0 && !this.#feConf.ignoreProbes) {
      this.status = 400;
      this.cause = 'C';
      this.phase = 'R';
      this.counterErrorRequest();
      // Counted as the 400 it stands for: hrsp_4xx and req_tot too (HAProxy 2.6, measured).
      this.settleCounters();
      this.logTxn();
    }
    this.#finish();
  }

  onClientError(): void {
    if (this.#st === S_TARPIT) return;
    if (this.#st === S_BODY) return this.#leaveWait();
    if (this.#st === S_HEAD && this.#in === null && this.tRequest < 0) return this.#closedIdle();
    this.#abort('C', this.#st === S_HEAD ? 'R' : this.#resHeadDone ? 'D' : 'H');
  }

  onClientClose(): void {
    if (this.#st !== S_DONE) this.onClientError();
  }

  onClientDrain(): void {
    this.#conn?.socket.resume();
  }

  /**
   * BalanceKey.body: the body bytes received so far (content-length bodies only), read by
   * `balance url_param` on a POST whose query lacks the parameter (backend.c get_server_ph_post).
   */
  get body(): string | undefined {
    const p = this.#pending;
    return p === null || this.#reqKind !== BODY_LENGTH ? undefined : Buffer.concat(p).toString('latin1');
  }

  // ---- server selection and connection -------------------------------------------------------

  #assign(): void {
    const be = this.backend!;
    // use-server first, then the persistence cookie (HAProxy process_server_rules, then cookies).
    const pinned = this.pinnedServer(be) ?? (this.#previous === null ? this.persistence?.server : null) ?? null;
    this.#direct = pinned !== null;
    const last = pinned === null ? this.#lastServer(be) : null;
    const result = pinned !== null ? be.core.assignTo(pinned, this) : last !== null ? be.core.assignTo(last, this)
      : be.core.assign(this, this, this.#previous ?? undefined);
    if (typeof result !== 'string') return this.#gotServer(result);
    if (result === 'queued') {
      this.#queued = true;
      this.phase = 'Q';
      return;
    }
    be.counters.econ++;
    this.#answerError(503, 'S', result === 'no-server' ? 'C' : 'Q');
  }

  /**
   * `option prefer-last-server` (backend.c assign_server): the server this client connection
   * still holds a connection to (http-reuse never keeps one), while it is usable; not with the
   * hash-based algorithms.
   */
  #lastServer(be: ProxyBackend): Server | null {
    const own = this.#own;
    if (own === null || !this.conf.preferLastServer || this.#previous !== null || own.socket.destroyed) return null;
    const s = own.server;
    return s.isUsable() && be.servers.includes(s) ? s : null;
  }

  #gotServer(server: Server): void {
    const be = this.backend!;
    const previous = this.#previous;
    if (previous !== null) {
      this.#previous = null;
      if (be.countReassignment(previous, server)) {
        this.redispatched = true;
        // Away from the server a valid cookie named: logged `D` (HAProxy TX_CK_VALID → TX_CK_DOWN).
        const p = this.persistence;
        if (p !== null && p.status === 'V') {
          this.persistence = { ...p, status: 'D' };
          this.cookieFlags = 'D' + this.cookieFlags[1];
        }
      }
    }
    this.server = server;
    this.#holdsSlot = true;
    be.countersOf(server).enter();
    if (this.tQueue < 0) this.tQueue = this.elapsed();
    this.#connect();
  }

  onDequeued(server: Server): void {
    this.#queued = false;
    this.#gotServer(server);
  }

  onQueueTimeout(): void {
    this.#queued = false;
    this.tQueue = this.elapsed();
    this.backend!.counters.econ++;
    this.#answerError(503, 's', 'Q');
  }

  onRedispatch(): void {
    this.#queued = false;
    this.#assign();
  }

  /** An idle connection to the server when allowed, else a new one (configuration.txt "http-reuse"). */
  #connect(): void {
    const server = this.server!;
    const be = this.backend!;
    this.phase = 'C';
    // http-reuse never: the session's private connection, when it is to this server.
    const own = this.#own;
    if (own !== null) {
      this.#own = null;
      if (own.server === server && !own.socket.destroyed) {
        own.owner = this;
        return this.#useConn(own);
      }
      own.destroy();
    }
    // HAProxy 2.6 connect_server(): a later request of a client connection may take a parked
    // connection (safe ones first), a first request only with aggressive (safe ones) or always.
    const reuse = this.conf.reuse;
    if (reuse !== 'never') {
      const later = this.requests > 1;
      const pooled = ServerConn.fromPool(server, this, later || reuse !== 'safe', later || reuse === 'always');
      if (pooled !== null) return this.#useConn(pooled);
    }
    const offset = server.spec.portOffset;
    const port = offset !== undefined ? this.listener.port + offset : (server.port ?? this.listener.port);
    this.connectPort = port;
    this.#conn = new ServerConn(server, port, this, be.connectTimeout, be.keepAlive, be.tlsOf(server));
  }

  onServerConnect(conn: ServerConn): void {
    this.backend!.observe(this.server!, 'L4_OK');
    this.#useConn(conn);
  }

  onServerConnectError(conn: ServerConn, timedOut: boolean): void {
    conn.destroy();
    if (this.#conn === conn) this.#conn = null;
    const be = this.backend!;
    const server = this.server!;
    be.observe(server, 'L4_ERR');
    if (this.retries >= be.retries || !be.retryConnFailure) {
      be.countersOf(server).econ++;
      be.counters.econ++;
      return this.#answerError(503, timedOut ? 's' : 'S', 'C');
    }
    this.retries++;
    if (be.shouldRedispatch(server, this.retries, this.#direct)) {
      this.#releaseSlot();
      this.#previous = server;
      this.server = null;
      if (!timedOut && be.activeServers() <= 1) this.#turnAround = setTimeout(onTurnAround, be.turnAround, this);
      else this.#assign();
      return;
    }
    be.countRetryOnServer(server);
    if (timedOut) this.#connect();
    else this.#turnAround = setTimeout(onTurnAround, be.turnAround, this);
  }

  onTurnAroundEnd(): void {
    this.#turnAround = null;
    if (this.#st !== S_BACKEND) return;
    if (this.server !== null) this.#connect();
    else this.#assign();
  }

  /** Connection ready: send the head and what we have of the body. */
  #useConn(conn: ServerConn): void {
    this.#conn = conn;
    if (this.tConnect < 0) this.tConnect = this.elapsed();
    if (this.frontend.wantsAddresses) this.backendSource = conn.socket.address() as net.AddressInfo;
    this.#st = S_FORWARD;
    this.phase = 'H';
    conn.requests++;
    this.#resHead = null;
    this.#resHeadDone = false;
    this.#reqHeadText = this.buildRequestHead(this.#serverConnMode());
    if (this.#l7 === L7_UNSET) this.#l7 = this.#replayable() ? L7_ON : L7_OFF;
    const socket = conn.socket;
    // One write per request: a string alone, or head and buffered body in one buffer (cheaper
    // than a corked writev of several pieces).
    const pending = this.#pending;
    const flushed = pending === null ? conn.sendHead(this.#reqHeadText) : conn.send(joinHead(this.#reqHeadText, pending, this.#pendingBytes));
    if (this.#reqDone) this.#armServerWait();
    else {
      conn.setTimeout(this.conf.serverTimeout);
      // The rest of the body streams from now on; a paused client resumes now or on 'drain'.
      if (flushed) this.client.resume();
    }
  }

  /** HAProxy h1_update_req_conn_value: the connection header towards the server. */
  #serverConnMode(): number {
    const closing = this.conf.httpClose || this.conf.serverClose;
    if (this.req.version11) return closing ? CONN_CLOSE : CONN_NONE;
    // HTTP/1.0 with Transfer-Encoding: HAProxy closes after it and says nothing to the server.
    if (this.req.forceClose) return CONN_NONE;
    return closing ? CONN_NONE : CONN_KEEP_ALIVE;
  }

  #armServerWait(): void {
    this.#conn?.setTimeout(this.conf.serverTimeout);
    const ct = this.conf.clientTimeout;
    this.#setClientTimeout(ct);
  }

  // ---- response ---------------------------------------------------------------------------

  onServerData(conn: ServerConn, chunk: Buffer): void {
    if (this.#st === S_TUNNEL) {
      this.bytesOut += chunk.length;
      this.#tunnelLast = TUNNEL_SERVER;
      if (!this.#sendClient(chunk)) conn.socket.pause();
      return;
    }
    if (this.#st !== S_FORWARD) return conn.destroy();
    if (!this.#resHeadDone) return this.#onResponseHeadBytes(conn, chunk);
    this.#forwardResponse(conn, chunk, 0);
  }

  #onResponseHeadBytes(conn: ServerConn, chunk: Buffer): void {
    const buf = this.#resHead === null ? chunk : Buffer.concat([this.#resHead, chunk]);
    const end = findHeadEnd(buf, 0, buf.length);
    if (end < 0) {
      if (buf.length > MAX_HEAD) return this.#badResponse(conn, buf);
      this.#resHead = buf;
      return;
    }
    this.#resHead = null;
    const res = this.res;
    res.reset();
    const text = end > MAX_HEAD ? '' : latin1Head(buf, end);
    if (end > MAX_HEAD || parseResponseHead(text, res) !== 0 || res.htxSize() > HTX_HEAD_LIMIT) return this.#badResponse(conn, buf);
    if (res.status < 200) return this.#onInterim(conn, buf, end);
    if (this.#l7 === L7_ON && this.conf.l7Retry!.onStatus(res.status) && this.#retryL7(conn)) return;
    this.tResponse = this.elapsed();
    this.#resHeadDone = true;
    this.phase = 'D';
    this.status = this.serverStatus = res.status;
    // HAProxy counts a server's head as it came into its buffer (%B, bout), before any rule edits it.
    const received = res.htxBytes();
    this.backend!.observe(this.server!, res.status >= 500 && res.status !== 501 && res.status !== 505 ? 'HTTP_STS' : 'HTTP_OK');
    // Decided on the head as the server sent it, before the http-response rules (comp_http_post_analyze).
    this.#comp = this.#compAlgo !== null ? this.#compressorFor(this.#compAlgo) : null;
    const verdict = this.runResponseRules();
    if (verdict !== null) {
      conn.destroy();
      this.#conn = null;
      // The response that came (its head and the content-length body bytes read with it) counts, then the answer.
      this.bytesOut += received + (res.contentLength > 0 && !res.chunked ? Math.min(res.contentLength, buf.length - end) : 0);
      // Answered while the response head was processed: logged `PH` (http_process_res_common return_prx_cond).
      this.#comp = null;
      return this.#answer(verdict, 'H');
    }
    const cookie = this.backend!.spec.cookie;
    if (cookie !== undefined && this.persistence !== null) this.cookieFlags = persistResponse(cookie, this.persistence, this.server, this.req.method, res);
    // After the cookie's Set-Cookie, as http_process_res_common ends (`end:`).
    if (this.hasAfterResponseRules()) this.runAfterResponseRules();
    this.#resKind = responseBodyKind(res, this.req.method);
    this.#resLeft = res.contentLength;
    this.#resChunks.reset();
    if (this.#wantsClose()) this.#closeClient = true;
    if (this.#comp !== null) rewriteCompressedHead(res, this.#comp.algo);
    const connMode = this.#clientConnMode();
    // Nothing can have edited a head no response rule or cookie saw: a canonical one goes out as it came.
    const head = connMode === CONN_NONE && res.canonical && !this.conf.responseEditable && this.#comp === null ? text : writeResponseHead(res, connMode);
    // HAProxy counts its HTX copy of the head (%B, bout), without the connection header its H1 layer adds.
    this.bytesOut += received;
    if (this.#resKind === BODY_NONE) {
      this.#sendClientHead(head);
      if (res.status === 101 || (this.req.method === 'CONNECT' && res.status < 300)) return this.#startTunnel(conn, buf, end);
      return this.#responseDone(conn, end < buf.length);
    }
    // A head that goes out exactly as it came (a server writing HAProxy's lower-case names):
    // forwarded with its body from the read buffer, without building a new buffer.
    this.#forwardResponse(conn, buf, end, head, head === text);
  }

  /** 1xx: forwarded as is, then the final response is awaited (101 switches to a tunnel). */
  #onInterim(conn: ServerConn, buf: Buffer, end: number): void {
    const res = this.res;
    if (res.status === 101) {
      // A switch nobody asked for (no `Connection: upgrade` in the request) is a bad response, as in HAProxy 2.6.
      if (!this.req.connUpgrade) return this.#badResponse(conn, buf);
      this.tResponse = this.elapsed();
      this.#resHeadDone = true;
      this.status = this.serverStatus = 101;
      const head = writeResponseHead(res, CONN_NONE);
      this.bytesOut += res.htxBytes();
      this.client.write(head, 'latin1');
      return this.#startTunnel(conn, buf, end);
    }
    const head = writeResponseHead(res, CONN_NONE);
    this.bytesOut += res.htxBytes();
    this.client.write(head, 'latin1');
    if (end < buf.length) this.#onResponseHeadBytes(conn, buf.subarray(end));
  }

  /**
   * Relay response body bytes of buf[from..]; `head`: the response head to send first, and
   * `headAsIs`: it is buf[0..from] byte for byte.
   */
  #forwardResponse(conn: ServerConn, buf: Buffer, from: number, head?: string, headAsIs = false): void {
    if (this.#comp !== null) return this.#forwardCompressed(conn, buf, from, head);
    let end = -1;
    if (this.#resKind === BODY_LENGTH) {
      const n = buf.length - from;
      if (n >= this.#resLeft) end = from + this.#resLeft;
      this.#resLeft -= Math.min(n, this.#resLeft);
    } else if (this.#resKind === BODY_CHUNKED) {
      this.#pieces.length = 0;
      const chunks = this.#resChunks;
      const counted = chunks.htxBytes;
      end = chunks.scan(buf, from, buf.length, this.#pieces);
      this.bytesOut += chunks.htxBytes - counted;
      if (end === CHUNK_ERROR) return this.#abort('S', 'D');
      return this.#forwardPieces(conn, buf, end, head);
    }
    const stop = end < 0 ? buf.length : end;
    if (stop > from) {
      this.bytesOut += stop - from;
      let out: Buffer;
      if (head !== undefined && headAsIs) out = stop === buf.length ? buf : buf.subarray(0, stop);
      else {
        const body = from === 0 && stop === buf.length ? buf : buf.subarray(from, stop);
        out = head === undefined ? body : joinHead(head, body, body.length);
      }
      const ok = this.#sendClient(out);
      if (!ok && end < 0) conn.socket.pause();
    } else if (head !== undefined) {
      this.#sendClientHead(head);
    }
    if (end >= 0) this.#responseDone(conn, end < buf.length);
  }

  /** select_compression_response_header: an encoder when this response is to be compressed. */
  #compressorFor(algo: CompressionAlgo): ResponseCompressor | null {
    const kind = responseBodyKind(this.res, this.req.method);
    const bodyLess = kind === BODY_LENGTH ? this.res.contentLength === 0 : kind !== BODY_CHUNKED;
    return compressibleResponse(this.req, this.res, this.conf.compression!, bodyLess) ? new ResponseCompressor(algo) : null;
  }

  /**
   * A compressed response's body bytes of buf[from..]: what this read brought, encoded and
   * flushed as one chunk (after the head when given), the end of the stream and the last chunk
   * (with the server's trailers) once the body is complete. Counted as comp_http_payload counts.
   */
  #forwardCompressed(conn: ServerConn, buf: Buffer, from: number, head: string | undefined): void {
    const comp = this.#comp!;
    let end = -1;
    let data: Buffer;
    let trailerBytes = 0;
    const pieces = this.#pieces;
    pieces.length = 0;
    if (this.#resKind === BODY_LENGTH) {
      const take = Math.min(buf.length - from, this.#resLeft);
      this.#resLeft -= take;
      if (this.#resLeft === 0) end = from + take;
      data = buf.subarray(from, from + take);
    } else {
      const chunks = this.#resChunks;
      const counted = chunks.htxBytes;
      end = chunks.scan(buf, from, buf.length, pieces);
      if (end === CHUNK_ERROR) return this.#abort('S', 'D');
      data = chunkData(pieces);
      // HAProxy's count of the trailers (names, values, end of trailers) besides the data.
      trailerBytes = chunks.htxBytes - counted - data.length;
    }
    const done = end >= 0;
    const out = compressedPieces(comp, data, pieces, done);
    const fe = this.frontend.counters;
    const be = this.backend!.counters;
    // The trailers and the end-of-trailers mark go through the filter too (counted, not encoded).
    const consumed = data.length + trailerBytes;
    if (comp.compresses) {
      fe.compIn += consumed;
      be.compIn += consumed;
      fe.compOut += out.encoded + trailerBytes;
      be.compOut += out.encoded + trailerBytes;
    } else {
      fe.compByp += consumed;
      be.compByp += consumed;
    }
    this.bytesOut += out.encoded + trailerBytes;
    if (head !== undefined) out.pieces.unshift(head);
    const ok = writePieces(this.client, out.pieces);
    if (!done) {
      if (!ok) conn.socket.pause();
      return;
    }
    this.#comp = null;
    fe.compRsp++;
    be.compRsp++;
    this.#responseDone(conn, end < buf.length);
  }

  /** The re-encoded pieces of a chunked response (the head first when given). */
  #forwardPieces(conn: ServerConn, buf: Buffer, end: number, head: string | undefined): void {
    const pieces = this.#pieces;
    if (head !== undefined) pieces.unshift(head);
    const ok = writePieces(this.client, pieces);
    if (!ok && end < 0) conn.socket.pause();
    if (end >= 0) this.#responseDone(conn, end < buf.length);
  }

  onServerEnd(conn: ServerConn): void {
    if (this.#st === S_TUNNEL) {
      this.client.end();
      return;
    }
    if (this.#resHeadDone && this.#resKind === BODY_CLOSE) {
      this.#closeServer = true;
      return this.#responseDone(conn, false);
    }
    this.onServerFail(conn, false);
  }

  onServerFail(conn: ServerConn, timedOut: boolean): void {
    if (this.#conn !== conn) return conn.destroy();
    if (this.#st === S_TUNNEL) return this.#abort(!timedOut ? 'S' : this.#tunnelLast === TUNNEL_SERVER ? 'c' : 's', 'D');
    if (this.#resHeadDone) return this.#abort(timedOut ? 's' : 'S', 'D');
    // retry-on: a close or reset before a complete head is `empty-response` (even after a partial head).
    const l7 = this.conf.l7Retry;
    if (this.#l7 === L7_ON && (timedOut ? l7!.responseTimeout : l7!.emptyResponse) && this.#retryL7(conn)) return;
    // A reused idle connection the server closed before answering: retry on a new one
    // (the request was not consumed; HAProxy sends a first request on a fresh connection).
    if (!timedOut && conn.requests > 1 && this.#reqDone && this.#resHead === null && !this.#streamed) {
      conn.destroy();
      this.#conn = null;
      conn.requests = 0;
      this.#st = S_BACKEND;
      this.#newConnection();
      return;
    }
    conn.destroy();
    this.#conn = null;
    const be = this.backend!;
    if (timedOut) {
      be.countersOf(this.server!).eresp++;
      be.counters.eresp++;
      this.backend!.observe(this.server!, 'HTTP_READ_TIMEOUT');
      return this.#answerError(504, 's', 'H');
    }
    be.countersOf(this.server!).eresp++;
    be.counters.eresp++;
    this.#answerError(502, 'S', 'H');
  }

  #closeServer = false;

  /**
   * HAProxy 2.6 sets TX_L7_RETRY for a request only when all of it is buffered at its first send
   * (stconn.c sc_conn_send: msg_state DONE, the copy fits one buffer): a body still arriving,
   * streamed or too large makes it unreplayable (`option http-buffer-request` makes the first
   * case rarer: the body is awaited before a server is chosen).
   * "Fits": its HTX copy, the head's blocks plus one data block (8 bytes + the body), within the
   * same bound as a head alone (found against haproxy 2.6: exact for content-length bodies; for
   * chunked ones the re-encoded size counts, a little more than HAProxy's).
   */
  #replayable(): boolean {
    if (this.conf.l7Retry === null || this.l7RetryDisabled || !this.#reqDone || this.#streamed) return false;
    const body = this.#pendingBytes;
    return this.req.htxSize() + (body > 0 ? 8 + body : 0) <= HTX_HEAD_LIMIT;
  }

  /**
   * HAProxy 2.6 do_l7_retry: within `retries`, send the request again on a new connection, to
   * another server when stream_choose_redispatch says so (no turn-around wait). wretr counts the
   * retry, and again when it stays on the same server (stream_choose_redispatch) or is
   * reassigned to it. False when the retries are used up: the caller answers as without retry-on.
   */
  #retryL7(conn: ServerConn | null): boolean {
    const be = this.backend!;
    if (this.retries >= be.retries) return false;
    conn?.destroy();
    this.#conn = null;
    this.retries++;
    const server = this.server!;
    be.countersOf(server).wretr++;
    be.counters.wretr++;
    // A reset still counts as a failed response (HAProxy process_stream on SE_FL_ERROR).
    if (conn !== null && conn.socket.errored !== null) {
      be.countersOf(server).eresp++;
      be.counters.eresp++;
    }
    this.#resHead = null;
    this.#resHeadDone = false;
    this.status = -1;
    this.#st = S_BACKEND;
    if (be.shouldRedispatch(server, this.retries, this.#direct)) {
      this.#releaseSlot();
      this.#previous = server;
      this.server = null;
      this.#assign();
    } else {
      be.countRetryOnServer(server);
      this.#connect();
    }
    return true;
  }

  #newConnection(): void {
    const server = this.server!;
    const be = this.backend!;
    const offset = server.spec.portOffset;
    const port = offset !== undefined ? this.listener.port + offset : (server.port ?? this.listener.port);
    this.#conn = new ServerConn(server, port, this, be.connectTimeout, be.keepAlive, be.tlsOf(server));
  }

  #badResponse(conn: ServerConn, head: Buffer): void {
    conn.destroy();
    this.#conn = null;
    const be = this.backend!;
    be.countersOf(this.server!).eresp++;
    be.counters.eresp++;
    this.captureInvalidResponse(head);
    be.observe(this.server!, 'HTTP_HDRRSP');
    if (this.#l7 === L7_ON && this.conf.l7Retry!.junkResponse && this.#retryL7(null)) return;
    this.#answerError(502, 'P', 'H');
  }

  onServerDrain(): void {
    if (this.#st === S_FORWARD || this.#st === S_TUNNEL || this.#st === S_BACKEND) this.client.resume();
  }

  /** Client side closes after this response? (HAProxy http_ana / mux_h1 rules.) */
  #wantsClose(): boolean {
    const req = this.req;
    if (this.#closeClient || this.conf.httpClose || req.connClose || req.forceClose) return true;
    if (!req.version11 && !req.connKeepAlive) return true;
    // A response delimited by the server's close cannot be followed by another one.
    return this.#resKind === BODY_CLOSE;
  }

  /**
   * The connection header towards the client (HAProxy 2.6 mux_h1.c h1_update_res_conn_value,
   * checked against it for every client and server version): closing, `close` when the response
   * is HTTP/1.1; kept alive, `keep-alive` when the request or the response is HTTP/1.0. The
   * server's own connection header is dropped either way.
   */
  #clientConnMode(): number {
    const res11 = this.res.version11;
    if (this.#closeClient) return res11 ? CONN_CLOSE : CONN_NONE;
    return res11 && this.req.version11 ? CONN_NONE : CONN_KEEP_ALIVE;
  }

  #startTunnel(conn: ServerConn, buf: Buffer, end: number): void {
    this.#st = S_TUNNEL;
    this.#tunnelLast = 0;
    const t = this.conf.tunnelTimeout;
    conn.setTimeout(t > 0 ? t : this.conf.serverTimeout);
    this.#setClientTimeout(t > 0 ? t : this.conf.clientTimeout);
    if (end < buf.length) {
      this.bytesOut += buf.length - end;
      this.#sendClient(buf.subarray(end));
    }
    const rest = this.#in;
    this.#in = null;
    if (rest !== null) conn.send(rest);
    this.client.resume();
  }

  /** The response is complete: release the server, log, then the next request or close. */
  #responseDone(conn: ServerConn, extra: boolean): void {
    this.#conn = null;
    const reusable = !extra && !this.#closeServer && this.#reqDone && !this.res.connClose && !this.res.forceClose &&
      (this.res.version11 || this.res.connKeepAlive) && !this.conf.httpClose && !this.conf.serverClose;
    this.#closeServer = false;
    if (!reusable) conn.destroy();
    else if (this.conf.reuse !== 'never') {
      // Parked at once for any session to take, this one's next request included (HAProxy
      // 2.6 h1_detach: only private connections stay with their session).
      if (!conn.park()) conn.destroy();
    } else if (this.#closeClient) conn.destroy();
    else {
      conn.detach();
      this.#own = conn;
    }
    this.#endTxn();
  }

  // ---- local answers ----------------------------------------------------------------------

  /**
   * An error response. `raw`: the H1 layer's answer to a bad or late request head (400, 408,
   * 422), sent byte for byte and followed by a close; otherwise a stream-level reply (503, 502,
   * 504, deny ...) that keeps the connection alive as HAProxy 2.6 does.
   */
  #answerError(status: number, cause: TerminationCause, phase: TerminationPhase, extraHeader?: string, raw = false, page?: ErrorReply): void {
    this.status = status;
    this.cause = cause;
    this.phase = phase;
    this.#dropServer();
    const pages = this.enteredBackend ? this.conf.errors : this.conf.feErrors;
    if (raw) {
      const page = pages.get(status);
      this.#closeClient = true;
      this.client.end(page);
      this.#st = S_CLOSING;
      return this.#endTxn();
    }
    // A rule's own page (`errorfile FILE`, `errorfiles NAME`), else the proxy's for the status.
    const r = page ?? pages.reply(status);
    if (r.close) this.#closeClient = true;
    // A page's own `connection: close` is part of what HAProxy counts (%B): 10 + 5 bytes.
    this.#writeLocal(extraHeader === undefined ? r.head : r.head + extraHeader + '\r\n', r.body, false, r.ownClose ? 15 : 0);
  }

  /**
   * A `monitor-uri` request (http_ana.c http_wait_for_request): answered before any http-request
   * rule with the frontend's page for 503 when a `monitor fail` condition holds, else for 200;
   * counted in the frontend's req_tot, hrsp_* and intercepted, never logged (SF_MONITOR).
   */
  #answerMonitor(fail: readonly Condition[]): void {
    this.frontend.counters.intercepted++;
    this.monitorRequest = true;
    let status = 200;
    for (const c of fail) {
      if (!c.test(this)) continue;
      status = 503;
      break;
    }
    this.#skipHeldBody();
    this.#answerError(status, 'L', 'R');
  }

  /**
   * A local answer erases the request (http_reply_and_close, http-request deny/return/redirect
   * alike): a body that came whole with the head is dropped and the connection may serve the next
   * request; a body still to come closes it.
   */
  #skipHeldBody(): void {
    const held = this.#in;
    if (this.#reqDone || held === null) return;
    const end = this.#bodyEnd(held, 0);
    if (end === -2) return;
    this.#in = end >= 0 && end < held.length ? held.subarray(end) : null;
  }

  #answer(verdict: LocalAnswer, phase: TerminationPhase = 'R'): void {
    this.#dropServer();
    if (verdict.kind === 'service') return this.#runApplet(verdict.applet);
    this.#skipHeldBody();
    if (verdict.kind === 'tarpit') return this.#startTarpit(verdict.status);
    if (verdict.kind === 'error') return this.#answerError(verdict.status, verdict.cause, phase, verdict.extraHeader, false, verdict.page);
    this.status = verdict.status;
    this.cause = verdict.cause;
    this.phase = phase;
    this.#writeLocal(verdict.head, verdict.body);
  }

  /**
   * http_ana.c `tarpit:` / http_process_tarpit(): the request is dropped and the client held for
   * the `timeout tarpit` of the proxy whose rule matched (none: answered at once); whatever the
   * client does meanwhile, the status page then goes out as a server error would, logged `PT`.
   */
  #startTarpit(status: number): void {
    this.#st = S_TARPIT;
    this.#tarpitStatus = status;
    this.#setClientTimeout(0);
    const px = this.enteredBackend && this.backend !== null ? this.backend.spec : this.frontend.spec;
    this.#tarpit = setTimeout(onTarpitEnd, px.timeouts.tarpit ?? 0, this);
  }

  onTarpitEnd(): void {
    this.#tarpit = null;
    if (this.#st !== S_TARPIT) return;
    this.tarpitted = true;
    this.tQueue = this.elapsed();
    const gone = this.client.destroyed;
    if (gone || this.#clientEof) this.#closeClient = true;
    this.#answerError(this.#tarpitStatus, 'P', 'T');
    if (gone) this.#finish();
  }

  /** A local response; `head` ends with CRLF CRLF, or with one CRLF when `open` is false. */
  #writeLocal(head: string, body: Buffer | string, complete = true, extraCounted = 0): void {
    if (this.#wantsClose() || !this.#reqDone) this.#closeClient = true;
    // The http-after-response rules see the answer before the connection header is chosen (the H1 layer's).
    const fields = this.localAnswerFields(complete ? head.slice(0, -2) : head);
    // As #clientConnMode: closing says `close` only in an HTTP/1.1 response (an errorfile may be 1.0).
    const v10 = head.startsWith('HTTP/1.0 ');
    const close = v10 ? '' : 'connection: close\r\n';
    // Kept alive: said to a 1.0 client, and in a 1.0 response (an errorfile's) whose default is close.
    const full = fields + (this.#closeClient ? close : this.req.version11 && !v10 ? '' : 'connection: keep-alive\r\n') + '\r\n';
    // Counted as HAProxy does (%B, bout): the HTX message, not the connection header added on the
    // way out, nor a body a HEAD request does not get (http_reply_to_htx leaves it out).
    const sendBody = body.length > 0 && this.req.method !== 'HEAD';
    this.bytesOut += htxHeadBytes(fields) + extraCounted + (sendBody ? body.length : 0);
    // A tarpitted client may have left: the page is still counted and logged (HAProxy 2.6).
    if (!this.client.destroyed) {
      this.client.cork();
      this.client.write(full, 'latin1');
      if (sendBody) this.client.write(body);
      this.client.uncork();
    }
    this.#endTxn();
  }

  #runApplet(applet: Applet): void {
    this.#st = S_APPLET;
    this.#appletFn = applet;
    // Logged as the server name, e.g. `<STATS>` (HAProxy names its applets so).
    this.appletName = (applet.name || 'applet').replace(/^<(.*)>$/, '$1').toUpperCase();
    const rest = this.#in;
    this.#in = null;
    this.#pending = null;
    this.#pendingBytes = 0;
    if (rest !== null) this.#collectAppletBody(rest, 0);
    else if (this.#reqDone) this.#callApplet(applet);
  }

  #appletFn: Applet | null = null;

  #collectAppletBody(buf: Buffer, from: number): void {
    const end = this.#bodyEnd(buf, from);
    if (end === -2) return this.#badRequest(400);
    const stop = end < 0 ? buf.length : end;
    if (this.#reqKind === BODY_CHUNKED) {
      // The applet gets the decoded body: the data pieces (framing pieces are strings).
      for (const p of this.#pieces) {
        if (typeof p === 'string') continue;
        (this.#pending ??= []).push(p);
        this.#pendingBytes += p.length;
      }
    } else if (stop > from) {
      (this.#pending ??= []).push(buf.subarray(from, stop));
      this.#pendingBytes += stop - from;
    }
    if (end >= 0) {
      this.#stash(buf, end);
      const fn = this.#appletFn;
      if (fn !== null) this.#callApplet(fn);
    } else if (this.#pendingBytes > 1024 * 1024) {
      this.#answerError(413, 'P', 'R');
    }
  }

  #callApplet(applet: Applet): void {
    const body = this.#pending === null ? EMPTY : Buffer.concat(this.#pending);
    this.#pending = null;
    this.#pendingBytes = 0;
    let result;
    try {
      result = applet(this.appletRequest(body));
    } catch {
      return this.#answerError(500, 'P', 'R');
    }
    if (result instanceof Promise) {
      result.then((r) => this.#appletDone(r), () => this.#answerError(500, 'P', 'R'));
    } else {
      this.#appletDone(result);
    }
  }

  #appletDone(r: AppletResponse): void {
    if (this.#st !== S_APPLET) return;
    this.cause = 'L';
    this.status = r.status;
    const body = typeof r.body === 'string' ? Buffer.from(r.body, 'utf8') : r.body;
    this.#writeLocal(this.appletHead(r, body.length), body);
  }

  // ---- end of transaction / session ----------------------------------------------------------

  #releaseSlot(): void {
    if (!this.#holdsSlot) return;
    this.#holdsSlot = false;
    const server = this.server!;
    const be = this.backend!;
    be.countersOf(server).leave(0, 0);
    be.core.release(server);
  }

  #dropServer(): void {
    if (this.#queued) {
      this.#queued = false;
      this.backend?.core.cancel(this);
    }
    if (this.#turnAround !== null) {
      clearTimeout(this.#turnAround);
      this.#turnAround = null;
    }
    if (this.#conn !== null) {
      this.#conn.destroy();
      this.#conn = null;
    }
  }

  /** One transaction is over: counters, slot, log; then the next request or the end. */
  #endTxn(): void {
    // A client that closed its side gets what is left of its requests, then a FIN.
    const closing = this.#closeClient || this.#st === S_CLOSING || (this.#clientEof && this.#in === null);
    this.#releaseSlot();
    this.settleCounters();
    this.logTxn();
    this.#pending = null;
    this.#pendingBytes = 0;
    this.#appletFn = null;
    this.#streamed = false;
    this.#l7 = L7_UNSET;
    this.#waitAt = WAIT_NONE;
    this.#waitData = 0;
    this.#mergeChunks = false;
    if (closing) {
      if (this.#st !== S_CLOSING) {
        this.#st = S_CLOSING;
        this.client.end();
      }
      // A client that never closes its side is reset after the usual linger.
      this.#setClientTimeout(1000);
      return;
    }
    this.resetTxn();
    this.#waitHead(false);
    // The client closed after pipelining: what is left must be complete requests.
    if (this.#clientEof && this.#st === S_HEAD) this.onClientEnd();
    if (this.#st === S_HEAD) this.client.resume();
  }

  /** Abort now: both sides closed, logged with `cause`/`phase`. */
  #abort(cause: TerminationCause, phase: TerminationPhase): void {
    if (this.#st === S_DONE) return;
    if (this.cause === '-') {
      this.cause = cause;
      this.phase = phase;
    }
    const inTxn = this.#st !== S_HEAD && this.#st !== S_CLOSING;
    this.#dropServer();
    if (inTxn) {
      this.countAbort(cause);
      this.#releaseSlot();
      this.settleCounters();
      this.logTxn();
    }
    this.#finish();
  }

  /** Kill the session (admin, hard stop, server down with shutdown-sessions). */
  kill(cause: TerminationCause = 'K'): void {
    this.#abort(cause, this.#resHeadDone ? 'D' : 'H');
  }

  #finish(): void {
    if (this.#st === S_DONE) return;
    this.#st = S_DONE;
    if (this.#tarpit !== null) clearTimeout(this.#tarpit);
    this.#dropServer();
    const own = this.#own;
    this.#own = null;
    // A private server connection (http-reuse never) ends with its session.
    own?.destroy();
    this.client.destroy();
    this.ctx.frontend.counters.leave(this.totalIn, this.totalOut);
    this.host.sessionEnded(this);
  }
}

const EMPTY = Buffer.alloc(0);

function writePiece(socket: net.Socket, p: Buffer | string): boolean {
  return typeof p === 'string' ? socket.write(p, 'latin1') : socket.write(p);
}

/** Pieces of a re-encoded chunked body: one write (joined when there are several). */
function writePieces(socket: net.Socket, pieces: readonly (Buffer | string)[]): boolean {
  if (pieces.length === 0) return true;
  if (pieces.length === 1) return writePiece(socket, pieces[0]);
  let n = 0;
  for (const p of pieces) n += p.length;
  if (n <= JOIN_LIMIT) return socket.write(joinPieces(pieces, n));
  // Large data: no copy, one writev.
  socket.cork();
  let ok = true;
  for (const p of pieces) ok = writePiece(socket, p);
  socket.uncork();
  return ok;
}

/** Up to this size, pieces are copied into one buffer (cheaper than a writev of small parts). */
const JOIN_LIMIT = 16384;

function joinPieces(pieces: readonly (Buffer | string)[], n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  let at = 0;
  for (const p of pieces) at += typeof p === 'string' ? out.write(p, at, 'latin1') : p.copy(out, at);
  return out;
}

/** A head (latin1) followed by body bytes, as one buffer. */
function joinHead(head: string, body: Buffer | readonly Buffer[], bodyLength: number): Buffer {
  const out = Buffer.allocUnsafe(head.length + bodyLength);
  let at = out.write(head, 0, 'latin1');
  if (Buffer.isBuffer(body)) body.copy(out, at);
  else for (const b of body) at += b.copy(out, at);
  return out;
}

/** An error page with one more header line (`WWW-Authenticate` on a 401). */
function withHeader(page: Buffer, line: string): Buffer {
  const text = page.toString('latin1');
  const at = text.indexOf('\r\n\r\n');
  if (at < 0) return page;
  return Buffer.from(text.slice(0, at) + '\r\n' + line + text.slice(at), 'latin1');
}

interface Latin1Slicer {
  latin1Slice(start: number, end: number): string;
}

/** buf[0..end) as a latin1 string: Buffer#latin1Slice, what toString('latin1', 0, end) ends in, without its argument decoding. */
function latin1Head(buf: Buffer, end: number): string {
  return (buf as unknown as Latin1Slicer).latin1Slice(0, end);
}

function sessionOf(s: net.Socket): HttpSession {
  return (s as ClientSocket)[SOCKET_SESSION];
}

function onClientData(this: net.Socket, chunk: Buffer): void {
  sessionOf(this).onClientData(chunk);
}

/** `onread.callback` of client sockets (the listener's user buffer, ./http-io.ts). */
function httpClientRead(this: net.Socket, nread: number, buf: Buffer): boolean {
  const s = sessionOf(this);
  clockEventStart();
  try {
    s.onClientData(buf.subarray(0, nread));
  } finally {
    clockEventEnd();
  }
  nextHttpBuffer(buf, nread, s.keepsClientBytes());
  return true;
}

/** Reads of `mode http` client sockets, for the listener. */
export const HTTP_CLIENT_READS: UserBufferReads = { buffer: httpReadBuffer, callback: httpClientRead };
function onClientEnd(this: net.Socket): void {
  sessionOf(this).onClientEnd();
}
function onClientError(this: net.Socket): void {
  sessionOf(this).onClientError();
}
/** The shorter of two timeouts where 0 means none. */
function earliest(a: number, b: number): number {
  return a <= 0 ? b : b <= 0 ? a : Math.min(a, b);
}

function onClientTimeout(this: net.Socket): void {
  sessionOf(this).onClientTimeout();
}
function onClientClose(this: net.Socket): void {
  sessionOf(this).onClientClose();
}
function onClientDrain(this: net.Socket): void {
  sessionOf(this).onClientDrain();
}
function onTarpitEnd(s: HttpSession): void {
  s.onTarpitEnd();
}

function onTurnAround(s: HttpSession): void {
  s.onTurnAroundEnd();
}
