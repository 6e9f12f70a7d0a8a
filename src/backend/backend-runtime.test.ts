import { describe, expect, it } from 'vitest';
import { effectiveQueueTimeout } from './backend-runtime.ts';
import { KEY, proxySpec, setup } from './backend-runtime.case.ts';
import type { Server } from './server.ts';

describe('Backend assign', () => {
  it('takes a slot on the picked server and counts it', () => {
    const { backend, waiters, srv } = setup({ servers: [{ name: 'a' }, { name: 'b' }] });
    const [w1, w2] = waiters(2);
    expect(backend.assign(KEY, w1)).toBe(srv('a'));
    expect(backend.assign(KEY, w2)).toBe(srv('b'));
    expect(srv('a').served).toBe(1);
    expect(srv('a').lbtot).toBe(1);
    expect(backend.lbtot).toBe(2);
    expect(backend.beconn).toBe(2);
    expect(backend.served).toBe(2);
    backend.release(srv('a'));
    expect(srv('a').served).toBe(0);
    expect(backend.beconn).toBe(1);
  });

  it("reports 'no-server' when nothing is usable and 'queued' when everything is full", () => {
    const { backend, waiters, srv } = setup({ servers: [{ name: 'a', maxconn: 1 }] });
    const [w1, w2, w3] = waiters(3);
    expect(backend.assign(KEY, w1)).toBe(srv('a'));
    expect(backend.assign(KEY, w2)).toBe('queued');
    expect(backend.queueLength).toBe(1);
    srv('a').admin.maint = true;
    srv('a').emit('state', srv('a'));
    expect(backend.assign(KEY, w3)).toBe('no-server');
    expect(backend.beconn).toBe(2);
  });

  it('serves the backend queue in FIFO order as slots free up', () => {
    const { backend, log, waiters, srv } = setup({ servers: [{ name: 'a', maxconn: 1 }] });
    const ws = waiters(4);
    expect(backend.assign(KEY, ws[0])).toBe(srv('a'));
    for (const w of ws.slice(1)) expect(backend.assign(KEY, w)).toBe('queued');
    expect(backend.qmax).toBe(3);
    for (let i = 0; i < 3; i++) backend.release(srv('a'));
    expect(log).toEqual(['w2->a', 'w3->a', 'w4->a']);
    expect(srv('a').served).toBe(1);
    expect(backend.queueLength).toBe(0);
    expect(backend.qmax).toBe(3);
    expect(ws.slice(1).map((w) => w.backendQueuePos)).toEqual([1, 2, 3]);
  });

  it('does not let a new session overtake the backend queue (roundrobin)', () => {
    const { backend, waiters, srv } = setup({ servers: [{ name: 'a', maxconn: 1 }, { name: 'b', maxconn: 1 }] });
    const [w1, w2, w3] = waiters(3);
    backend.assign(KEY, w1);
    backend.assign(KEY, w2);
    expect(backend.assign(KEY, w3)).toBe('queued');
    srv('b').maxconn = 2; // a slot appears without a refresh: HAProxy still queues behind the waiters
    expect(backend.assign(KEY, waiters(1, 'x')[0])).toBe('queued');
    backend.refresh();
    expect(w3.server).toBe(srv('b'));
  });

  it('moves away from `avoid` and counts lbtot only for a new server', () => {
    const { backend, waiters, srv } = setup({ servers: [{ name: 'a' }, { name: 'b' }] });
    const [w1] = waiters(1);
    expect(backend.assign(KEY, w1, srv('a'))).toBe(srv('b'));
    expect(srv('a').lbtot).toBe(0);
    expect(srv('b').lbtot).toBe(1);
  });

  it('queues on the hashed server when it is full (balance source), up to maxqueue', () => {
    const { backend, waiters, srv } = setup({ servers: [{ name: 'a', maxconn: 1, maxqueue: 1 }, { name: 'b', maxconn: 1, maxqueue: 1 }], balance: 'source' });
    const [w1, w2, w3] = waiters(3);
    const s = backend.assign(KEY, w1) as Server;
    expect(backend.assign(KEY, w2)).toBe('queued');
    expect(backend.queuedOn(w2)).toBe(s);
    expect(s.queued).toBe(1);
    expect(backend.queueLength).toBe(0);
    expect(backend.assign(KEY, w3)).toBe('queue-full');
    backend.release(s);
    expect(w2.server).toBe(s);
    expect(w2.srvQueuePos).toBe(1);
    // HAProxy counts the balancer's choice (cum_lbconn) before looking at the queue.
    expect(srv('a').lbtot + srv('b').lbtot).toBe(3);
  });

  it('refuses to queue a waiter twice', () => {
    const { backend, waiters } = setup({ servers: [{ name: 'a', maxconn: 1 }] });
    const [w1, w2] = waiters(2);
    backend.assign(KEY, w1);
    backend.assign(KEY, w2);
    expect(() => backend.assign(KEY, w2)).toThrow(/already queued/);
  });
});

