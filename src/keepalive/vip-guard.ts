// The VIP guard: a tiny shell process that outlives a crashed keepalive just long enough to remove
// its VIPs. It reads our pipe; when the pipe closes (we exited, cleanly or by SIGKILL) it runs
// `ip addr del` for every configured VIP, then sends the farewell adverts (farewell.ts: priority 0
// from a master) with socat, so a killed master leaves the FAULT path at once and the peer takes
// over at once instead of after its master-down timer. A clean stop removes the farewell files
// first (it says its own priority 0). `disarm` keeps the VIPs (an upgrade that must not move them).
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { FarewellTarget } from './farewell.ts';
import type { VipTarget } from './vip-manager.ts';

// Arguments: VIP DEV pairs, then `--`, then FILE SOCAT-ADDRESS pairs.
const GUARD_SCRIPT = [
  "trap '' INT TERM HUP",
  'while read -r line; do [ "$line" = disarm ] && exit 0; done',
  'while [ $# -ge 2 ] && [ "$1" != -- ]; do ip addr del "$1" dev "$2" 2>/dev/null; shift 2; done',
  '[ "$1" = -- ] && shift',
  'while [ $# -ge 2 ]; do [ -s "$1" ] && socat -u "OPEN:$1" "$2" 2>/dev/null; shift 2; done',
].join('\n');

const RESPAWN_DELAY = 1000;

export class VipGuard {
  readonly #args: string[];
  readonly #log: Logger;
  #child?: ChildProcess;
  #closing = false;
  #respawn?: NodeJS.Timeout;

  constructor(vips: readonly VipTarget[], log: Logger, farewell: readonly FarewellTarget[] = []) {
    this.#args = [...vips.flatMap((v) => [`${v.address}/${v.prefix}`, v.dev]), '--', ...farewell.flatMap((f) => [f.file, f.socatAddress])];
    this.#log = log;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  start(): void {
    if (this.#closing || this.#args.length === 1) return; // only '--': nothing to guard
    // Own process group: a Ctrl-C on the terminal or a group kill of keepalive does not reach it.
    const child = spawn('/bin/sh', ['-c', GUARD_SCRIPT, 'hapair-vip-guard', ...this.#args], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
    child.unref();
    (child.stdin as unknown as Socket).unref();
    child.stdin!.on('error', () => {});
    child.on('error', (err) => this.#log.error({ err }, 'VIP guard failed to start'));
    child.on('exit', (code, signal) => {
      if (this.#child !== child || this.#closing) return;
      this.#log.warn({ code, signal }, 'VIP guard exited: restarting it');
      this.#respawn = setTimeout(() => this.start(), RESPAWN_DELAY);
      this.#respawn.unref();
    });
    this.#child = child;
  }

  /** Exit the guard without removing the VIPs. */
  disarm(): Promise<void> {
    return this.#end('disarm\n');
  }

  /** Close the pipe: the guard removes the VIPs (already released by a clean stop) and exits. */
  close(): Promise<void> {
    return this.#end('');
  }

  #end(last: string): Promise<void> {
    this.#closing = true;
    clearTimeout(this.#respawn);
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    // Keep the event loop alive until the guard has done its work (it is unref'd while it waits).
    child.ref();
    (child.stdin as unknown as Socket).ref();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.stdin!.end(last);
    });
  }
}
