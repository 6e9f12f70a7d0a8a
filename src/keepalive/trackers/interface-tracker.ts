// Interface tracker: the link's operational state from sysfs (RFC 2863 operstate). `up`, and
// `unknown` (drivers without carrier reporting, e.g. dummy), count as up. Under `ip netns exec`,
// /sys is the namespace's own.
import { readFile } from 'node:fs/promises';
import type { Clock } from '../../clock.ts';
import { PollingTracker, type CheckOutcome } from './tracker.ts';

export const INTERFACE_POLL_MS = 100;

export async function readOperstate(dev: string, sysfs = '/sys/class/net'): Promise<CheckOutcome> {
  try {
    const state = (await readFile(`${sysfs}/${dev}/operstate`, 'utf8')).trim();
    return { ok: state === 'up' || state === 'unknown', detail: `${dev} ${state}` };
  } catch {
    return { ok: false, detail: `${dev} missing` };
  }
}

export function interfaceTracker(dev: string, weight: number, clock: Clock, sysfs?: string): PollingTracker {
  return new PollingTracker(
    { name: `interface ${dev}`, kind: 'interface', weight, interval: INTERFACE_POLL_MS, rise: 1, fall: 1, check: () => readOperstate(dev, sysfs) },
    clock,
  );
}
