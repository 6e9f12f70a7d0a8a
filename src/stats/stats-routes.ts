// Plugs the stats page and the Prometheus exporter into the HTTP engine: an applet route for
// every proxy with `stats` settings (HAProxy checks the frontend's, then the backend's
// `stats uri`), and the `prometheus-exporter` service for `http-request use-service`.
import { readFileSync } from 'node:fs';
import type { ApiTarget } from '../api/api-target.ts';
import type { Server } from '../backend/server.ts';
import type { ProxySpec, StatsSpec } from '../config/model.ts';
import type { Applet } from '../http/applet.ts';
import {
  registerAppletRoute, registerService, unregisterAppletRoute, unregisterService, type AppletRouteFactory, type ServiceFactory,
} from '../http/applet-routes.ts';
import type { Runtime } from '../proxy/runtime.ts';
import { prometheusApplet } from './prometheus.ts';
import { createStatsApplet } from './stats-applet.ts';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
/** Shown on the page unless `stats hide-version`, and in `haproxy_process_build_info`. */
export const STATS_VERSION: string = pkg.version;

export interface StatsRoutesOptions {
  readonly version: string;
  /** Kill every session on `server`, tcp and http (the Kill Sessions action). */
  readonly killSessions?: (server: Server) => void;
}

/** Stats routes for the proxies of `target.config` only (several runtimes may share a process). */
export function statsRouteFactory(target: ApiTarget, opts: StatsRoutesOptions): AppletRouteFactory {
  const mine = new Set<ProxySpec>(target.config.proxies);
  return (proxy) => {
    if (!mine.has(proxy) || proxy.stats === undefined) return undefined;
    return createStatsApplet({
      proxy: proxy as ProxySpec & { readonly stats: StatsSpec },
      target,
      version: opts.version,
      ...(opts.killSessions ? { killSessions: opts.killSessions } : {}),
    });
  };
}

/** The services `http-request use-service` may name, for the proxies of `target.config`. */
export function statsServiceFactory(target: ApiTarget, version: string): ServiceFactory {
  const mine = new Set<ProxySpec>(target.config.proxies);
  const services = new Map<string, Applet>([['prometheus-exporter', prometheusApplet(target, version)]]);
  return (name, proxy) => (mine.has(proxy) ? services.get(name) : undefined);
}

/** Kill Sessions on the stats page: every tcp and http session on `server`, logged `K`. */
function killOn(rt: Runtime): (server: Server) => void {
  return (server) => {
    for (const s of [...rt.sessions()]) if (s.server === server) s.kill('K');
    rt.http.killOn((sv) => sv === server, 'K');
  };
}

/** Register the stats routes of `rt`'s proxies; returns the function that removes them. */
export function attachStats(rt: Runtime, target: ApiTarget): () => void {
  const factory = statsRouteFactory(target, { version: STATS_VERSION, killSessions: killOn(rt) });
  const services = statsServiceFactory(target, STATS_VERSION);
  registerAppletRoute(factory);
  registerService(services);
  return () => {
    unregisterAppletRoute(factory);
    unregisterService(services);
  };
}
