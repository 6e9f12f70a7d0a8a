// Local proxy liveness: the proxy must answer its runtime API within a deadline, so a hung proxy
// (GC storm, SIGSTOP, deadlock) fails over, not only a dead one. The probe speaks HAProxy's
// non-interactive CLI (management.txt 9.3): send `show info`, expect a non-empty answer that ends
// with an empty line.
import { connect, type Socket } from 'node:net';
import type { Clock } from '../../clock.ts';
import type { ProxyApiAddress, TrackProxySpec } from '../spec.ts';
import { PollingTracker, type CheckOutcome } from './tracker.ts';

const MAX_ANSWER = 1 << 20;

export function probeRuntimeApi(address: ProxyApiAddress, timeout: number): Promise<CheckOutcome> {
  return new Promise((resolve) => {
    let answer = '';
    let settled = false;
    const where = address.kind === 'unix' ? address.path : `${address.host}:${address.port}`;
    const sock: Socket =
      address.kind === 'unix' ? connect({ path: address.path }) : connect({ host: address.host, port: address.port });
    const finish = (ok: boolean, detail: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ ok, detail });
    };
    const complete = () => answer.length > 1 && answer.endsWith('\n\n');
    const timer = setTimeout(() => finish(false, `${where}: no answer within ${timeout}ms`), timeout);
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write('show info\n'));
    sock.on('data', (chunk: string) => {
      answer += chunk;
      if (answer.length > MAX_ANSWER) finish(false, `${where}: answer too long`);
      else if (complete()) finish(true, `${where}: answered`);
    });
    sock.on('end', () => finish(complete(), complete() ? `${where}: answered` : `${where}: incomplete answer`));
    sock.on('error', (err) => finish(false, `${where}: ${err.message}`));
  });
}

export function proxyTracker(spec: TrackProxySpec, address: ProxyApiAddress, clock: Clock): PollingTracker {
  return new PollingTracker(
    {
      name: 'proxy',
      kind: 'proxy',
      weight: spec.weight,
      interval: spec.interval,
      rise: spec.rise,
      fall: spec.fall,
      check: () => probeRuntimeApi(address, spec.timeout),
    },
    clock,
  );
}
