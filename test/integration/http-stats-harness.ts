// Harness for the stats applet tests: a real proxy Runtime (real parser, real server state
// machines and health checks) and a stats applet over it, called with AppletRequests built here.
import type { Condition } from '../../src/acl/acl.ts';
import { compileCondition } from '../../src/acl/condition.ts';
import { runtimeApiTarget, type ApiTarget } from '../../src/api/api-target.ts';
import type { ProxySpec, StatsSpec } from '../../src/config/model.ts';
import type { AppletRequest, AppletResponse } from '../../src/http/applet.ts';
import { createStatsApplet, type StatsApplet } from '../../src/stats/stats-applet.ts';
import { freePort } from '../support/process.ts';
import { startApiProxy, type ApiProxy } from './api-harness.ts';

export interface StatsRig {
  readonly proxy: ApiProxy;
  readonly target: ApiTarget;
  /** A stats applet on the proxy named `on`, with `stats` settings over the defaults. */
  applet(stats?: Partial<StatsSpec>, on?: string): StatsApplet;
  stop(): Promise<void>;
}

/** A condition compiled by the ACL engine, e.g. `cond('if LOCALHOST')`. */
export function cond(text: string): Condition {
  const c = compileCondition(text.split(' '), new Map(), { warn: () => {}, userlist: () => undefined });
  if (typeof c === 'string') throw new Error(c);
  return c;
}

export function statsSpec(loc: ProxySpec['loc'], over: Partial<StatsSpec> = {}): StatsSpec {
  return { uri: '/stats', auth: [], admin: [], refresh: 0, scope: [], hideVersion: false, showLegends: false, httpRequest: [], loc, ...over };
}

/** `body(port)` is the proxy sections; `port` is free for a bind. */
export async function startStatsRig(body: (port: number) => string): Promise<StatsRig> {
  const port = await freePort();
  const proxy = await startApiProxy(
    () => `defaults\n  mode tcp\n  timeout connect 5s\n  timeout client 10s\n  timeout server 10s\n${body(port)}`,
  );
  const target = runtimeApiTarget(proxy.runtime);
  return {
    proxy,
    target,
    applet(stats = {}, on) {
      const spec = on === undefined ? proxy.runtime.config.proxies[0] : proxy.runtime.config.proxies.find((p) => p.name === on)!;
      return createStatsApplet({ proxy: { ...spec, stats: statsSpec(spec.loc, stats) }, target, version: '0.1.0' });
    },
    stop: () => proxy.stop(),
  };
}

export function request(method: string, uri: string, opts: { body?: string; headers?: Record<string, string>; src?: string } = {}): AppletRequest {
  const headers = new Map(Object.entries(opts.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    method,
    uri,
    version: 'HTTP/1.1',
    header: (name) => headers.get(name.toLowerCase()),
    body: Buffer.from(opts.body ?? '', 'latin1'),
    src: opts.src ?? '127.0.0.1',
    srcPort: 40000,
  };
}

export async function call(a: StatsApplet, req: AppletRequest): Promise<AppletResponse & { text: string; header(name: string): string | undefined }> {
  const r = await a.applet(req);
  return { ...r, text: String(r.body), header: (n) => r.headers.find(([k]) => k.toLowerCase() === n.toLowerCase())?.[1] };
}

/** `# pxname,...` CSV lines as records of the first two columns and the status. */
export function csvStatus(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n').slice(1)) {
    if (line === '') continue;
    const cells = line.split(',');
    out.set(`${cells[0]}/${cells[1]}`, cells[17]);
  }
  return out;
}
