// Differential against HAProxy 2.6: TLS passthrough routed by req.ssl_sni / req.ssl_hello_type /
// req.ssl_ver / req.ssl_alpn / use-server in mode tcp, the same config text on both (ports aside),
// the same real node:tls clients, hellos split or cut short, garbage. Each connection must land on
// the same backend with the same outcome for the client, and `show stat` must agree afterwards on
// every counter that does not depend on timing; the tcplog lines name the same backend/server and
// termination state.
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import net from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHapair, waitForPort } from '../support/process.ts';
import { freePort } from './proxy-harness.ts';
import { showStatRows } from './api-harness.ts';
import { startHaproxyApi, waitApiSocket, type HaproxyApi } from './haproxy-api-oracle.ts';
import { startHapairProxy, type HaproxyRun } from './http-oracle-harness.ts';
import { arrivedAt, makePki, passthroughBackends, passthroughFrontends, PassthroughBackend, plainClient, tlsClient, type ClientOptions, type Pki } from './tls-passthrough-harness.ts';

type Ports = Record<'tls' | 'strict' | 'pool' | 'short' | 'ver' | 'slow', number>;

/** A syslog receiver per proxy: the datagrams it got, in order. */
interface Syslog {
  readonly udp: dgram.Socket;
  readonly lines: string[];
}
const syslogs = new Map<Ports, Syslog>();

let pki: Pki;
const log: string[] = [];
const backends = new Map<string, PassthroughBackend>();
let ha: HaproxyApi | undefined;
/** `hapair proxy` as a child process (its access log goes to the syslog receiver); `dir` holds its stats socket. */
let px: HaproxyRun | undefined;
type Rows = Map<string, Map<string, string>>;
const base: { ha: Rows; ours: Rows } = { ha: new Map(), ours: new Map() };
const dir = mkdtempSync(join(tmpdir(), 'hapair-tlspass-ours-'));
const ports: { ha: Ports; ours: Ports } = { ha: { tls: 0, strict: 0, pool: 0, short: 0, ver: 0, slow: 0 }, ours: { tls: 0, strict: 0, pool: 0, short: 0, ver: 0, slow: 0 } };

const port = (name: string): number => backends.get(name)!.port;
const config = (p: Ports) => (dir: string): string => `global
    stats socket ${dir}/api.sock level admin
defaults
    mode tcp
    log 127.0.0.1:${syslogs.get(p)!.udp.address().port} format raw local0
    option tcplog
    timeout connect 2s
    timeout client 10s
    timeout server 10s
${passthroughFrontends(p)}frontend ver_in
    bind 127.0.0.1:${p.ver}
    tcp-request inspect-delay 5s
    tcp-request content reject if !{ req.ssl_ver ge 3.0 }
    use_backend ldap if { req_ssl_ver lt 3.3 }
    use_backend web if { req.ssl_ec_ext } { req.ssl_st_ext 1 }
    default_backend other
frontend slow_client
    bind 127.0.0.1:${p.slow}
    timeout client 300ms
    tcp-request inspect-delay 5s
    tcp-request content accept if { req.ssl_hello_type 1 }
    default_backend other
${passthroughBackends(port)}`;

beforeAll(async () => {
  pki = makePki();
  for (const name of ['ldap', 'web', 'other', 'pa', 'pb']) backends.set(name, await new PassthroughBackend(name, pki, log).listen());
  for (const side of [ports.ha, ports.ours]) {
    for (const k of Object.keys(side) as (keyof Ports)[]) side[k] = await freePort();
    const udp = dgram.createSocket('udp4');
    const lines: string[] = [];
    udp.on('message', (m) => lines.push(m.toString('latin1')));
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    syslogs.set(side, { udp, lines });
  }
  ha = await startHaproxyApi('hapair-tlspass-ha-', config(ports.ha));
  // startHapairProxy probes each port once (connect, close): probe HAProxy's the same way; the show
  // stat test compares counts from after these (the probes land at slightly different moments).
  for (const p of Object.values(ports.ha)) await waitForPort(p);
  px = await startHapairProxy(config(ports.ours)(dir), Object.values(ports.ours));
  await waitApiSocket(join(dir, 'api.sock'));
  await new Promise((r) => setTimeout(r, 300));
  base.ha = await showStatRows(ha.sock('api.sock'));
  base.ours = await showStatRows(join(dir, 'api.sock'));
}, 30_000);

