import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock.ts';
import type { QueueWaiter } from './backend.ts';
import { QueueExpiry } from './queue-expiry.ts';
import { PendConn, PendQueue } from './queue.ts';

const waiter = (): QueueWaiter => ({ onDequeued() {}, onQueueTimeout() {} });

function names(q: PendQueue): number[] {
  const out: number[] = [];
  for (let p = q.head; p !== null; p = p.next) out.push(p.seq);
  return out;
}

describe('PendQueue', () => {
  it('keeps FIFO order through removals at the head, middle and tail', () => {
    const q = new PendQueue(null);
    const ps = [1, 2, 3, 4, 5].map((seq) => new PendConn(waiter(), seq, Infinity));
    for (const p of ps) q.push(p);
    q.remove(ps[2]);
    q.remove(ps[0]);
    q.remove(ps[4]);
    expect(names(q)).toEqual([2, 4]);
    expect(q.tail).toBe(ps[3]);
    expect(q.length).toBe(2);
    expect(q.max).toBe(5);
    q.remove(ps[1]);
    q.remove(ps[3]);
    expect([q.head, q.tail, q.length]).toEqual([null, null, 0]);
  });

  it('reports the position of an entry: 1 + entries served while it waited', () => {
    const q = new PendQueue(null);
    const [a, b] = [new PendConn(waiter(), 1, Infinity), new PendConn(waiter(), 2, Infinity)];
    q.push(a);
    q.push(b);
    expect(q.remove(a)).toBe(1);
    q.handoffs++;
    expect(q.remove(b)).toBe(2);
  });
});

describe('QueueExpiry', () => {
  it('expires entries in age order with a single timer, re-arming past removed ones', () => {
    const clock = new FakeClock();
    const expired: number[] = [];
    const expiry: QueueExpiry = new QueueExpiry(clock, (p) => {
      expiry.remove(p);
      expired.push(p.seq);
    });
    const a = new PendConn(waiter(), 1, 100);
    const b = new PendConn(waiter(), 2, 150);
    const c = new PendConn(waiter(), 3, 150);
    expiry.add(a);
    expiry.add(b);
    expiry.add(c);
    expect(clock.pendingTimers()).toBe(1);
    expiry.remove(a);
    clock.advance(100);
    expect(expired).toEqual([]);
    clock.advance(50);
    expect(expired).toEqual([2, 3]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('stop() cancels the timer', () => {
    const clock = new FakeClock();
    const expiry = new QueueExpiry(clock, () => {
      throw new Error('must not fire');
    });
    expiry.add(new PendConn(waiter(), 1, 10));
    expiry.stop();
    expect(clock.pendingTimers()).toBe(0);
    clock.advance(100);
  });
});
