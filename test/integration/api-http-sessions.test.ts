// `show sess`, `shutdown session` and `shutdown sessions server` on `mode http` sessions (they were
// listed and killed for `mode tcp` only): requests held by a server that never answers are listed
// with HAProxy 2.6's leading fields (the same as haproxy prints for the same request), and both
// shutdown commands cut them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, holdServer, TestClient, waitFor, type TestServer } from './proxy-harness.ts';
import { ask, startApiProxy, type ApiProxy } from './api-harness.ts';
import { startHaproxyApi, type HaproxyApi } from './haproxy-api-oracle.ts';

let hold: TestServer;
let px: ApiProxy;
let ha: HaproxyApi | undefined;
let port: number;
let haPort: number;
const clients: TestClient[] = [];

const cfg = (dir: string, p: number): string => `global
    stats socket ${dir}/api.sock level admin
defaults
    mode http
    timeout connect 1s
    timeout client 10s
    timeout server 10s
frontend web
    bind 127.0.0.1:${p}
    default_backend app
backend app
    server h1 127.0.0.1:${hold.port}
`;

beforeAll(async () => {
  hold = await holdServer();
  port = await freePort();
  haPort = await freePort();
  px = await startApiProxy((dir) => cfg(dir, port));
  ha = await startHaproxyApi('hapair-sess-ha-', (dir) => cfg(dir, haPort));
}, 30_000);

afterAll(async () => {
  for (const c of clients) c.destroy();
  await px?.stop();
  await ha?.stop();
  await hold?.close();
});

function held(p: number): TestClient {
  const c = new TestClient(p);
  clients.push(c);
  c.socket.write('GET /wait HTTP/1.1\r\nhost: x\r\n\r\n');
  return c;
}

/** `show sess` lines of the `web` frontend, cut after `srv=` (what hapair and haproxy share). */
async function webLines(sock: string): Promise<string[]> {
  return (await ask(sock, 'show sess')).split('\n').filter((l) => l.includes(' fe=web '));
}

const lead = (l: string) => /^0x[0-9a-f]+: (proto=\S+ src=127\.0\.0\.1:)\d+( fe=\S+ be=\S+ srv=\S+).* age=(\S+)/.exec(l)?.slice(1).join('');

describe('http sessions in the runtime API', () => {
  it('show sess lists held requests with the fields haproxy prints first', async () => {
    held(port);
    held(port);
    held(haPort);
    await waitFor(() => (hold.sockets.size === 3 ? true : undefined), 10_000, 'three requests at the server');
    const ours = await webLines(px.sock('api.sock'));
    const theirs = await webLines(ha!.sock('api.sock'));
    expect(ours).toHaveLength(2);
    expect(theirs).toHaveLength(1);
    expect(lead(ours[0]!)).toBe(lead(theirs[0]!));
    expect(lead(ours[0]!)).toBe('proto=tcpv4 src=127.0.0.1: fe=web be=app srv=h10s');
  });

  it('shutdown session cuts one request, shutdown sessions server the others', async () => {
    const [first] = await webLines(px.sock('api.sock'));
    const id = first!.split(':')[0]!;
    expect(await ask(px.sock('api.sock'), `shutdown session ${id}`)).toBe('\n');
    await waitFor(() => ([...px.runtime.http.sessions()].length === 1 ? true : undefined), 10_000, 'one http session left');
    expect(await webLines(px.sock('api.sock'))).toHaveLength(1);
    expect(await ask(px.sock('api.sock'), 'shutdown sessions server app/h1')).toBe('\n');
    await waitFor(() => ([...px.runtime.http.sessions()].length === 0 ? true : undefined), 10_000, 'no http session left');
    await Promise.all(clients.slice(0, 2).map((c) => c.closed));
    expect(await webLines(px.sock('api.sock'))).toEqual([]);
  });
});
