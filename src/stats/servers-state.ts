// `show servers state [<backend>]` (HAProxy management.txt 9.3; src/proxy.c dump_servers_state):
// format version 1, one line per server with the fields `server-state-file` reloads.
import { serverStateFields } from '../backend/server-state-view.ts';
import type { ApiTarget } from '../api/api-target.ts';
import type { ProxyBackend } from '../proxy/proxy-backend.ts';

const HEADER =
  '# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n';

function forced(spec: { readonly lines?: readonly { readonly args: readonly string[] }[] }): number {
  return spec.lines?.some((l) => l.args[0] === 'id') === true ? 1 : 0;
}

function backendLines(target: ApiTarget, be: ProxyBackend): string {
  let out = '';
  const now = target.clock.now();
  be.servers.forEach((srv, index) => {
    const st = target.serverState(be, srv);
    const f = serverStateFields(st, now);
    const p = srv.spec.params;
    const checkPort = Number(p.port?.[0] ?? 0) || 0;
    const agentPort = Number(p['agent-port']?.[0] ?? 0) || 0;
    const fields = [
      be.spec.id,
      be.name,
      srv.id,
      srv.name,
      srv.host,
      f.opState,
      f.adminState,
      f.uweight,
      f.iweight,
      f.secondsSinceLastChange,
      f.checkStatus,
      f.checkResult,
      f.checkHealth,
      f.checkState,
      // HAProxy's agent.state is 0 when no agent is configured (CheckCounter keeps its AGENT bit).
      st.agent.configured ? f.agentState : 0,
      forced(be.spec),
      // The model keeps no "explicit id" flag: an id other than the declaration rank was forced.
      p.id !== undefined || srv.id !== index + 1 ? 1 : 0,
      '-',
      srv.port ?? 0,
      '-',
      p.ssl !== undefined ? 1 : 0,
      checkPort,
      p.addr?.[0] ?? '-',
      p['agent-addr']?.[0] ?? '-',
      agentPort,
    ];
    out += `${fields.join(' ')}\n`;
  });
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