afterAll(async () => {
  for (const s of syslogs.values()) s.udp.close();
  await ha?.stop();
  await px?.stop();
  rmSync(dir, { recursive: true, force: true });
  for (const b of backends.values()) await b.close();
  pki?.files.cleanup();
});

/** An SSLv2-format CLIENT-HELLO offering version 3.1 (what old clients sent for compatibility). */
function sslv2Hello(): Buffer {
  const ciphers = [0x00, 0x00, 0x2f, 0x00, 0x00, 0x35];
  const challenge = Array.from({ length: 16 }, (_, i) => 0x40 + i);
  const msg = [0x01, 0x03, 0x01, 0, ciphers.length, 0, 0, 0, challenge.length, ...ciphers, ...challenge];
  return Buffer.from([0x80 | (msg.length >> 8), msg.length & 0xff, ...msg]);
}

/** `close`: send `bytes` (if any), then close with a FIN or a reset, during the inspection. */
type Client = { tls: ClientOptions; ms?: number } | { plain: Buffer | string } | { close: 'fin' | 'rst' | 'idle'; bytes?: Buffer };

/** `idle`: send `bytes`, then nothing, until the proxy closes (bounded). */
async function leavingClient(port: number, how: 'fin' | 'rst' | 'idle', bytes?: Buffer): Promise<string> {
  const s = net.connect({ port, host: '127.0.0.1' });
  s.on('error', () => undefined);
  await once(s, 'connect');
  if (bytes !== undefined) s.write(bytes);
  await new Promise((r) => setTimeout(r, 30));
  if (how === 'fin') s.end();
  else if (how === 'rst') s.resetAndDestroy();
  let closed = false;
  s.on('close', () => (closed = true));
  for (let i = 0; i < 200 && !closed; i++) await new Promise((r) => setTimeout(r, 10));
  s.destroy();
  return how;
}

interface Outcome {
  readonly backend: string;
  readonly client: string;
  /** `backend/server STATE` of the session's tcplog line ('' when none came). */
  readonly log: string;
}

/** The tcplog line of a new session of `frontend` (after `before` lines), waiting up to 3 s. */
async function logOf(sys: Syslog, before: number, frontend: string): Promise<string> {
  const NAMES: Record<string, string> = { tls: 'tls_in', pool: 'pool_in', short: 'short_delay', ver: 'ver_in', slow: 'slow_client' };
  const name = NAMES[frontend] ?? frontend;
  for (let i = 0; i < 300; i++) {
    const line = sys.lines.slice(before).find((l) => l.includes(` ${name} `));
    // tcplog: ... [date] frontend backend/server Tw/Tc/Tt bytes STATE ...
    const m = line === undefined ? null : new RegExp(` ${name} (\\S+) \\S+ \\d+ (\\S\\S) `).exec(line);
    if (m) return `${m[1]} ${m[2]}`;
    if (line !== undefined) return line;
    await new Promise((r) => setTimeout(r, 10));
  }
  return '';
}

/** One connection to `frontend` (`tls` is tls_in): where it landed (`none`: no backend got it), what the client saw. */
async function run(p: Ports, frontend: keyof Ports, c: Client): Promise<Outcome> {
  const before = log.length;
  const sys = syslogs.get(p)!;
  const linesBefore = sys.lines.length;
  let client: string;
  if ('tls' in c) {
    const r = await tlsClient(p[frontend], pki.cert, c.tls, c.ms);
    client = `${r.greeting}${r.echoed ? ' +echo' : ''}`;
  } else if ('close' in c) {
    client = await leavingClient(p[frontend], c.close, c.bytes);
  } else {
    client = await plainClient(p[frontend], c.plain);
  }
  const backend = await arrivedAt(log, before, client === 'closed' || 'close' in c ? 300 : 8000);
  // Nothing else may arrive from this connection.
  await new Promise((r) => setTimeout(r, 50));
  return { backend: log.length > before + 1 ? `${backend}+${log.length - before - 1}` : backend, client, log: await logOf(sys, linesBefore, frontend) };
}

