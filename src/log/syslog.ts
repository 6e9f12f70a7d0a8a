// Sends log lines to HAProxy `log` targets (configuration.txt 4.2 "log"): UDP syslog servers
// and stdout/stderr. Like HAProxy, one UDP socket per address family serves every target of the
// process, and a failed send is counted, never thrown: logging must not end a session.
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import os from 'node:os';
import type { LogTarget } from '../config/model.ts';
import { nowUs } from './log-time.ts';
import { SyslogFramer } from './syslog-frame.ts';
import { LogTargetError } from './syslog-levels.ts';

/**
 * hapair's syslog tag when `log-tag` is not set. HAProxy uses its program name ("haproxy");
 * sysadmins filter on the tag (rsyslog `:programname, isequal, "haproxy"`), so a migrated
 * config that must match unchanged rules sets `log-tag haproxy` in `global`.
 */
export const DEFAULT_LOG_TAG = 'hapair';

export const SYSLOG_PORT = 514;

/** Where stdout/stderr targets write; process.stdout/stderr unless a test passes its own. */
export interface LogWriter {
  write(chunk: string | Uint8Array): unknown;
}

export interface LogTransportStats {
  /** Datagrams and lines handed to the kernel. */
  readonly sent: number;
  /** Sends that failed (socket errors, EMSGSIZE, EPIPE ...). */
  readonly failed: number;
}

/** The process's log sockets. Use getDefaultLogTransport() outside tests. */
export class LogTransport {
  #udp4: dgram.Socket | undefined;
  #udp6: dgram.Socket | undefined;
  readonly #writers: readonly [LogWriter, LogWriter];
  #guarded = false;
  #sent = 0;
  #failed = 0;
  // One callback for every send: no closure per log line.
  readonly #onSent = (err: Error | null): void => {
    if (err) this.#failed++;
    else this.#sent++;
  };
  readonly #onError = (): void => {
    this.#failed++;
  };

  constructor(writers: { stdout?: LogWriter; stderr?: LogWriter } = {}) {
    this.#writers = [writers.stdout ?? process.stdout, writers.stderr ?? process.stderr];
  }

  get stats(): LogTransportStats {
    return { sent: this.#sent, failed: this.#failed };
  }

  sendUdp(family: 4 | 6, host: string, port: number, data: string | Uint8Array): void {
    try {
      this.#socket(family).send(data, port, host, this.#onSent);
    } catch {
      this.#failed++;
    }
  }

  /** Writes one framed line to stdout (1) or stderr (2). */
  writeFd(fd: 1 | 2, data: string | Uint8Array): void {
    if (!this.#guarded) this.#guard();
    try {
      this.#writers[fd - 1].write(data);
      this.#sent++;
    } catch {
      this.#failed++;
    }
  }

  /** Closes the UDP sockets; a later send opens new ones. */
  async close(): Promise<void> {
    const socks = [this.#udp4, this.#udp6].filter((s) => s !== undefined);
    this.#udp4 = this.#udp6 = undefined;
    await Promise.all(socks.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  #socket(family: 4 | 6): dgram.Socket {
    let s = family === 6 ? this.#udp6 : this.#udp4;
    if (s === undefined) {
      s = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
      s.on('error', this.#onError);
      s.unref(); // logging never keeps the process alive
      if (family === 6) this.#udp6 = s;
      else this.#udp4 = s;
    }
    return s;
  }

  /** EPIPE on a closed stdout arrives as an 'error' event: count it instead of crashing. */
  #guard(): void {
    this.#guarded = true;
    for (const w of this.#writers) {
      const e = w as Partial<NodeJS.EventEmitter>;
      if (typeof e.on === 'function') e.on.call(w, 'error', this.#onError);
    }
  }
}

let defaultTransport: LogTransport | undefined;

export function getDefaultLogTransport(): LogTransport {
  defaultTransport ??= new LogTransport();
  return defaultTransport;
}

/** Why hapair cannot use this target, or undefined if it can. */
export function checkLogTarget(target: LogTarget): string | undefined {
  if (target.kind === 'unix') {
    return `log target '${target.path}': unix datagram sockets are not supported (Node.js has no AF_UNIX SOCK_DGRAM); use a UDP syslog address or 'stdout'`;
  }
  if (target.kind === 'udp' && !isIP(target.host ?? '')) return `log target '${target.host}': expects an IP address`;
  if (target.len < 80 || target.len > 65535) return `invalid log length '${target.len}', must be between 80 and 65535`;
  try {
    new SyslogFramer(target, { tag: DEFAULT_LOG_TAG, pid: 0 });
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
}

/** `log-send-hostname` → the header's hostname: no argument means the system's hostname. */
export function resolveLogSendHostname(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return value === '' ? os.hostname() : value;
}

export interface SyslogSenderOptions {
  readonly targets: readonly LogTarget[];
  /** `log-tag`; DEFAULT_LOG_TAG when unset. */
  readonly tag: string;
  readonly pid: number;
  /** Resolved `log-send-hostname` (see resolveLogSendHostname), undefined when absent. */
  readonly hostname?: string;
  /** rfc5424 structured data (`log-format-sd`), default '-'. */
  readonly structuredData?: string;
  readonly transport?: LogTransport;
  /** Wall clock in microseconds; tests pin it. */
  readonly now?: () => number;
}

interface Route {
  readonly framer: SyslogFramer;
  readonly kind: LogTarget['kind'];
  readonly family: 4 | 6;
  readonly host: string;
  readonly port: number;
}

/** Frames and sends lines to a set of targets (a proxy's `log` lines). */
export class SyslogSender {
  readonly #routes: readonly Route[];
  readonly #transport: LogTransport;
  readonly #now: () => number;

  /** Throws LogTargetError for a target checkLogTarget() rejects. */
  constructor(opts: SyslogSenderOptions) {
    this.#transport = opts.transport ?? getDefaultLogTransport();
    this.#now = opts.now ?? nowUs;
    const meta = { tag: opts.tag, pid: opts.pid, hostname: opts.hostname, structuredData: opts.structuredData };
    this.#routes = opts.targets.map((t) => {
      const problem = checkLogTarget(t);
      if (problem !== undefined) throw new LogTargetError(problem);
      const host = t.host ?? '';
      return { framer: new SyslogFramer(t, meta), kind: t.kind, family: isIP(host) === 6 ? 6 : 4, host, port: t.port ?? SYSLOG_PORT };
    });
  }

  get targetCount(): number {
    return this.#routes.length;
  }

  /** Sends `msg` at syslog `level` (0 emerg .. 7 debug) to every target whose level admits it. */
  send(level: number, msg: string): void {
    let now = -1;
    for (let i = 0; i < this.#routes.length; i++) {
      const r = this.#routes[i];
      const sendLevel = r.framer.levelFor(level);
      if (sendLevel < 0) continue;
      if (now < 0) now = this.#now();
      const data = r.framer.frame(sendLevel, msg, now);
      if (r.kind === 'udp') this.#transport.sendUdp(r.family, r.host, r.port, data);
      else this.#transport.writeFd(r.kind === 'stderr' ? 2 : 1, data);
    }
  }
}
