// Health-check settings checked at configuration time (so `hapair check` reports them at
// file:line): the proxy's check type and rules (parseProxyChecks), each server's check keywords
// (parseServerChecks, checkTargets), its traffic TLS (parseServerTls) and `track` targets
// (HAProxy cfgparse.c check_config_validity, server.c srv_apply_track).
import { checkTargets, parseServerChecks, type ServerCheckSettings } from '../checks/check-params.ts';
import { parseProxyChecks } from '../checks/proxy-checks.ts';
import { hasBackendCap, type ProxyDraft, type ServerDraft } from './proxy-draft.ts';
import { parseServerTls, type SslServerVerify } from './server-tls.ts';

type Proxy = ProxyDraft & { readonly kind: 'frontend' | 'backend' | 'listen' };

function settingsOf(px: Proxy, s: ServerDraft): ServerCheckSettings {
  return parseServerChecks(s.name, s.params, px.mode === 'http' ? 'http' : 'tcp').settings;
}

/** Report every check problem of `px` (a proxy with backend capability). */
export function checkHealthChecks(px: Proxy, proxies: readonly Proxy[], sslServerVerify: SslServerVerify = 'required'): void {
  if (!hasBackendCap(px.kind)) return;
  const pc = parseProxyChecks(px.lines, px.defaultsLines ?? [], px.defaultsChain);
  for (const d of pc.diagnostics) {
    // The keyword table already refused these options by name ("is not supported yet").
    if (/^'option (external-check|spop-check)' is not supported by hapair\.$/.test(d.message)) continue;
    const loc = d.loc ?? px.loc;
    if (d.severity === 'error') px.report.error(loc, d.message);
    else px.report.warning(loc, d.message);
  }
  for (const s of px.servers) {
    const who = `server '${px.name}/${s.name}'`;
    const parsed = parseServerChecks(s.name, s.params, px.mode === 'http' ? 'http' : 'tcp');
    for (const e of parsed.errors) px.report.error(s.loc, `${who}: ${e}`);
    for (const w of parsed.warnings) px.report.warning(s.loc, `${who}: ${w}`);
    const targets = checkTargets(s.name, parsed.settings, { host: s.host, ...(s.port !== undefined ? { port: s.port } : {}) }, {}, pc.config.connectHasPort);
    for (const e of targets.errors) px.report.error(s.loc, `${who}: ${e}`);
    const tls = parseServerTls(s.params, sslServerVerify, parsed.settings.check && pc.config.connectSsl);
    for (const e of tls.errors) px.report.error(s.loc, `${who}: ${e}`);
    for (const w of tls.warnings) px.report.warning(s.loc, `${who}: ${w}`);
    if (parsed.settings.track) checkTrack(px, s, parsed.settings.track, proxies);
  }
}

/** `track [<backend>/]<server>`: the target exists and runs a check or an agent (or tracks in turn). */
function checkTrack(px: Proxy, s: ServerDraft, track: { readonly backend?: string; readonly server: string }, proxies: readonly Proxy[]): void {
  const who = `server '${px.name}/${s.name}'`;
  const bname = track.backend ?? px.name;
  const be = proxies.find((p) => p.name === bname && hasBackendCap(p.kind));
  if (!be) return px.report.error(s.loc, `${who}: unable to find required proxy '${bname}' for tracking.`);
  const target = be.servers.find((t) => t.name === track.server);
  if (!target) return px.report.error(s.loc, `${who}: unable to find required server '${track.server}' for tracking.`);
  if (target === s) return px.report.error(s.loc, `${who}: unable to track itself.`);
  const t = settingsOf(be, target);
  if (!t.check && !t.agent && !t.track) {
    px.report.error(s.loc, `${who}: unable to use ${bname}/${track.server} for tracking as it does not have any check nor agent enabled.`);
  }
}
