// Socket inactivity timeouts (`timeout client`, `timeout server`, `timeout http-keep-alive` ...)
// without Node's timer work on every read and write. Node's socket.setTimeout re-inserts the
// socket's timer into the timer lists on each read, write and write completion (four times per
// keep-alive request through a proxy: about 3,400 instructions per request under callgrind, 7 %
// of the proxy's main thread in the http-small bench). Here an I/O only stores the time (one
// clock reading) and a single timer per socket fires at the earliest possible deadline, then
// looks at the last activity: past the timeout, the socket emits 'timeout' as Node's does
// (through its own _onTimeout, which keeps Node's "write still in progress" check); otherwise
// the timer is armed again for what is left. This is how HAProxy handles its task expiry dates:
// activity only moves a date, the wheel looks at it when it is due. The time stored is the current
// event's clock reading when there is one (../event-clock.ts), so most I/O reads no clock at all.
//
// Installed per socket (plain TCP sockets of `mode http`); socket.setTimeout(ms) keeps its
// meaning: 0 disarms, a new value counts from now, activity after a timeout arms it again.
import net from 'node:net';
import { eventNow, monotonicNow } from '../event-clock.ts';

/**
 * Node's per-read timer refresh (lib/internal/stream_base_commons.js `stream[kUpdateTimer]()`) is
 * a getter for the socket's `_unrefTimer` (lib/net.js): replacing that method covers reads too.
 */
const READS_CALL_UNREF_TIMER = ((): boolean => {
  const k = Object.getOwnPropertySymbols(net.Socket.prototype).find((s) => s.description === 'kUpdateTimer');
  if (k === undefined) return false;
  const marker = (): void => {};
  const probe = Object.create(net.Socket.prototype) as { _unrefTimer: unknown; [key: symbol]: unknown };
  probe._unrefTimer = marker;
  return probe[k] === marker;
})();

interface TimerSocket extends net.Socket {
  _onTimeout(): void;
  _unrefTimer(): void;
}

/** Node's timers fire on the loop's millisecond clock, up to a millisecond before performance.now() says. */
const SLACK_MS = 1;

class IdleTimeout {
  readonly socket: TimerSocket;
  ms = 0;
  /** performance.now() of the last activity (or of the last setTimeout). */
  last = 0;
  timer: NodeJS.Timeout | null = null;
  /** When the armed timer fires (performance.now() scale). */
  due = 0;
  /** It emitted 'timeout' and waits for activity or a new setTimeout to count again. */
  fired = false;

  constructor(socket: TimerSocket) {
    this.socket = socket;
  }

  set(ms: number): void {
    this.ms = ms;
    this.fired = false;
    this.last = eventNow();
    if (ms <= 0) return this.disarm();
    // An armed timer due no later than the new deadline stays: it re-arms for the rest when it fires.
    if (this.timer !== null && this.due <= this.last + ms) return;
    this.disarm();
    this.arm(ms);
  }

  touch(): void {
    this.last = eventNow();
    if (this.fired) {
      this.fired = false;
      this.arm(this.ms);
    }
  }

  arm(delay: number): void {
    this.due = monotonicNow() + delay;
    this.timer = setTimeout(fireIdleTimeout, delay, this);
    this.timer.unref();
  }

  disarm(): void {
    if (this.timer === null) return;
    clearTimeout(this.timer);
    this.timer = null;
  }

  fire(): void {
    this.timer = null;
    const socket = this.socket;
    if (socket.destroyed || this.ms <= 0) return;
    const left = this.last + this.ms - monotonicNow();
    if (left > SLACK_MS) return this.arm(left);
    this.fired = true;
    socket._onTimeout();
  }
}

function fireIdleTimeout(t: IdleTimeout): void {
  t.fire();
}

const IDLE = Symbol('hapair.idleTimeout');

interface LazySocket extends TimerSocket {
  [IDLE]: IdleTimeout;
}

// Shared by every socket (one function: the call sites in Node's read and write paths stay monomorphic).
function touchIdleTimeout(this: LazySocket): void {
  this[IDLE].touch();
}

function setIdleTimeout(this: LazySocket, ms: number, callback?: () => void): net.Socket {
  this[IDLE].set(ms);
  if (callback !== undefined) this.once('timeout', callback);
  return this;
}

function disarmOnClose(this: LazySocket): void {
  this[IDLE].disarm();
}

/**
 * Replaces `socket`'s setTimeout and its timer refresh by the lazy ones above. False (nothing
 * changed, Node's timers stay) when this Node does not have the expected internals.
 */
export function useLazyIdleTimeout(socket: net.Socket): boolean {
  const s = socket as LazySocket;
  if (!READS_CALL_UNREF_TIMER || typeof s._onTimeout !== 'function') return false;
  s[IDLE] = new IdleTimeout(s);
  s._unrefTimer = touchIdleTimeout;
  (s as net.Socket).setTimeout = setIdleTimeout as unknown as net.Socket['setTimeout'];
  s.once('close', disarmOnClose);
  return true;
}