describe('Backend assignTo (persistence)', () => {
  it('takes a slot, then queues up to maxqueue, then answers queue-full', () => {
    const { backend, waiters, srv } = setup({ servers: [{ name: 'a', maxconn: 1, maxqueue: 2 }, { name: 'b' }] });
    const ws = waiters(4);
    expect(backend.assignTo(srv('a'), ws[0])).toBe(srv('a'));
    expect(backend.assignTo(srv('a'), ws[1])).toBe('queued');
    expect(backend.assignTo(srv('a'), ws[2])).toBe('queued');
    expect(backend.assignTo(srv('a'), ws[3])).toBe('queue-full');
    expect(srv('a').queued).toBe(2);
    expect(srv('a').qmax).toBe(2);
    expect(srv('a').lbtot).toBe(0);
    expect(backend.queueLength).toBe(0);
    expect(backend.beconn).toBe(3);
  });

  it('queues behind waiters already on the server even if a slot is free', () => {
    const { backend, waiters, srv } = setup({ servers: [{ name: 'a', maxconn: 1 }] });
    const [w1, w2, w3] = waiters(3);
    backend.assignTo(srv('a'), w1);
    backend.assignTo(srv('a'), w2);
    srv('a').maxconn = 3; // raised at run time, no refresh yet
    expect(backend.assignTo(srv('a'), w3)).toBe('queued');
    backend.refresh();
    expect([w2.server, w3.server]).toEqual([srv('a'), srv('a')]);
  });

  it('rejects a server of another backend', () => {
    const one = setup({ servers: [{ name: 'a' }] });
    const two = setup({ servers: [{ name: 'a' }] });
    expect(() => one.backend.assignTo(two.srv('a'), one.waiters(1)[0])).toThrow(/not in backend/);
  });
});

describe('Backend release', () => {
  it('hands the slot to the oldest waiter among the server queue and the backend queue', () => {
    const { backend, log, waiters, srv } = setup({ servers: [{ name: 'a', maxconn: 1 }] });
    const [w1, bq1, sq1, bq2, sq2] = [...waiters(1), ...waiters(4, 'q')];
    backend.assign(KEY, w1);
    expect(backend.assign(KEY, bq1)).toBe('queued');
    expect(backend.assignTo(srv('a'), sq1)).toBe('queued');
    expect(backend.assign(KEY, bq2)).toBe('queued');
    expect(backend.assignTo(srv('a'), sq2)).toBe('queued');
    for (let i = 0; i < 4; i++) backend.release(srv('a'));
    expect(log).toEqual(['q1->a', 'q2->a', 'q3->a', 'q4->a']);
    expect(backend.totpend).toBe(0);
  });

  it('serves the next waiter when a dequeued session ends at once (re-entrant release)', () => {
    const { backend, log, waiters, srv } = setup({ servers: [{ name: 'a', maxconn: 1 }] });
    const [w1, w2, w3] = waiters(3);
    backend.assign(KEY, w1);
    backend.assign(KEY, w2);
    backend.assign(KEY, w3);
    w2.onDequeuedHook = (s) => backend.release(s); // e.g. connect failed immediately
    backend.release(srv('a'));
    expect(log).toEqual(['w2->a', 'w3->a']);
    expect(srv('a').served).toBe(1);
    expect(backend.beconn).toBe(1);
  });

  it('does not give a backup slot to the backend queue while an active server is usable', () => {
    const { backend, waiters, srv } = setup({ servers: [{ name: 'a', maxconn: 1 }, { name: 'bk', backup: true, maxconn: 1 }] });
    const [w1, w2, w3] = waiters(3);
    backend.assign(KEY, w1);
    expect(backend.assignTo(srv('bk'), w2)).toBe(srv('bk')); // e.g. a persistence cookie
    expect(backend.assign(KEY, w3)).toBe('queued');
    backend.release(srv('bk'));
    expect(w3.server).toBeNull();
    backend.release(srv('a'));
    expect(w3.server).toBe(srv('a'));
  });

  it('throws on a release without a slot (a bug in the caller)', () => {
    const { backend, srv } = setup({ servers: [{ name: 'a' }] });
    expect(() => backend.release(srv('a'))).toThrow(/without a slot/);
  });
});

