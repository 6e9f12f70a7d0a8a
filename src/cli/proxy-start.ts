// Runs the proxy runtime in this process: root logger, one access-log sink per frontend,
// haproxy's signals (SIGTERM/SIGINT stop, SIGUSR1 soft stop). Resolves with the exit code.
import type { HapairConfig, ProxySpec } from '../config/model.ts';
import { BindError, ConfigError } from '../errors.ts';
import { createAccessLogSink, type AccessLogSink } from '../log/access-log.ts';
import { compileLogFormat } from '../log/log-format.ts';
import { initRootLogger, type Logger } from '../log/logger.ts';
import { DEFAULT_LOG_TAG } from '../log/syslog.ts';
import { Runtime } from '../proxy/runtime.ts';

export interface StartOptions {
  readonly localPeer: string;
  readonly debug: boolean;
}

/** HAProxy's log line when a proxy logs without `option tcplog` nor `log-format` (8.2.1). */
const DEFAULT_TCP_FORMAT = 'Connect from %ci:%cp to %fi:%fp (%f/TCP)';

function accessLogFor(config: HapairConfig, logger: Logger): (fe: ProxySpec) => AccessLogSink | undefined {
  return (fe) => {
    if (fe.logs.length === 0) return undefined;
    const compiled = compileLogFormat(fe.logFormat ?? DEFAULT_TCP_FORMAT, { mode: fe.mode });
    if (!compiled.ok) throw new ConfigError([`${fe.loc.file}:${fe.loc.line}: ${fe.kind} '${fe.name}': ${compiled.error}`]);
    return createAccessLogSink({
      logs: fe.logs,
      format: fe.logFormat !== undefined ? compiled.format
        : fe.options.httplog ? (fe.httplogClf ? 'httplog-clf' : 'httplog')
        : fe.options.httpslog ? 'httpslog' : fe.options.tcplog ? 'tcplog' : compiled.format,
      pino: logger,
      tag: config.global.logTag ?? DEFAULT_LOG_TAG,
      pid: process.pid,
      hostname: config.global.logSendHostname,
      dontlognull: fe.options.dontlognull === true,
      dontlogNormal: fe.options['dontlog-normal'] === true,
      logSeparateErrors: fe.options['log-separate-errors'] === true,
    });
  };
}

export async function startProxy(config: HapairConfig, opts: StartOptions): Promise<number> {
  const logger = initRootLogger({ level: opts.debug ? 'debug' : undefined });
  const log = logger.child({ mod: 'proxy' });
  const runtime = new Runtime(config, { logger: log, accessLog: accessLogFor(config, logger) });
  try {
    await runtime.start();
  } catch (err) {
    if (err instanceof BindError || err instanceof ConfigError) {
      for (const line of err.message.split('\n')) process.stderr.write(`[ALERT] ${line}\n`);
      return 1;
    }
    throw err;
  }
  log.info({ localPeer: opts.localPeer, pid: process.pid }, 'proxy started');
  return new Promise<number>((resolve) => {
    let stopping = false;
    const finish = (how: 'stop' | 'softStop', sig: string) => {
      if (stopping && how === 'softStop') return;
      stopping = true;
      log.info({ signal: sig }, how === 'stop' ? 'stopping' : 'soft-stopping: listeners closed, waiting for sessions');
      void runtime[how]().then(() => resolve(0));
    };
    process.on('SIGTERM', () => finish('stop', 'SIGTERM'));
    process.on('SIGINT', () => finish('stop', 'SIGINT'));
    process.on('SIGUSR1', () => finish('softStop', 'SIGUSR1'));
  });
}
