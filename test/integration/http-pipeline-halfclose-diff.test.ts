// A client that pipelines requests and then half-closes (shutdown SHUT_WR) while its first request
// is still at the server, differential against HAProxy 2.6: HAProxy serves every request it had
// read, then closes. The same bytes go through haproxy and hapair to a server that holds its
// first answer until the client's FIN has had time to reach the proxy; compared: everything the
// client received until the proxy closed, and the requests the server got.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { startTcpServer, type TestTcpServer } from '../support/servers.ts';
import { distinctFreePorts, type HaproxyRun, type OracleKind, oracleSides, starterOf } from './http-oracle-harness.ts';

interface Holding {
  readonly tcp: TestTcpServer;
  readonly paths: string[];
  /** Answer what is held, and from then on every request at once. */
  release(): void;
  reset(): void;
}

async function holdingServer(): Promise<Holding> {
  const paths: string[] = [];
  let held: (() => void)[] = [];
  let open = false;
  const tcp = await startTcpServer((s) => {
    let buf = '';
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
        const path = buf.split(' ')[1]!;
        buf = buf.slice(end + 4);
        paths.push(path);
        const answer = (): void => void s.write(`HTTP/1.1 200 OK\r\ncontent-length: ${path.length}\r\n\r\n${path}`);
        if (open) answer();
        else held.push(answer);
      }
    });
  });
  return {
    tcp,
    paths,
    release: () => {
      open = true;
      for (const a of held) a();
      held = [];
    },
    reset: () => {
      open = false;
      held = [];
      paths.length = 0;
    },
  };
}

interface Side {
  readonly run: HaproxyRun;
  readonly port: number;
  readonly server: Holding;
}

async function startSide(kind: OracleKind): Promise<Side> {
  const server = await holdingServer();
  const [port] = await distinctFreePorts(1);
  const cfg = `global
    nbthread 1
defaults
    mode http
    timeout client 5s
    timeout connect 5s
    timeout server 5s
listen l
    bind 127.0.0.1:${port}
    server s 127.0.0.1:${server.tcp.port}
`;
  return { run: await starterOf(kind)(cfg, [port!]), port: port!, server };
}

const sides = oracleSides(startSide, async (s) => {
  await s.run.stop();
  await s.server.tcp.close();
});

/** Pipeline `paths` (HTTP/1.1 `version`), half-close, let the server answer; what came back until the close. */
async function play(side: Side, paths: readonly string[], version: string): Promise<{ client: string; server: string[] }> {
  side.server.reset();
  const c = net.connect({ port: side.port, host: '127.0.0.1', allowHalfOpen: true });
  let got = '';
  c.on('data', (d: Buffer) => (got += d.toString('latin1')));
  c.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => c.on('end', () => resolve()));
  c.write(paths.map((p) => `GET ${p} HTTP/${version}\r\nhost: x\r\n\r\n`).join(''));
  // The first request is at the server (held) before the client's FIN.
  for (let i = 0; i < 150 && side.server.paths.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  c.end();
  // Time for the FIN to reach the proxy while the server still holds its answer.
  await new Promise((r) => setTimeout(r, 100));
  side.server.release();
  await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error(`no close: ${JSON.stringify(got)}`)), 3000))]);
  c.destroy();
  return { client: got, server: [...side.server.paths] };
}

const CASES: [string, string[], string][] = [
  ['one request', ['/a'], '1.1'],
  ['two pipelined requests', ['/a', '/b'], '1.1'],
  ['three pipelined requests', ['/a', '/b', '/c'], '1.1'],
  ['two pipelined HTTP/1.0 keep-alive-less requests', ['/a', '/b'], '1.0'],
];

describe('pipelined requests, then a half-close while the first is at the server: as HAProxy 2.6', () => {
  it.each(CASES)('%s', async (_label, paths, version) => {
    const ref = await play(sides.haproxy, paths, version);
    const ours = await play(sides.hapair, paths, version);
    expect(ours).toEqual(ref);
  });
});