describe('Backend queue timeout', () => {
  it('expires a waiter after timeout queue and removes it', () => {
    const { clock, backend, waiters, srv } = setup({ servers: [{ name: 'a', maxconn: 1 }], timeouts: { queue: 1000, connect: 50 } });
    const [w1, w2, w3] = waiters(3);
    backend.assign(KEY, w1);
    backend.assign(KEY, w2);
    clock.advance(400);
    backend.assign(KEY, w3);
    clock.advance(599);
    expect(w2.timedOut).toBe(false);
    clock.advance(1);
    expect(w2.timedOut).toBe(true);
    expect(w3.timedOut).toBe(false);
    expect(backend.queueLength).toBe(1);
    expect(backend.beconn).toBe(2);
    backend.release(srv('a'));
    expect(w3.server).toBe(srv('a'));
    clock.advance(5000);
    expect(w3.timedOut).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('falls back to timeout connect, and waits forever without either', () => {
    expect(effectiveQueueTimeout(proxySpec({ servers: [], timeouts: { connect: 3000 } }))).toBe(3000);
    expect(effectiveQueueTimeout(proxySpec({ servers: [], timeouts: { connect: 3000, queue: 0 } }))).toBe(3000);
    const { clock, backend, waiters } = setup({ servers: [{ name: 'a', maxconn: 1 }], timeouts: {} });
    const [w1, w2] = waiters(2);
    backend.assign(KEY, w1);
    backend.assign(KEY, w2);
    expect(clock.pendingTimers()).toBe(0);
    clock.advance(86_400_000);
    expect(w2.timedOut).toBe(false);
    expect(backend.queueLength).toBe(1);
  });

  it('expires server-queue waiters too', () => {
    const { clock, backend, waiters, srv } = setup({ servers: [{ name: 'a', maxconn: 1 }], timeouts: { connect: 200 } });
    const [w1, w2] = waiters(2);
    backend.assignTo(srv('a'), w1);
    backend.assignTo(srv('a'), w2);
    clock.advance(200);
    expect(w2.timedOut).toBe(true);
    expect(srv('a').queued).toBe(0);
  });
});

describe('Backend cancel', () => {
  it('removes the waiter so that a freed slot skips it', () => {
    const { clock, backend, log, waiters, srv } = setup({ servers: [{ name: 'a', maxconn: 1 }] });
    const [w1, w2, w3] = waiters(3);
    backend.assign(KEY, w1);
    backend.assign(KEY, w2);
    backend.assign(KEY, w3);
    expect(backend.cancel(w2)).toBe(true);
    expect(backend.cancel(w2)).toBe(false);
    expect(backend.beconn).toBe(2);
    backend.release(srv('a'));
    expect(log).toEqual(['w3->a']);
    clock.advance(10_000);
    expect(w2.timedOut).toBe(false);
  });
});
