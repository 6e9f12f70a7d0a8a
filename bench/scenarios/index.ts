// The scenario registry: adding a benchmark = one file in this folder + one line here.
import { failover } from './failover.ts';
import { http1k, httpAcl, httpSmall } from './http-keepalive.ts';
import type { Scenario } from './scenario.ts';
import { tcpBulk } from './tcp-bulk.ts';
import { tcpShort } from './tcp-short.ts';

export const SCENARIOS: readonly Scenario[] = [tcpShort, tcpBulk, httpSmall, http1k, httpAcl, failover];

/** Run when the command line names none. */
export const DEFAULT_SCENARIOS: readonly string[] = ['tcp-short', 'tcp-bulk'];

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
