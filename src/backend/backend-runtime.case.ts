// Fixtures of the Backend tests: a ProxySpec without a config file, and sessions that record
// what the backend did to them.
import { FakeClock } from '../clock.ts';
import type { BalanceSpec, ProxySpec, ServerSpec, Timeouts } from '../config/model.ts';
import type { BalanceKey } from '../lb/balancer.ts';
import { serverSpecOf, type ServerInit } from '../lb/balancer.case.ts';
import type { QueueWaiter } from './backend.ts';
import { Backend } from './backend-runtime.ts';
import type { Server } from './server.ts';

export type SrvInit = ServerInit;

export interface SpecInit {
  servers: SrvInit[];
  balance?: BalanceSpec['algorithm'];
  hashType?: BalanceSpec['hashType'];
  timeouts?: Timeouts;
  options?: Record<string, boolean>;
  redispatch?: boolean;
}

export function proxySpec(init: SpecInit): ProxySpec {
  const loc = { file: 'test.cfg', line: 1 };
  const servers: ServerSpec[] = init.servers.map((s, i) => serverSpecOf(s, i, 9000, 1));
  return {
    kind: 'backend',
    name: 'be',
    id: 1,
    mode: 'tcp',
    disabled: false,
    binds: [],
    servers,
    balance: { algorithm: init.balance ?? 'roundrobin', args: [], hashType: init.hashType ?? 'map-based', hashFunction: 'sdbm' },
    timeouts: init.timeouts ?? { connect: 5000, queue: 1000 },
    retries: 3,
    redispatch: init.redispatch ? { interval: -1 } : undefined,
    options: init.options ?? {},
    logs: [],
    useBackends: [],
    lines: [],
    loc,
  };
}

/** A session as the backend sees it: records what happened to it, in order, in a shared log. */
export class Waiter implements QueueWaiter {
  readonly name: string;
  readonly log: string[];
  server: Server | null = null;
  timedOut = false;
  srvQueuePos = 0;
  backendQueuePos = 0;
  onDequeuedHook: ((server: Server) => void) | null = null;

  constructor(name: string, log: string[]) {
    this.name = name;
    this.log = log;
  }

  onDequeued(server: Server): void {
    this.server = server;
    this.log.push(`${this.name}->${server.name}`);
    this.onDequeuedHook?.(server);
  }

  onQueueTimeout(): void {
    this.timedOut = true;
    this.log.push(`${this.name}:timeout`);
  }
}

export class RedispatchingWaiter extends Waiter {
  redispatched = 0;
  onRedispatch(): void {
    this.redispatched++;
    this.log.push(`${this.name}:redispatch`);
  }
}

export const KEY: BalanceKey = { src: '10.0.0.1' };

export function setup(init: SpecInit) {
  const clock = new FakeClock();
  const backend = new Backend(proxySpec(init), clock);
  const log: string[] = [];
  const waiters = (n: number, prefix = 'w') => Array.from({ length: n }, (_, i) => new Waiter(`${prefix}${i + 1}`, log));
  const srv = (name: string) => backend.servers.find((s) => s.name === name)!;
  return { clock, backend, log, waiters, srv };
}

