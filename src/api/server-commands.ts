// Server commands of the runtime API (management.txt 9.3: set server, enable/disable server,
// health, agent, get/set weight, set maxconn server, shutdown sessions server), acting through
// the server state machine with HAProxy's answers (src/server.c cli_parse_set_server & co).
import { isIP } from 'node:net';
import { checkOverrides, parseCheckPort } from '../backend/check-overrides.ts';
import type { Server } from '../backend/server.ts';
import type { ServerState } from '../backend/server-state.ts';
import { SRV_ADMF } from '../backend/server-state-types.ts';
import type { ProxyBackend } from '../proxy/proxy-backend.ts';
import type { ApiTarget } from './api-target.ts';
import type { ApiCommand, CommandContext } from './commands.ts';

interface Found {
  readonly backend: ProxyBackend;
  readonly server: Server;
  readonly state: ServerState;
}

/** "<backend>/<server>" as server.c cli_find_server resolves it, or HAProxy's error text. */
export function findServer(target: ApiTarget, arg: string | undefined): Found | string {
  const slash = arg === undefined ? -1 : arg.indexOf('/');
  if (arg === undefined || slash < 0) return "Require 'backend/server'.\n";
  const backend = target.backends.get(arg.slice(0, slash));
  if (backend === undefined) return 'No such backend.\n';
  const name = arg.slice(slash + 1);
  const server = backend.servers.find((s) => s.name === name);
  if (server === undefined) return 'No such server.\n';
  return { backend, server, state: target.serverState(backend, server) };
}

/** A command on `<bk>/<srv>` at args[at]. */
function onServer(at: number, fn: (f: Found, args: readonly string[], ctx: CommandContext) => string) {
  return (args: readonly string[], ctx: CommandContext): string => {
    const found = findServer(ctx.target, args[at]);
    return typeof found === 'string' ? found : fn(found, args, ctx);
  };
}

const SET_SERVER_USAGE =
  'usage: set server <backend>/<server> addr | agent | agent-addr | agent-port | agent-send | check-addr | check-port | fqdn | health | ssl | state | weight\n';

/** server.c cli_parse_set_server "ssl": only a server with TLS settings (HAProxy's ssl_ctx) can switch. */
function setSsl(f: Found, value: string | undefined, { target }: CommandContext): string {
  if (!f.backend.hasTlsContext(f.server)) return "'set server <srv> ssl' cannot be set.  default-server should define ssl settings\n";
  if (value !== 'on' && value !== 'off') return "'set server <srv> ssl' expects 'on' or 'off'.\n";
  f.backend.setSsl(f.server, value === 'on');
  target.purgeIdleConnections(f.server);
  return 'server ssl setting updated.\n';
}

function setServer(f: Found, args: readonly string[], ctx: CommandContext): string {
  const [, , , what, value] = args;
  const st = f.state;
  switch (what) {
    case 'state':
      if (value !== 'ready' && value !== 'drain' && value !== 'maint') return "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n";
      st.setAdminState(value);
      return '';
    case 'health':
      if (value !== 'up' && value !== 'stopping' && value !== 'down') return "'set server <srv> health' expects 'up', 'stopping', or 'down'.\n";
      return st.setHealth(value) ?? '';
    case 'agent':
      if (!st.agent.enabled) return 'agent checks are not enabled on this server.\n';
      if (value !== 'up' && value !== 'down') return "'set server <srv> agent' expects 'up' or 'down'.\n";
      return st.setAgent(value) ?? '';
    case 'weight':
      return st.setWeight(value ?? '') ?? '';
    case 'addr': {
      const out = setAddr(f.server, args.slice(4));
      // A new address ends a resolution-driven maintenance (init-addr none).
      if (value) st.clearAdminFlag(SRV_ADMF.RMAINT);
      return out;
    }
    case 'check-addr':
    case 'agent-addr':
      if (!value) return `set server <b>/<s> ${what} requires an address and optionally a port.\n`;
      return updateCheckTarget(f, what === 'check-addr' ? 'check' : 'agent', value, args[5] === 'port' ? (args[6] ?? '') : undefined);
    case 'check-port':
    case 'agent-port':
      if (!value) return `set server <b>/<s> ${what} requires a port.\n`;
      return updateCheckTarget(f, what === 'check-port' ? 'check' : 'agent', undefined, value);
    case 'agent-send':
      if (!st.agent.enabled) return 'agent checks are not enabled on this server.\n';
      checkOverrides(f.server).agent.send = value ?? '';
      return '';
    case 'ssl':
      return setSsl(f, value, ctx);
    case 'fqdn':
      if (!value) return 'set server <b>/<s> fqdn requires a FQDN.\n';
      // hapair has no `resolvers` section yet: every server is in HAProxy's "no resolution" case.
      return 'set server <b>/<s> fqdn failed because no resolution is configured.\n';
    default:
      return SET_SERVER_USAGE;
  }
}

const BY_CLI = "by 'stats socket command'";

/**
 * server.c srv_update_check_addr_port / srv_update_agent_addr_port: validate everything, then
 * change the address and/or port the check connects to. The warning prints without a newline.
 */
