// A backend (or the backend half of a `listen`) as the runtime uses it: the Backend core
// (balancer + queues) plus what sessions need precomputed: connect timeout, retries, the
// redispatch rule, and counters for the backend and each of its servers.
import type { Backend } from '../backend/backend-runtime.ts';
import type { ServerState } from '../backend/server-state.ts';
import type { Server } from '../backend/server.ts';
import type { HanaStatus } from '../checks/check-status.ts';
import type { ProxySpec } from '../config/model.ts';
import { serverTlsOptions, type ServerTlsOptions } from './server-tls-connect.ts';
import { ProxyCounters } from './counters.ts';
import type { ErrorSnapshot } from './error-snapshot.ts';

/** Hash-based algorithms (HAProxy BE_LB_KIND_HI): retries never move to another server early. */
const HASH_ALGORITHMS: ReadonlySet<string> = new Set(['source', 'uri', 'url_param', 'hdr', 'rdp-cookie']);

/** HAProxy backend.c back_handle_st_cer: the turn-around wait is "MIN(one second, connect timeout)". */
const TURN_AROUND_MAX = 1000;

export class ProxyBackend {
  readonly spec: ProxySpec;
  readonly name: string;
  readonly core: Backend;
  readonly counters = new ProxyCounters();
  /** The last server response the H1 layer refused (`show errors`). */
  invalidRep: ErrorSnapshot | null = null;
  readonly #serverCounters = new Map<Server, ProxyCounters>();
  /** Servers whose live traffic feeds `observe` (configuration.txt 5.2 "observe"). */
  readonly #observed = new Map<Server, ServerState>();
  /** `server ... ssl`: how sessions connect to each TLS server (absent: plain TCP). */
  readonly #tls = new Map<Server, ServerTlsOptions>();
  /** Servers with TLS settings, used or not: what `set server <b>/<s> ssl on` turns on. */
  readonly #tlsContexts = new Map<Server, ServerTlsOptions>();
  /** `retries` (configuration.txt 4.2, default 3). */
  readonly retries: number;
  /**
   * `retry-on` includes `conn-failure` (its default): without it a failed connect is never retried,
   * in any mode (HAProxy backend.c back_handle_st_cer tests PR_RE_CONN_FAILED).
   */
  readonly retryConnFailure: boolean;
  /** `timeout connect` in ms, 0 = none. */
  readonly connectTimeout: number;
  /** Delay before retrying after a refused connection. */
  readonly turnAround: number;
  /** `option redispatch [<interval>]`, null when off (an interval of 0 disables it). */
  readonly redispatchInterval: number | null;
  readonly hashBased: boolean;
  /** `option srvtcpka` / `option tcpka`: TCP keep-alive probes towards servers. */
  readonly keepAlive: boolean;

  /** `sslServerVerify`: global `ssl-server-verify`, the `verify` of servers that set none. */
  constructor(spec: ProxySpec, core: Backend, sslServerVerify: 'none' | 'required' = 'required') {
    this.spec = spec;
    this.name = spec.name;
    this.core = core;
    this.retries = spec.retries;
    this.retryConnFailure = spec.retryOn === undefined || spec.retryOn.includes('conn-failure');
    this.connectTimeout = spec.timeouts.connect ?? 0;
    this.turnAround = this.connectTimeout > 0 && this.connectTimeout < TURN_AROUND_MAX ? this.connectTimeout : TURN_AROUND_MAX;
    const interval = spec.redispatch?.interval;
    this.redispatchInterval = interval === undefined || interval === 0 ? null : interval;
    this.hashBased = HASH_ALGORITHMS.has(spec.balance.algorithm);
    this.keepAlive = spec.options.srvtcpka === true;
    for (const server of core.servers) {
      this.#serverCounters.set(server, new ProxyCounters());
      const tls = serverTlsOptions(server.spec.params, sslServerVerify);
      if (tls !== undefined) this.#tls.set(server, tls);
      const ctx = tls ?? serverTlsOptions(server.spec.params, sslServerVerify, true);
      if (ctx !== undefined) this.#tlsContexts.set(server, ctx);
    }
  }

