// Differential: `retry-on` through HAProxy 2.6 and through hapair on the same config. Scripted
// backends answer 503 then 200, close without answering, send junk, stay silent, answer 404;
// with and without `option redispatch`. Compared: what the client gets, what each backend was
// asked, the log line's server, status, termination state and retry count, and `show stat`.
// RETRY_DUMP=1 prints both sides' outcomes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUdpCollector, type UdpCollector } from '../support/servers.ts';
import { join } from 'node:path';
import { waitApiSocket } from './haproxy-api-oracle.ts';
import { distinctFreePorts, startHapairProxy } from './http-oracle-harness.ts';
import { request, requestTwice, retryFields, startScriptedServer, type Action, type ClientResult, type ScriptedServer } from './http-retry-on-harness.ts';
import { startHaproxy, statColumns, tempDir, type ConfigText, type Oracle } from './server-state-file-harness.ts';

interface Scenario {
  readonly name: string;
  /** Proxy lines; `A`, `B`, `DEAD` stand for the ports of servers a, b and of a closed port. */
  readonly lines: string;
  readonly scripts: { readonly a?: readonly Action[]; readonly b?: readonly Action[] };
  readonly body?: string;
  /** The body follows the head this many ms later. */
  readonly later?: number;
  readonly mode?: 'tcp';
  /** Extra request header line. */
  readonly header?: string;
  /** Two requests on one keep-alive connection instead of one. */
  readonly twice?: boolean;
}

const A1 = 'server a 127.0.0.1:A';
const B1 = 'server b 127.0.0.1:B';
const SCENARIOS: readonly Scenario[] = [
  { name: 's503', lines: `retry-on 503\n${A1}`, scripts: { a: [503] } },
  { name: 's503_exhausted', lines: `retries 2\nretry-on 503\n${A1}`, scripts: { a: [503, 503, 503, 503] } },
  { name: 's503_default', lines: `${A1}`, scripts: { a: [503] } },
  { name: 's503_not_listed', lines: `retry-on 504 404\n${A1}`, scripts: { a: [503] } },
  { name: 'empty', lines: `retry-on empty-response\n${A1}`, scripts: { a: ['close'] } },
  { name: 'empty_reset', lines: `retry-on empty-response\n${A1}`, scripts: { a: ['reset'] } },
  { name: 'empty_off', lines: `retry-on conn-failure\n${A1}`, scripts: { a: ['close'] } },
  { name: 'junk', lines: `retry-on junk-response\n${A1}`, scripts: { a: ['junk'] } },
  { name: 'junk_exhausted', lines: `retries 1\nretry-on junk-response\n${A1}`, scripts: { a: ['junk', 'junk', 'junk'] } },
  { name: 'partial_junk', lines: `retry-on junk-response\n${A1}`, scripts: { a: ['partial'] } },
  { name: 'partial_empty', lines: `retry-on empty-response\n${A1}`, scripts: { a: ['partial'] } },
  { name: 'timeout', lines: `timeout server 300ms\nretry-on response-timeout\n${A1}`, scripts: { a: ['silent'] } },
  { name: 'timeout_off', lines: `timeout server 300ms\nretry-on 503 empty-response\n${A1}`, scripts: { a: ['silent'] } },
  { name: 's404', lines: `retry-on 404\n${A1}`, scripts: { a: [404, 404] } },
  { name: 'all_errors', lines: `retry-on all-retryable-errors\n${A1}`, scripts: { a: [500, 'close', 504, 404] } },
  { name: 'all_errors_404', lines: `retry-on all-retryable-errors\n${A1}`, scripts: { a: [404] } },
  { name: 'redispatch_rr', lines: `option redispatch\nretry-on 503\n${A1}\n${B1}`, scripts: { a: [503], b: [503] } },
  { name: 'redispatch_last', lines: `balance source\noption redispatch\nretry-on 503\n${A1}\n${B1}`, scripts: { a: [503, 503, 503], b: [503, 503, 503] } },
  { name: 'redispatch_leastconn', lines: `balance leastconn\noption redispatch\nretry-on 503\n${A1}\n${B1}`, scripts: { a: [503, 503, 503, 503], b: [503, 503, 503, 503] } },
  {
    name: 'redispatch_cookie',
    lines: `cookie SRV insert indirect nocache\noption redispatch\nretry-on 503\n${A1} cookie a\n${B1} cookie b`,
    scripts: { a: [503, 503, 503, 503], b: [503, 503, 503, 503] },
    header: 'cookie: SRV=a',
  },
  { name: 'no_redispatch', lines: `balance source\nretry-on 503\n${A1}\n${B1}`, scripts: { a: [503, 503, 503, 503], b: [503, 503, 503, 503] } },
  { name: 'conn_failure_then_503', lines: `retry-on conn-failure 503\nserver d 127.0.0.1:DEAD\n`, scripts: {} },
  { name: 'dead_without_conn_failure', lines: `retry-on 503\nserver d 127.0.0.1:DEAD`, scripts: {} },
  { name: 'dead_none', lines: `retry-on none\nserver d 127.0.0.1:DEAD`, scripts: {} },
  { name: 'post_buffered', lines: `retry-on 503\n${A1}`, scripts: { a: [503] }, body: 'hello=world' },
  { name: 'keep_alive', lines: `retry-on 503\n${A1}`, scripts: { a: [503, 200, 503] }, twice: true },
  { name: 'post_8k', lines: `retry-on 503\n${A1}`, scripts: { a: [503] }, body: 'x'.repeat(8000) },
  // The request's HTX copy: head 69 bytes + data block 8 + body; 15291 fits one buffer, 15292 does not.
  { name: 'post_at_limit', lines: `retry-on 503\n${A1}`, scripts: { a: [503] }, body: 'x'.repeat(15214) },
  { name: 'post_over_limit', lines: `retry-on 503\n${A1}`, scripts: { a: [503] }, body: 'x'.repeat(15215) },
  { name: 'post_chunked', lines: `retry-on 503\n${A1}`, scripts: { a: [503] }, header: 'transfer-encoding: chunked', body: '5\r\nhello\r\n06\r\n world\r\n0\r\n\r\n' },
  { name: 'post_20k', lines: `retry-on 503\n${A1}`, scripts: { a: [503] }, body: 'x'.repeat(20000) },
  { name: 'post_l7_disabled', lines: `http-request disable-l7-retry if { method POST }\nretry-on 503\n${A1}`, scripts: { a: [503] }, body: 'a=1' },
  { name: 'dead_l7_disabled', lines: `http-request disable-l7-retry\nretry-on conn-failure 503\nserver d 127.0.0.1:DEAD`, scripts: {} },
  { name: 'post_late_body', lines: `retry-on 503\n${A1}`, scripts: { a: [503] }, body: 'hello=world', later: 150 },
  { name: 'tcp_dead_503', lines: `retry-on 503\nserver d 127.0.0.1:DEAD`, scripts: {}, mode: 'tcp' },
  { name: 'tcp_dead_default', lines: `server d 127.0.0.1:DEAD`, scripts: {}, mode: 'tcp' },
];

