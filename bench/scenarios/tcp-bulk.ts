// tcp-bulk: one 100 MiB HTTP response per connection relayed by `mode tcp`.
// curl → proxy → bulk-server (Node, raw net); transfers back to back for the run's duration.
// Measures the relay's throughput on large reads/writes (buffering, back-pressure), in MB/s.
import { startBulkServer } from '../lib/backends.ts';
import { measureBulk, warmUpBulk } from '../lib/bulk-client.ts';
import { tcpListenConfig } from '../lib/configs.ts';
import { probeHttp } from '../lib/net-wait.ts';
import { DIRECT, prepareProxyTopology } from '../lib/proxy-topology.ts';
import type { Scenario } from './scenario.ts';

const TRANSFER_BYTES = 100 * 1024 * 1024;

export const tcpBulk: Scenario = {
  name: 'tcp-bulk',
  summary: 'mode tcp, curl fetches 100 MiB per connection, back to back; MB/s (10^6 bytes/s)',
  unit: 'MB/s',
  workUnit: 'MB',
  higherIsBetter: true,
  contenders: ['haproxy', 'hapair'],
  extraContenders: [DIRECT],
  baseline: 'haproxy',
  candidate: 'hapair',
  prepare: (ctx) => prepareProxyTopology(ctx, {
    startBackends: async (c) => [await startBulkServer(c)],
    renderConfig: (_contender, listenPort, backends) => tcpListenConfig(listenPort, backends.map((b) => b.port)),
    probe: (port, contender) => probeHttp(port, 'xxxx', contender, '/16'),
    warmUp: (ctx, port) => warmUpBulk(ctx, port, TRANSFER_BYTES),
    measure: (ctx, port) => measureBulk(ctx, port, TRANSFER_BYTES),
  }),
};
