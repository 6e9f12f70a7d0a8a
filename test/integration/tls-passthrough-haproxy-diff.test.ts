// Differential against HAProxy 2.6: TLS passthrough routed by req.ssl_sni / req.ssl_hello_type /
// req.ssl_ver / req.ssl_alpn / use-server in mode tcp, the same config text on both (ports aside),
// the same real node:tls clients, hellos split or cut short, garbage. Each connection must land on
// the same backend with the same outcome for the client, and `show stat` must agree afterwards on
// every counter that does not depend on timing.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHapair } from '../support/process.ts';
import { freePort } from './proxy-harness.ts';
import { showStatRows, startApiProxy, type ApiProxy } from './api-harness.ts';
import { startHaproxyApi, type HaproxyApi } from './haproxy-api-oracle.ts';
import { arrivedAt, makePki, PassthroughBackend, plainClient, tlsClient, type ClientOptions, type Pki } from './tls-passthrough-harness.ts';

type Ports = Record<'tls' | 'strict' | 'pool' | 'short' | 'ver', number>;

let pki: Pki;
const log: string[] = [];
const backends = new Map<string, PassthroughBackend>();
let ha: HaproxyApi | undefined;
let px: ApiProxy | undefined;
const ports: { ha: Ports; ours: Ports } = { ha: { tls: 0, strict: 0, pool: 0, short: 0, ver: 0 }, ours: { tls: 0, strict: 0, pool: 0, short: 0, ver: 0 } };

const port = (name: string): number => backends.get(name)!.port;
const config = (p: Ports) => (dir: string): string => `global
    stats socket ${dir}/api.sock level admin
defaults
    mode tcp
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend tls_in
    bind 127.0.0.1:${p.tls}
    tcp-request inspect-delay 5s
    tcp-request content accept if { req.ssl_hello_type 1 }
    use_backend ldap if { req.ssl_sni -i ldap.example.com }
    use_backend web  if { req_ssl_sni -m end .example.com }
    default_backend other
frontend strict
    bind 127.0.0.1:${p.strict}
    tcp-request inspect-delay 5s
    tcp-request content reject unless { req.ssl_hello_type 1 }
    use_backend web if { req.ssl_sni -m end .example.com } { req.ssl_alpn h2 }
    default_backend other
frontend pool_in
    bind 127.0.0.1:${p.pool}
    tcp-request inspect-delay 5s
    tcp-request content accept if { req.ssl_hello_type 1 }
    default_backend pool
frontend short_delay
    bind 127.0.0.1:${p.short}
    tcp-request inspect-delay 500ms
    tcp-request content accept if { req.ssl_hello_type 1 }
    use_backend ldap if { req.ssl_sni -i ldap.example.com }
    default_backend other
frontend ver_in
    bind 127.0.0.1:${p.ver}
    tcp-request inspect-delay 5s
    tcp-request content reject if !{ req.ssl_ver ge 3.0 }
    use_backend ldap if { req_ssl_ver lt 3.3 }
    use_backend web if { req.ssl_ec_ext } { req.ssl_st_ext 1 }
    default_backend other
backend ldap
    server l1 127.0.0.1:${port('ldap')}
backend web
    server w1 127.0.0.1:${port('web')}
backend other
    server o1 127.0.0.1:${port('other')}
backend pool
    balance roundrobin
    use-server a if { req.ssl_sni a.example.com }
    use-server b if { req.ssl_sni b.example.com }
    server a 127.0.0.1:${port('pa')}
    server b 127.0.0.1:${port('pb')}
`;

beforeAll(async () => {
  pki = makePki();
  for (const name of ['ldap', 'web', 'other', 'pa', 'pb']) backends.set(name, await new PassthroughBackend(name, pki, log).listen());
  for (const side of [ports.ha, ports.ours]) for (const k of Object.keys(side) as (keyof Ports)[]) side[k] = await freePort();
  ha = await startHaproxyApi('hapair-tlspass-ha-', config(ports.ha));
  px = await startApiProxy(config(ports.ours));
}, 30_000);

afterAll(async () => {
  await ha?.stop();
  await px?.stop();
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

type Client = { tls: ClientOptions; ms?: number } | { plain: Buffer | string };

interface Outcome {
  readonly backend: string;
  readonly client: string;
}

/** One connection to `frontend` (`tls` is tls_in): where it landed (`none`: no backend got it), what the client saw. */
async function run(p: Ports, frontend: keyof Ports, c: Client): Promise<Outcome> {
  const before = log.length;
  let client: string;
  if ('tls' in c) {
    const r = await tlsClient(p[frontend], pki.cert, c.tls, c.ms);
    client = `${r.greeting}${r.echoed ? ' +echo' : ''}`;
  } else {
    client = await plainClient(p[frontend], c.plain);
  }
  const backend = await arrivedAt(log, before, client === 'closed' ? 300 : 8000);
  // Nothing else may arrive from this connection.
  await new Promise((r) => setTimeout(r, 50));
  return { backend: log.length > before + 1 ? `${backend}+${log.length - before - 1}` : backend, client };
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
];

describe('TLS passthrough like HAProxy 2.6', () => {
  it.each(CASES)('%s', async (_name, frontend, client) => {
    const theirs = await run(ports.ha, frontend, client);
    const ours = await run(ports.ours, frontend, client);
    expect(ours).toEqual(theirs);
  }, 30_000);

  it('use-server on the SNI, round robin without a match', async () => {
    const seq = ['a', 'a', 'b', 'a', 'b', 'b', 'c', 'c', 'c'];
    const landed = async (p: Ports): Promise<string[]> => {
      const out: string[] = [];
      for (const s of seq) out.push((await run(p, 'pool', { tls: { servername: `${s}.example.com` } })).backend);
      return out;
    };
    const theirs = await landed(ports.ha);
    expect(theirs.slice(0, 6)).toEqual(['pa', 'pa', 'pb', 'pa', 'pb', 'pb']);
    expect(await landed(ports.ours)).toEqual(theirs);
  }, 60_000);

  it('show stat agrees on every counter that does not depend on timing', async () => {
    const TIMING = new Set(['lastchg', 'lastsess', 'rate', 'rate_max', 'conn_rate', 'conn_rate_max', 'qtime', 'ctime', 'rtime', 'ttime',
      'qtime_max', 'ctime_max', 'rtime_max', 'ttime_max', 'slim', 'downtime', 'smax', 'scur', 'check_duration', 'last_chk', 'agent_duration']);
    // Give both the time to close the last sessions.
    await new Promise((r) => setTimeout(r, 300));
    const theirs = await showStatRows(ha!.sock('api.sock'));
    const ours = await showStatRows(px!.sock('api.sock'));
    expect([...ours.keys()]).toEqual([...theirs.keys()]);
    const diffs: string[] = [];
    for (const [key, t] of theirs) {
      const o = ours.get(key)!;
      for (const [f, v] of t) if (!TIMING.has(f) && o.get(f) !== v) diffs.push(`${key} ${f}: ours=${o.get(f)} theirs=${v}`);
    }
    expect(diffs).toEqual([]);
  });
});

describe('hello fetches where no request buffer exists, like haproxy -c', () => {
  it('tcp-request connection: the same "will never match" warnings at the same lines', async () => {
    const file = join(px!.dir, 'conn.cfg');
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
    const file = join(px!.dir, 'beconn.cfg');
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
