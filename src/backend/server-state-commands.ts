// Pure parts of the runtime commands a server state accepts: weight and maxconn strings
// (src/server.c server_parse_weight_change_request, server_parse_maxconn_change_request) and the
// status an agent reply produces (src/tcpcheck.c tcpcheck_agent_expect_reply).
import type { AgentReply, CheckReport } from '../checks/check.ts';

export type Parsed = { readonly value: number } | { readonly error: string };

/** `<w>` (0..256) or `<w>%` of the initial weight; static balancers accept only 0% and 100%. */
export function parseWeightChange(spec: string, iweight: number, dynamic: boolean): Parsed {
  if (!spec) return { error: 'Require <weight> or <weight%>.\n' };
  const m = /^\s*([+-]?\d+)(.*)$/s.exec(spec);
  if (!m) return { error: 'Empty weight string empty or preceded by garbage' };
  let w = Number(m[1]);
  if (m[2] === '%') {
    if (w < 0) return { error: 'Relative weight must be positive.\n' };
    w = Math.min(256, Math.trunc((iweight * Math.min(w, 25600)) / 100));
  } else if (w < 0 || w > 256) return { error: 'Absolute weight can only be between 0 and 256 inclusive.\n' };
  else if (m[2] !== '') return { error: 'Trailing garbage in weight string' };
  if (w && w !== iweight && !dynamic) {
    return { error: "Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.\n" };
  }
  return { value: w };
}

export function parseMaxconnChange(spec: string): Parsed {
  if (!spec) return { error: 'Require <maxconn>.\n' };
  const m = /^\s*([+-]?\d+)(.*)$/s.exec(spec);
  if (!m) return { error: 'maxconn string empty or preceded by garbage' };
  if (m[2] !== '') return { error: 'Trailing garbage in maxconn string' };
  return { value: Number(m[1]) };
}

/**
 * The status an agent reply leaves once its words are applied: a health word gives L7OK/L7STS
 * with "via agent : <word> (<why>)", otherwise CHECKED (no change) with an error or a warning.
 */
export function agentReplyReport(reply: AgentReply, warning: string): CheckReport {
  if (reply.health) {
    const status = reply.health === 'up' ? 'L7OK' : 'L7STS';
    let msg = reply.description;
    if (!msg || status === 'L7OK') msg = reply.error || warning || msg;
    return { status, code: 0, info: `via agent : ${reply.healthWord ?? reply.health}${msg ? ` (${msg})` : ''}` };
  }
  if (reply.error) return { status: 'CHECKED', code: 0, info: `agent reports an error : ${reply.error}` };
  if (warning) return { status: 'CHECKED', code: 0, info: `agent warns : ${warning}` };
  return { status: 'CHECKED', code: 0, info: '' };
}
