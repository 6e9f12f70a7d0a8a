// Notify hooks (keepalived notify / notify_master|backup|fault|stop): on every transition the
// `notify` script runs with INSTANCE STATE PRIORITY, and the state's own script with the same
// arguments. Hooks run one at a time in transition order (a FIFO, the guarantee keepalived's
// notify_fifo gives, reference/ha.md §2.6), each under a deadline, each run logged.
import type { Logger } from 'pino';
import type { RunCommand } from './commands.ts';
import type { Transition } from './election.ts';
import type { NotifySpec } from './spec.ts';

/**
 * Hooks start a macrotask after the transition, and only once the VIP work queued with it is done
 * (`settled`, the instance's VIP queue: a takeover's `ip addr` and first GARP). A hook is a
 * fork/exec of this process and a shell that compete for the event loop and the CPUs: started
 * at once, they cost a takeover 20-60 ms before its GARP on a loaded 2-CPU host (measured in the
 * failover benchmark). keepalived too runs notify scripts after it added the addresses and sent
 * its GARPs (vrrp.c vrrp_state_become_master).
 */
function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

const settledAlready = (): Promise<unknown> => Promise.resolve();

export interface NotifyContext {
  readonly node: string;
}

export class Notifier {
  readonly #spec: NotifySpec;
  readonly #run: RunCommand;
  readonly #log: Logger;
  readonly #ctx: NotifyContext;
  readonly #settled: () => Promise<unknown>;
  #queue: Promise<void> = Promise.resolve();
  #pending = 0;

  /** `settled`: resolves once the work a hook must not delay is done (asked when the hook is due). */
  constructor(spec: NotifySpec, ctx: NotifyContext, run: RunCommand, log: Logger, settled = settledAlready) {
    this.#spec = spec;
    this.#ctx = ctx;
    this.#run = run;
    this.#log = log;
    this.#settled = settled;
  }

  get pending(): number {
    return this.#pending;
  }

  /** Queue the hooks of one transition. */
  notify(t: Transition): void {
    const perState = t.to === 'INIT' ? undefined : this.#spec[t.to.toLowerCase() as 'master' | 'backup' | 'fault' | 'stop'];
    for (const script of [this.#spec.all, perState]) {
      if (script === undefined) continue;
      this.#pending++;
      this.#queue = this.#queue
        .then(nextMacrotask)
        .then(() => this.#settled().catch(() => undefined))
        .then(() => this.#runOne(script, t))
        .finally(() => this.#pending--);
    }
  }

  /** Resolves when every queued hook has finished. */
  idle(): Promise<void> {
    return this.#queue;
  }

  async #runOne(script: string, t: Transition): Promise<void> {
    const [file, ...extra] = script.split(/\s+/).filter(Boolean);
    const args = [...extra, t.instance, t.to, String(t.priority)];
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      HAPAIR_INSTANCE: t.instance,
      HAPAIR_STATE: t.to,
      HAPAIR_PREVIOUS_STATE: t.from,
      HAPAIR_PRIORITY: String(t.priority),
      HAPAIR_REASON: t.reason,
      HAPAIR_NODE: this.#ctx.node,
    };
    const r = await this.#run(file, args, { timeout: this.#spec.timeout, env });
    const fields = { script: file, instance: t.instance, state: t.to, exitCode: r.exitCode };
    if (r.failed) this.#log.warn({ ...fields, err: r.stderr.trim() || r.message }, 'notify script failed');
    else this.#log.info(fields, 'notify script ran');
  }
}
