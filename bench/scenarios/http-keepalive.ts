// http-small / http-1k / http-acl: `mode http` with keep-alive on both sides (issue 6's benchmark).
// wrk (1 thread, 50 keep-alive connections) → proxy (one thread) → HAProxy responder(s).
// http-small and http-1k differ only in the body size (11 bytes, 1 KiB); http-acl routes by ACL
// through a frontend with 10 `use_backend` rules and 3 header rewrites before reaching the same
// responder. Target from issue 6: hapair ≥ 0.95 × HAProxy req/s and p99 ≤ 1.5 × HAProxy's.
import { httpAclConfig, httpListenConfig } from '../lib/configs.ts';
import { WRK_CONNECTIONS, wrkScenario } from '../lib/wrk-scenario.ts';
import type { Scenario } from './scenario.ts';

const SMALL = 'hello world';
const ONE_KIB = 'x'.repeat(1023) + '\n';

interface HttpScenarioSpec {
  readonly name: string;
  readonly body: string;
  readonly what: string;
  readonly render: (listenPort: number, serverPorts: readonly number[]) => string;
}

function httpScenario(spec: HttpScenarioSpec): Scenario {
  const summary = `mode http, ${spec.what}, wrk -t1 -c${WRK_CONNECTIONS} keep-alive GETs of a ${spec.body.length}-byte body; req/s, p99`;
  return wrkScenario({ name: spec.name, summary, body: spec.body, render: spec.render });
}

export const httpSmall = httpScenario({ name: 'http-small', body: SMALL, what: 'one listen', render: httpListenConfig });
export const http1k = httpScenario({ name: 'http-1k', body: ONE_KIB, what: 'one listen', render: httpListenConfig });
export const httpAcl = httpScenario({
  name: 'http-acl', body: SMALL, what: '10 ACL routing rules + 3 header rewrites', render: httpAclConfig,
});
