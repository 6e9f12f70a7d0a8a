// tcp-short: short HTTP exchanges over keep-alive connections relayed by `mode tcp`.
// wrk (1 thread, 50 connections) → proxy → HAProxy responder ("hello world", 11 bytes).
// Each client connection maps to one server connection, so this measures the relay's per-read
// cost: many small reads and writes, not connection setup. Target from the foundation issue:
// hapair ≥ 0.95 × HAProxy req/s.
import { tcpListenConfig } from '../lib/configs.ts';
import { WRK_CONNECTIONS, wrkScenario } from '../lib/wrk-scenario.ts';
import type { Scenario } from './scenario.ts';

const BODY = 'hello world';

export const tcpShort: Scenario = wrkScenario({
  name: 'tcp-short',
  summary: `mode tcp, wrk -t1 -c${WRK_CONNECTIONS} keep-alive GETs of an ${BODY.length}-byte body; req/s, p99`,
  body: BODY,
  render: tcpListenConfig,
});
