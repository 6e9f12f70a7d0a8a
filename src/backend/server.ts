// Runtime state of one server: the single source of truth that balancers, queues, sessions,
// checks, stats, the runtime API and replication read and subscribe to (ARCHITECTURE.md, decision 3).
import { EventEmitter } from 'node:events';
import type { ServerSpec } from '../config/model.ts';

/** Admin state bits as HAProxy keeps them (SRV_ADMF_*): MAINT from config, CLI, tracking; DRAIN. */
export interface AdminState {
  maint: boolean; // forced maintenance (config `disabled`, `set server state maint`)
  drain: boolean; // `set server state drain`: only persistent traffic
}

/** Operational state; the checks issue drives transitions, issue 2 only uses UP/STOPPED. */
export type OperState = 'UP' | 'DOWN' | 'STARTING' | 'STOPPING';

export type ServerEvent = 'state' | 'weight' | 'addr';

export class Server extends EventEmitter {
  readonly spec: ServerSpec;
  readonly backendName: string;
  readonly name: string;
  readonly id: number;
  readonly backup: boolean;
  host: string;
  port: number | undefined;
  /** User weight (configured, or `set server weight`). */
  uweight: number;
  /** Effective weight the balancer uses (uweight scaled by slowstart, agent %, ...). */
  eweight: number;
  maxconn: number; // 0 = unlimited
  maxqueue: number; // 0 = unlimited
  readonly admin: AdminState;
  oper: OperState = 'UP';
  /** Sessions currently established or connecting to this server ("served"). */
  served = 0;
  /** Sessions waiting in this server's own queue (persistent/forced traffic). */
  queued = 0;
  /** Times the balancer selected this server (stats `lbtot`, HAProxy cum_lbconn). */
  lbtot = 0;
  /** Highest `queued` seen (stats `qmax`). */
  qmax = 0;
  /** New connections opened to it by `mode http` sessions (stats `connect`; tcp sessions count `stot`). */
  connects = 0;
  /**
   * Most connections in use at once (stats need_conn_est, raised as HAProxy srv_use_conn does;
   * HAProxy also lowers it at each idle-pool purge while idle connections exist, hapair does not).
   */
  estNeedConns = 0;

  constructor(spec: ServerSpec, backendName: string) {
    super();
    this.spec = spec;
    this.backendName = backendName;
    this.name = spec.name;
    this.id = spec.id;
    this.backup = spec.backup;
    this.host = spec.host;
    this.port = spec.port;
    this.uweight = spec.weight;
    this.eweight = spec.weight;
    this.maxconn = spec.maxconn;
    this.maxqueue = spec.maxqueue;
    this.admin = { maint: spec.disabled, drain: false };
  }

  /** May receive new, non-persistent traffic (HAProxy srv_is_usable: running and weight > 0). */
  isUsable(): boolean {
    return !this.admin.maint && !this.admin.drain && (this.oper === 'UP' || this.oper === 'STARTING') && this.eweight > 0;
  }

  /** Has no free connection slot: new traffic must queue (HAProxy srv_dynamic_maxconn). */
  isFull(): boolean {
    return this.maxconn > 0 && (this.served >= this.maxconn || this.queued > 0);
  }

  setWeight(weight: number): void {
    this.uweight = weight;
    this.eweight = weight;
    this.emit('weight', this);
  }
}