const CASES: [string, keyof Ports, Client][] = [
  ['SNI matched with -i', 'tls', { tls: { servername: 'LDAP.example.com' } }],
  ['SNI matched with -m end', 'tls', { tls: { servername: 'www.example.com' } }],
  ['SNI matching nothing', 'tls', { tls: { servername: 'example.org' } }],
  ['no SNI', 'tls', { tls: {} }],
  ['a client offering P-256 only', 'tls', { tls: { servername: 'ldap.example.com', ecdhCurve: 'P-256' } }],
  ['hello byte by byte', 'tls', { tls: { servername: 'ldap.example.com', ecdhCurve: 'X25519', piece: 1 } }],
  ['large hello in 100-byte pieces, ALPN h2', 'strict', { tls: { servername: 'www.example.com', alpn: ['h2'], piece: 100 } }],
  ['SNI without the ALPN the rule wants', 'strict', { tls: { servername: 'www.example.com', alpn: ['http/1.1'] } }],
  ['plain text to the accept frontend', 'tls', { plain: 'GET / HTTP/1.0\r\n\r\n' }],
  ['plain text to `reject unless`', 'strict', { plain: 'SSH-2.0-OpenSSH_9.2\r\n' }],
  ['a handshake record too short for a hello', 'tls', { plain: Buffer.from([0x16, 3, 1, 0, 5, 1, 0, 0, 1, 0xaa]) }],
  ['garbage after a hello header, cut short', 'short', { plain: Buffer.concat([Buffer.from([0x16, 3, 3, 2, 0, 1, 0, 1, 0xfc]), Buffer.alloc(100, 0x5a)]) }],
  ['binary garbage', 'strict', { plain: Buffer.from([0x00, 0xff, 0x16, 0x03, 0x01, 0x02]) }],
  ['a hello that stops after 40 bytes', 'short', { tls: { servername: 'ldap.example.com', holdAfter: 40 }, ms: 2000 }],
  ['an SSLv2-format hello (req.ssl_ver 3.1)', 'ver', { plain: sslv2Hello() }],
  ['a TLS hello to the version frontend', 'ver', { tls: { servername: 'x.example.com' } }],
  ['plain text to the version frontend', 'ver', { plain: 'HELO example.com\r\n' }],
  // A client leaving during the inspection: the rules run once more on the final data.
  ['a client closing at once (FIN) where the rules reject', 'strict', { close: 'fin' }],
  ['a client closing at once (FIN) where the rules accept: still connected to the server', 'tls', { close: 'fin' }],
  ['a client resetting at once where the rules reject', 'strict', { close: 'rst' }],
  ['a client resetting at once where the rules accept', 'tls', { close: 'rst' }],
  ['a client resetting after half a hello where the rules accept', 'tls', { close: 'rst', bytes: Buffer.from([0x16, 3, 1, 2, 0, 1]) }],
  ['a client timing out after half a hello (timeout client < inspect-delay)', 'slow', { close: 'idle', bytes: Buffer.from([0x16, 3, 1, 2, 0, 1]) }],
  ['a client closing after garbage (FIN) where the rules reject', 'ver', { close: 'fin', bytes: Buffer.from('HELO x\r\n') }],
];