interface Outcome {
  readonly client: ClientResult;
  readonly served: { readonly a: readonly string[]; readonly b: readonly string[] };
  readonly bodies: readonly string[];
  readonly log: string;
}

const dir = tempDir();
let a: ScriptedServer;
let b: ScriptedServer;
let dead = 0;
const runs: { name: string; ports: number[]; udp: UdpCollector; oracle: Oracle }[] = [];

/**
 * `hapair proxy -f` as a child process (its access logs go to syslog as the product's do). Its
 * listeners are open once the stats socket is: no probe connection, which would count in `stot`.
 */
async function startHapair(d: string, name: string, cfg: ConfigText): Promise<Oracle> {
  const sock = join(d, `${name}.sock`);
  const run = await startHapairProxy(cfg(d, sock), []);
  await waitApiSocket(sock);
  return { sock, stop: run.stop };
}

function config(ports: readonly number[], udp: number): ConfigText {
  return (_d, sock) => {
    let text = `global\n    stats socket ${sock} level admin\ndefaults\n    mode http\n    timeout connect 200ms\n    timeout client 5s\n    timeout server 5s\n` +
      `    log 127.0.0.1:${udp} format raw local0\n    option httplog\n`;
    SCENARIOS.forEach((sc, i) => {
      const lines = sc.lines.replaceAll(':A', `:${a.port}`).replaceAll(':B', `:${b.port}`).replaceAll(':DEAD', `:${dead}`);
      text += `listen ${sc.name}\n    bind 127.0.0.1:${ports[i]}\n` + (sc.mode === 'tcp' ? '    mode tcp\n    option tcplog\n' : '');
      text += lines.split('\n').filter((l) => l !== '').map((l) => `    ${l}\n`).join('');
    });
    return text;
  };
}

