// The wrk request-rate scenario shape shared by tcp-short and the http keep-alive scenarios:
// wrk (1 thread, 50 keep-alive connections) → proxy → one HAProxy responder serving `body`;
// HAProxy is the baseline, hapair the candidate, the responder reached directly the extra row.
import { startResponder } from './backends.ts';
import { probeHttp } from './net-wait.ts';
import { DIRECT, prepareProxyTopology } from './proxy-topology.ts';
import { NODE_FLOOR } from './proxies.ts';
import { runWrk } from './wrk.ts';
import type { BenchContext, Sample, Scenario } from '../scenarios/scenario.ts';

export const WRK_CONNECTIONS = 50;

export interface WrkScenarioSpec {
  readonly name: string;
  readonly summary: string;
  /** The responder's body; its first 32 bytes are what the probe expects. */
  readonly body: string;
  readonly render: (listenPort: number, serverPorts: readonly number[]) => string;
}

async function warmUp(ctx: BenchContext, port: number): Promise<void> {
  if (ctx.warmupS > 0) await runWrk(ctx, { port, connections: WRK_CONNECTIONS, durationS: ctx.warmupS });
}

function measure(ctx: BenchContext, port: number): Promise<Sample> {
  return runWrk(ctx, { port, connections: WRK_CONNECTIONS, durationS: ctx.durationS });
}

/** req/s (and p99) against a 0.95 × HAProxy target. */
export function wrkScenario(spec: WrkScenarioSpec): Scenario {
  return {
    name: spec.name,
    summary: spec.summary,
    unit: 'req/s',
    workUnit: 'req',
    higherIsBetter: true,
    contenders: ['haproxy', 'hapair'],
    extraContenders: [DIRECT, NODE_FLOOR.name],
    baseline: 'haproxy',
    candidate: 'hapair',
    target: 0.95,
    prepare: (ctx) => prepareProxyTopology(ctx, {
      startBackends: async (c) => [await startResponder(c, spec.body)],
      renderConfig: (_contender, listenPort, backends) => spec.render(listenPort, backends.map((b) => b.port)),
      probe: (port, contender) => probeHttp(port, spec.body.slice(0, 32), contender),
      warmUp,
      measure,
    }),
  };
}