describe('TLS passthrough like HAProxy 2.6', () => {
  it.each(CASES)('%s', async (_name, frontend, client) => {
    const theirs = await run(ports.ha, frontend, client);
    const ours = await run(ports.ours, frontend, client);
    expect(ours).toEqual(theirs);
  }, 30_000);

  it('use-server on the SNI, round robin without a match', async () => {
    const seq = ['a', 'a', 'b', 'a', 'b', 'b', 'c', 'c'];
    const landed = async (p: Ports): Promise<string[]> => {
      const out: string[] = [];
      for (const s of seq) out.push((await run(p, 'pool', { tls: { servername: `${s}.example.com` } })).backend);
      return out;
    };
    const theirs = await landed(ports.ha);
    expect(theirs.slice(0, 6)).toEqual(['pa', 'pa', 'pb', 'pa', 'pb', 'pb']);
    const ours = await landed(ports.ours);
    expect(ours.slice(0, 6)).toEqual(theirs.slice(0, 6));
    // Without a use-server match: round robin, one each (which first depends on the probes above).
    expect([ours.slice(6).sort(), theirs.slice(6).sort()]).toEqual([['pa', 'pb'], ['pa', 'pb']]);
  }, 60_000);

  it('show stat agrees on every counter that does not depend on timing (counted from the start of the tests)', async () => {
    const TIMING = new Set(['lastchg', 'lastsess', 'rate', 'rate_max', 'conn_rate', 'conn_rate_max', 'qtime', 'ctime', 'rtime', 'ttime',
      'qtime_max', 'ctime_max', 'rtime_max', 'ttime_max', 'slim', 'downtime', 'smax', 'need_conn_est', 'check_duration', 'last_chk', 'agent_duration']);
    // Give both the time to close the last sessions.
    await new Promise((r) => setTimeout(r, 300));
    const theirs = await showStatRows(ha!.sock('api.sock'));
    const ours = await showStatRows(join(dir, 'api.sock'));
    expect([...ours.keys()]).toEqual([...theirs.keys()]);
    // Counters as increments since the baseline; gauges and other fields (status ...) as they are.
    const GAUGES = new Set(['scur', 'qcur', 'weight', 'act', 'bck', 'iweight', 'uweight', 'idle_conn_cur', 'safe_conn_cur', 'used_conn_cur']);
    const since = (f: string, now: string | undefined, then: string | undefined): string =>
      !GAUGES.has(f) && now !== undefined && /^\d+$/.test(now) && then !== undefined && /^\d+$/.test(then) ? String(Number(now) - Number(then)) : now ?? '';
    const diffs: string[] = [];
    let compared = 0;
    for (const [key, t] of theirs) {
      const o = ours.get(key)!;
      for (const [f, v] of t) {
        if (TIMING.has(f)) continue;
        const a = since(f, o.get(f), base.ours.get(key)?.get(f));
        const b = since(f, v, base.ha.get(key)?.get(f));
        if (a !== b) diffs.push(`${key} ${f}: ours=${a} theirs=${b}`);
        if (f === 'stot' && b !== '0') compared++;
      }
    }
    expect(diffs).toEqual([]);
    expect(compared).toBeGreaterThan(10);
  });
});

describe('hello fetches where no request buffer exists, like haproxy -c', () => {
  it('tcp-request connection: the same "will never match" warnings at the same lines', async () => {
    const file = join(dir, 'conn.cfg');
    writeFileSync(file, [
      'defaults', '    mode tcp', '    timeout connect 1s', '    timeout client 1s', '    timeout server 1s',
      'frontend F', '    bind 127.0.0.1:1',
      '    acl mixed src 10.0.0.1', '    acl mixed req.len 3', '    acl l6 req.ssl_sni x',
      '    tcp-request connection reject if { req.len 0 }',
      '    tcp-request connection reject if mixed',
      '    tcp-request connection reject if l6',
      '    tcp-request connection reject if { src 1.2.3.4 } { req.ssl_hello_type 1 }',
      '    tcp-request connection reject if { hdr(host) x }',
      '    tcp-request connection reject if { wait_end } || { req_ssl_ver 3.1 }',
      '    tcp-request content reject if { req.ssl_sni x }',
      '    default_backend B', 'backend B', '    server s 127.0.0.1:1', '',
    ].join('\n'));
    const hap = spawnSync('/usr/sbin/haproxy', ['-c', '-f', file], { encoding: 'utf8', timeout: 20_000 });
    const ours = await runHapair(['check', '-f', file]);
    const theirs = [...hap.stderr.matchAll(/\[WARNING\].*parsing \[[^:]+:(\d+)\] : (.*)/g)].map((m) => `${m[1]}: ${m[2]}`);
    const mine = [...ours.stderr.matchAll(/\[WARNING\] [^:]+:(\d+): frontend 'F': (.*)/g)].map((m) => `${m[1]}: ${m[2]}`);
    expect(theirs.length).toBe(6);
    expect(mine).toEqual(theirs);
    expect([hap.status, ours.code]).toEqual([0, 0]);
  }, 30_000);

  it('tcp-request connection in a backend: the same fatal error', async () => {
    const file = join(dir, 'beconn.cfg');
    writeFileSync(file, 'defaults\n    mode tcp\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n' +
      'backend B\n    tcp-request connection reject if { src 10.0.0.1 }\n    server s 127.0.0.1:1\n');
    const hap = spawnSync('/usr/sbin/haproxy', ['-c', '-f', file], { encoding: 'utf8', timeout: 20_000 });
    const ours = await runHapair(['check', '-f', file]);
    expect([hap.status, ours.code]).toEqual([1, 1]);
    const text = 'tcp-request connection is not allowed because backend B is not a frontend';
    expect(hap.stderr).toContain(`beconn.cfg:7] : ${text}`);
    expect(ours.stderr).toContain(`beconn.cfg:7: backend 'B': ${text}`);
  }, 30_000);
});
