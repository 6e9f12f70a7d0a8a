// Differential test: HAProxy 2.6 in `mode http` balances requests over loopback backends that
// answer their name; hapair's balancers, built from the same configuration text, must pick the
// same server for every request (hash picks, and the round-robin fallback when the key is absent).
// The balancers are driven directly; then the same requests go through `hapair proxy` (its HTTP
// session fills the balance key) and must land on the same servers as through HAProxy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Server } from '../../src/backend/server.ts';
import { formatDiagnostic, parseConfigText } from '../../src/config/config.ts';
import type { BalanceKey } from '../../src/lb/balancer.ts';
import { createBalancer } from '../../src/lb/create-balancer.ts';
import { distinctFreePorts, type HaproxyRun, type NameServer, rawRequest, startHapairProxy, startHaproxy, startNameServer } from './http-oracle-harness.ts';

/** One `listen` per case: its balance lines and the requests sent to it, in order. */
interface Case {
  readonly name: string;
  readonly lines: string[];
  readonly requests: Req[];
}

interface Req {
  readonly method: 'GET' | 'POST';
  readonly target: string;
  readonly headers: [string, string][];
  readonly body?: string;
  /** Client address (a loopback alias) for `balance source`. */
  readonly src?: string;
}

const get = (target: string, headers: [string, string][] = []): Req => ({ method: 'GET', target, headers });

/** Deterministic pseudo-random words (no Math.random: a failure must replay). */
function word(i: number, salt: number): string {
  let x = (Math.imul(i + 1, 2654435761) ^ Math.imul(salt, 40503)) >>> 0;
  let s = '';
  for (let k = 0; k < 3 + (x % 9); k++) {
    s += 'abcdefghijklmnopqrstuvwxyz0123456789-_.~'[x % 40];
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
  }
  return s;
}

const N = 60;
const uris = Array.from({ length: N }, (_, i) => `/${word(i, 1)}/${word(i, 2)}/${word(i, 3)}${i % 3 ? `?${word(i, 4)}=${word(i, 5)}` : ''}`);
/** Absolute-form targets (HAProxy 2.6 wants the Host header to match their authority). */
const absolute = Array.from({ length: N }, (_, i): Req => {
  if (i % 4 === 0) return get(uris[i]);
  const authority = `${word(i, 6)}.example:8080`;
  return get(`http://${authority}${i % 4 === 1 ? '' : uris[i]}`, [['host', authority]]);
});
const params = Array.from({ length: N }, (_, i) => {
  const value = word(i, 7);
  if (i % 5 === 0) return get(`/p?other=${value}`); // no parameter: round robin
  if (i % 5 === 1) return get(`/p?a=1&userid=${value}&b=2`);
  if (i % 5 === 2) return get(`/p?userid=${value}`);
  if (i % 5 === 3) return { method: 'POST' as const, target: '/form', headers: [['content-type', 'application/x-www-form-urlencoded']] as [string, string][], body: `x=1&userid=${value}` };
  return get(`/p?useridx=${value}&userid=`); // empty value
});
const hosts = Array.from({ length: N }, (_, i) => (i % 7 === 0 ? get('/') : get('/', [['host', `${word(i, 8)}.${word(i, 9)}.com`]])));
const sources = Array.from({ length: N }, (_, i): Req => ({ ...get('/'), src: `127.${(i * 37) % 250}.${(i * 11) % 250}.${1 + ((i * 101) % 250)}` }));
const keys = Array.from({ length: N }, (_, i) => get('/', i % 6 === 0 ? [] : [['x-key', i % 6 === 1 ? `  ${word(i, 10)} , ${word(i, 11)}` : word(i, 10)]]));

const CASES: Case[] = [
  { name: 'uri_map', lines: ['balance uri'], requests: uris.map((u) => get(u)) },
  { name: 'uri_cons', lines: ['balance uri whole', 'hash-type consistent'], requests: uris.map((u) => get(u)) },
  { name: 'uri_len_depth', lines: ['balance uri len 9 depth 2', 'hash-type map-based djb2'], requests: uris.map((u) => get(u)) },
  { name: 'uri_path_only', lines: ['balance uri path-only', 'hash-type consistent wt6'], requests: absolute },
  { name: 'uri_absolute', lines: ['balance uri', 'hash-type map-based crc32 avalanche'], requests: absolute },
  { name: 'param_map', lines: ['balance url_param userid check_post', 'option http-buffer-request'], requests: params },
  { name: 'param_cons', lines: ['balance url_param userid', 'hash-type consistent djb2 avalanche'], requests: params },
  { name: 'hdr_map', lines: ['balance hdr(X-Key)', 'hash-type map-based wt6'], requests: keys },
  { name: 'hdr_cons', lines: ['balance hdr(x-key)', 'hash-type consistent crc32'], requests: keys },
  { name: 'source_aval', lines: ['balance source', 'hash-type map-based sdbm avalanche'], requests: sources },
  { name: 'source_cons_wt6', lines: ['balance source', 'hash-type consistent wt6 avalanche'], requests: sources },
  { name: 'hdr_domain', lines: ['balance hdr(host) use_domain_only', 'hash-type consistent'], requests: hosts },
];

