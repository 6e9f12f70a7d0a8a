// One client connection through a `mode tcp` proxy, from accept to the access log (HAProxy
// src/stream.c + src/backend.c for the connection setup): assign a server or wait in the queue,
// connect with `timeout connect`, retry and redispatch, relay, release, log.
//
// The session object is the balance key, the queue waiter and the relay owner at once; the
// connecting socket and the turn-around timer reach it without a closure.
import net from 'node:net';
import tls from 'node:tls';
import type { Server } from '../backend/server.ts';
import type { Listener } from '../net/listener.ts';
import { releaseReadBuffer } from '../tcp/buffer-pool.ts';
import { Relay, relayReadBuffer, relayServerRead, type RelayOwner } from '../tcp/relay.ts';
import { terminationState, type TerminationCause, type TerminationPhase } from '../tcp/termination.ts';
import type { QueueWaiter } from '../backend/backend.ts';
import type { BalanceKey } from '../lb/balancer.ts';
import { tcpLogRecord } from './access-record.ts';
import type { ProxyBackend } from './proxy-backend.ts';
import type { ProxyFrontend } from './proxy-frontend.ts';
import type { ServerTlsOptions } from './server-tls-connect.ts';
import { inspectContent, inspectionComplete, TcpSampleView, useServer } from './tcp-inspect.ts';
import { selectBackend } from '../http/rules/switching.ts';
import { clientTlsOf, type ClientTls } from '../net/tls-info.ts';
import { nextRequestCounter } from '../log/request-counter.ts';

/** What a session needs from the runtime that owns it. */
export interface SessionHost {
  /** Sessions open in the process (%ac, global `maxconn`). */
  readonly actconn: number;
  /** The session is over (logged, counters settled): drop it and let a waiting connection in. */
  sessionEnded(session: TcpSession): void;
  /** Backends by name, for conditional use_backend rules (./tcp-inspect.ts). */
  readonly backends?: ReadonlyMap<string, ProxyBackend>;
}

const SESSION = Symbol('hapair.session');
interface SessionSocket extends net.Socket {
  [SESSION]: TcpSession;
}

export class TcpSession implements BalanceKey, QueueWaiter, RelayOwner {
  readonly host: SessionHost;
  readonly frontend: ProxyFrontend;
  readonly listener: Listener;
  /** Chosen at start: the frontend's, or the one a conditional use_backend picks. */
  backend: ProxyBackend | null;
  /** %b: the backend's name, or the frontend's when rules ended the session before one was chosen. */
  backendName: string;
  /** tcp-request content inspection under way (./tcp-inspect.ts). */
  #inspection: { view: TcpSampleView; timer: NodeJS.Timeout | null } | null = null;
  readonly relay: Relay;
  /** Accept time: wall clock for %t, monotonic for the timers. */
  readonly acceptDate: number;
  readonly tAccept: number;
  /** Log counters the Backend credits with queue positions (%sq, %bq). */
  srvQueuePos = 0;
  backendQueuePos = 0;
  server: Server | null = null;
  /** The server that failed before a redispatch, avoided by the next pick. */
  #previous: Server | null = null;
  #holdsSlot = false;
  /** use-server rules ran (first assignment); `#direct`: one chose the server (HAProxy SF_DIRECT). */
  #serverRulesDone = false;
  #direct = false;
  /** The backend counted this session (enter); an inspection the client left never did. */
  #entered = false;
  #conn: net.Socket | null = null;
  #turnAround: NodeJS.Timeout | null = null;
  #phase: TerminationPhase = 'C';
  #queued = false;
  tQueue = -1;
  tConnect = -1;
  /** When a failure ended the session logically (the client may take a moment to close). */
  tEnd = -1;
  retries = 0;
  redispatched = false;
  #src: string | undefined;
  #srcPort = 0;
  /** Addresses for log-format's %fi/%fp and %bi/%bp, only read when a log-format is in use. */
  localAddress: net.AddressInfo | undefined;
  backendSource: net.AddressInfo | undefined;
  /** Port of the last connection attempt (%sp). */
  connectPort = 0;
  /** Intrusive list of live sessions kept by the runtime (no Set insert per session). */
  prev: TcpSession | null = null;
  next: TcpSession | null = null;
  /** %rt: the stream's number (HAProxy creates the stream at accept). */
  readonly requestCounter = nextRequestCounter();

