// `option http-ignore-probes` (HAProxy configuration.txt 4.2): a connection that closes or times
// out before sending a single byte (a browser's pre-connect) is closed silently: no 400/408, no
// log line, no error counted. One byte (even an empty line) and it is a bad request again. The
// same connections go to HAProxy 2.6 and hapair, on a frontend without and one with the option;
// compared: what the client received, the log lines of its connection (by client port; a later
// marker request's line shows that a missing line is not still on its way), the counters.
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { showStatRows } from './api-harness.ts';
import { type OracleKind, oracleSides, starterOf } from './http-oracle-harness.ts';
import { logLineWith, type LoggedRun, startLoggedRun, stopLoggedRuns } from './logged-run.ts';

const FRONTENDS = ['plain', 'ign'] as const;
/** What the client sends, and whether it then closes or waits for `timeout http-request` (300 ms). */
const CASES: [string, string, 'close' | 'wait'][] = [
  ['nothing, close', '', 'close'], ['nothing, wait', '', 'wait'],
  ['an empty line, close', '\r\n', 'close'], ['an empty line, wait', '\r\n', 'wait'],
  ['half a head, close', 'GET / HT', 'close'], ['half a head, wait', 'GET / HT', 'wait'],
];

const dir = mkdtempSync(join(tmpdir(), 'hapair-probes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Side {
  readonly run: LoggedRun;
  readonly sock: string;
}

async function startSide(kind: OracleKind): Promise<Side> {
  const sock = join(dir, `${kind}.sock`);
  const run = await startLoggedRun(starterOf(kind), FRONTENDS.length, (logPort, ports) => `global
    nbthread 1
    stats socket ${sock} level admin
defaults
    mode http
    timeout client 5s
    timeout connect 1s
    timeout server 5s
    timeout http-request 300ms
    log 127.0.0.1:${logPort} format raw local0
    log-format "%cp %ST %ts %r"
${FRONTENDS.map((name, i) => `frontend ${name}
    bind 127.0.0.1:${ports[i]}
    http-request return status 200 content-type text/plain string ok
${name === 'ign' ? '    option http-ignore-probes\n' : ''}`).join('')}`);
  return { run, sock };
}

const sides = oracleSides(startSide, async (s) => stopLoggedRuns([s.run]));

let markers = 0;

/** One connection as the case says; what came back, and its log lines once a marker's line is in. */
async function probe(side: Side, fe: string, data: string, how: 'close' | 'wait'): Promise<{ got: string; log: string[] }> {
  const c = net.connect(side.run.ports[FRONTENDS.indexOf(fe as (typeof FRONTENDS)[number])]!, '127.0.0.1');
  let got = '';
  c.on('data', (d: Buffer) => (got += d.toString('latin1')));
  c.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => c.on('close', () => resolve()));
  await new Promise<void>((resolve) => c.on('connect', () => resolve()));
  const port = c.localPort!;
  if (data !== '') c.write(data);
  // Time for the bytes to reach the proxy before the close.
  await new Promise((r) => setTimeout(r, 50));
  if (how === 'close') c.destroy();
  await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error('the proxy kept the connection')), 3000))]);
  const marker = `/marker${++markers}`;
  const m = net.connect(side.run.ports[0]!, '127.0.0.1');
  m.on('error', () => undefined);
  m.write(`GET ${marker} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`);
  m.resume();
  await logLineWith(side.run, marker);
  m.destroy();
  return { got: got.split('\r\n')[0]!, log: side.run.lines.filter((l) => l.startsWith(`${port} `)).map((l) => l.slice(l.indexOf(' ') + 1)) };
}

describe('option http-ignore-probes: the probes HAProxy 2.6 ignores', () => {
  it.each(FRONTENDS.flatMap((fe) => CASES.map(([label, data, how]) => [fe, label, data, how] as const)))('%s: %s', async (fe, _label, data, how) => {
    const ref = await probe(sides.haproxy, fe, data, how);
    const ours = await probe(sides.hapair, fe, data, how);
    expect(ours).toEqual(ref);
  });

  it('counts what HAProxy 2.6 counts', async () => {
    const pick = async (side: Side): Promise<string[]> => {
      const rows = await showStatRows(side.sock);
      return FRONTENDS.map((fe) => {
        const r = rows.get(`${fe}/FRONTEND`)!;
        return `${fe} ereq=${r.get('ereq')} req_tot=${r.get('req_tot')} 4xx=${r.get('hrsp_4xx')} 2xx=${r.get('hrsp_2xx')}`;
      });
    };
    const ref = await pick(sides.haproxy);
    expect(await pick(sides.hapair)).toEqual(ref);
    expect(ref[1]).not.toEqual(ref[0].replace('plain', 'ign'));
  });
});
