// Which requests an applet answers instead of a server (HAProxy: `stats uri`, `use-service`).
// Features that provide applets register a route factory at start (the stats page does); the
// HTTP runtime asks it once per proxy and the session tests the routes of the frontend, then of
// the chosen backend, on each request.
import type { ProxySpec } from '../config/model.ts';
import type { Applet, AppletRequest } from './applet.ts';

export interface AppletRoute {
  /** True when this route answers `req` (e.g. its path starts with the stats URI). */
  matches(req: AppletRequest): boolean;
  readonly applet: Applet;
}

export type AppletRouteFactory = (proxy: ProxySpec) => AppletRoute | undefined;

const factories: AppletRouteFactory[] = [];

/** Register a factory (idempotent for the same function). */
export function registerAppletRoute(factory: AppletRouteFactory): void {
  if (!factories.includes(factory)) factories.push(factory);
}

export function unregisterAppletRoute(factory: AppletRouteFactory): void {
  const i = factories.indexOf(factory);
  if (i >= 0) factories.splice(i, 1);
}

/** Routes of one proxy, built once at start. */
export function appletRoutesOf(proxy: ProxySpec): AppletRoute[] {
  const out: AppletRoute[] = [];
  for (const f of factories) {
    const r = f(proxy);
    if (r !== undefined) out.push(r);
  }
  return out;
}

/** `http-request use-service NAME`: the applet a feature provides for `proxy`, if any. */
export type ServiceFactory = (name: string, proxy: ProxySpec) => Applet | undefined;

const services: ServiceFactory[] = [];

export function registerService(factory: ServiceFactory): void {
  if (!services.includes(factory)) services.push(factory);
}

export function unregisterService(factory: ServiceFactory): void {
  const i = services.indexOf(factory);
  if (i >= 0) services.splice(i, 1);
}

export function serviceApplet(name: string, proxy: ProxySpec): Applet | undefined {
  for (const f of services) {
    const a = f(name, proxy);
    if (a !== undefined) return a;
  }
  return undefined;
}
