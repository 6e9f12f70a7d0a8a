// A backend at run time: servers, balancer, the backend queue and one queue per server
// (HAProxy backend.c assign_server_and_queue, queue.c pendconn_*). Pure: an injected clock,
// no sockets; a session asks for a slot, waits as a QueueWaiter, and gives the slot back.
import type { Clock } from '../clock.ts';
import type { ProxySpec } from '../config/model.ts';
import type { BalanceKey, Balancer } from '../lb/balancer.ts';
import { collectCandidates } from '../lb/candidates.ts';
import { createBalancer } from '../lb/create-balancer.ts';
import type { AssignResult, BackendContract, QueueWaiter } from './backend.ts';
import { QueueExpiry } from './queue-expiry.ts';
import { PendConn, PendQueue } from './queue.ts';
import { Server } from './server.ts';

export interface BackendOptions {
  /** Use these servers (built by the caller from `spec.servers`) instead of building them. */
  readonly servers?: readonly Server[];
  /** Random source for `balance random` (tests inject a seeded one). */
  readonly random?: () => number;
}

/** Algorithms that never let a new session overtake the backend queue (backend.c assign_server). */
const FIFO_ALGORITHMS: ReadonlySet<string> = new Set(['roundrobin', 'static-rr', 'first']);

/** Out of the farm for a reason other than weight: what makes HAProxy redistribute its queue. */
function isStopped(server: Server): boolean {
  return server.admin.maint || server.admin.drain || server.oper === 'DOWN' || server.oper === 'STOPPING';
}

/**
 * HAProxy configuration.txt 4.2 "timeout queue": "If unspecified, the same value as the
 * backend's connection timeout ("timeout connect") is used". 0 = no timeout.
 */
export function effectiveQueueTimeout(spec: ProxySpec): number {
  return spec.timeouts.queue || spec.timeouts.connect || 0;
}

export class Backend implements BackendContract {
  readonly spec: ProxySpec;
  readonly servers: readonly Server[];
  readonly balancer: Balancer;
  /** Effective `timeout queue` in ms, 0 = wait forever. */
  readonly queueTimeout: number;
  /** Sessions the balancer placed (stats `lbtot`). */
  lbtot = 0;
  /** Sessions holding a slot or waiting in a queue of this backend (stats `scur`, %bc). */
  beconn = 0;
  /** Sessions holding a slot on one of the servers. */
  served = 0;
  /** Sessions that left for another server through reassign() (stats `wredis`). */
  redispatches = 0;
  /** Waiters moved off a server queue when it went down (HAProxy "requeued"). */
  requeued = 0;

  readonly #clock: Clock;
  readonly #allbackups: boolean;
  readonly #fifo: boolean;
  readonly #redistribute: boolean;
  readonly #queue = new PendQueue(null);
  readonly #serverQueues = new Map<Server, PendQueue>();
  readonly #pending = new Map<QueueWaiter, PendConn>();
  readonly #expiry: QueueExpiry;
  /** Backups allowed to serve the backend queue (the first one, or all with allbackups). */
  readonly #backupCandidates = new Set<Server>();
  readonly #stopped = new Map<Server, boolean>();
  #seq = 0;

