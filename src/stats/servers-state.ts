// `show servers state [<backend>]` (HAProxy management.txt 9.3; src/proxy.c dump_servers_state):
// format version 1, one line per server with the fields `server-state-file` reloads
// (src/backend/server-state-file.ts reads them back).
import { isIP } from 'node:net';
import { checkOverrides } from '../backend/check-overrides.ts';
import { serverStateFields } from '../backend/server-state-view.ts';
import type { Server } from '../backend/server.ts';
import type { ConfigLine, ProxySpec } from '../config/model.ts';
import type { ApiTarget } from '../api/api-target.ts';
import type { ProxyBackend } from '../proxy/proxy-backend.ts';

const HEADER =
  '# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n';

/** PR_O_FORCED_ID: the backend has an `id` line. */
function backendForcedId(spec: ProxySpec): number {
  return spec.lines.some((l) => l.args[0] === 'id') ? 1 : 0;
}

/** Per backend, the "file:line" of its `server` lines that force an id (computed once). */
const FORCED = new WeakMap<ProxySpec, ReadonlySet<string>>();

function hasIdKeyword(line: ConfigLine): boolean {
  const a = line.args;
  // Keywords start after `server <name> <address>`.
  for (let i = 3; i < a.length - 1; i++) if (a[i] === 'id' && /^\d+$/.test(a[i + 1]!)) return true;
  return false;
}

/** SRV_F_FORCED_ID: the server's own line has `id <n>` among its keywords. */
function serverForcedId(spec: ProxySpec, srv: Server): number {
  let forced = FORCED.get(spec);
  if (forced === undefined) {
    forced = new Set(spec.lines.filter((l) => l.args[0] === 'server' && hasIdKeyword(l)).map((l) => `${l.loc.file}:${l.loc.line}`));
    FORCED.set(spec, forced);
  }
  return forced.has(`${srv.spec.loc.file}:${srv.spec.loc.line}`) ? 1 : 0;
}

/** The address part of `addr <ip[:port]>` / `agent-addr <ip>`. */
function hostOf(v: string | undefined): string {
  if (v === undefined) return '-';
  const m = /^\[([^\]]+)\]|^([^:]+):\d+$/.exec(v);
  return m ? (m[1] ?? m[2]!) : v;
}

function serverLine(target: ApiTarget, be: ProxyBackend, srv: Server, now: number): string {
  const f = serverStateFields(target.serverState(be, srv), now);
  const p = srv.spec.params;
  const o = checkOverrides(srv);
  const fields = [
    be.spec.id,
    be.name,
    srv.id,
    srv.name,
    // Without an address (`init-addr none`) HAProxy prints "-"; the name goes to srv_fqdn.
    isIP(srv.host) !== 0 ? srv.host : '-',
    f.opState,
    f.adminState,
    f.uweight,
    f.iweight,
    f.secondsSinceLastChange,
    f.checkStatus,
    f.checkResult,
    f.checkHealth,
    f.checkState,
    f.agentState,
    backendForcedId(be.spec),
    serverForcedId(be.spec, srv),
    isIP(srv.spec.host) !== 0 ? '-' : srv.spec.host,
    srv.port ?? 0,
    '-',
    be.tlsOf(srv) !== undefined ? 1 : 0,
    o.check.port ?? (Number(p.port?.[0] ?? 0) || 0),
    o.check.host ?? hostOf(p.addr?.[0]),
    o.agent.host ?? hostOf(p['agent-addr']?.[0]),
    o.agent.port ?? (Number(p['agent-port']?.[0] ?? 0) || 0),
  ];
  return `${fields.join(' ')}\n`;
}

function backendLines(target: ApiTarget, be: ProxyBackend): string {
  let out = '';
  const now = target.clock.now();
  for (const srv of be.servers) out += serverLine(target, be, srv, now);
  return out;
}

export function showServersState(target: ApiTarget, args: readonly string[]): string {
  const name = args[3];
  if (name !== undefined) {
    const be = target.backends.get(name);
    if (be === undefined) return "Can't find backend.\n";
    return `1\n${HEADER}${backendLines(target, be)}`;
  }
  let out = `1\n${HEADER}`;
  for (const be of target.backends.values()) out += backendLines(target, be);
  return out;
}
