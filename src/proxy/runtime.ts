// The proxy process at run time (contract of src/proxy): from a HapairConfig, frontends with
// their listeners, backends with their servers, and the sessions between them.
//
//   const rt = new Runtime(config, { logger, accessLog: (fe) => sinkFor(fe) });
//   await rt.start();      // resolves server names, opens every listener (BindError if one fails)
//   await rt.softStop();   // SIGUSR1: listeners close, running sessions finish, then resolves
//   await rt.stop();       // SIGTERM: everything closes now
//
// Limits as HAProxy applies them: global `maxconn` (actconn) and frontend / bind `maxconn`.
// At the limit HAProxy stops polling the listener and lets the kernel queue connections in the
// listen backlog. Node cannot stop accepting without closing the socket, so hapair does the
// equivalent one step later: accepted connections wait unread (not counted, FIFO) up to the
// backlog size, and start as soon as a session ends; past the backlog they are refused.
import { acceptsConnection } from './tcp-inspect.ts';
import type net from 'node:net';
import type { Logger } from 'pino';
import { Backend } from '../backend/backend-runtime.ts';
import type { Server } from '../backend/server.ts';
import { realClock, type Clock } from '../clock.ts';
import { formatDiagnostic } from '../config/diagnostics.ts';
import type { HapairConfig, ProxySpec } from '../config/model.ts';
import { BindError, ConfigError } from '../errors.ts';
import { openListener, type Listener, type UserBufferReads } from '../net/listener.ts';
import { relayClientRead, relayReadBuffer } from '../tcp/relay.ts';
import { ProxyBackend } from './proxy-backend.ts';
import { ProxyFrontend, type AccessLogSink } from './proxy-frontend.ts';
import { unsupportedByRuntime } from './runtime-support.ts';
import { libcResolver, resolveServerAddresses, type HostResolver } from './server-addresses.ts';
import { ServerHealth } from './server-health.ts';
import { applyServerStates, loadServerStates } from '../backend/server-state-load.ts';
import { FreqCtr, nowMs } from '../stats/freq-ctr.ts';
import { ApiServer } from '../api/api-server.ts';
import { runtimeApiTarget } from '../api/api-target.ts';
import { attachStats } from '../stats/stats-routes.ts';
import { TcpSession, type SessionHost } from './session.ts';
import { acceptTls, type TlsAcceptHost } from './tls-handshake.ts';
import { bindTlsContextOf } from '../net/tls-context.ts';
import { HANDSHAKE_PENDING, setClientTls } from '../net/tls-info.ts';
import type tls from 'node:tls';
import { HttpRuntime } from '../http/http-runtime.ts';
import { HTTP_CLIENT_READS, type HttpSession } from '../http/http-session.ts';

/** Accepted sockets read into pooled buffers, straight into their session's relay. */
const CLIENT_READS: UserBufferReads = { buffer: relayReadBuffer, callback: relayClientRead };

export type { AccessLogSink } from './proxy-frontend.ts';

export interface RuntimeOptions {
  /** Diagnostics (pino); nothing is logged without one. */
  readonly logger?: Logger;
  /** The access-log sink of a frontend, or undefined when it does not log (built once at start). */
  readonly accessLog?: (frontend: ProxySpec) => AccessLogSink | undefined;
  readonly clock?: Clock;
  /** Server hostname resolution at start (default: libc through dns.lookup). */
  readonly resolve?: HostResolver;
  /** Random source for `balance random` (tests inject a seeded one). */
  readonly random?: () => number;
}

export type RuntimeState = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

/** Connections accepted over a limit, waiting unread for a slot (one FIFO per listener). */
interface ParkedQueue {
  readonly frontend: ProxyFrontend;
  readonly sockets: net.Socket[];
  readonly limit: number;
}

export class Runtime implements SessionHost, TlsAcceptHost {
  readonly config: HapairConfig;
  /** Global `maxconn` (the runtime API's `set maxconn global` changes it). */
  maxconn: number;
  readonly frontends = new Map<string, ProxyFrontend>();
  readonly backends = new Map<string, ProxyBackend>();
  /** Sessions open in the process (HAProxy actconn) and accepted since start. */
  actconn = 0;
  cumConns = 0;
  /** Connections per second over the process and the highest seen (`show info` ConnRate, MaxConnRate). */
  readonly connRate = new FreqCtr();
  cpsMax = 0;
  readonly #opts: RuntimeOptions;
  readonly #log: Logger | undefined;
  #state: RuntimeState = 'new';
  #head: TcpSession | null = null;
  /** `mode http` frontends' sessions (src/http/). */
  readonly http = new HttpRuntime(this);
  readonly #parked = new Map<Listener, ParkedQueue>();
  /** Connections of `bind ... ssl` listeners still in their handshake (killed by a hard stop). */
  readonly #handshakes = new Set<tls.TLSSocket>();
  #parkedCount = 0;
  #idleWaiters: (() => void)[] = [];
  /** The `stats socket` listeners (runtime API), null when none is configured or before start. */
  api: ApiServer | null = null;
  /** Frontends paused by `disable frontend`: their connections wait as in the backlog. */
  readonly #paused = new Set<string>();
  /** Server state machines, checks and agents (null before start). */
  health: ServerHealth | null = null;
  /** Removes the stats page routes registered at start (src/stats/stats-routes.ts). */
  #detachStats: () => void = () => {};

