// Notify hooks (keepalived notify / notify_master|backup|fault|stop): on every transition the
// `notify` script runs with INSTANCE STATE PRIORITY, and the state's own script with the same
// arguments. Hooks run one at a time in transition order (a FIFO, the guarantee keepalived's
// notify_fifo gives, reference/ha.md §2.6), each under a deadline, each run logged.
import type { Logger } from 'pino';
import type { RunCommand } from './commands.ts';
import type { Transition } from './election.ts';
import type { NotifySpec } from './spec.ts';

/**
 * Hooks start a macrotask after the transition: the VIP work the same transition queued (`ip addr`,
 * arping, in microtasks) is spawned first, so a takeover does not wait behind a hook's fork/exec.
 */
function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export interface NotifyContext {
  readonly node: string;
}

export class Notifier {
  readonly #spec: NotifySpec;
  readonly #run: RunCommand;
  readonly #log: Logger;
  readonly #ctx: NotifyContext;
  #queue: Promise<void> = Promise.resolve();
  #pending = 0;

  constructor(spec: NotifySpec, ctx: NotifyContext, run: RunCommand, log: Logger) {
    this.#spec = spec;
    this.#ctx = ctx;
    this.#run = run;
    this.#log = log;
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
