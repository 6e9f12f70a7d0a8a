import { describe, expect, it } from 'vitest';
import { KEY, RedispatchingWaiter, Waiter, setup } from './backend-runtime.case.ts';

describe('Backend state and weight changes', () => {
  it('drains the backend queue onto a server that comes up', () => {
    const { backend, log, waiters, srv } = setup({ servers: [{ name: 'a', maxconn: 1 }, { name: 'b', maxconn: 2 }] });
    srv('b').oper = 'DOWN';
    backend.refresh();
    const ws = waiters(4);
    backend.assign(KEY, ws[0]);
    for (const w of ws.slice(1)) expect(backend.assign(KEY, w)).toBe('queued');
    srv('b').oper = 'UP';
    srv('b').emit('state', srv('b'));
    expect(log).toEqual(['w2->b', 'w3->b']);
    expect(backend.queueLength).toBe(1);
  });

  it('drains the queue when a weight goes from 0 back up', () => {
    const { backend, waiters, srv } = setup({ servers: [{ name: 'a', maxconn: 1 }, { name: 'b' }] });
    srv('b').setWeight(0);
    const [w1, w2] = waiters(2);
    backend.assign(KEY, w1);
    expect(backend.assign(KEY, w2)).toBe('queued');
    srv('b').setWeight(5);
    expect(w2.server).toBe(srv('b'));
  });

  it('drains the queue when maxconn grows (refresh)', () => {
    const { backend, waiters, srv } = setup({ servers: [{ name: 'a', maxconn: 1 }] });
    const [w1, w2, w3] = waiters(3);
    backend.assign(KEY, w1);
    backend.assign(KEY, w2);
    backend.assign(KEY, w3);
    srv('a').maxconn = 2;
    backend.refresh();
    expect(w2.server).toBe(srv('a'));
    expect(w3.server).toBeNull();
    srv('a').maxconn = 0; // unlimited
    backend.refresh();
    expect(w3.server).toBe(srv('a'));
  });

  it('drains onto the first backup only, or onto every backup with allbackups', () => {
    const servers = [{ name: 'a', maxconn: 1 }, { name: 'bk1', backup: true, maxconn: 1 }, { name: 'bk2', backup: true, maxconn: 1 }];
    for (const allbackups of [false, true]) {
      const { backend, waiters, srv } = setup({ servers, options: { allbackups } });
      const ws = waiters(3);
      backend.assign(KEY, ws[0]);
      backend.assign(KEY, ws[1]);
      backend.assign(KEY, ws[2]);
      srv('a').oper = 'DOWN';
      srv('a').emit('state', srv('a'));
      expect([ws[1].server?.name, ws[2].server?.name]).toEqual(allbackups ? ['bk1', 'bk2'] : ['bk1', undefined]);
    }
  });

  it('keeps server-queue waiters of a server that goes down without option redispatch', () => {
    const { backend, waiters, srv } = setup({ servers: [{ name: 'a', maxconn: 1 }, { name: 'b' }] });
    const [w1, w2] = [...waiters(1), new RedispatchingWaiter('r', [])];
    backend.assignTo(srv('a'), w1);
    backend.assignTo(srv('a'), w2);
    srv('a').oper = 'DOWN';
    srv('a').emit('state', srv('a'));
    expect((w2 as RedispatchingWaiter).redispatched).toBe(0);
    expect(backend.queuedOn(w2)).toBe(srv('a'));
  });

  it('redistributes server-queue waiters of a server that goes down with option redispatch', () => {
    const { backend, log, srv } = setup({ servers: [{ name: 'a', maxconn: 1 }, { name: 'b' }], redispatch: true });
    const w1 = new Waiter('w1', log);
    const r1 = new RedispatchingWaiter('r1', log);
    const plain = new Waiter('plain', log);
    backend.assignTo(srv('a'), w1);
    backend.assignTo(srv('a'), r1);
    backend.assignTo(srv('a'), plain);
    srv('a').admin.maint = true;
    srv('a').emit('state', srv('a'));
    expect(log).toEqual(['r1:redispatch']);
    expect(backend.queuedOn(r1)).toBeNull();
    expect(backend.queuedOn(plain)).toBe(srv('a'));
    expect(backend.requeued).toBe(1);
    expect(backend.beconn).toBe(2);
    expect(backend.assign(KEY, r1)).toBe(srv('b'));
  });

  it('does not redistribute with option persist', () => {
    const { backend, srv } = setup({ servers: [{ name: 'a', maxconn: 1 }, { name: 'b' }], redispatch: true, options: { persist: true } });
    const r1 = new RedispatchingWaiter('r1', []);
    backend.assignTo(srv('a'), new Waiter('w1', []));
    backend.assignTo(srv('a'), r1);
    srv('a').oper = 'DOWN';
    srv('a').emit('state', srv('a'));
    expect(r1.redispatched).toBe(0);
  });

  it('stops following server events after destroy()', () => {
    const { backend, waiters, srv } = setup({ servers: [{ name: 'a', maxconn: 1 }, { name: 'b', maxconn: 1 }] });
    srv('b').oper = 'DOWN';
    backend.refresh();
    const [w1, w2] = waiters(2);
    backend.assign(KEY, w1);
    backend.assign(KEY, w2);
    backend.destroy();
    srv('b').oper = 'UP';
    srv('b').emit('state', srv('b'));
    expect(w2.server).toBeNull();
    expect(srv('b').listenerCount('state')).toBe(0);
  });
});

describe('Backend reassign (redispatch after a failed connect)', () => {
  it('moves the session to another server and offers the old slot to the queue', () => {
    const { backend, waiters, srv } = setup({ servers: [{ name: 'a', maxconn: 1 }, { name: 'b', maxconn: 1 }], balance: 'leastconn' });
    const [w1, w2] = waiters(2);
    expect(backend.assignTo(srv('a'), w1)).toBe(srv('a'));
    expect(backend.assignTo(srv('a'), w2)).toBe('queued');
    expect(backend.reassign(KEY, w1, srv('a'))).toBe(srv('b'));
    expect(w2.server).toBe(srv('a'));
    expect(backend.redispatches).toBe(1);
    expect(backend.beconn).toBe(2);
  });

  it('keeps its slot without letting a waiter in when the same server is picked again', () => {
    const { backend, waiters, srv } = setup({ servers: [{ name: 'a', maxconn: 1 }] });
    const [w1, w2] = waiters(2);
    backend.assignTo(srv('a'), w1);
    backend.assignTo(srv('a'), w2);
    expect(backend.reassign(KEY, w1, srv('a'))).toBe('queued');
  });
});

describe('Backend with leastconn', () => {
  it('spreads long sessions and refills the least loaded server', () => {
    const { backend, waiters, srv } = setup({ servers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }], balance: 'leastconn' });
    for (const w of waiters(9)) backend.assign(KEY, w);
    expect(backend.servers.map((s) => s.served)).toEqual([3, 3, 3]);
    backend.release(srv('b'));
    backend.release(srv('b'));
    expect(backend.assign(KEY, waiters(1, 'x')[0])).toBe(srv('b'));
  });
});
