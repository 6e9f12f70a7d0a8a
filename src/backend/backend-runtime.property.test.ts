// Random operation sequences against the Backend, checking HAProxy's queueing invariants after
// every step: counters agree with the sessions, no slot stays free while someone waits for it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock.ts';
import type { BalanceSpec, ProxySpec, ServerSpec } from '../config/model.ts';
import { collectCandidates } from '../lb/candidates.ts';
import type { QueueWaiter } from './backend.ts';
import { Backend } from './backend-runtime.ts';
import type { Server } from './server.ts';

type Op =
  | { kind: 'assign'; src: number }
  | { kind: 'assignTo'; server: number }
  | { kind: 'release'; pick: number }
  | { kind: 'reassign'; pick: number; src: number }
  | { kind: 'cancel'; pick: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'toggle'; server: number }
  | { kind: 'weight'; server: number; weight: number }
  | { kind: 'maxconn'; server: number; maxconn: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('assign' as const), src: fc.nat(255) }),
  fc.record({ kind: fc.constant('assign' as const), src: fc.nat(255) }),
  fc.record({ kind: fc.constant('assignTo' as const), server: fc.nat(3) }),
  fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('reassign' as const), pick: fc.nat(), src: fc.nat(255) }),
  fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 700 }) }),
  fc.record({ kind: fc.constant('toggle' as const), server: fc.nat(3) }),
  fc.record({ kind: fc.constant('weight' as const), server: fc.nat(3), weight: fc.nat(3) }),
  fc.record({ kind: fc.constant('maxconn' as const), server: fc.nat(3), maxconn: fc.integer({ min: 1, max: 4 }) }),
);

class Session implements QueueWaiter {
  state: 'queued' | 'held' | 'timedout' | 'cancelled' | 'done' = 'queued';
  server: Server | null = null;
  events = 0;
  onDequeued(server: Server): void {
    expect(this.state).toBe('queued');
    this.state = 'held';
    this.server = server;
    this.events++;
  }
  onQueueTimeout(): void {
    expect(this.state).toBe('queued');
    this.state = 'timedout';
    this.events++;
  }
}

function spec(algorithm: BalanceSpec['algorithm'], allbackups: boolean): ProxySpec {
  const loc = { file: 't', line: 1 };
  const server = (name: string, i: number, backup: boolean): ServerSpec => ({
    name, id: i + 1, host: '127.0.0.1', port: 1, weight: 1 + i, backup, maxconn: 2, minconn: 0, maxqueue: 2, disabled: false, params: {}, loc,
  });
  return {
    kind: 'backend', name: 'be', id: 1, mode: 'tcp', disabled: false, binds: [],
    servers: [server('a', 0, false), server('b', 1, false), server('bk1', 2, true), server('bk2', 3, true)],
    balance: { algorithm, args: [], hashType: 'map-based', hashFunction: 'sdbm' },
    timeouts: { queue: 1000 }, retries: 3, options: { allbackups }, logs: [], useBackends: [], lines: [], loc,
  };
}

function checkInvariants(backend: Backend, sessions: Session[], allbackups: boolean): void {
  const held = sessions.filter((s) => s.state === 'held');
  const queued = sessions.filter((s) => s.state === 'queued');
  expect(backend.served).toBe(held.length);
  expect(backend.beconn).toBe(held.length + queued.length);
  expect(backend.totpend).toBe(queued.length);
  for (const srv of backend.servers) {
    expect(srv.served).toBe(held.filter((s) => s.server === srv).length);
    expect(srv.queued).toBe(queued.filter((s) => backend.queuedOn(s) === srv).length);
    expect(srv.served).toBeLessThanOrEqual(srv.maxconn); // maxconn only grows here
    // someone waits on this server only while it has no free slot
    if (srv.queued > 0 && srv.isUsable()) expect(srv.served).toBeGreaterThanOrEqual(srv.maxconn);
  }
  expect(backend.queueLength).toBe(queued.filter((s) => backend.queuedOn(s) === 'backend').length);
  if (backend.queueLength > 0) {
    const candidates: Server[] = [];
    collectCandidates(backend.servers, allbackups, candidates);
    for (const c of candidates) expect(c.served).toBeGreaterThanOrEqual(c.maxconn);
  }
  for (const s of sessions) expect(s.events).toBeLessThanOrEqual(1);
}

function apply(backend: Backend, clock: FakeClock, sessions: Session[], o: Op): void {
  const live = (state: Session['state']) => sessions.filter((s) => s.state === state);
  const record = (s: Session, r: ReturnType<Backend['assign']>) => {
    // A redispatched session may queue again: at most one wake-up per stay in a queue.
    if (r === 'queued') {
      s.state = 'queued';
      s.events = 0;
    } else if (typeof r === 'object') {
      s.state = 'held';
      s.server = r;
    } else s.state = 'done';
  };
  switch (o.kind) {
    case 'assign':
    case 'assignTo': {
      const s = new Session();
      sessions.push(s);
      const r = o.kind === 'assign' ? backend.assign({ src: `10.0.0.${o.src}` }, s) : backend.assignTo(backend.servers[o.server], s);
      record(s, r);
      break;
    }
    case 'release':
    case 'reassign': {
      const h = live('held');
      if (h.length === 0) return;
      const s = h[o.pick % h.length];
      if (o.kind === 'release') {
        s.state = 'done';
        backend.release(s.server!);
      } else record(s, backend.reassign({ src: `10.0.0.${o.src}` }, s, s.server!));
      break;
    }
    case 'cancel': {
      const q = live('queued');
      if (q.length === 0) return;
      const s = q[o.pick % q.length];
      expect(backend.cancel(s)).toBe(true);
      s.state = 'cancelled';
      break;
    }
    case 'advance':
      clock.advance(o.ms);
      break;
    case 'toggle': {
      const srv = backend.servers[o.server];
      srv.oper = srv.oper === 'UP' ? 'DOWN' : 'UP';
      srv.emit('state', srv);
      break;
    }
    case 'weight':
      backend.servers[o.server].setWeight(o.weight);
      break;
    case 'maxconn': {
      const srv = backend.servers[o.server];
      if (o.maxconn < srv.maxconn) return; // lowering maxconn leaves sessions above it: not modelled
      srv.maxconn = o.maxconn;
      backend.refresh();
      break;
    }
  }
}

describe('Backend invariants under random operations', () => {
  it.each([
    ['roundrobin', false],
    ['static-rr', true],
    ['leastconn', false],
    ['first', true],
    ['source', false],
    ['random', true],
  ] as const)('%s (allbackups=%s)', (algorithm, allbackups) => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 120 }), (ops) => {
        const clock = new FakeClock();
        let seed = 1;
        const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
        const backend = new Backend(spec(algorithm, allbackups), clock, { random });
        const sessions: Session[] = [];
        for (const o of ops) {
          apply(backend, clock, sessions, o);
          checkInvariants(backend, sessions, allbackups);
        }
        backend.destroy();
      }),
      { numRuns: 150 },
    );
  });
});