  constructor(host: SessionHost, frontend: ProxyFrontend, listener: Listener, socket: net.Socket) {
    this.host = host;
    this.frontend = frontend;
    this.listener = listener;
    this.backend = frontend.backend;
    this.backendName = frontend.backendName;
    // A TLS connection was accepted before its handshake (src/proxy/tls-handshake.ts).
    const tls = clientTlsOf(socket);
    this.acceptDate = tls === undefined ? Date.now() : tls.acceptDate;
    this.tAccept = tls === undefined ? performance.now() : tls.tAccept;
    this.relay = new Relay(socket, this, frontend.clientTimeout, listener.userBuffer);
    // The peer address is only read back (getpeername) when something needs it.
    if (frontend.sink !== undefined) this.#captureSource();
    if (frontend.wantsAddresses && !listener.isUnix) this.localAddress = socket.address() as net.AddressInfo;
  }

  /** The client side's TLS session (`bind ... ssl`), undefined in clear. */
  get clientTls(): ClientTls | undefined {
    return clientTlsOf(this.relay.client);
  }

  /** Client address for `balance source` and the logs ('unix' on a UNIX socket). */
  get src(): string {
    if (this.#src === undefined) this.#captureSource();
    return this.#src!;
  }

  #captureSource(): void {
    const socket = this.relay.client;
    this.#src = socket.remoteAddress ?? 'unix';
    // HAProxy logs the listener's id instead of a port for UNIX sockets (configuration.txt 8.2.2).
    this.#srcPort = socket.remotePort ?? this.listener.id;
  }

  /** Go: tcp-request content rules and use_backend conditions first when the frontend has some. */
  start(): void {
    const spec = this.frontend.spec;
    const rules = spec.rules;
    if ((rules !== undefined && rules.tcpContent.length > 0) || spec.useBackends.some((r) => r.condition !== undefined)) {
      this.#inspection = { view: new TcpSampleView(this.relay.client, this.relay, this.host.backends), timer: null };
      if (rules !== undefined && rules.inspectDelay > 0 && rules.tcpContent.length > 0) {
        this.#inspection.timer = setTimeout(inspectTimeout, rules.inspectDelay, this);
      }
      this.#inspect(false);
      return;
    }
    this.#begin();
  }

  /** Client data arrived during the inspection: the rules may decide now. */
  onClientData(relay: Relay): void {
    if (this.#inspection !== null) this.#inspect(inspectionComplete(relay));
  }

  /** The client ended without sending anything: under inspection the rules decide on that (CF_SHUTR). */
  onEmptyClientEnd(): boolean {
    if (this.#inspection === null) return false;
    this.#inspect(true);
    return true;
  }

  /** The inspect delay ended: the rules decide on what is there. */
  inspectDelayExpired(): void {
    if (this.#inspection === null) return;
    this.#inspection.timer = null;
    this.#inspect(true);
  }

  #inspect(final: boolean): void {
    const insp = this.#inspection!;
    const rules = this.frontend.spec.rules;
    const verdict = rules === undefined ? 'accept' : inspectContent(rules, insp.view, final || rules.inspectDelay === 0);
    if (verdict === 'wait') return;
    this.#endInspection();
    if (verdict === 'reject') {
      // HAProxy: denied request, `PR` (SF_ERR_PRXCOND in the request phase), no backend.
      this.frontend.counters.denied++;
      this.backend = null;
      this.backendName = this.frontend.name;
      this.#fail('P', 'R');
      return;
    }
    this.#switchBackend(insp.view);
    this.#begin();
  }

  /** use_backend / default_backend on the inspected data. */
  #switchBackend(view: TcpSampleView): void {
    const target = selectBackend(this.frontend.spec, view);
    if (target !== this.frontend.backendName || this.backend === null) {
      this.backend = target === undefined ? null : (this.host.backends?.get(target) ?? null);
      this.backendName = target ?? this.frontend.name;
    }
  }

  #endInspection(): void {
    const timer = this.#inspection?.timer;
    if (timer != null) clearTimeout(timer);
    this.#inspection = null;
  }

