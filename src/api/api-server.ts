// The runtime API server (contract of src/api): one listener per `stats socket` line
// (HAProxy configuration.txt 3.1 "stats socket"; management.txt 9.3), UNIX or TCP, each with its
// level; every connection is a CliSession running the command table against an ApiTarget.
//
//   const api = new ApiServer(config.global, runtimeApiTarget(runtime), logger);
//   await api.start();   // BindError (HAProxy wording) if a socket cannot be opened
//   await api.close();   // listeners and open CLI connections close
import type net from 'node:net';
import type { Logger } from 'pino';
import type { BindSpec, GlobalSpec, StatsSocketSpec } from '../config/model.ts';
import { BindError } from '../errors.ts';
import { openListener, type Listener } from '../net/listener.ts';
import type { ApiTarget } from './api-target.ts';
import { CliSession } from './cli-session.ts';
import { CommandTable } from './commands.ts';
import { PROXY_COMMANDS } from './proxy-commands.ts';
import { SERVER_COMMANDS } from './server-commands.ts';

/** HAProxy's CLI frontend accepts 10 connections at once (cli.c cli_alloc_fe maxconn). */
const CLI_BACKLOG = 10;

function bindSpecOf(sock: StatsSocketSpec): BindSpec {
  return {
    addresses: [sock.address],
    mode: sock.mode,
    user: sock.user,
    group: sock.group,
    accept_proxy: false,
    v4v6: false,
    v6only: false,
    transparent: false,
    raw: sock.raw ?? {},
    loc: sock.loc,
  };
}

export class ApiServer {
  readonly listeners: Listener[] = [];
  readonly table: CommandTable;
  readonly #sockets: readonly StatsSocketSpec[];
  readonly #timeout: number;
  readonly #log: Logger | undefined;
  readonly #open = new Set<net.Socket>();

  constructor(global: GlobalSpec, target: ApiTarget, logger?: Logger) {
    this.#sockets = global.statsSockets;
    this.#timeout = global.statsTimeout;
    this.#log = logger;
    this.table = new CommandTable(target, [...PROXY_COMMANDS, ...SERVER_COMMANDS].sort((a, b) => a.usage.localeCompare(b.usage)));
  }

  /** Open every `stats socket`; if one fails, close the others and reject with every error. */
  async start(): Promise<void> {
    const results = await Promise.all(
      this.#sockets.map((sock) =>
        openListener({ address: sock.address, bind: bindSpecOf(sock), backlog: CLI_BACKLOG, context: { proxy: 'GLOBAL', loc: sock.loc } }, (s) =>
          this.#accept(s, sock),
        ).catch((err: unknown) => (err instanceof BindError ? err : new BindError(String(err), { cause: err }))),
      ),
    );
    for (const r of results) if (!(r instanceof BindError)) this.listeners.push(r);
    const failures = results.filter((r): r is BindError => r instanceof BindError);
    if (failures.length > 0) {
      await this.close();
      throw new BindError(failures.map((f) => f.message).join('\n'), { cause: failures[0] });
    }
    for (const l of this.listeners) l.server.on('error', (err) => this.#log?.warn({ listener: l.label, err }, 'stats socket accept failed'));
  }

  async close(): Promise<void> {
    await Promise.all(this.listeners.map((l) => l.close()));
    for (const s of this.#open) s.destroy();
    this.#open.clear();
  }

  #accept(socket: net.Socket, sock: StatsSocketSpec): void {
    this.#open.add(socket);
    socket.on('close', () => this.#open.delete(socket));
    new CliSession(socket, sock.level, this.table, this.#timeout);
  }
}
