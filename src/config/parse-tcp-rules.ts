// `tcp-request connection|content accept|reject`, `tcp-request inspect-delay`, `use-server` and
// `capture request|response header` lines (configuration.txt 4.2), with HAProxy 2.6's texts.
import type { ConfigLine } from './model.ts';
import { notSupportedYet } from './keywords/keywords.ts';
import { parseCondition, refuseInDefaults, rulesOf } from './parse-acl.ts';
import type { ProxyParseContext } from './parse-proxy.ts';
import type { ProxyDraft } from './proxy-draft.ts';
import { parseDuration } from './units.ts';

const TCP_ACTIONS_26 = ['capture', 'expect-proxy', 'expect-netscaler-cip', 'track-sc0', 'track-sc1', 'track-sc2', 'sc-inc-gpc',
  'sc-inc-gpc0', 'sc-inc-gpc1', 'sc-set-gpt', 'sc-set-gpt0', 'set-var-fmt', 'set-var', 'unset-var', 'set-dst', 'set-dst-port',
  'set-mark', 'set-src', 'set-src-port', 'set-tos', 'silent-drop', 'do-resolve', 'set-log-level', 'set-nice', 'switch-mode',
  'use-service', 'send-spoe-group', 'set-priority-class', 'set-priority-offset', 'set-bandwidth-limit', 'attach-srv'];

function inspectDelay(d: ProxyDraft, line: ConfigLine): void {
  const v = line.args[2];
  const base = `'tcp-request inspect-delay' expects a positive delay in milliseconds, in ${d.kind} '${d.name}'`;
  if (v === undefined) return d.report.error(line.loc, base);
  const ms = parseDuration(v);
  if (!ms.ok) return d.report.error(line.loc, `${base} (unexpected character '${v.replace(/^\d+/, '')[0] ?? v[0]}')`);
  rulesOf(d).inspectDelay = ms.value;
}

/** `tcp-request connection|content|inspect-delay|session ...`. */
export function parseTcpRequestLine(d: ProxyDraft, line: ConfigLine, ctx: ProxyParseContext): void {
  if (refuseInDefaults(d, line)) return;
  const [, kind, action] = line.args;
  if (kind === undefined) return d.report.error(line.loc, `missing argument for 'tcp-request' in ${d.kind} '${d.name}'`);
  if (kind === 'inspect-delay') return inspectDelay(d, line);
  if (kind === 'session') return d.report.error(line.loc, notSupportedYet('tcp-request session'));
  if (kind !== 'connection' && kind !== 'content') {
    return d.report.error(line.loc, `'tcp-request' expects 'inspect-delay', 'connection', 'session' or 'content' in ${d.kind} '${d.name}' (got '${kind}')`);
  }
  if (kind === 'connection' && d.kind === 'backend') {
    return d.report.error(line.loc, `tcp-request connection is not allowed because backend ${d.name} is not a frontend`);
  }
  if (action !== 'accept' && action !== 'reject') {
    const base = action?.replace(/\(.*$/, '') ?? '';
    if (TCP_ACTIONS_26.includes(base)) return d.report.error(line.loc, notSupportedYet(`tcp-request ${kind} ${base}`));
    return d.report.error(line.loc, `'tcp-request ${kind}' expects 'accept', 'reject' in ${d.kind} '${d.name}' (got '${action ?? ''}')`);
  }
  const rest = line.args.slice(3);
  if (rest.length > 0 && rest[0] !== 'if' && rest[0] !== 'unless') {
    return d.report.error(line.loc, `'tcp-request ${kind} ${action}' expects either 'if' or 'unless' followed by a condition but found '${rest[0]}'`);
  }
  const rule = kind === 'connection' ? { phase: 'tcp-connection' as const, where: 'frontend tcp-request connection rule', keyword: 'tcp-request connection' } : undefined;
  const cond = parseCondition(d, rest, ctx, line.loc, `error detected in ${d.kind} '${d.name}' while parsing 'tcp-request ${kind}' rule : `, rule);
  if (!cond) return;
  const r = rulesOf(d);
  (kind === 'connection' ? r.tcpConnection : r.tcpContent).push({ cond, action, loc: line.loc });
}

/** `use-server SERVER if|unless COND` (the server is checked once the backend is complete). */
export function parseUseServerLine(d: ProxyDraft, line: ConfigLine, ctx: ProxyParseContext): void {
  const [, server, pol] = line.args;
  if (server === undefined) return d.report.error(line.loc, "'use-server' expects a server name.");
  if (pol !== 'if' && pol !== 'unless') return d.report.error(line.loc, "'use-server' requires either 'if' or 'unless' followed by a condition.");
  const cond = parseCondition(d, line.args.slice(2), ctx, line.loc, 'error detected while parsing switching rule : ');
  if (cond) rulesOf(d).useServers.push({ server, cond, loc: line.loc });
}

/** `capture request|response header NAME len N` (`capture cookie` is not supported yet). */
export function parseCaptureLine(d: ProxyDraft, line: ConfigLine): void {
  const [, what, header, name, lenKw, len] = line.args;
  if (what === 'cookie') return d.report.error(line.loc, notSupportedYet('capture cookie'));
  if (what !== 'request' && what !== 'response') {
    return d.report.error(line.loc, "'capture' expects 'cookie' or 'request header' or 'response header'.");
  }
  if (header !== 'header' || name === undefined || lenKw !== 'len' || len === undefined) {
    return d.report.error(line.loc, `'capture ${what}' expects 'header' <header_name> 'len' <len>.`);
  }
  // HAProxy reads the length with atol(): junk reads as 0, and 0 captures nothing.
  const n = Math.max(0, parseInt(len, 10) || 0);
  const r = rulesOf(d);
  (what === 'request' ? r.captureRequest : r.captureResponse).push({ name: name.toLowerCase(), len: n });
}

/** Whole-proxy checks once every line is read: `use-server` targets exist. */
export function checkRuleTargets(d: ProxyDraft): void {
  for (const u of d.rules?.useServers ?? []) {
    if (!d.servers.some((s) => s.name === u.server)) {
      d.report.error(u.loc, `unable to find server '${u.server}' referenced in a 'use-server' rule`);
    }
  }
}