  /** `server` has TLS settings (HAProxy's ssl_ctx): `set server ssl on|off` may switch it. */
  hasTlsContext(server: Server): boolean {
    return this.#tlsContexts.has(server);
  }

  /** server.c srv_set_ssl: traffic to `server` over TLS or not; false when it has no TLS settings. */
  setSsl(server: Server, on: boolean): boolean {
    const ctx = this.#tlsContexts.get(server);
    if (ctx === undefined) return false;
    if (on) this.#tls.set(server, ctx);
    else this.#tls.delete(server);
    return true;
  }

  /** TLS connect options of `server`, undefined for plain TCP. */
  tlsOf(server: Server): ServerTlsOptions | undefined {
    return this.#tls.get(server);
  }

  /** Report live traffic of `server` to its state machine when it has `observe` set. */
  observeWith(server: Server, state: ServerState): void {
    if (state.observeMode !== 'none') this.#observed.set(server, state);
  }

  /** A session saw `status` on `server` (HAProxy health_adjust). */
  observe(server: Server, status: HanaStatus): void {
    this.#observed.get(server)?.observe(status);
  }

  get servers(): readonly Server[] {
    return this.core.servers;
  }

  /**
   * backend.h be_usable_srv (the `nbsrv` fetch): the usable active servers; without any, the first
   * usable backup (1), or every usable backup with `option allbackups`.
   */
  usableServers(): number {
    let act = 0;
    let bck = 0;
    for (const s of this.core.servers) {
      if (!s.isUsable()) continue;
      if (s.backup) bck++;
      else act++;
    }
    if (act > 0) return act;
    return this.spec.options.allbackups === true ? bck : Math.min(bck, 1);
  }

  countersOf(server: Server): ProxyCounters {
    return this.#serverCounters.get(server)!;
  }

  /**
   * A session that failed on `previous` got `server`: a redispatch (`wredis`) when it moved, a
   * retry (`wretr`) when it stayed, counted on `previous` and on the backend. Returns whether it moved.
   */
  countReassignment(previous: Server, server: Server): boolean {
    const moved = previous !== server;
    if (moved) {
      this.countersOf(previous).wredis++;
      this.counters.wredis++;
    } else {
      this.countersOf(previous).wretr++;
      this.counters.wretr++;
    }
    return moved;
  }

  /** Another attempt on the same `server`: a retry, and a new server session (HAProxy connect_server: cum_sess per connection). */
  countRetryOnServer(server: Server): void {
    const counters = this.countersOf(server);
    counters.wretr++;
    counters.stot++;
    this.counters.wretr++;
  }

  /** Usable active servers (HAProxy `srv_act`), for the retry rules. */
  activeServers(): number {
    let n = 0;
    for (const s of this.core.servers) if (!s.backup && s.isUsable()) n++;
    return n;
  }

  /**
   * HAProxy include/haproxy/stream.h stream_choose_redispatch (2.6 with the fixes backported to
   * 2.6.x): after `retries` failed attempts so far, move to another server when the server is
   * not running, when the redispatch interval says so, or at once for non-hash algorithms with
   * more than one active server unless `direct` (a persistence cookie or use-server chose the
   * server: SF_DIRECT).
   */
  shouldRedispatch(server: Server, retries: number, direct = false): boolean {
    const interval = this.redispatchInterval;
    if (interval === null) return false;
    if (server.admin.maint || server.oper === 'DOWN' || server.oper === 'STARTING') return true;
    if (interval > 0 && retries % interval === 0) return true;
    const period = this.retries + 1 + interval;
    if (interval < 0 && period > 0 && retries % period === 0) return true;
    return !direct && !this.hashBased && this.activeServers() > 1;
  }
}
