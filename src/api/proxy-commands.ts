// Process, proxy and session commands of the runtime API (management.txt 9.3): show info/stat/
// backend/servers state/sess/errors, set maxconn frontend/global, enable/disable frontend, shutdown
// session, and the stick-table commands, answered as HAProxy answers when no table exists.
import { showInfo } from '../stats/show-info.ts';
import { showServersState } from '../stats/servers-state.ts';
import { STATS_JSON_SCHEMA } from '../stats/stats-schema.ts';
import { showStat } from '../stats/show-stat.ts';
import { showErrors } from './show-errors.ts';
import { humanTime } from '../stats/stats-html-text.ts';
import { clientSocketOf, type ApiSession, type ApiTarget } from './api-target.ts';
import type { ApiCommand, CommandContext } from './commands.ts';

/** Session ids shown by `show sess` and taken by `shutdown session` (HAProxy prints pointers). */
const sessionIds = new WeakMap<ApiSession, number>();
let nextSessionId = 1;

function sessionId(s: ApiSession): string {
  let id = sessionIds.get(s);
  if (id === undefined) {
    id = nextSessionId++;
    sessionIds.set(s, id);
  }
  return `0x${id.toString(16)}`;
}

function sessionLine(s: ApiSession, now: number): string {
  const sock = clientSocketOf(s);
  const v6 = sock.remoteFamily === 'IPv6';
  const src = sock.remoteAddress === undefined ? `unix:${s.listener.id}` : `${sock.remoteAddress}:${sock.remotePort}`;
  const age = Math.max(0, Math.floor((now - s.acceptDate) / 1000));
  const proto = sock.remoteAddress === undefined ? 'unix_stream' : v6 ? 'tcpv6' : 'tcpv4';
  const be = s.backend?.name ?? '<NONE>';
  const srv = s.server?.name ?? '<none>';
  return `${sessionId(s)}: proto=${proto} src=${src} fe=${s.frontend.name} be=${be} srv=${srv} age=${humanTime(age)}\n`;
}

function showSess(args: readonly string[], { target }: CommandContext): string {
  const now = Date.now();
  let out = '';
  for (const s of target.sessions()) if (args[2] === undefined || sessionId(s) === args[2]) out += sessionLine(s, now);
  return out;
}

function shutdownSession(args: readonly string[], { target }: CommandContext): string {
  if (args[2] === undefined) return "Session pointer expected (use 'show sess').\n";
  for (const s of target.sessions()) {
    if (sessionIds.get(s) !== undefined && sessionId(s) === args[2]) {
      s.kill();
      return '';
    }
  }
  return "No such session (use 'show sess').\n";
}

function frontendOf(target: ApiTarget, name: string | undefined) {
  if (name === undefined) return 'A frontend name is expected.\n';
  return target.frontends.get(name) ?? 'No such frontend.\n';
}

function pauseFrontend(paused: boolean) {
  return (args: readonly string[], { target }: CommandContext): string => {
    const fe = frontendOf(target, args[2]);
    if (typeof fe === 'string') return fe;
    if (!target.setFrontendPaused(fe, paused)) return paused ? 'All sockets are already disabled.\n' : 'All sockets are already enabled.\n';
    return '';
  };
}

/** proxy.c cli_parse_set_maxconn_frontend: atoi() of the value, as HAProxy reads it. */
function setMaxconnFrontend(args: readonly string[], { target }: CommandContext): string {
  const fe = frontendOf(target, args[3]);
  if (typeof fe === 'string') return fe;
  if (args[4] === undefined) return 'Integer value expected.\n';
  target.setFrontendMaxconn(fe, Math.max(0, Number.parseInt(args[4], 10) || 0));
  return '';
}

/** cli.c cli_parse_set_maxconn_global: 0 means the hard limit; above it is refused. */
function setMaxconnGlobal(args: readonly string[], { target }: CommandContext): string {
  if (args[3] === undefined) return 'Expects an integer value.\n';
  const v = Number.parseInt(args[3], 10) || 0;
  const hard = target.config.global.maxconn;
  if (v > hard) return 'Value out of range.\n';
  target.setGlobalMaxconn(v <= 0 ? hard : v);
  return '';
}