  constructor(spec: ProxySpec, clock: Clock, opts: BackendOptions = {}) {
    this.spec = spec;
    this.#clock = clock;
    this.servers = opts.servers ?? spec.servers.map((s) => new Server(s, spec.name));
    this.#allbackups = spec.options.allbackups === true;
    this.#fifo = FIFO_ALGORITHMS.has(spec.balance.algorithm);
    // queue.c pendconn_redistribute: only with `option redispatch` and without `option persist`.
    this.#redistribute = spec.redispatch !== undefined && spec.redispatch.interval !== 0 && spec.options.persist !== true;
    this.queueTimeout = effectiveQueueTimeout(spec);
    this.balancer = createBalancer(spec.balance, this.servers, { allbackups: this.#allbackups, random: opts.random });
    this.#expiry = new QueueExpiry(clock, this.#onQueueTimeout);
    for (const s of this.servers) {
      this.#serverQueues.set(s, new PendQueue(s));
      this.#stopped.set(s, isStopped(s));
      s.on('state', this.#onServerEvent);
      s.on('weight', this.#onServerEvent);
    }
    this.#collectBackupCandidates();
  }

  /** qcur of the backend queue. */
  get queueLength(): number {
    return this.#queue.length;
  }

  /** qmax of the backend queue. */
  get qmax(): number {
    return this.#queue.max;
  }

  /** Waiters in the backend queue and every server queue (HAProxy totpend). */
  get totpend(): number {
    return this.#pending.size;
  }

  /**
   * A slot from the balancer's pick; the backend queue when every candidate is full; the
   * picked server's queue when the balancer returns a full server (source hashing, leastconn
   * with maxqueue). 'queue-full' only in that last case, at `maxqueue` (a 503, as HAProxy).
   */
  assign(key: BalanceKey, waiter: QueueWaiter, avoid?: Server): AssignResult {
    this.#assertNotQueued(waiter);
    if (!this.balancer.hasCandidates()) return 'no-server';
    // "if there's some queue on the backend, with certain algos we know it's because all servers are full"
    if (this.#fifo && this.#queue.length > 0) return this.#enqueue(waiter, this.#queue);
    const server = this.balancer.pick(key, avoid);
    if (server === null) return this.#enqueue(waiter, this.#queue);
    if (server !== avoid) {
      this.lbtot++;
      server.lbtot++;
    }
    return this.#takeOrQueue(server, waiter);
  }

  /**
   * A slot on `server` (persistence, use-server), else a place in its own queue below
   * `maxqueue`, else 'queue-full'. On 'queue-full' HAProxy redispatches when `option redispatch`
   * is set and the session is not force-persist (the caller then uses assign()), else 503 `sQ`.
   */
  assignTo(server: Server, waiter: QueueWaiter): AssignResult {
    this.#assertNotQueued(waiter);
    if (!this.#serverQueues.has(server)) throw new Error(`server ${server.name} is not in backend ${this.spec.name}`);
    return this.#takeOrQueue(server, waiter);
  }

  /**
   * The session holding a slot on `current` retries on another server (`option redispatch`).
   * As HAProxy's assign_server, the slot is only offered to the queue if another server is chosen.
   */
  reassign(key: BalanceKey, waiter: QueueWaiter, current: Server): AssignResult {
    this.#dropSlot(current);
    const result = this.assign(key, waiter, current);
    if (result !== current) {
      this.redispatches++;
      this.#processServerQueue(current);
    }
    return result;
  }

  release(server: Server): void {
    this.#dropSlot(server);
    this.#processServerQueue(server);
  }

  /** Remove a waiting session (client gone); false when it was not queued here. */
  cancel(waiter: QueueWaiter): boolean {
    const p = this.#pending.get(waiter);
    if (p === undefined) return false;
    this.#unlink(p);
    this.beconn--;
    return true;
  }

  /** The queue `waiter` is in: a server, 'backend', or null when not queued here. */
  queuedOn(waiter: QueueWaiter): Server | 'backend' | null {
    const p = this.#pending.get(waiter);
    if (p === undefined) return null;
    return p.queue!.server ?? 'backend';
  }

  /**
   * Server states, weights or maxconn changed: rebuild the balancer, redistribute the queues of
   * servers that went down, and let every usable server take queued sessions up to its maxconn
   * (HAProxy server.c srv_update_status: pendconn_redistribute, pendconn_grab_from_px).
   * Called on every server 'state'/'weight' event; call it after changing `maxconn` directly.
   */
  refresh(): void {
    this.balancer.refresh();
    this.#collectBackupCandidates();
    for (const s of this.servers) {
      const stopped = isStopped(s);
      const wasStopped = this.#stopped.get(s);
      this.#stopped.set(s, stopped);
      if (stopped && !wasStopped) this.#redistributeFrom(s);
    }
    for (const s of this.servers) {
      if (s.isUsable()) this.#processServerQueue(s);
    }
  }

  /** Stop listening to the servers and stop the queue timer (reload, shutdown). */
  destroy(): void {
    for (const s of this.servers) {
      s.off('state', this.#onServerEvent);
      s.off('weight', this.#onServerEvent);
    }
    this.#expiry.stop();
  }

  readonly #onServerEvent = (): void => {
    this.refresh();
  };

  #takeOrQueue(server: Server, waiter: QueueWaiter): AssignResult {
    if (!server.isFull()) {
      this.beconn++;
      this.#takeSlot(server);
      return server;
    }
    const queue = this.#serverQueues.get(server)!;
    if (server.maxqueue > 0 && queue.length >= server.maxqueue) return 'queue-full';
    return this.#enqueue(waiter, queue);
  }

  #takeSlot(server: Server): void {
    server.served++;
    if (server.served > server.estNeedConns) server.estNeedConns = server.served;
    this.served++;
    this.balancer.onServedChange(server);
  }

  #dropSlot(server: Server): void {
    if (server.served <= 0) throw new Error(`release on ${this.spec.name}/${server.name} without a slot`);
    server.served--;
    this.served--;
    this.beconn--;
    this.balancer.onServedChange(server);
  }

  #enqueue(waiter: QueueWaiter, queue: PendQueue): 'queued' {
    const timeout = this.queueTimeout;
    const p = new PendConn(waiter, ++this.#seq, timeout > 0 ? this.#clock.now() + timeout : Infinity);
    queue.push(p);
    this.#pending.set(waiter, p);
    this.#expiry.add(p);
    this.beconn++;
    const server = queue.server;
    if (server !== null) {
      server.queued++;
      if (server.queued > server.qmax) server.qmax = server.queued;
      this.balancer.onServedChange(server);
    }
    return 'queued';
  }

  /** Take `p` out of its queue, crediting its queue position to the waiter's log counters. */
  #unlink(p: PendConn): void {
    const queue = p.queue!;
    const position = queue.remove(p);
    this.#pending.delete(p.waiter);
    this.#expiry.remove(p);
    const server = queue.server;
    if (server !== null) {
      server.queued--;
      if (typeof p.waiter.srvQueuePos === 'number') p.waiter.srvQueuePos += position;
      this.balancer.onServedChange(server);
    } else if (typeof p.waiter.backendQueuePos === 'number') {
      p.waiter.backendQueuePos += position;
    }
  }

  /**
   * HAProxy queue.c process_srv_queue: while `server` has a free slot, give it to the oldest of
   * its own queue's head and (when it may serve the backend) the backend queue's head. State is
   * re-read after each callback: a waiter may release or assign synchronously.
   */
  #processServerQueue(server: Server): void {
    const own = this.#serverQueues.get(server)!;
    while (server.maxconn === 0 || server.served < server.maxconn) {
      const p = own.head;
      const pp = this.#mayServeBackendQueue(server) ? this.#queue.head : null;
      const next = p === null ? pp : pp === null || p.seq < pp.seq ? p : pp;
      if (next === null) return;
      const queue = next.queue!;
      this.#unlink(next);
      queue.handoffs++;
      this.#takeSlot(server);
      next.waiter.onDequeued(server);
    }
  }

  /** process_srv_queue px_ok: usable, and an active server or an elected backup. */
  #mayServeBackendQueue(server: Server): boolean {
    return server.isUsable() && (!server.backup || this.#backupCandidates.has(server));
  }

  #collectBackupCandidates(): void {
    const candidates: Server[] = [];
    const kind = collectCandidates(this.servers, this.#allbackups, candidates);
    this.#backupCandidates.clear();
    if (kind === 'backup') for (const s of candidates) this.#backupCandidates.add(s);
  }

  /** HAProxy queue.c pendconn_redistribute: queued waiters leave a server that went down. */
  #redistributeFrom(server: Server): void {
    if (!this.#redistribute || server.queued === 0) return;
    const moved: QueueWaiter[] = [];
    for (let p = this.#serverQueues.get(server)!.head; p !== null; ) {
      const next = p.next;
      if (p.waiter.onRedispatch !== undefined) {
        this.#unlink(p);
        this.beconn--;
        moved.push(p.waiter);
      }
      p = next;
    }
    this.requeued += moved.length;
    for (const w of moved) w.onRedispatch!();
  }

  readonly #onQueueTimeout = (p: PendConn): void => {
    this.#unlink(p);
    this.beconn--;
    p.waiter.onQueueTimeout();
  };

  #assertNotQueued(waiter: QueueWaiter): void {
    if (this.#pending.has(waiter)) throw new Error(`waiter already queued in backend ${this.spec.name}`);
  }
}

/** BackendFactory for the runtime (src/backend/backend.ts). */
export function createBackend(spec: ProxySpec, clock: Clock): Backend {
  return new Backend(spec, clock);
}
