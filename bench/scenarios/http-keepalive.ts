// http-small / http-1k / http-acl: `mode http` with keep-alive on both sides (issue 6's benchmark).
// wrk (1 thread, 50 keep-alive connections) → proxy (one thread) → HAProxy responder(s).
// http-small and http-1k differ only in the body size (11 bytes, 1 KiB); http-acl routes by ACL
// through a frontend with 10 `use_backend` rules and 3 header rewrites before reaching the same
// responder. Target from issue 6: hapair ≥ 0.95 × HAProxy req/s and p99 ≤ 1.5 × HAProxy's.
import { startResponder } from '../lib/backends.ts';
import { httpAclConfig, httpListenConfig } from '../lib/configs.ts';
import { probeHttp } from '../lib/net-wait.ts';
import { DIRECT, prepareProxyTopology } from '../lib/proxy-topology.ts';
import { runWrk } from '../lib/wrk.ts';
import type { BenchContext, Sample, Scenario } from './scenario.ts';

const CONNECTIONS = 50;
const SMALL = 'hello world';
const ONE_KIB = 'x'.repeat(1023) + '\n';

async function warmUp(ctx: BenchContext, port: number): Promise<void> {
  if (ctx.warmupS > 0) await runWrk(ctx, { port, connections: CONNECTIONS, durationS: ctx.warmupS });
}

function measure(ctx: BenchContext, port: number): Promise<Sample> {
  return runWrk(ctx, { port, connections: CONNECTIONS, durationS: ctx.durationS });
}

interface HttpScenarioSpec {
  readonly name: string;
  readonly body: string;
  readonly what: string;
  readonly render: (listenPort: number, serverPorts: readonly number[]) => string;
}

function httpScenario(spec: HttpScenarioSpec): Scenario {
  return {
    name: spec.name,
    summary: `mode http, ${spec.what}, wrk -t1 -c${CONNECTIONS} keep-alive GETs of a ${spec.body.length}-byte body; req/s, p99`,
    unit: 'req/s',
    workUnit: 'req',
    higherIsBetter: true,
    contenders: ['haproxy', 'hapair'],
    extraContenders: [DIRECT],
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

export const httpSmall = httpScenario({ name: 'http-small', body: SMALL, what: 'one listen', render: httpListenConfig });
export const http1k = httpScenario({ name: 'http-1k', body: ONE_KIB, what: 'one listen', render: httpListenConfig });
export const httpAcl = httpScenario({
  name: 'http-acl', body: SMALL, what: '10 ACL routing rules + 3 header rewrites', render: httpAclConfig,
});