/** Backends of every case: weights 1,2,3,1 and an explicit id on the last one. */
const SERVERS = [
  ['s1', 'weight 1'],
  ['s2', 'weight 2'],
  ['s3', 'weight 3'],
  ['s4', 'weight 1 id 17'],
] as const;

function configText(ports: ReadonlyMap<string, number>, backends: NameServer[]): string {
  const servers = SERVERS.map(([name, extra], i) => `    server ${name} 127.0.0.1:${backends[i].port} ${extra}`).join('\n');
  const listens = CASES.map((c) => `listen ${c.name}\n    bind 127.0.0.1:${ports.get(c.name)}\n${c.lines.map((l) => `    ${l}`).join('\n')}\n${servers}\n`);
  return `global\n    nbthread 1\ndefaults\n    mode http\n    timeout connect 2s\n    timeout client 5s\n    timeout server 5s\n${listens.join('')}`;
}

function requestHead(r: Req): string {
  const host = r.headers.some(([n]) => n === 'host') ? '' : '\r\nhost: test';
  return `${r.method} ${r.target} HTTP/1.1${host}${r.headers.map(([n, v]) => `\r\n${n}: ${v}`).join('')}`;
}

function balanceKey(r: Req): BalanceKey {
  const headers = r.headers.some(([n]) => n === 'host') ? r.headers : [...r.headers, ['host', 'test'] as [string, string]];
  return {
    src: r.src ?? '127.0.0.1',
    uri: r.target,
    method: r.method,
    body: r.body,
    header: (name) => headers.find(([n]) => n === name.toLowerCase())?.[1],
  };
}

let backends: NameServer[] = [];
let haproxy: HaproxyRun | undefined;
let hapair: HaproxyRun | undefined;
const ports = new Map<string, number>();
const hapairPorts = new Map<string, number>();
let cfg = '';
/** What HAProxy chose, per case, for the hapair run to compare with. */
const haproxyPicks = new Map<string, string[]>();

beforeAll(async () => {
  backends = await Promise.all(SERVERS.map(([name]) => startNameServer(name)));
  const free = await distinctFreePorts(CASES.length);
  CASES.forEach((c, i) => ports.set(c.name, free[i]));
  cfg = configText(ports, backends);
  haproxy = await startHaproxy(cfg, [...ports.values()]);
  // Taken while HAProxy holds its own, so that no port is shared (SO_REUSEPORT would split traffic).
  const more = await distinctFreePorts(CASES.length);
  CASES.forEach((c, i) => hapairPorts.set(c.name, more[i]));
});

afterAll(async () => {
  await haproxy?.stop();
  await hapair?.stop();
  await Promise.all(backends.map((b) => b.close()));
});

async function send(port: number, c: Case): Promise<string[]> {
  const seen: string[] = [];
  for (const r of c.requests) {
    const res = await rawRequest(port, requestHead(r), r.body ?? '', r.src);
    expect(res.status).toBe(200);
    seen.push(res.body);
  }
  return seen;
}

const labelled = (c: Case, names: string[]) => names.map((name, i) => `${c.requests[i].target} ${c.requests[i].headers.map(([, v]) => v).join()} ${name}`);

describe('L7 hash balancers pick the servers HAProxy 2.6 picks', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const seen = await send(ports.get(c.name)!, c);
    haproxyPicks.set(c.name, seen);
    const parsed = parseConfigText(cfg, 'diff.cfg');
    expect(parsed.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([]);
    const px = parsed.config!.proxies.find((p) => p.name === c.name)!;
    const balancer = createBalancer(px.balance, px.servers.map((s) => new Server(s, px.name)), { allbackups: false });
    const ours = c.requests.map((r) => balancer.pick(balanceKey(r))!.name);
    expect(labelled(c, ours)).toEqual(labelled(c, seen));
    expect(new Set(seen).size, 'the requests spread over several servers').toBeGreaterThan(1);
  });
});

describe('hapair proxy balances the same requests like HAProxy 2.6', () => {
  beforeAll(async () => {
    hapair = await startHapairProxy(configText(hapairPorts, backends), [...hapairPorts.values()]);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const expected = haproxyPicks.get(c.name);
    expect(expected, 'the HAProxy run of this case').toBeDefined();
    expect(labelled(c, await send(hapairPorts.get(c.name)!, c))).toEqual(labelled(c, expected!));
  });
});
