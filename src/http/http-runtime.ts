// The `mode http` part of the runtime: per frontend, the context its sessions use (backend
// selection by use_backend rules, the HTTP settings of each backend, applet routes, logging),
// and the list of live HTTP sessions (kept apart from the tcp ones, same intrusive-list idea).
import type net from 'node:net';
import type { Server } from '../backend/server.ts';
import type { Listener } from '../net/listener.ts';
import type { ProxyBackend } from '../proxy/proxy-backend.ts';
import type { ProxyFrontend } from '../proxy/proxy-frontend.ts';
import type { TerminationCause } from '../tcp/termination.ts';
import { selectBackend } from './rules/switching.ts';
import { appletRoutesOf, type AppletRoute } from './applet-routes.ts';
import { httpConfOf, type HttpConf } from './http-conf.ts';
import { httpLogRecord } from './http-log-record.ts';
import { HttpSession, type HttpFrontendContext, type HttpSessionHost } from './http-session.ts';
import { ServerConn } from './server-conn.ts';
import { nextRequestCounter } from '../log/request-counter.ts';

/** What the HTTP part needs from the runtime. */
export interface HttpRuntimeHost {
  readonly actconn: number;
  readonly backends: ReadonlyMap<string, ProxyBackend>;
  /** An HTTP session ended (after its logs): the runtime frees its slot. */
  httpSessionEnded(session: HttpSession): void;
}

class FrontendContext implements HttpFrontendContext {
  readonly frontend: ProxyFrontend;
  readonly #rt: HttpRuntime;
  readonly #confs = new Map<ProxyBackend | null, HttpConf>();
  /** Without conditional use_backend rules the backend never changes. */
  readonly #static: boolean;

  constructor(frontend: ProxyFrontend, rt: HttpRuntime) {
    this.frontend = frontend;
    this.#rt = rt;
    this.#static = frontend.spec.useBackends.every((r) => r.condition === undefined);
  }

  selectBackend(session: HttpSession): ProxyBackend | null {
    if (this.#static) return this.frontend.backend;
    const name = selectBackend(this.frontend.spec, session);
    return name === undefined ? null : (this.#rt.host.backends.get(name) ?? null);
  }

  backendNamed(name: string): ProxyBackend | undefined {
    return this.#rt.host.backends.get(name);
  }

  confOf(backend: ProxyBackend | null): HttpConf {
    // Asked twice per request, nearly always for the same backend: the last answer first.
    if (backend === this.#lastConfOf && this.#lastConf !== null) return this.#lastConf;
    let conf = this.#confs.get(backend);
    if (conf === undefined) {
      conf = httpConfOf(this.frontend.spec, backend?.spec ?? this.frontend.spec);
      this.#confs.set(backend, conf);
    }
    this.#lastConfOf = backend;
    this.#lastConf = conf;
    return conf;
  }

  #lastConfOf: ProxyBackend | null = null;
  #lastConf: HttpConf | null = null;

  log(session: HttpSession): void {
    const sink = this.frontend.sink;
    if (sink === undefined) return;
    if (this.frontend.dontlognull && session.requestLine === '' && session.bytesIn === 0) return;
    // A request refused before its stream began is logged without one (mux_h1.c sess_log): it
    // takes the next %rt then and has no unique id; otherwise strm_log generates a missing id.
    if (session.requestCounter < 0) session.requestCounter = nextRequestCounter();
    else session.uniqueId();
    sink(httpLogRecord(session));
  }

  routesOf(proxy: ProxyFrontend | ProxyBackend): readonly AppletRoute[] {
    // Every request asks for the frontend's and its backend's (routes never change once built).
    if (proxy === this.frontend) return (this.#feRoutes ??= this.#rt.routesOf(proxy));
    if (proxy !== this.#lastRoutesOf) {
      this.#lastRoutesOf = proxy;
      this.#lastRoutes = this.#rt.routesOf(proxy);
    }
    return this.#lastRoutes;
  }

  #feRoutes: readonly AppletRoute[] | undefined = undefined;
  #lastRoutesOf: ProxyFrontend | ProxyBackend | null = null;
  #lastRoutes: readonly AppletRoute[] = [];
}

export class HttpRuntime implements HttpSessionHost {
  readonly host: HttpRuntimeHost;
  readonly #contexts = new Map<ProxyFrontend, FrontendContext>();
  readonly #routes = new Map<object, readonly AppletRoute[]>();
  #head: HttpSession | null = null;

  constructor(host: HttpRuntimeHost) {
    this.host = host;
  }

  get actconn(): number {
    return this.host.actconn;
  }

  routesOf(proxy: ProxyFrontend | ProxyBackend): readonly AppletRoute[] {
    let r = this.#routes.get(proxy.spec);
    if (r === undefined) this.#routes.set(proxy.spec, (r = appletRoutesOf(proxy.spec)));
    return r;
  }

  /** Start an HTTP session on an accepted socket of `fe` (a `mode http` frontend). */
  startSession(fe: ProxyFrontend, listener: Listener, socket: net.Socket): HttpSession {
    let ctx = this.#contexts.get(fe);
    if (ctx === undefined) this.#contexts.set(fe, (ctx = new FrontendContext(fe, this)));
    const session = new HttpSession(this, ctx, listener, socket);
    const head = this.#head;
    session.next = head;
    if (head !== null) head.prev = session;
    this.#head = session;
    session.start();
    return session;
  }

  sessionEnded(session: HttpSession): void {
    const { prev, next } = session;
    if (prev !== null) prev.next = next;
    else if (this.#head === session) this.#head = next;
    if (next !== null) next.prev = prev;
    session.prev = session.next = null;
    this.host.httpSessionEnded(session);
  }

  *sessions(): Iterable<HttpSession> {
    for (let s = this.#head; s !== null; s = s.next) yield s;
  }

  killAll(): void {
    for (const s of [...this.sessions()]) s.kill();
  }

  /** Close every idle server connection (the runtime is stopping). */
  closeIdle(): void {
    for (const be of this.host.backends.values()) for (const server of be.servers) ServerConn.purge(server);
  }

  killOn(which: (server: Server) => boolean, cause: TerminationCause): void {
    for (const s of [...this.sessions()]) if (s.server !== null && which(s.server)) s.kill(cause);
  }
}