  /** Choose a server, or queue, or end at once when there is none (`SC`, `<NOSRV>`). */
  #begin(): void {
    const be = this.backend;
    if (be === null) {
      this.#fail('S', 'C');
      return;
    }
    be.counters.enter();
    this.#entered = true;
    this.#assign();
  }

  /** Client port for the logs (the listener id for UNIX sockets). */
  get srcPort(): number {
    if (this.#src === undefined) this.#captureSource();
    return this.#srcPort;
  }

  /** Milliseconds since accept, as HAProxy's millisecond timers count them. */
  elapsed(): number {
    return Math.floor(performance.now() - this.tAccept);
  }

  #assign(): void {
    const be = this.backend!;
    const pinned = this.#pinnedServer(be);
    const result = pinned !== null ? be.core.assignTo(pinned, this) : be.core.assign(this, this, this.#previous ?? undefined);
    if (typeof result !== 'string') {
      this.#gotServer(result);
    } else if (result === 'queued') {
      this.#queued = true;
      this.#phase = 'Q';
    } else if (result === 'no-server') {
      // HAProxy srv_redispatch_connect SRV_STATUS_NOSRV: STRM_ET_CONN_ERR, so `SC`.
      be.counters.econ++;
      this.#fail('S', 'C');
    } else {
      // SRV_STATUS_FULL (maxqueue reached): STRM_ET_QUEUE_ERR, so `SQ`.
      be.counters.econ++;
      this.#fail('S', 'Q');
    }
  }

  /** `use-server` on the first assignment only: after a redispatch the balancer picks (SF_DIRECT cleared). */
  #pinnedServer(be: ProxyBackend): Server | null {
    if (this.#serverRulesDone) {
      this.#direct = false;
      return null;
    }
    this.#serverRulesDone = true;
    const server = useServer(be, this.relay, this.host.backends);
    this.#direct = server !== null;
    return server;
  }

  /** A slot on `server` is ours (HAProxy assign_server_and_queue, then connect). */
  #gotServer(server: Server): void {
    const be = this.backend!;
    const previous = this.#previous;
    if (previous !== null) {
      this.#previous = null;
      if (be.countReassignment(previous, server)) this.redispatched = true;
    }
    this.server = server;
    this.#holdsSlot = true;
    be.countersOf(server).enter();
    this.tQueue = this.elapsed();
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
    this.#fail('s', 'Q');
  }

  /** The server this session queued on went down (option redispatch): pick again. */
  onRedispatch(): void {
    this.#queued = false;
    this.#assign();
  }

  #connect(): void {
    const server = this.server!;
    const be = this.backend!;
    this.#phase = 'C';
    const offset = server.spec.portOffset;
    const port = offset !== undefined ? this.listener.port + offset : (server.port ?? this.listener.port);
    this.connectPort = port;
    if (!(port >= 0 && port <= 65535)) {
      // A port offset out of range (HAProxy: an internal error at connect, `IC`).
      this.#releaseSlot();
      this.#fail('I', 'C');
      return;
    }
    const tlsOpts = be.tlsOf(server);
    // `server ... ssl`: the connection counts as established once the handshake is done.
    const conn = tlsOpts !== undefined
      ? tlsConnect(server.host, port, be.keepAlive, tlsOpts)
      : net.connect({
        host: server.host,
        port,
        allowHalfOpen: true,
        noDelay: true,
        keepAlive: be.keepAlive,
        onread: { buffer: relayReadBuffer, callback: relayServerRead },
      });
    (conn as SessionSocket)[SESSION] = this;
    conn.on(tlsOpts !== undefined ? 'secureConnect' : 'connect', onServerConnect);
    conn.on('error', onServerConnectError);
    if (be.connectTimeout > 0) {
      conn.on('timeout', onServerConnectTimeout);
      conn.setTimeout(be.connectTimeout);
    }
    this.#conn = conn;
  }

  onConnected(conn: net.Socket): void {
    conn.removeListener('connect', onServerConnect);
    conn.removeListener('secureConnect', onServerConnect);
    conn.removeListener('error', onServerConnectError);
    conn.removeListener('timeout', onServerConnectTimeout);
    this.#conn = null;
    // `observe layer4` (HAProxy health_adjust HANA_STATUS_L4_OK once established).
    this.backend!.observe(this.server!, 'L4_OK');
    // TLS sockets cannot read into the pooled buffers: their 'data' events feed the relay.
    if (conn instanceof tls.TLSSocket) conn.on('data', onServerTlsData);
    this.tConnect = this.elapsed();
    this.#phase = 'D';
    if (this.frontend.wantsAddresses) this.backendSource = conn.address() as net.AddressInfo;
    if (!this.relay.attach(conn, this.frontend.relayTimeouts)) conn.destroy();
  }

  /**
   * HAProxy backend.c back_handle_st_cer: give up after `retries` retries (`SC`, or `sC` on
   * timeout); otherwise retry, on another server when stream_choose_redispatch says so. After
   * a refusal (not a timeout) the retry waits the turn-around delay unless it goes elsewhere.
   */
  onConnectFailed(conn: net.Socket, timedOut: boolean): void {
    conn.destroy();
    this.#conn = null;
    const be = this.backend!;
    const server = this.server!;
    // `observe layer4`: every failed connection attempt counts (HAProxy back_handle_st_cer).
    be.observe(server, 'L4_ERR');
    if (this.retries >= be.retries || !be.retryConnFailure) {
      be.countersOf(server).econ++;
      be.counters.econ++;
      this.#fail(timedOut ? 's' : 'S', 'C');
      return;
    }
    this.retries++;
    if (be.shouldRedispatch(server, this.retries, this.#direct)) {
      this.#releaseSlot();
      this.#previous = server;
      this.server = null;
      if (!timedOut && be.activeServers() <= 1) this.#waitTurnAround();
      else this.#assign();
      return;
    }
    be.countRetryOnServer(server);
    if (timedOut) this.#connect();
    else this.#waitTurnAround();
  }

  #waitTurnAround(): void {
    this.#turnAround = setTimeout(onTurnAround, this.backend!.turnAround, this);
  }

  onTurnAroundEnd(): void {
    this.#turnAround = null;
    if (this.server !== null) this.#connect();
    else this.#assign();
  }

  #releaseSlot(): void {
    if (!this.#holdsSlot) return;
    this.#holdsSlot = false;
    const server = this.server!;
    this.backend!.countersOf(server).leave(this.relay.bytesIn, this.relay.bytesOut);
    this.backend!.core.release(server);
  }

  /** The client left before the server side was attached (HAProxy `CQ`, `CC`, `cQ` ...). */
  onClientAbort(relay: Relay): void {
    if (this.#inspection !== null && this.#clientLeftInspection(relay)) return;
    this.#endInspection();
    if (this.#queued) {
      this.#queued = false;
      this.backend!.core.cancel(this);
      this.tQueue = this.elapsed();
    }
    if (this.#conn !== null) {
      this.#conn.destroy();
      this.#conn = null;
    }
    if (this.#turnAround !== null) {
      clearTimeout(this.#turnAround);
      this.#turnAround = null;
    }
    relay.abort(relay.cause);
  }

  /**
   * The client reset or timed out during the inspection (an end of stream goes on through
   * onEmptyClientEnd or onClientData): HAProxy runs the content rules once more on the final data.
   * A reject is a denied request (`PR`, dreq); an accept switches to the backend, then the abort is
   * a request error of the frontend (ereq) and a client abort on that backend (`CR`, `cR`).
   * True when the relay was ended here.
   */
  #clientLeftInspection(relay: Relay): boolean {
    const rules = this.frontend.spec.rules;
    const view = this.#inspection!.view;
    const verdict = rules === undefined ? 'accept' : inspectContent(rules, view, true);
    this.#endInspection();
    this.#phase = 'R';
    if (verdict === 'reject') {
      this.frontend.counters.denied++;
      this.backend = null;
      this.backendName = this.frontend.name;
      this.tEnd = this.elapsed();
      relay.cause = 'P';
      relay.abort('P');
      return true;
    }
    this.#switchBackend(view);
    this.frontend.counters.ereq++;
    const be = this.backend;
    if (be !== null) {
      be.counters.enter();
      this.#entered = true;
      be.counters.cliAbrt++;
    }
    return false;
  }

  /** A server-side failure before relaying (SC, sC, sQ, SQ): the client gets a clean FIN. */
  #fail(cause: TerminationCause, phase: TerminationPhase): void {
    this.#phase = phase;
    this.tEnd = this.elapsed();
    this.relay.closeClient(cause);
  }

  /**
   * Kill the session now: `K` for a hard stop or an admin action, `D` when its server was marked
   * down (`on-marked-down shutdown-sessions`), `U` for a backup server's when an active came up.
   */
  kill(cause: TerminationCause = 'K'): void {
    if (this.#queued) {
      this.#queued = false;
      this.backend!.core.cancel(this);
    }
    this.#conn?.destroy();
    this.#conn = null;
    if (this.#turnAround !== null) clearTimeout(this.#turnAround);
    this.#turnAround = null;
    this.relay.abort(cause);
  }

  /** Both sockets are closed: settle the counters (in HAProxy's order) and log. */
  onRelayEnd(relay: Relay): void {
    const be = this.backend;
    this.#releaseSlot();
    if (be !== null && this.#entered) {
      be.counters.leave(relay.bytesIn, relay.bytesOut);
      if (relay.attached) this.#countAbort(be, relay.cause);
      this.#recordTimes(be);
    }
    const fe = this.frontend;
    // %bc and %sc no longer count this session, %ac and %fc still do (src/stream.c, src/log.c).
    if (fe.sink !== undefined && !(fe.dontlognull && relay.bytesIn === 0)) fe.sink(tcpLogRecord(this));
    fe.counters.leave(relay.bytesIn, relay.bytesOut);
    // Both sockets are closed: nothing reads into or writes from their buffers any more.
    if (relay.clientBuffer !== null) releaseReadBuffer(relay.clientBuffer);
    if (relay.serverBuffer !== null) releaseReadBuffer(relay.serverBuffer);
    this.host.sessionEnded(this);
  }

  /** stream_update_time_stats: qtime/ctime/ttime of connected sessions (rtime is 0 in TCP mode). */
  #recordTimes(be: ProxyBackend): void {
    if (this.tConnect < 0 || this.server === null) return;
    const queue = Math.max(0, this.tQueue);
    const connect = this.tConnect - queue;
    const close = this.tEnd >= 0 ? this.tEnd : this.elapsed();
    be.countersOf(this.server).times.add(this.server.lbtot, queue, connect, 0, close);
    be.counters.times.add(be.core.lbtot, queue, connect, 0, close);
  }

  #countAbort(be: ProxyBackend, cause: TerminationCause): void {
    const srv = this.server === null ? null : be.countersOf(this.server);
    if (cause === 'C' || cause === 'c') {
      be.counters.cliAbrt++;
      if (srv !== null) srv.cliAbrt++;
    } else if (cause === 'S' || cause === 's') {
      be.counters.srvAbrt++;
      if (srv !== null) srv.srvAbrt++;
      if (cause === 'S') {
        be.counters.eresp++;
        if (srv !== null) srv.eresp++;
      }
    }
  }

  get termination(): string {
    const cause = this.relay.cause;
    return terminationState(cause, this.relay.attached ? 'D' : this.#phase);
  }
}

function inspectTimeout(session: TcpSession): void {
  session.inspectDelayExpired();
}

function sessionOf(socket: net.Socket): TcpSession {
  return (socket as SessionSocket)[SESSION];
}

function onServerConnect(this: net.Socket): void {
  sessionOf(this).onConnected(this);
}

function tlsConnect(host: string, port: number, keepAlive: boolean, opts: ServerTlsOptions): tls.TLSSocket {
  const conn = tls.connect({ host, port, ...opts });
  conn.setNoDelay(true);
  if (keepAlive) conn.setKeepAlive(true);
  return conn;
}

/** A TLS server socket's bytes (paused like the pooled-buffer reads when the client lags). */
function onServerTlsData(this: net.Socket, chunk: Buffer): void {
  if (!sessionOf(this).relay.fromServer(chunk)) this.pause();
}

function onServerConnectError(this: net.Socket): void {
  sessionOf(this).onConnectFailed(this, false);
}

function onServerConnectTimeout(this: net.Socket): void {
  sessionOf(this).onConnectFailed(this, true);
}

function onTurnAround(session: TcpSession): void {
  session.onTurnAroundEnd();
}
