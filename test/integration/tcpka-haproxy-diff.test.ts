// `option tcpka`, `option clitcpka`, `option srvtcpka` (HAProxy configuration.txt 4.2): which of
// the proxy's sockets have SO_KEEPALIVE, read off the kernel with `ss -o` (an established socket
// with it shows a `timer:(keepalive,...)`). The same config runs on HAProxy 2.6 and on hapair; for
// each section a client connection goes through (one request answered over keep-alive, so in
// mode http the server connection stays too) and the proxy's client-side socket (local port: the
// frontend's) and server-side socket (peer port: that section's backend's) are compared. Plain
// TCP and TLS on both sides (`bind ... ssl`, `server ... ssl`), modes tcp and http.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { answerHeads, startHttpResponder, startTcpServer, type TestTcpServer } from '../support/servers.ts';
import { distinctFreePorts, type HaproxyRun, type OracleKind, oracleSides, starterOf } from './http-oracle-harness.ts';
import { makePki } from './tls-bind-harness.ts';

/** Section name → its lines; `fe_`/`be_` pairs are a frontend and its backend. */
const CASES: Record<string, { readonly fe?: string[]; readonly be?: string[]; readonly listen?: string[]; readonly tcpkaDefaults?: boolean }> = {
  none: { listen: [] },
  tcpka: { listen: ['option tcpka'] },
  clitcpka: { listen: ['option clitcpka'] },
  srvtcpka: { listen: ['option srvtcpka'] },
  split_fe_tcpka: { fe: ['option tcpka'], be: [] },
  split_be_tcpka: { fe: [], be: ['option tcpka'] },
  split_both: { fe: ['option clitcpka'], be: ['option srvtcpka'] },
  // From a defaults section with `option tcpka` (both bits), each one cleared on its own.
  inherited: { listen: [], tcpkaDefaults: true },
  no_cli: { listen: ['no option clitcpka'], tcpkaDefaults: true },
  no_srv: { listen: ['no option srvtcpka'], tcpkaDefaults: true },
  no_cli_then_tcpka: { listen: ['no option clitcpka', 'option tcpka'], tcpkaDefaults: true },
};
const NAMES = Object.keys(CASES);
const VARIANTS = ['tcp', 'http', 'tcp-tls', 'http-tls'] as const;
type Variant = (typeof VARIANTS)[number];
const SECTIONS = VARIANTS.flatMap((v) => NAMES.map((n) => ({ v, n })));

const pki = makePki();
const pem = pki.pem('dflt');
const tlsCreds = { cert: readFileSync(pem), key: readFileSync(pem) };
afterAll(() => pki.cleanup());

/** Every request head gets a kept-alive 200 (in mode tcp the bytes come through as they are). */
const ok = (): string => 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok';

async function tlsBackend(): Promise<TestTcpServer> {
  const ctx = tls.createSecureContext(tlsCreds);
  return startTcpServer((raw) => {
    const s = new tls.TLSSocket(raw, { isServer: true, secureContext: ctx });
    s.on('error', () => raw.destroy());
    answerHeads(s, ok);
  });
}

function config(ports: readonly number[], backends: readonly TestTcpServer[]): string {
  const head = (tcpka: boolean): string => `defaults
    timeout client 5s
    timeout connect 5s
    timeout server 5s
${tcpka ? '    option tcpka\n' : ''}`;
  const sections = (tcpka: boolean): string => SECTIONS.map(({ v, n }, i) => ({ v, n, i })).filter(({ n }) => (CASES[n]!.tcpkaDefaults === true) === tcpka).map(({ v, n, i }) => {
    const c = CASES[n]!;
    const tlsOn = v.endsWith('-tls');
    const mode = `    mode ${v.startsWith('http') ? 'http' : 'tcp'}\n`;
    const bind = `    bind 127.0.0.1:${ports[i]}${tlsOn ? ` ssl crt ${pem}` : ''}\n`;
    const server = `    server s 127.0.0.1:${backends[i]!.port}${tlsOn ? ' ssl verify none' : ''}\n`;
    const lines = (l: readonly string[]): string => l.map((x) => `    ${x}\n`).join('');
    const name = `${n}_${v.replace('-', '_')}`;
    if (c.listen !== undefined) return `listen ${name}\n${mode}${bind}${lines(c.listen)}${server}`;
    return `frontend fe_${name}\n${mode}${bind}${lines(c.fe!)}    default_backend be_${name}\nbackend be_${name}\n${mode}${lines(c.be!)}${server}`;
  }).join('');
  return `global\n    nbthread 1\n${head(false)}${sections(false)}${head(true)}${sections(true)}`;
}

