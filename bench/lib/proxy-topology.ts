// The common topology "client → proxy under test → backends": backends start once and are shared
// by every contender, each contender is a proxy started from a config rendered for it. Scenarios
// supply the backends, the config and the measurement; this file does the plumbing.
import type { Backend } from './backends.ts';
import { BenchError } from './bench-error.ts';
import type { ChildHandle } from './children.ts';
import { freePort } from './net-wait.ts';
import { proxyKind, startProxy } from './proxies.ts';
import type { BenchContext, Sample, Target, Topology } from '../scenarios/scenario.ts';

/** Pseudo-contender: the client talks to the first backend with no proxy (the ceiling). */
export const DIRECT = 'direct';

export interface ProxyTopologyParts {
  startBackends(ctx: BenchContext): Promise<readonly Backend[]>;
  /** The proxy config for `contender`, listening on 127.0.0.1:`listenPort`. */
  renderConfig(contender: string, listenPort: number, backends: readonly Backend[]): string;
  /** Checks a request through the started proxy before any measurement. */
  probe(port: number, contender: string): Promise<void>;
  warmUp(ctx: BenchContext, port: number): Promise<void>;
  measure(ctx: BenchContext, port: number): Promise<Sample>;
}

export async function prepareProxyTopology(ctx: BenchContext, parts: ProxyTopologyParts): Promise<Topology> {
  const backends = await parts.startBackends(ctx);
  return {
    start: (contender, runCtx) => startContender(contender, runCtx, parts, backends),
    close: async () => {
      await Promise.all(backends.map((b) => b.child.stop()));
    },
  };
}

async function startContender(contender: string, ctx: BenchContext, parts: ProxyTopologyParts, backends: readonly Backend[]): Promise<Target> {
  if (contender === DIRECT) {
    const port = backends[0]!.port;
    return { warmUp: (c) => parts.warmUp(c, port), measure: (c) => parts.measure(c, port), stop: async () => {} };
  }
  const kind = proxyKind(contender);
  const port = await freePort();
  const child: ChildHandle = await startProxy(kind, contender, parts.renderConfig(contender, port, backends), port, ctx, ctx.cpus?.proxy);
  try {
    await parts.probe(port, contender);
  } catch (err) {
    await child.stop();
    throw err;
  }
  return {
    warmUp: (c) => parts.warmUp(c, port),
    measure: async (c) => {
      assertRunning(child);
      const cpu0 = child.cpuSeconds();
      const t0 = performance.now();
      const sample = await parts.measure(c, port);
      const wallS = (performance.now() - t0) / 1000;
      const cpu1 = child.cpuSeconds();
      assertRunning(child);
      return cpu0 === undefined || cpu1 === undefined ? sample : { ...sample, cpuS: cpu1 - cpu0, wallS };
    },
    stop: () => child.stop(),
  };
}

/** A contender that died mid-scenario aborts it: its errors must not pass for a slow run. */
function assertRunning(child: ChildHandle): void {
  if (!child.running()) throw new BenchError(`${child.name} exited during the scenario:\n${child.logTail()}`);
}
