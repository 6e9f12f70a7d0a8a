// What the runtime API acts on, kept narrow so the API does not reach into the proxy's internals:
// the configuration, the live frontends/backends/sessions, process counters and the server state
// machine of each server. `runtimeApiTarget` adapts the proxy Runtime to it.
import type net from 'node:net';
import { parseServerChecks } from '../checks/check-params.ts';
import { realClock, type Clock } from '../clock.ts';
import type { HapairConfig } from '../config/model.ts';
import { ServerConn } from '../http/server-conn.ts';
import { bindServerState, createServerState } from '../backend/server-state-bind.ts';
import type { Server } from '../backend/server.ts';
import type { ServerState } from '../backend/server-state.ts';
import type { ProxyBackend } from '../proxy/proxy-backend.ts';
import type { ProxyFrontend } from '../proxy/proxy-frontend.ts';
import type { Runtime } from '../proxy/runtime.ts';
import type { TcpSession } from '../proxy/session.ts';
import type { HttpSession } from '../http/http-session.ts';
import { nowMs } from '../stats/freq-ctr.ts';

export interface ApiTarget {
  readonly config: HapairConfig;
  readonly clock: Clock;
  /** Wall-clock start of the process (ms since the epoch). */
  readonly startedAt: number;
  readonly frontends: ReadonlyMap<string, ProxyFrontend>;
  readonly backends: ReadonlyMap<string, ProxyBackend>;
  /** Sessions open (CurrConns), accepted since start (CumConns), the global maxconn. */
  readonly actconn: number;
  readonly cumConns: number;
  readonly maxconn: number;
  /** Connections of the last second over the process, and the highest such rate seen. */
  readonly connRate: number;
  readonly cpsMax: number;
  /** Every live session, tcp and http, oldest first (HAProxy's streams list). */
  sessions(): Iterable<ApiSession>;
  /** The state machine that owns `server`'s state (created and bound on first use if needed). */
  serverState(backend: ProxyBackend, server: Server): ServerState;
  setGlobalMaxconn(n: number): void;
  setFrontendMaxconn(fe: ProxyFrontend, n: number): void;
  /** Pause (connections wait in the backlog) or resume a frontend; false if already so. */
  setFrontendPaused(fe: ProxyFrontend, paused: boolean): boolean;
  isFrontendPaused(fe: ProxyFrontend): boolean;
  /** Close the idle keep-alive connections to `server` (server.c srv_cleanup_connections). */
  purgeIdleConnections(server: Server): void;
  /** Idle keep-alive connections to `server` waiting for reuse (stats srv_icur). */
  idleConnections(server: Server): number;
}

export type ApiSession = TcpSession | HttpSession;

/** The client connection of a session. */
export function clientSocketOf(s: ApiSession): net.Socket {
  return 'relay' in s ? s.relay.client : s.socketRef;
}

/** The runtime's health wiring, when it binds a state machine to every server at start. */
interface HealthView {
  readonly health?: { stateOf(server: Server): ServerState | undefined } | null;
}

/**
 * The proxy Runtime as an ApiTarget. The state machines are the runtime's (`runtime.health`);
 * a server without one gets one here, bound with bindServerState, so every API command still
 * goes through the state machine.
 */
export function runtimeApiTarget(rt: Runtime, clock: Clock = realClock): ApiTarget {
  const states = new WeakMap<Server, ServerState>();
  const startedAt = Date.now();
  return {
    config: rt.config,
    clock,
    startedAt,
    frontends: rt.frontends,
    backends: rt.backends,
    get actconn() {
      return rt.actconn;
    },
    get cumConns() {
      return rt.cumConns;
    },
    get maxconn() {
      return rt.maxconn;
    },
    get connRate() {
      return rt.connRate.read(nowMs());
    },
    get cpsMax() {
      return rt.cpsMax;
    },
    sessions: () => [...rt.sessions(), ...rt.http.sessions()].sort((a, b) => a.acceptDate - b.acceptDate),
    serverState(be, server) {
      const own = (rt as HealthView).health?.stateOf(server);
      if (own !== undefined) return own;
      let st = states.get(server);
      if (st === undefined) {
        const checks = parseServerChecks(server.name, server.spec.params, be.spec.mode).settings;
        st = createServerState(server.spec, be.spec, checks, { clock, logHealthChecks: be.spec.options['log-health-checks'] === true });
        bindServerState(server, st);
        states.set(server, st);
      }
      return st;
    },
    setGlobalMaxconn: (n) => rt.setGlobalMaxconn(n),
    setFrontendMaxconn: (fe, n) => rt.setFrontendMaxconn(fe, n),
    setFrontendPaused: (fe, paused) => rt.setFrontendPaused(fe.name, paused),
    isFrontendPaused: (fe) => rt.isFrontendPaused(fe.name),
    purgeIdleConnections: (server) => ServerConn.purge(server),
    idleConnections: (server) => ServerConn.idleCount(server),
  };
}