interface Side {
  readonly run: HaproxyRun;
  readonly ports: number[];
  readonly backends: TestTcpServer[];
}

async function startSide(kind: OracleKind): Promise<Side> {
  const backends: TestTcpServer[] = [];
  for (const { v } of SECTIONS) backends.push(v.endsWith('-tls') ? await tlsBackend() : await startHttpResponder(ok));
  // After the backends took their ports: a port free a moment ago could be one of theirs.
  const ports = await distinctFreePorts(SECTIONS.length);
  return { run: await starterOf(kind)(config(ports, backends), ports), ports, backends };
}

const sides = oracleSides(startSide, async (s) => {
  await s.run.stop();
  for (const b of s.backends) await b.close();
});

interface Sock {
  readonly local: number;
  readonly peer: number;
  readonly keepalive: boolean;
  readonly sending: boolean;
}

/** The established TCP sockets of the machine on loopback, from `ss -tnoH`. */
function sockets(): Sock[] {
  const out = execFileSync('ss', ['-tnoH', 'state', 'established'], { encoding: 'latin1' });
  return out.split('\n').filter((l) => l.trim() !== '').map((l) => {
    const t = l.trim().split(/\s+/);
    const port = (a: string): number => Number(a.slice(a.lastIndexOf(':') + 1));
    // Unacknowledged bytes (a delayed ACK) show the retransmit timer instead: `timer:(on,...)`.
    return { local: port(t[2]!), peer: port(t[3]!), keepalive: l.includes('timer:(keepalive'), sending: l.includes('timer:(on') };
  });
}

/** One request through section `idx`; then which of the proxy's two sockets have keep-alive probes. */
async function probe(side: Side, idx: number): Promise<{ client: boolean; server: boolean }> {
  const { v } = SECTIONS[idx]!;
  const port = side.ports[idx]!;
  const c = v.endsWith('-tls')
    ? tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false })
    : net.connect(port, '127.0.0.1');
  try {
    c.on('error', () => undefined);
    let got = '';
    const answered = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer through ${JSON.stringify(SECTIONS[idx])}: ${JSON.stringify(got)}`)), 3000);
      c.on('data', (d: Buffer) => {
        got += d.toString('latin1');
        if (got.endsWith('\r\n\r\nok')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    c.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
    await answered;
    const mine = (c as net.Socket).localPort!;
    // Until both sockets have had their bytes acknowledged (delayed ACKs end within 200 ms).
    for (let i = 0; ; i++) {
      const all = sockets();
      const client = all.filter((s) => s.local === port && s.peer === mine);
      const server = all.filter((s) => s.peer === side.backends[idx]!.port);
      if (client.length !== 1 || server.length !== 1) throw new Error(`expected one socket each side, got ${JSON.stringify({ client, server })}`);
      if (!client[0]!.sending && !server[0]!.sending) return { client: client[0]!.keepalive, server: server[0]!.keepalive };
      if (i === 100) throw new Error(`bytes still unacknowledged after 2 s: ${JSON.stringify({ client, server })}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    c.destroy();
  }
}

describe('option tcpka / clitcpka / srvtcpka: the same sockets have SO_KEEPALIVE as with HAProxy 2.6', () => {
  it.each(SECTIONS.map(({ v, n }, i) => [`${n} (${v})`, i] as const))('%s', async (_label, idx) => {
    const ref = await probe(sides.haproxy, idx);
    const ours = await probe(sides.hapair, idx);
    expect(ours).toEqual(ref);
  });

  it('the cases cover each side with and without probes', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < NAMES.length; i++) seen.add(JSON.stringify(await probe(sides.haproxy, i)));
    expect(seen.size).toBe(4);
  });
});
