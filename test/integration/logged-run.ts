// A proxy (HAProxy or hapair) started from a config whose `log` target is a UDP socket of the test's,
// for differential tests that compare access-log lines: the received lines are kept in order.
import dgram from 'node:dgram';
import { distinctFreePorts, type HaproxyRun, type startHaproxy } from './http-oracle-harness.ts';

export interface LoggedRun {
  readonly proc: HaproxyRun;
  /** Every syslog datagram received, as text without its trailing LF. */
  readonly lines: string[];
  readonly udp: dgram.Socket;
  /** The listening ports handed to `config`, in order. */
  readonly ports: readonly number[];
}

/** Bind the syslog socket, pick `portCount` distinct free ports, start the proxy and wait for them. */
export async function startLoggedRun(
  start: typeof startHaproxy,
  portCount: number,
  config: (logPort: number, ports: readonly number[]) => string,
): Promise<LoggedRun> {
  const udp = dgram.createSocket('udp4');
  const lines: string[] = [];
  udp.on('message', (m) => lines.push(m.toString('latin1').replace(/\n$/, '')));
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
  const ports = await distinctFreePorts(portCount);
  const proc = await start(config(udp.address().port, ports), ports);
  return { proc, lines, udp, ports };
}

export async function stopLoggedRuns(runs: readonly LoggedRun[]): Promise<void> {
  for (const r of runs) {
    await r.proc.stop();
    r.udp.close();
  }
}

/** The first line containing `marker`, waiting up to 2 s for it to arrive. */
export async function logLineWith(run: LoggedRun, marker: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const line = run.lines.find((l) => l.includes(marker));
    if (line !== undefined) return line;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no log line with ${marker}: ${JSON.stringify(run.lines)}`);
}
