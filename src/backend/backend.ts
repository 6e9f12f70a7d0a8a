// A backend at run time: its servers, its balancer and its queues. The pure core of server
// assignment (HAProxy backend.c assign_server + queue.c pendconn): no sockets, an injected clock.
import type { Clock } from '../clock.ts';
import type { ProxySpec } from '../config/model.ts';
import type { BalanceKey } from '../lb/balancer.ts';
import type { Server } from './server.ts';

/** A session waiting in a queue (the session object itself implements this: no closure per request). */
export interface QueueWaiter {
  /** A slot on `server` was granted; `server.served` already counts this session. */
  onDequeued(server: Server): void;
  /** `timeout queue` elapsed while waiting (termination state `sQ`). */
  onQueueTimeout(): void;
  /**
   * Optional. The server this waiter was queued on went down and `option redispatch` is set
   * (without `option persist`): the waiter left the queue and should call `assign()` again
   * (HAProxy queue.c pendconn_redistribute). Waiters without it stay queued on the server.
   */
  onRedispatch?(): void;
  /**
   * Optional log counters (%sq, %bq). When the session initialises them to 0, the backend adds
   * the waiter's position (1 = first) each time it leaves a server / the backend queue.
   */
  srvQueuePos?: number;
  backendQueuePos?: number;
}

/** Result of an assignment attempt: a server (slot taken), or why not. */
export type AssignResult = Server | 'queued' | 'no-server' | 'queue-full';

export interface BackendContract {
  readonly spec: ProxySpec;
  readonly servers: readonly Server[];
  /**
   * Take a slot on a server chosen by the balancer, or queue `waiter` in the backend queue when
   * every usable server is full. `avoid` is the server a redispatch moves away from.
   */
  assign(key: BalanceKey, waiter: QueueWaiter, avoid?: Server): AssignResult;
  /** Take a slot on a given server (persistence, use-server), or queue on that server. */
  assignTo(server: Server, waiter: QueueWaiter): AssignResult;
  /** A session left `server`: free its slot and hand it to the oldest waiter that fits. */
  release(server: Server): void;
  /** The waiter gave up (client closed): remove it from whichever queue holds it. */
  cancel(waiter: QueueWaiter): void;
  /** Sessions waiting in the backend queue (qcur). */
  readonly queueLength: number;
}

export type BackendFactory = (spec: ProxySpec, clock: Clock) => BackendContract;