beforeAll(async () => {
  a = await startScriptedServer('a');
  b = await startScriptedServer('b');
  const ports = await distinctFreePorts(2 * SCENARIOS.length + 1);
  dead = ports.pop()!;
  for (const name of ['haproxy', 'hapair']) {
    const udp = await startUdpCollector();
    const own = ports.splice(0, SCENARIOS.length);
    const cfg = config(own, udp.port);
    const oracle = name === 'haproxy' ? await startHaproxy(dir.dir, name, cfg) : await startHapair(dir.dir, name, cfg);
    runs.push({ name, ports: own, udp, oracle });
  }
}, 30_000);

afterAll(async () => {
  for (const r of runs) {
    await r.oracle.stop();
    r.udp.close();
  }
  await a?.close();
  await b?.close();
  dir.remove();
});

async function logLines(udp: UdpCollector, proxy: string, n: number): Promise<string[]> {
  const mine = (): string[] => udp.messages.filter((m) => m.includes(` ${proxy} `) || m.includes(` ${proxy}/`));
  for (let i = 0; i < 300 && mine().length < n; i++) await new Promise((r) => setTimeout(r, 10));
  const got = mine();
  return got.length === 0 ? ['no log line'] : got;
}

async function play(sc: Scenario, port: number, udp: UdpCollector): Promise<Outcome> {
  a.script(sc.scripts.a ?? []);
  b.script(sc.scripts.b ?? []);
  udp.messages.length = 0;
  const client = sc.twice === true
    ? await requestTwice(port)
    : sc.mode === 'tcp'
    ? await request(port, 'GET / HTTP/1.1')
    : await request(port, (sc.body === undefined ? 'GET / HTTP/1.1' : 'POST / HTTP/1.1') + (sc.header === undefined ? '' : `\r\n${sc.header}`), sc.body, sc.later);
  const lines = await logLines(udp, sc.name, sc.twice === true ? 2 : 1);
  const log = lines.map(retryFields).join(' | ');
  return { client, served: { a: [...a.served], b: [...b.served] }, bodies: [...a.bodies, ...b.bodies], log };
}

const outcomes = new Map<string, Outcome[]>();

async function outcome(name: string): Promise<Outcome[]> {
  const cached = outcomes.get(name);
  if (cached !== undefined) return cached;
  const i = SCENARIOS.findIndex((s) => s.name === name);
  const got: Outcome[] = [];
  for (const r of runs) got.push(await play(SCENARIOS[i], r.ports[i], r.udp));
  outcomes.set(name, got);
  return got;
}

describe('retry-on against HAProxy 2.6', () => {
  it.each(SCENARIOS.map((s) => [s.name]))('%s: same answer, same backend requests, same log fields', async (name) => {
    const [theirs, ours] = await outcome(name);
    if (process.env.RETRY_DUMP) console.log(name, JSON.stringify(theirs), JSON.stringify(ours));
    expect(ours).toEqual(theirs);
  }, 20_000);

  it('a 503 then a 200: the client gets the 200, one retry logged', async () => {
    const [theirs] = await outcome('s503');
    expect(theirs).toMatchObject({ client: { status: 'HTTP/1.1 200 OK', body: 'a:200' }, served: { a: ['503', '200'] }, log: 's503/a 200 ---- 1' });
  }, 20_000);

  it('show stat stot, wretr, wredis, eresp, econ and the status counters agree', async () => {
    for (const s of SCENARIOS) await outcome(s.name);
    const fields = ['stot', 'wretr', 'wredis', 'eresp', 'econ', 'req_tot', 'hrsp_2xx', 'hrsp_4xx', 'hrsp_5xx'];
    const [theirs, ours] = await Promise.all(runs.map((r) => statColumns(r.oracle.sock, fields)));
    if (process.env.RETRY_DUMP) console.log(theirs.join('\n'));
    expect(ours).toEqual(theirs);
    // Every attempt is a server session; wretr counts a same-server retry twice (do_l7_retry, then
    // stream_choose_redispatch); a redispatch counts wretr once and wredis once on the server left;
    // only the response the client got counts in req_tot and hrsp_*.
    expect(ours).toContain('s503_exhausted/a stot=3 wretr=4 wredis=0 eresp=0 econ=0 req_tot=1 hrsp_2xx=0 hrsp_4xx=0 hrsp_5xx=1');
    expect(ours).toContain('redispatch_rr/BACKEND stot=1 wretr=2 wredis=2 eresp=0 econ=0 req_tot=1 hrsp_2xx=1 hrsp_4xx=0 hrsp_5xx=0');
  }, 60_000);
});
