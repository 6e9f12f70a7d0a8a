// tcp-short: short HTTP exchanges over keep-alive connections relayed by `mode tcp`.
// wrk (1 thread, 50 connections) → proxy → HAProxy responder ("hello world", 11 bytes).
// Each client connection maps to one server connection, so this measures the relay's per-read
// cost: many small reads and writes, not connection setup. Target from the foundation issue:
// hapair ≥ 0.95 × HAProxy req/s.
import { startResponder } from '../lib/backends.ts';
import { tcpListenConfig } from '../lib/configs.ts';
import { probeHttp } from '../lib/net-wait.ts';
import { DIRECT, prepareProxyTopology } from '../lib/proxy-topology.ts';
import { runWrk } from '../lib/wrk.ts';
import type { BenchContext, Scenario, Sample } from './scenario.ts';

const BODY = 'hello world';
const CONNECTIONS = 50;

async function warmUp(ctx: BenchContext, port: number): Promise<void> {
  if (ctx.warmupS > 0) await runWrk(ctx, { port, connections: CONNECTIONS, durationS: ctx.warmupS });
}

function measure(ctx: BenchContext, port: number): Promise<Sample> {
  return runWrk(ctx, { port, connections: CONNECTIONS, durationS: ctx.durationS });
}

export const tcpShort: Scenario = {
  name: 'tcp-short',
  summary: `mode tcp, wrk -t1 -c${CONNECTIONS} keep-alive GETs of an ${BODY.length}-byte body; req/s, p99`,
  unit: 'req/s',
  workUnit: 'req',
  higherIsBetter: true,
  contenders: ['haproxy', 'hapair'],
  extraContenders: [DIRECT],
  baseline: 'haproxy',
  candidate: 'hapair',
  target: 0.95,
  prepare: (ctx) => prepareProxyTopology(ctx, {
    startBackends: async (c) => [await startResponder(c, BODY)],
    renderConfig: (_contender, listenPort, backends) => tcpListenConfig(listenPort, backends.map((b) => b.port)),
    probe: (port, contender) => probeHttp(port, BODY, contender),
    warmUp,
    measure,
  }),
};
