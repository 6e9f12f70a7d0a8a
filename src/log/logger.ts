// hapair's own diagnostics: one pino root logger writing JSON lines to stdout, and one child per
// subsystem (`childLogger('checks')` → `{ mod: 'checks', ... }`), STYLE.md "Logging".
import { pino, type DestinationStream, type Level, type Logger } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVEL_ENV = 'HAPAIR_LOG_LEVEL';
const LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface LoggerOptions {
  /** Explicit level (the CLI's `-d` passes 'debug'); wins over HAPAIR_LOG_LEVEL. */
  readonly level?: string;
  /** Where JSON lines go; stdout when absent. Tests pass memoryDestination(). */
  readonly destination?: DestinationStream;
  /** Environment to read HAPAIR_LOG_LEVEL from; process.env when absent. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The effective level: option, then HAPAIR_LOG_LEVEL, then 'info'. Throws on an unknown name. */
export function resolveLogLevel(opts: LoggerOptions = {}): Level | 'silent' {
  const env = opts.env ?? process.env;
  const level = opts.level ?? env[LOG_LEVEL_ENV] ?? 'info';
  if (!LEVELS.includes(level)) {
    const from = opts.level !== undefined ? 'level' : LOG_LEVEL_ENV;
    throw new Error(`${from}: unknown log level '${level}' (expected one of ${LEVELS.join(', ')})`);
  }
  return level as Level | 'silent';
}

/** A new root logger; most code wants childLogger() on the process root instead. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const options = { level: resolveLogLevel(opts) };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

let root: Logger | undefined;
const children = new Set<Logger>();

/** The process root logger, created on first use from HAPAIR_LOG_LEVEL. */
export function rootLogger(): Logger {
  root ??= createLogger();
  return root;
}

/**
 * Replaces the process root (the CLI calls this once at startup with `-d`'s level). Children
 * made before follow the new level but keep their destination.
 */
export function initRootLogger(opts: LoggerOptions = {}): Logger {
  root = createLogger(opts);
  for (const c of children) c.level = root.level;
  return root;
}

/** Sets the level of the root and of every childLogger(). */
export function setLogLevel(level: string): void {
  const resolved = resolveLogLevel({ level });
  rootLogger().level = resolved;
  for (const c of children) c.level = resolved;
}

/** `root.child({ mod })`, for a subsystem's module-level logger. */
export function childLogger(mod: string): Logger {
  const child = rootLogger().child({ mod });
  children.add(child);
  return child;
}

/** An in-memory pino destination: `lines` holds every JSON line written, parsed. */
export interface MemoryDestination extends DestinationStream {
  readonly lines: Record<string, unknown>[];
}

export function memoryDestination(): MemoryDestination {
  const lines: Record<string, unknown>[] = [];
  return {
    lines,
    write(chunk: string) {
      for (const l of chunk.split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
    },
  };
}
