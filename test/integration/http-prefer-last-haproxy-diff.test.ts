// `option prefer-last-server` (HAProxy configuration.txt 4.2): a keep-alive client's next request
// goes to the server its session still holds a connection to (backend.c assign_server), which
// with HAProxy 2.6's H1 multiplexer means `http-reuse never`; not with hash-based algorithms.
// Differential: the same requests, on one client connection and then interleaved with a second
// one, through HAProxy 2.6 and hapair; compared: which server answered each request.
import { describe, expect, it } from 'vitest';
import { startHttpResponder, type TestTcpServer } from '../support/servers.ts';
import { HttpClient } from './http-harness.ts';
import { distinctFreePorts, type HaproxyRun, type OracleKind, oracleSides, starterOf } from './http-oracle-harness.ts';

const SECTIONS: Record<string, string[]> = {
  rr_never: ['http-reuse never'],
  rr_pref: ['http-reuse never', 'option prefer-last-server'],
  rr_pref_safe: ['option prefer-last-server'],
  lc_pref: ['balance leastconn', 'http-reuse never', 'option prefer-last-server'],
  random_pref: ['balance random', 'http-reuse never', 'option prefer-last-server'],
  rr_pref_off: ['http-reuse never', 'option prefer-last-server', 'no option prefer-last-server'],
};
const NAMES = Object.keys(SECTIONS);

/** Answers every request with its own name. */
function named(name: string): Promise<TestTcpServer> {
  return startHttpResponder(() => `HTTP/1.1 200 OK\r\ncontent-length: ${name.length}\r\n\r\n${name}`);
}

interface Side {
  readonly run: HaproxyRun;
  readonly ports: number[];
  readonly servers: TestTcpServer[];
}

async function startSide(kind: OracleKind): Promise<Side> {
  const servers = [await named('s1'), await named('s2'), await named('s3')];
  const ports = await distinctFreePorts(NAMES.length);
  const cfg = `global
    nbthread 1
defaults
    mode http
    timeout client 5s
    timeout connect 5s
    timeout server 5s
${NAMES.map((name, i) => `listen ${name}
    bind 127.0.0.1:${ports[i]}
${SECTIONS[name]!.map((l) => `    ${l}\n`).join('')}${servers.map((s, j) => `    server s${j + 1} 127.0.0.1:${s.port}\n`).join('')}`).join('')}`;
  return { run: await starterOf(kind)(cfg, ports), ports, servers };
}

const sides = oracleSides(startSide, async (s) => {
  await s.run.stop();
  for (const b of s.servers) await b.close();
});

/** Client A sends 3 requests, then B and A alternate; the server of each, as `A:s1`. random: only whether A stayed. */
async function trace(side: Side, name: string): Promise<string[]> {
  const port = side.ports[NAMES.indexOf(name)]!;
  const a = new HttpClient(port);
  const b = new HttpClient(port);
  const out: string[] = [];
  try {
    for (const [c, label] of [[a, 'A'], [a, 'A'], [a, 'A'], [b, 'B'], [a, 'A'], [b, 'B'], [a, 'A']] as const) {
      c.send('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
      const r = await c.read();
      out.push(`${label}:${r.body}`);
    }
  } finally {
    a.close();
    b.close();
  }
  if (name !== 'random_pref') return out;
  // A random pick differs per process: compare whether each client kept its first server.
  const first = new Map<string, string>();
  return out.map((e) => {
    const [who, srv] = e.split(':') as [string, string];
    if (!first.has(who)) first.set(who, srv);
    return `${who}:${first.get(who) === srv ? 'same' : 'other'}`;
  });
}

describe('option prefer-last-server picks the servers HAProxy 2.6 picks', () => {
  it.each(NAMES)('%s', async (name) => {
    const ref = await trace(sides.haproxy, name);
    const ours = await trace(sides.hapair, name);
    expect(ours).toEqual(ref);
  });
});
