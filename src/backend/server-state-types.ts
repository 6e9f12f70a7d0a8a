// Server state vocabulary as HAProxy defines it (include/haproxy/server-t.h): operational states,
// administrative flags, and the settings, hooks and events of the server state machine.
import type { Clock } from '../clock.ts';
import type { CheckTiming, HealthCheckSettings } from './server-state-check.ts';

/** `enum srv_state`, the `srv_op_state` column of `show servers state`. */
export const SRV_ST = { STOPPED: 0, STARTING: 1, RUNNING: 2, STOPPING: 3 } as const;
export type SrvOpState = (typeof SRV_ST)[keyof typeof SRV_ST];
export const SRV_ST_NAMES: Readonly<Record<SrvOpState, string>> = { 0: 'STOPPED', 1: 'STARTING', 2: 'RUNNING', 3: 'STOPPING' };

/**
 * `enum srv_admin` bits, the `srv_admin_state` column. MAINT and DRAIN are masks:
 * forced (F), inherited from a tracked server (I), from the config (C), from DNS (R), FQDN set (H).
 */
export const SRV_ADMF = {
  FMAINT: 0x01,
  IMAINT: 0x02,
  MAINT: 0x23,
  CMAINT: 0x04,
  FDRAIN: 0x08,
  IDRAIN: 0x10,
  DRAIN: 0x18,
  RMAINT: 0x20,
  HMAINT: 0x40,
} as const;

/** `on-error` (configuration.txt 5.2): what `observe` does after `error-limit` consecutive errors. */
export type OnError = 'fastinter' | 'fail-check' | 'sudden-death' | 'mark-down';
export type ObserveMode = 'none' | 'layer4' | 'layer7';

export type LogLevel = 'emerg' | 'alert' | 'warning' | 'notice' | 'info';

export interface ServerStateLog {
  readonly level: LogLevel;
  /** The line as HAProxy sends it to syslog, with its final period. */
  readonly message: string;
}

export interface ServerStateOptions {
  /** Backend (or listen) name. */
  readonly proxy: string;
  /** "backend" or "proxy" (a listen section), as "<type> <name> has no server available!" prints it. */
  readonly proxyType?: 'backend' | 'proxy';
  readonly name: string;
  readonly backup?: boolean;
  /** Configured weight (iweight), default 1. */
  readonly weight?: number;
  readonly maxconn?: number;
  readonly minconn?: number;
  /** `disabled`: start in maintenance (CMAINT|FMAINT). */
  readonly disabled?: boolean;
  /** `check`: the health check is configured (absent: no health check). */
  readonly check?: HealthCheckSettings;
  /** `agent-check`: the agent is configured (rise/fall are always 1). */
  readonly agent?: CheckTiming;
  /** `slowstart` in milliseconds (HAProxy keeps whole seconds, rounded up). */
  readonly slowstart?: number;
  /** `option log-health-checks`. */
  readonly logHealthChecks?: boolean;
  /** The balancer is dynamic (weights change live); static ones accept only 0% and 100%. */
  readonly dynamicWeights?: boolean;
  readonly observe?: ObserveMode;
  readonly errorLimit?: number;
  readonly onError?: OnError;
  readonly onMarkedDown?: 'shutdown-sessions';
  readonly onMarkedUp?: 'shutdown-backup-sessions';
  readonly clock: Clock;
}

/** Calls into the backend for what a state change does to traffic (queues, sessions). */
export interface ServerStateHooks {
  /** `cur_sess` and queue length of this server, for log lines. */
  load(): { readonly sessions: number; readonly queued: number };
  /** Move this server's queued requests elsewhere (pendconn_redistribute); returns how many. */
  redistribute(): number;
  /** Take requests from the backend queue (pendconn_grab_from_px); returns how many. */
  grabFromBackend(): number;
}

export const NO_HOOKS: ServerStateHooks = {
  load: () => ({ sessions: 0, queued: 0 }),
  redistribute: () => 0,
  grabFromBackend: () => 0,
};

export type AdminCommand = 'ready' | 'drain' | 'maint';
