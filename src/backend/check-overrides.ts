// Where a server's health check and agent connect when the runtime API or a server-state file
// changed it (`set server <b>/<s> check-addr|check-port|agent-addr|agent-port|agent-send`,
// management.txt 9.3; HAProxy srv_update_check_addr_port / srv_update_agent_addr_port), kept
// beside the Server so that the check scheduler, `show servers state` and the API share it.
import type { CheckTarget } from '../checks/check.ts';
import type { Server } from './server.ts';

export interface CheckOverride {
  host?: string;
  port?: number;
}

export interface ServerCheckOverrides {
  readonly check: CheckOverride;
  readonly agent: CheckOverride & { send?: string };
}

const OVERRIDES = new WeakMap<Server, ServerCheckOverrides>();

export function checkOverrides(server: Server): ServerCheckOverrides {
  let o = OVERRIDES.get(server);
  if (o === undefined) {
    o = { check: {}, agent: {} };
    OVERRIDES.set(server, o);
  }
  return o;
}

/**
 * The target a check run uses: the overrides first; then, where the config gave no `addr` /
 * `port` (`agent-addr`), the server's current address and port, which `set server addr` may
 * have changed since the target was built (HAProxy checks connect to srv->addr / svc_port then).
 */
export function effectiveTarget(target: CheckTarget, server: Server, which: 'check' | 'agent'): CheckTarget {
  const o = OVERRIDES.get(server)?.[which];
  const p = server.spec.params;
  const ownAddr = p.addr !== undefined || (which === 'agent' && p['agent-addr'] !== undefined);
  const ownPort = which === 'agent' || p.port !== undefined || /:\d+$/.test(p.addr?.[0] ?? '');
  const host = o?.host ?? (ownAddr ? target.host : server.host);
  const port = o?.port ?? (ownPort ? target.port : (server.port ?? target.port));
  return host === target.host && port === target.port ? target : { ...target, host, port };
}

/** HAProxy strl2irc then the 0..65535 check; the error text of srv_update_*_addr_port. */
export function parseCheckPort(port: string): number | string {
  if (!/^[+-]?\d+$/.test(port)) return 'provided port is not an integer';
  const n = Number(port);
  return n < 0 || n > 65535 ? 'provided port is invalid' : n;
}
