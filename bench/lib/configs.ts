// Proxy configs shared by scenarios, in HAProxy syntax: the same text is given to HAProxy and to
// hapair. One thread (HAProxy configuration.txt 3.1 "nbthread"), no logging, equal timeouts.
import { LOOPBACK } from './net-wait.ts';

const TIMEOUTS = ['    timeout connect 5s', '    timeout client 60s', '    timeout server 60s'];

/** `listen bench` in `mode tcp` relaying to the given servers (round robin when several). */
export function tcpListenConfig(listenPort: number, serverPorts: readonly number[]): string {
  return [
    'global',
    '    nbthread 1',
    'defaults',
    '    mode tcp',
    ...TIMEOUTS,
    'listen bench',
    `    bind ${LOOPBACK}:${listenPort}`,
    ...serverPorts.map((port, i) => `    server s${i + 1} ${LOOPBACK}:${port}`),
    '',
  ].join('\n');
}
