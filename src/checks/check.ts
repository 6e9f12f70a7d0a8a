// Health-check contract: a check runs once against a target and reports one status, the way
// HAProxy's check task does (src/check.c process_chk_conn, src/tcpcheck.c tcpcheck_main).
// Every check type in this folder is a tcp-check ruleset run by tcpcheck-run.ts, exactly as
// HAProxy 2.6 implements `option httpchk`, `redis-check`, `ldap-check`... on top of tcp-check.
import type { ConnectionOptions } from 'node:tls';
import type { CheckStatus } from './check-status.ts';

/** `verify`, `ca-file`, `crt` and `alpn` of the server, as node:tls options. */
export type CheckTlsContext = Pick<ConnectionOptions, 'rejectUnauthorized' | 'ca' | 'cert' | 'key' | 'ALPNProtocols'>;

export type { CheckStatus } from './check-status.ts';

/**
 * Timeouts that bound one check run (HAProxy configuration.txt 4.2 "timeout check"):
 * the connection must establish within `inter`, or within min(inter, connect) when `check`
 * is set; once connected, `check` (when set) bounds the rest, otherwise `inter` covers the whole check.
 */
export interface CheckTimeouts {
  readonly inter: number;
  readonly connect?: number;
  readonly check?: number;
}

/** Where and how to connect (server `addr`/`port`, `check-ssl`, `check-sni`, `check-send-proxy`). */
export interface CheckTarget {
  readonly host: string;
  readonly port: number;
  /** TLS for the check connection (`check-ssl`, or `ssl` inherited). */
  readonly ssl?: boolean;
  /**
   * The server's TLS context the check shares (HAProxy ssl_sock_init on the server's SSL_CTX):
   * verification, CA and client certificate. Without it the peer is not verified.
   */
  readonly tlsContext?: CheckTlsContext;
  /** SNI sent in the TLS ClientHello (`check-sni`). */
  readonly sni?: string;
  /** ALPN protocols (`check-alpn`). */
  readonly alpn?: readonly string[];
  /** Send a PROXY protocol header first (`check-send-proxy`). */
  readonly sendProxy?: false | 'v1' | 'v2';
  readonly timeout: CheckTimeouts;
}

/** One `set_server_check_status()` call: a status with its L7 code and info text. */
export interface CheckReport {
  readonly status: CheckStatus;
  /** Layer 5-7 code (HTTP status, SMTP reply code, LDAP result code...), 0 when none. */
  readonly code: number;
  /** Free text HAProxy stores as the check description (`info: "..."` in logs, CSV `last_chk`). */
  readonly info: string;
}

/** Words of an agent reply (HAProxy configuration.txt 5.2 "agent-check"). */
export interface AgentReply {
  /** Last health word: up, down, stopped, fail. */
  readonly health?: 'up' | 'down' | 'stopped' | 'fail';
  /** The health word as received (the log quotes it: "via agent : UP"). */
  readonly healthWord?: string;
  /** Last admin word: ready, drain, maint. */
  readonly admin?: 'ready' | 'drain' | 'maint';
  /** Last weight word, e.g. "75%". */
  readonly weight?: string;
  /** Value of the last `maxconn:N` word. */
  readonly maxconn?: string;
  /** Text after `#` (only reported with a health word). */
  readonly description: string;
  /** First word that was not understood. */
  readonly error?: string;
}

/** Outcome of one check run. */
export interface CheckResult extends CheckReport {
  /** Milliseconds from the start of the check to its end (integer, as HAProxy logs it). */
  readonly durationMs: number;
  /**
   * Earlier status reports made during the same run. HAProxy's LDAP and MySQL expect functions
   * set a status and the ruleset's end sets it again, so the rise counter moves twice.
   */
  readonly earlier?: readonly CheckReport[];
  /** Agent checks: the parsed reply, applied to the server by the state machine. */
  readonly agent?: AgentReply;
  /** Agent checks: the reply line was incomplete at end of stream. */
  readonly agentIncomplete?: boolean;
}

/** Per-run context a check may need from its server (http-check send-state, agent-send, disable-on-404). */
export interface CheckRunContext {
  /** `X-Haproxy-Server-State` header value (`http-check send-state`). */
  readonly serverStateHeader?: () => string;
  /** True when the server is not DOWN (HAProxy next_state != STOPPED), for `http-check disable-on-404`. */
  readonly serverIsUp?: () => boolean;
  /** Current `agent-send` string (changed at run time by `set server ... agent-send`). */
  readonly agentSend?: () => string;
}

/** A health check type: run once and resolve with a result. Never rejects. */
export interface HealthCheck {
  run(target: CheckTarget, ctx?: CheckRunContext): Promise<CheckResult>;
}
