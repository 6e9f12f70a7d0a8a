// Pending connections (HAProxy queue.c "pendconn"): a session waiting for a connection slot,
// either in one server's queue (persistence, use-server, hashing on a full server) or in the
// backend's queue (every server full). Intrusive doubly linked lists: O(1) append and removal.
import type { Server } from './server.ts';
import type { QueueWaiter } from './backend.ts';

export class PendConn {
  readonly waiter: QueueWaiter;
  /** The queue holding this entry, null once unlinked. */
  queue: PendQueue | null = null;
  /** Enqueue order over the whole backend: smaller is older (HAProxy compares queue keys by age). */
  readonly seq: number;
  /** Clock time at which `timeout queue` expires it; Infinity without a timeout. */
  readonly expiresAt: number;
  /** Handoffs the queue had made when this entry joined (for %sq / %bq). */
  base = 0;
  prev: PendConn | null = null;
  next: PendConn | null = null;
  /** Links of the backend-wide age list that drives queue timeouts (queue-expiry.ts). */
  older: PendConn | null = null;
  newer: PendConn | null = null;

  constructor(waiter: QueueWaiter, seq: number, expiresAt: number) {
    this.waiter = waiter;
    this.seq = seq;
    this.expiresAt = expiresAt;
  }
}

export class PendQueue {
  /** The server this queue belongs to, null for the backend queue. */
  readonly server: Server | null;
  head: PendConn | null = null;
  tail: PendConn | null = null;
  /** qcur */
  length = 0;
  /** qmax: highest length seen (HAProxy nbpend_max). */
  max = 0;
  /** Entries handed a slot so far (HAProxy queue->idx). */
  handoffs = 0;

  constructor(server: Server | null) {
    this.server = server;
  }

  push(p: PendConn): void {
    p.queue = this;
    p.base = this.handoffs;
    p.prev = this.tail;
    p.next = null;
    if (this.tail !== null) this.tail.next = p;
    else this.head = p;
    this.tail = p;
    if (++this.length > this.max) this.max = this.length;
  }

  /**
   * Unlink `p` and return its position for the access log: 1 + the requests served from this
   * queue while it waited (HAProxy logs.srv_queue_pos / prx_queue_pos; queue_idx starts at -1).
   */
  remove(p: PendConn): number {
    if (p.prev !== null) p.prev.next = p.next;
    else this.head = p.next;
    if (p.next !== null) p.next.prev = p.prev;
    else this.tail = p.prev;
    p.prev = p.next = null;
    p.queue = null;
    this.length--;
    return this.handoffs - p.base + 1;
  }
}