function showBackend(_args: readonly string[], { target }: CommandContext): string {
  let out = '# name\n';
  for (const be of target.backends.values()) out += `${be.name}\n`;
  return out;
}

/** Stick tables do not exist yet: `show table` lists none, a named one is "No such table". */
function tableCommand(withoutName: string) {
  return (args: readonly string[]): string => (args[2] === undefined ? withoutName : 'No such table\n');
}

/**
 * peers.c cli_parse_show_peers: hapair has no `peers` section yet, so the dump is empty and any
 * named section is unknown.
 */
function showPeers(args: readonly string[]): string {
  const i = args[2] === 'dict' || args[2] === '-' ? 3 : 2;
  return args[i] ? 'No such peers\n' : '';
}

export const PROXY_COMMANDS: readonly ApiCommand[] = [
  {
    words: ['clear', 'table'],
    usage: 'clear table <table> [<filter>]*         : remove an entry from a table (filter: data/key)',
    level: 'user',
    handler: tableCommand('Required arguments: <table> "data.<store_data_type>" <operator> <value> or <table> key <key>\n'),
  },
  {
    words: ['disable', 'frontend'],
    usage: 'disable frontend <frontend>             : temporarily disable specific frontend',
    level: 'admin',
    handler: pauseFrontend(true),
  },
  {
    words: ['enable', 'frontend'],
    usage: 'enable frontend <frontend>              : re-enable specific frontend',
    level: 'admin',
    handler: pauseFrontend(false),
  },
  {
    words: ['set', 'maxconn', 'frontend'],
    usage: "set maxconn frontend <frontend> <value> : change a frontend's maxconn setting",
    level: 'admin',
    handler: setMaxconnFrontend,
  },
  {
    words: ['set', 'maxconn', 'global'],
    usage: 'set maxconn global <value>              : change the per-process maxconn setting',
    level: 'admin',
    handler: setMaxconnGlobal,
  },
  {
    words: ['set', 'table'],
    usage: "set table <table> key <k> [data.* <v>]* : update or create a table entry's data",
    level: 'user',
    handler: tableCommand('Required arguments: <table> key <key> [data.<store_data_type> <value>]*\n'),
  },
  {
    words: ['show', 'backend'],
    usage: 'show backend                            : list backends in the current running config',
    level: 'user',
    handler: showBackend,
  },
  {
    words: ['show', 'errors'],
    usage: 'show errors [<px>] [request|response]   : report last request and/or response errors for each proxy',
    level: 'operator',
    handler: showErrors,
  },
  {
    words: ['show', 'info'],
    usage: 'show info [desc|json|typed|float]*      : report information about the running process',
    level: 'user',
    handler: (args, { target }) => showInfo(target, args.slice(2)),
  },
  {
    words: ['show', 'schema', 'json'],
    usage: 'show schema json                        : report schema used for stats',
    level: 'user',
    handler: () => `${STATS_JSON_SCHEMA}\n`,
  },
  {
    words: ['show', 'servers', 'state'],
    usage: 'show servers state [<backend>]          : dump volatile server information (all or for a single backend)',
    level: 'user',
    handler: (args, { target }) => showServersState(target, args),
  },
  {
    words: ['show', 'peers'],
    usage: 'show peers [dict|-] [section]           : dump some information about all the peers or this peers section',
    level: 'user',
    handler: showPeers,
  },
  {
    words: ['show', 'sess'],
    usage: 'show sess [id]                          : report the list of current sessions or dump this exact session',
    level: 'operator',
    handler: showSess,
  },
  {
    words: ['show', 'stat'],
    usage: 'show stat [desc|json|no-maint|typed|up]*: report counters for each proxy and server',
    level: 'user',
    handler: (args, { target }) => showStat(target, args),
  },
  {
    words: ['show', 'table'],
    usage: "show table <table> [<filter>]*          : report table usage stats or dump this table's contents (filter: data/key)",
    level: 'user',
    handler: tableCommand(''),
  },
  {
    words: ['shutdown', 'session'],
    usage: 'shutdown session [id]                   : kill a specific session',
    level: 'admin',
    handler: shutdownSession,
  },
];
