// How keepalive runs external tools (`ip`, `arping`, `ndisc6`, `socat`, check and notify
// scripts): execa, never a shell unless asked, always with a deadline, never rejecting, so that a
// failed or hung tool is a result to act on, not an exception.
import { execa } from 'execa';

export interface CommandResult {
  /** undefined when the command could not start or was killed. */
  readonly exitCode?: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  /** Non-zero exit, a signal, a timeout, or a start failure (ENOENT). */
  readonly failed: boolean;
  readonly message: string;
}

export interface CommandOptions {
  /** Kill (SIGKILL) after this many ms. */
  readonly timeout: number;
  readonly input?: string | Uint8Array;
  readonly env?: Readonly<Record<string, string>>;
}

export type RunCommand = (file: string, args: readonly string[], options: CommandOptions) => Promise<CommandResult>;

export const runCommand: RunCommand = async (file, args, options) => {
  // Own process group, killed as a whole at the deadline: a script's children (sleep, curl ...)
  // would otherwise keep the output pipes open past the deadline.
  const child = execa(file, args, {
    reject: false,
    detached: true,
    cleanup: false, // no signal-exit hooks: keepalive handles its own signals
    input: options.input,
    env: options.env,
    stripFinalNewline: false,
    stdin: options.input === undefined ? 'ignore' : undefined,
  });
  let timedOut = false as boolean;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid);
  }, options.timeout);
  const r = await child;
  clearTimeout(timer);
  return {
    exitCode: r.exitCode,
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? ''),
    timedOut,
    failed: r.failed || timedOut,
    message: timedOut ? `timed out after ${options.timeout}ms` : r.failed ? (r.shortMessage ?? 'failed') : '',
  };
};

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
