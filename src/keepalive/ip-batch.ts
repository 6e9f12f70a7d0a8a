// `ip` without a process start: one long-lived `ip -o -force -batch -` reads commands on its stdin
// and runs each as it arrives, so adding or removing a VIP at takeover is a pipe write instead of a
// fork/exec of a child of a large Node process (10-15 ms idle, hundreds of ms on a loaded host).
// After each command we send `link show dev lo`, whose one-line output (-o; line-buffered through
// stdbuf) marks the command as done; with -force a failed command prints "Command failed -:N" on
// stderr and the batch goes on. Any trouble (not started, died, no marker in time) makes run()
// answer undefined and the caller spawns `ip` as before.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';

export interface BatchResult {
  readonly ok: boolean;
  /** What `ip` printed on stderr for this command. */
  readonly stderr: string;
}

interface Pending {
  readonly line: number;
  readonly resolve: (r: BatchResult | undefined) => void;
  readonly timer: NodeJS.Timeout;
}

const MARKER = /^\d+:\s+lo[:@]/;

export class IpBatch {
  readonly #log: Logger;
  readonly #prefix: readonly string[];
  readonly #timeout: number;
  readonly #pending: Pending[] = [];
  /** Batch line numbers of failed commands → the error text `ip` printed before saying so. */
  readonly #failed = new Map<number, string>();
  #errText = '';
  #child?: ChildProcess;
  #broken = false;
  #line = 0;
  #out = '';
  #err = '';

  constructor(log: Logger, timeout: number, prefix: readonly string[] = []) {
    this.#log = log;
    this.#timeout = timeout;
    this.#prefix = prefix;
  }

  start(): void {
    if (this.#broken || this.#child) return;
    const argv = [...this.#prefix, 'stdbuf', '-oL', 'ip', '-o', '-force', '-batch', '-'];
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => this.#onOut(d));
    child.stderr!.on('data', (d: string) => this.#onErr(d));
    child.stdin!.on('error', () => {});
    child.on('error', (err) => this.#fail(child, err.message));
    child.on('exit', (code, signal) => this.#fail(child, `exited (${code ?? signal})`));
    this.#child = child;
  }

  /** Run one `ip` command (its arguments, without `ip`); undefined: not usable, spawn instead. */
  run(args: readonly string[]): Promise<BatchResult | undefined> {
    const child = this.#child;
    if (this.#broken || !child || !child.stdin!.writable || args.some((a) => /\s/.test(a))) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const line = this.#line + 1;
      this.#line += 2; // the command, then the marker
      const timer = setTimeout(() => this.#fail(child, `no answer within ${this.#timeout}ms`), this.#timeout);
      this.#pending.push({ line, resolve, timer });
      child.stdin!.write(`${args.join(' ')}\nlink show dev lo\n`);
    });
  }

  close(): void {
    const child = this.#child;
    this.#broken = true;
    this.#child = undefined;
    this.#settleAll();
    child?.stdin?.end();
    child?.kill('SIGTERM');
  }

  #onOut(data: string): void {
    this.#out += data;
    let nl: number;
    while ((nl = this.#out.indexOf('\n')) >= 0) {
      const text = this.#out.slice(0, nl);
      this.#out = this.#out.slice(nl + 1);
      if (!MARKER.test(text)) continue;
      const p = this.#pending.shift();
      if (!p) continue;
      clearTimeout(p.timer);
      // stderr is unbuffered and written before the marker ran: let its data event go first.
      setImmediate(() => {
        const failure = this.#failed.get(p.line);
        this.#failed.delete(p.line);
        p.resolve({ ok: failure === undefined, stderr: failure ?? '' });
      });
    }
  }

  #onErr(data: string): void {
    this.#err += data;
    let nl: number;
    while ((nl = this.#err.indexOf('\n')) >= 0) {
      const text = this.#err.slice(0, nl);
      this.#err = this.#err.slice(nl + 1);
      // The error text comes before "Command failed -:N" and may be read after the marker that
      // already took the command off #pending: it is kept until N names its command.
      const failed = /^Command failed -:(\d+)/.exec(text);
      if (failed) {
        this.#failed.set(Number(failed[1]), this.#errText);
        this.#errText = '';
      } else this.#errText += `${text}\n`;
    }
  }

  #settleAll(): void {
    for (const p of this.#pending.splice(0)) {
      clearTimeout(p.timer);
      p.resolve(undefined);
    }
  }

  /** A batch that failed is not restarted: `ip` is spawned per command from then on. */
  #fail(child: ChildProcess, why: string): void {
    if (this.#child !== child) return;
    this.#child = undefined;
    this.#settleAll();
    child.kill('SIGKILL');
    if (this.#broken) return;
    this.#broken = true;
    this.#log.warn({ err: why }, 'ip batch failed: running ip per command');
  }
}
