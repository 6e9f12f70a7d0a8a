// The `haproxy_process_*` families of the Prometheus exporter (promex's `show info` fields). hapair
// fills the ones it keeps (threads, uptime, connections, limits, listeners, build info); features
// it does not have (SSL key rates, pipes, compression, pools, peers, DNS) read 0, as an HAProxy
// that does not use them reports.
import type { ApiTarget } from '../api/api-target.ts';
import { PROCESS_FAMILIES } from './prometheus-families.ts';

function listeners(target: ApiTarget): number {
  let n = 0;
  for (const px of target.config.proxies) if (!px.disabled) for (const b of px.binds) n += b.addresses.length;
  return n + target.config.global.statsSockets.length;
}

function bytesOut(target: ApiTarget): number {
  let n = 0;
  for (const fe of target.frontends.values()) n += fe.counters.bout;
  return n;
}

/** Values by family name; absent = 0. */
function values(target: ApiTarget): Record<string, number> {
  const now = Date.now();
  const l = listeners(target);
  return {
    nbthread: target.config.global.nbthread,
    nbproc: 1,
    relative_process_id: 1,
    uptime_seconds: Math.floor((now - target.startedAt) / 1000),
    max_connections: target.maxconn,
    hard_max_connections: target.maxconn,
    current_connections: target.actconn,
    connections_total: target.cumConns,
    requests_total: target.cumConns,
    jobs: target.actconn + l,
    listeners: l,
    bytes_out_total: bytesOut(target),
    start_time_seconds: Math.floor(target.startedAt / 1000),
  };
}

export function processMetrics(target: ApiTarget, version: string): string {
  const v = values(target);
  let out = '';
  for (const [name, type, help] of PROCESS_FAMILIES) {
    const metric = `haproxy_process_${name}`;
    const sample = name === 'build_info' ? `${metric}{version="${version}"} 1` : `${metric} ${v[name] ?? 0}`;
    out += `# HELP ${metric} ${help}\n# TYPE ${metric} ${type}\n${sample}\n`;
  }
  return out;
}