function updateCheckTarget(f: Found, which: 'check' | 'agent', addr: string | undefined, port: string | undefined): string {
  const c = which === 'check' ? f.state.check : f.state.agent;
  if (!c.enabled) return which === 'check' ? 'health checks are not enabled on this server' : 'agent checks are not enabled on this server';
  if (addr !== undefined && isIP(addr) === 0) return `invalid addr '${addr}'`;
  const n = port === undefined ? undefined : parseCheckPort(port);
  if (typeof n === 'string') return n;
  const o = checkOverrides(f.server)[which];
  if (addr !== undefined) o.host = addr;
  if (n !== undefined) o.port = n;
  return '';
}

/** server.c srv_update_addr_port: what changed, worded as HAProxy reports it. */
function setAddr(server: Server, rest: readonly string[]): string {
  const [addr, portKw, port] = rest;
  if (addr === undefined) return 'set server <b>/<s> addr requires an address and optionally a port.\n';
  if (isIP(addr) === 0) return `Invalid addr '${addr}' ${BY_CLI}\n`;
  // A server left without an address (`init-addr none`) has no family to update (srv_update_addr_port).
  if (isIP(server.host) === 0) return `Update for the current server address family is only supported through configuration file ${BY_CLI}\n`;
  const parts: string[] = [];
  if (addr === server.host) parts.push('no need to change the addr');
  else parts.push(`IP changed from '${server.host}' to '${addr}'`);
  let newPort = server.port;
  if (portKw === 'port') {
    const p = Number(port ?? '');
    if (port === undefined || port === '' || !Number.isInteger(p) || p < 0 || p > 65535) parts.push(`problem converting port '${port ?? ''}' to an int`);
    else if (p === server.port) parts.push('no need to change the port');
    else {
      parts.push(`port changed from '${server.port ?? ''}' to '${p}'`);
      newPort = p;
    }
  }
  const changed = addr !== server.host || newPort !== server.port;
  server.host = addr;
  server.port = newPort;
  if (changed) server.emit('addr', server);
  return `${parts.join(', ')} ${BY_CLI}\n`;
}

function getWeight(f: Found): string {
  return `${f.state.uweight} (initial ${f.state.iweight})\n`;
}

function shutdownSessions(f: Found, _args: readonly string[], ctx: CommandContext): string {
  for (const s of [...ctx.target.sessions()]) if (s.server === f.server) s.kill();
  return '';
}

export const SERVER_COMMANDS: readonly ApiCommand[] = [
  {
    words: ['disable', 'agent'],
    usage: 'disable agent                           : disable agent checks',
    level: 'admin',
    handler: onServer(2, (f) => (f.state.disableCheck('agent'), '')),
  },
  {
    words: ['disable', 'health'],
    usage: 'disable health                          : disable health checks',
    level: 'admin',
    handler: onServer(2, (f) => (f.state.disableCheck('check'), '')),
  },
  {
    words: ['disable', 'server'],
    usage: "disable server (DEPRECATED)             : disable a server for maintenance (use 'set server' instead)",
    level: 'admin',
    handler: onServer(2, (f) => (f.state.setAdminFlag(SRV_ADMF.FMAINT), '')),
  },
  {
    words: ['enable', 'agent'],
    usage: 'enable agent                            : enable agent checks',
    level: 'admin',
    handler: onServer(2, (f) => f.state.enableCheck('agent') ?? ''),
  },
  {
    words: ['enable', 'health'],
    usage: 'enable health                           : enable health checks',
    level: 'admin',
    handler: onServer(2, (f) => f.state.enableCheck('check') ?? ''),
  },
  {
    words: ['enable', 'server'],
    usage: "enable server  (DEPRECATED)             : enable a disabled server (use 'set server' instead)",
    level: 'admin',
    handler: onServer(2, (f) => (f.state.clearAdminFlag(SRV_ADMF.FMAINT), '')),
  },
  {
    words: ['get', 'weight'],
    usage: "get weight <bk>/<srv>                   : report a server's current weight",
    level: 'user',
    handler: onServer(2, getWeight),
  },
  {
    words: ['set', 'maxconn', 'server'],
    usage: "set maxconn server <bk>/<srv>           : change a server's maxconn setting",
    level: 'admin',
    handler: onServer(3, (f, args) => f.state.setMaxconn(args[4] ?? '') ?? ''),
  },
  {
    words: ['set', 'server'],
    usage: "set server <bk>/<srv> [opts]            : change a server's state, weight, address or ssl",
    level: 'admin',
    handler: onServer(2, setServer),
  },
  {
    words: ['set', 'weight'],
    usage: "set weight <bk>/<srv>  (DEPRECATED)     : change a server's weight (use 'set server' instead)",
    level: 'admin',
    handler: onServer(2, (f, args) => f.state.setWeight(args[3] ?? '') ?? ''),
  },
  {
    words: ['shutdown', 'sessions', 'server'],
    usage: 'shutdown sessions server <bk>/<srv>     : kill sessions on a server',
    level: 'admin',
    handler: onServer(3, shutdownSessions),
  },
];