  constructor(config: HapairConfig, opts: RuntimeOptions = {}) {
    this.config = config;
    this.maxconn = config.global.maxconn;
    this.#opts = opts;
    this.#log = opts.logger;
  }

  get state(): RuntimeState {
    return this.#state;
  }

  get listeners(): Listener[] {
    return [...this.frontends.values()].flatMap((fe) => fe.listeners);
  }

  /** Connections accepted over a limit and not served yet. */
  get parked(): number {
    return this.#parkedCount;
  }

  *sessions(): Iterable<TcpSession> {
    for (let s = this.#head; s !== null; s = s.next) yield s;
  }

  /**
   * Build and open everything. Rejects with a ConfigError for what the runtime cannot serve,
   * or a BindError listing every listener that failed (nothing is left open then).
   */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error(`runtime already ${this.#state}`);
    this.#state = 'starting';
    const problems = unsupportedByRuntime(this.config).filter((d) => d.severity === 'error');
    if (problems.length > 0) {
      this.#state = 'stopped';
      throw new ConfigError(problems.map(formatDiagnostic));
    }
    this.#buildBackends();
    const servers = [...this.backends.values()].flatMap((be) => be.servers);
    // Server-state files are read before addresses are resolved (`init-addr last`).
    const saved = loadServerStates(this.config.global, [...this.backends.values()].map((be) => ({ spec: be.spec, servers: be.servers })));
    try {
      await resolveServerAddresses(servers, this.#opts.resolve ?? libcResolver, this.#log, saved.lastAddress);
    } catch (err) {
      // init-addr found no address for some server: nothing was opened yet.
      this.#state = 'stopped';
      throw err;
    }
    // After resolution: checks connect to the resolved addresses.
    this.health = new ServerHealth(this.config, this.backends, this, {
      clock: this.#opts.clock ?? realClock,
      ...(this.#log ? { logger: this.#log } : {}),
      ...(this.#opts.random ? { random: this.#opts.random } : {}),
    });
    const setSsl = (server: Server, on: boolean): void => void this.backends.get(server.backendName)?.setSsl(server, on);
    for (const m of applyServerStates(saved, this.health, (this.#opts.clock ?? realClock).now(), setSsl)) this.#log?.[m.level === 'notice' ? 'info' : 'warn'](m.message);
    this.#buildFrontends();
    this.#detachStats = attachStats(this, runtimeApiTarget(this, this.#opts.clock ?? realClock));
    try {
      await this.#openListeners();
      await this.#openApi();
    } catch (err) {
      await this.#closeAll();
      this.#state = 'stopped';
      throw err;
    }
    this.#state = 'running';
    this.health.start();
    if (this.#parkedCount > 0) this.#drainParked();
    for (const be of this.backends.values()) this.#warnIfNoServer(be);
  }

  /** Hard stop: listeners close, every session is killed; resolves once all sockets are closed. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopping';
    await this.#closeListeners();
    for (const s of this.sessions()) s.kill();
    for (const s of [...this.#handshakes]) s.destroy();
    this.http.killAll();
    await this.#whenIdle();
    await this.#closeAll();
    this.#state = 'stopped';
  }

  /** Soft stop (HAProxy SIGUSR1): stop listening, let running sessions finish, then resolve. */
  async softStop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopping';
    await this.#closeListeners();
    await this.#whenIdle();
    await this.#closeAll();
    this.#state = 'stopped';
  }

  #buildBackends(): void {
    const clock = this.#opts.clock ?? realClock;
    for (const spec of this.config.proxies) {
      if (spec.disabled || spec.kind === 'frontend') continue;
      const core = new Backend(spec, clock, { random: this.#opts.random });
      this.backends.set(spec.name, new ProxyBackend(spec, core, this.config.global.sslServerVerify));
    }
  }

  #buildFrontends(): void {
    for (const spec of this.config.proxies) {
      if (spec.disabled || spec.kind === 'backend') continue;
      const target = backendTarget(spec);
      const backend = target === undefined ? null : (this.backends.get(target) ?? null);
      const sink = this.#opts.accessLog?.(spec);
      this.frontends.set(spec.name, new ProxyFrontend(spec, this.maxconn, backend, sink, target));
    }
  }

  async #openListeners(): Promise<void> {
    const attempts: Promise<Listener | BindError>[] = [];
    for (const fe of this.frontends.values()) {
      let id = 0;
      for (const bind of fe.spec.binds) {
        for (const address of bind.addresses) {
          const luid = ++id;
          const backlog = backlogOf(fe, bind.backlog);
          // TLS sockets read through 'data' events: the pooled read buffers carry plain sockets only.
          const tlsContext = bind.ssl?.enabled === true ? bindTlsContextOf(bind) : undefined;
          const reads = tlsContext !== undefined ? undefined : fe.spec.mode === 'http' ? HTTP_CLIENT_READS : CLIENT_READS;
          const opened = openListener({ address, bind, backlog, context: { proxy: fe.name, loc: bind.loc } }, this.#onConnection, reads)
            .then((l) => {
              l.id = luid;
              l.tls = tlsContext;
              l.server.on('error', (err) => this.#log?.warn({ frontend: fe.name, listener: l.label, err }, 'accept failed'));
              fe.listeners.push(l);
              this.#parked.set(l, { frontend: fe, sockets: [], limit: backlog });
              return l;
            })
            .catch((err: unknown) => (err instanceof BindError ? err : new BindError(String(err), { cause: err })));
          attempts.push(opened);
        }
      }
    }
    const results = await Promise.all(attempts);
    const failures = results.filter((r): r is BindError => r instanceof BindError);
    if (failures.length > 0) throw new BindError(failures.map((f) => f.message).join('\n'), { cause: failures[0] });
    for (const fe of this.frontends.values()) fe.listeners.sort((a, b) => a.id - b.id);
  }

  readonly #onConnection = (socket: net.Socket, listener: Listener): void => {
    const queue = this.#parked.get(listener);
    if (queue === undefined || (this.#state !== 'running' && this.#state !== 'starting')) {
      socket.on('error', ignoreError);
      socket.destroy();
      return;
    }
    // While the other listeners still open, a connection waits as it would in the backlog.
    if (this.#state === 'running' && queue.sockets.length === 0 && this.#mayStart(queue.frontend, listener)) {
      this.#startSession(queue.frontend, listener, socket);
      return;
    }
    socket.on('error', ignoreError);
    if (queue.sockets.length >= queue.limit) {
      // Past the backlog the kernel would drop the SYN; we can only refuse.
      queue.frontend.counters.dcon++;
      socket.destroy();
      return;
    }
    queue.sockets.push(socket);
    this.#parkedCount++;
  };

  #mayStart(fe: ProxyFrontend, listener: Listener): boolean {
    const bindMax = listener.bind.maxconn;
    return this.actconn < this.maxconn && fe.feconn < fe.maxconn && !this.#paused.has(fe.name) && (bindMax === undefined || bindMax <= 0 || listener.conns < bindMax);
  }

  #startSession(fe: ProxyFrontend, listener: Listener, socket: net.Socket): void {
    // Before the handshake the rules see a TLS transport without a session yet (tls-info.ts).
    if (listener.tls !== undefined) setClientTls(socket, HANDSHAKE_PENDING);
    // `tcp-request connection reject`: closed at once, counted as a denied connection, not logged.
    if (!acceptsConnection(fe.spec.rules, socket, this.backends)) {
      fe.counters.dcon++;
      socket.on('error', ignoreError);
      socket.destroy();
      return;
    }
    // `option clitcpka`/`tcpka` on the accepted socket itself, also under TLS (HAProxy sets
    // SO_KEEPALIVE at accept, session_accept_fd; the kernel's probe timings stay).
    if (fe.keepAlive) socket.setKeepAlive(true);
    this.actconn++;
    this.cumConns++;
    const rate = this.connRate.update(nowMs());
    if (rate > this.cpsMax) this.cpsMax = rate;
    listener.conns++;
    if (listener.tls !== undefined) {
      fe.counters.enterEmbryonic();
      this.#handshakes.add(acceptTls(this, fe, listener, socket));
      return;
    }
    fe.counters.enter();
    this.#startStream(fe, listener, socket);
  }

  tlsEstablished(fe: ProxyFrontend, listener: Listener, socket: tls.TLSSocket): void {
    this.#handshakes.delete(socket);
    fe.counters.completeSession();
    this.#startStream(fe, listener, socket);
  }

  tlsFailed(fe: ProxyFrontend, listener: Listener, socket: tls.TLSSocket): void {
    this.#handshakes.delete(socket);
    fe.counters.leave(0, 0);
    this.#slotFreed(listener);
  }

  #startStream(fe: ProxyFrontend, listener: Listener, socket: net.Socket): void {
    if (fe.spec.mode === 'http') {
      this.http.startSession(fe, listener, socket);
      return;
    }
    const session = new TcpSession(this, fe, listener, socket);
    const head = this.#head;
    session.next = head;
    if (head !== null) head.prev = session;
    this.#head = session;
    session.start();
  }

  sessionEnded(session: TcpSession): void {
    const { prev, next } = session;
    if (prev !== null) prev.next = next;
    else this.#head = next;
    if (next !== null) next.prev = prev;
    session.prev = session.next = null;
    this.#slotFreed(session.listener);
  }

  /** An HTTP session ended (HttpRuntime unlinked it). */
  httpSessionEnded(session: HttpSession): void {
    this.#slotFreed(session.listener);
  }

  #slotFreed(listener: Listener): void {
    this.actconn--;
    listener.conns--;
    if (this.#parkedCount > 0 && this.#state === 'running') this.#drainParked();
    if (this.actconn === 0 && this.#idleWaiters.length > 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** A slot was freed: start waiting connections, oldest first per listener. */
  #drainParked(): void {
    for (const [listener, queue] of this.#parked) {
      while (queue.sockets.length > 0 && this.#mayStart(queue.frontend, listener)) {
        const socket = queue.sockets.shift()!;
        this.#parkedCount--;
        socket.removeListener('error', ignoreError);
        if (socket.destroyed) continue;
        this.#startSession(queue.frontend, listener, socket);
      }
    }
  }

  #whenIdle(): Promise<void> {
    if (this.actconn === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  async #closeListeners(): Promise<void> {
    await Promise.all(this.listeners.map((l) => l.close()));
    for (const queue of this.#parked.values()) {
      for (const socket of queue.sockets) socket.destroy();
      queue.sockets.length = 0;
    }
    this.#parkedCount = 0;
  }

  /** Kill the live sessions on the servers `which` selects (`on-marked-down shutdown-sessions`...). */
  killSessions(which: (server: Server) => boolean, cause: 'D' | 'U'): void {
    for (const s of this.sessions()) if (s.server !== null && which(s.server)) s.kill(cause);
    this.http.killOn(which, cause);
  }

  async #closeAll(): Promise<void> {
    this.#detachStats();
    await this.api?.close();
    await this.health?.stop();
    await this.#closeListeners();
    this.http.closeIdle();
    for (const be of this.backends.values()) be.core.destroy();
  }

  async #openApi(): Promise<void> {
    if (this.config.global.statsSockets.length === 0) return;
    this.api = new ApiServer(this.config.global, runtimeApiTarget(this, this.#opts.clock ?? realClock), this.#log?.child({ mod: 'api' }));
    await this.api.start();
  }

  /** `set maxconn global` (management.txt 9.3): waiting connections may start at once. */
  setGlobalMaxconn(n: number): void {
    this.maxconn = n;
    this.#limitsChanged();
  }

  /** `set maxconn frontend`. */
  setFrontendMaxconn(fe: ProxyFrontend, n: number): void {
    (fe as { maxconn: number }).maxconn = n;
    this.#limitsChanged();
  }

  /** `disable frontend` / `enable frontend`: false when it already was in that state. */
  setFrontendPaused(name: string, paused: boolean): boolean {
    if (this.#paused.has(name) === paused) return false;
    if (paused) this.#paused.add(name);
    else this.#paused.delete(name);
    this.#limitsChanged();
    return true;
  }

  isFrontendPaused(name: string): boolean {
    return this.#paused.has(name);
  }

  #limitsChanged(): void {
    if (this.#parkedCount > 0 && this.#state === 'running') this.#drainParked();
  }

  #warnIfNoServer(be: ProxyBackend): void {
    if (be.servers.length > 0 && !be.servers.some((s) => s.isUsable())) {
      this.#log?.warn({ backend: be.name }, `backend '${be.name}' has no server available!`);
    }
  }
}

/** use_backend without condition first, then default_backend, then a `listen` itself. */
export function backendTarget(spec: ProxySpec): string | undefined {
  const rule = spec.useBackends.find((r) => r.condition === undefined);
  if (rule !== undefined) return rule.backend;
  if (spec.defaultBackend !== undefined) return spec.defaultBackend;
  return spec.kind === 'listen' ? spec.name : undefined;
}

/** configuration.txt 4.2 "backlog": the bind's, else the proxy's `backlog`, else its maxconn. */
function backlogOf(fe: ProxyFrontend, bindBacklog: number | undefined): number {
  if (bindBacklog !== undefined && bindBacklog > 0) return bindBacklog;
  const line = fe.spec.lines.find((l) => l.args[0] === 'backlog');
  const proxyBacklog = line === undefined ? NaN : Number(line.args[1]);
  return Number.isInteger(proxyBacklog) && proxyBacklog > 0 ? proxyBacklog : fe.maxconn;
}

function ignoreError(): void {
  // A socket waiting unread or being refused: its fate is decided elsewhere.
}
