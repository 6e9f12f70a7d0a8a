// Connection setup to servers: retries and redispatch against a refusing port, `timeout
// connect` against a server that never answers, servers dying, no server at all, server names.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import {
  configOf,
  exchange,
  freePort,
  nameServer,
  proxySpec,
  serverSpec,
  startProxy,
  tcpBind,
  TestClient,
  TestServer,
  waitFor,
  type TestProxy,
} from './proxy-harness.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function started(px: Promise<TestProxy>): Promise<TestProxy> {
  const p = await px;
  cleanups.push(() => p.runtime.stop());
  return p;
}

async function named(name: string): Promise<TestServer> {
  const s = await nameServer(name);
  cleanups.push(() => s.close());
  return s;
}

/**
 * A loopback listener that never accepts (a sleeping perl process, listen backlog 1), with
 * its accept queue filled: further SYNs are dropped by the kernel, so connects hang.
 */
async function blackhole(): Promise<number> {
  const child = spawn('perl', ['-MIO::Socket::INET', '-e', '$|=1; my $s = IO::Socket::INET->new(LocalAddr=>"127.0.0.1", LocalPort=>0, Listen=>1, Proto=>"tcp") or die "$!"; print $s->sockport, "\\n"; sleep 600;'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanups.push(async () => {
    child.kill('SIGKILL');
    if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
  });
  const [line] = (await once(child.stdout!.setEncoding('utf8'), 'data')) as [string];
  const port = Number(line.trim());
  // Fill the accept queue until a connection attempt stalls (bounded).
  for (let i = 0; i < 16; i++) {
    const filler = net.connect({ port, host: '127.0.0.1' });
    filler.on('error', () => {});
    cleanups.push(() => void filler.destroy());
    const ok = await Promise.race([once(filler, 'connect').then(() => true), new Promise((r) => setTimeout(() => r(false), 300))]);
    if (!ok) return port;
  }
  throw new Error('could not fill the accept queue of the blackhole listener');
}

describe('connect, retries, redispatch', () => {
  it('retries a refused server `retries` times then closes the client cleanly (SC)', async () => {
    const dead = await freePort();
    const px = await started(
      startProxy(configOf([proxySpec({ name: 'r', binds: [tcpBind(0)], servers: [serverSpec('s1', dead)], retries: 2, timeouts: { connect: 100 } })])),
    );
    const reply = await exchange(px.port(), 'hello');
    expect(reply.length).toBe(0);
    const [rec] = await px.waitLogs(1);
    expect(rec).toMatchObject({ termination: 'SC', server: 's1', retries: 2, redispatched: false, Tc: -1, bytesRead: 0, bytesUploaded: 5 });
    const be = px.runtime.backends.get('r')!;
    expect(be.counters.econ).toBe(1);
    expect(be.counters.wretr).toBe(2);
    expect(be.countersOf(be.servers[0])).toMatchObject({ econ: 1, wretr: 2 });
    expect(be.servers[0].served).toBe(0);
  });

  it('redispatches to another server with option redispatch (retries shown as +N)', async () => {
    const dead = await freePort();
    const alive = await named('alive');
    const px = await started(
      startProxy(
        configOf([
          proxySpec({ name: 'rd', binds: [tcpBind(0)], servers: [serverSpec('dead', dead), serverSpec('alive', alive.port)], redispatch: -1, timeouts: { connect: 100 } }),
        ]),
      ),
    );
    for (let i = 0; i < 6; i++) expect((await exchange(px.port(), '', { end: false })).toString()).toBe('alive');
    const recs = await px.waitLogs(6);
    expect(recs.every((r) => r.server === 'alive' && r.termination === '--')).toBe(true);
    const moved = recs.filter((r) => r.redispatched);
    expect(moved.length).toBeGreaterThan(0);
    expect(moved.every((r) => r.retries === 1)).toBe(true);
    const be = px.runtime.backends.get('rd')!;
    expect(be.countersOf(be.servers[0]).wredis).toBe(moved.length);
    expect(be.counters.wredis).toBe(moved.length);
    expect(be.counters.econ).toBe(0);
  });

  it('gives up after `timeout connect` on a server that never answers (sC)', async () => {
    const port = await blackhole();
    const px = await started(
      startProxy(configOf([proxySpec({ name: 'bh', binds: [tcpBind(0)], servers: [serverSpec('s1', port)], retries: 1, timeouts: { connect: 200 } })])),
    );
    const c = new TestClient(px.port());
    cleanups.push(() => c.destroy());
    await c.closed;
    expect(c.error).toBeUndefined();
    const [rec] = await px.waitLogs(1);
    expect(rec).toMatchObject({ termination: 'sC', server: 's1', retries: 1, Tc: -1 });
  });

  it('closes the client and logs SD when the server resets during the transfer', async () => {
    const srv = await new TestServer((s) => {
      s.write('partial');
      setTimeout(() => s.resetAndDestroy(), 50);
    }).listen();
    cleanups.push(() => srv.close());
    const px = await started(startProxy(configOf([proxySpec({ name: 'sd', binds: [tcpBind(0)], servers: [serverSpec('s1', srv.port)] })])));
    const c = new TestClient(px.port());
    cleanups.push(() => c.destroy());
    await c.closed;
    expect(c.text).toBe('partial');
    const [rec] = await px.waitLogs(1);
    expect(rec).toMatchObject({ termination: 'SD', server: 's1', bytesRead: 7 });
    expect(px.runtime.backends.get('sd')!.counters.srvAbrt).toBe(1);
  });

  it('ends at once with SC and <NOSRV> when no server is usable', async () => {
    const alive = await named('x');
    const px = await started(
      startProxy(configOf([proxySpec({ name: 'none', binds: [tcpBind(0)], servers: [serverSpec('s1', alive.port, { disabled: true })] })])),
    );
    expect((await exchange(px.port(), 'anyone?')).length).toBe(0);
    const [rec] = await px.waitLogs(1);
    expect(rec).toMatchObject({ termination: 'SC', server: '<NOSRV>', backend: 'none', Tw: -1, Tc: -1, retries: 0 });
    expect(alive.accepted).toBe(0);
  });

  it('closes with a FIN, then lets go of a client that never closes its side', async () => {
    const px = await started(startProxy(configOf([proxySpec({ name: 'linger', binds: [tcpBind(0)] })])));
    const t0 = performance.now();
    const sock = net.connect({ port: px.port(), host: '127.0.0.1', allowHalfOpen: true });
    cleanups.push(() => void sock.destroy());
    sock.on('error', () => {});
    sock.write('some request bytes');
    await once(sock, 'end'); // a clean FIN, no reset, although we sent bytes it never used
    const sawFin = performance.now() - t0;
    expect(sock.destroyed).toBe(false);
    // We keep our side open: the proxy drops the session after its linger delay anyway.
    await waitFor(() => (px.runtime.actconn === 0 ? true : undefined));
    const [rec] = await px.waitLogs(1);
    expect(rec).toMatchObject({ termination: 'SC', server: '<NOSRV>', bytesUploaded: 18 });
    // %Tt stops when the session failed, not when the lingering client finally went away.
    expect(rec.Tt).toBeLessThanOrEqual(sawFin);
  });

  it('ends with SC and <NOSRV> on a frontend without any backend', async () => {
    const px = await started(startProxy(configOf([proxySpec({ kind: 'frontend', name: 'lonely', binds: [tcpBind(0)] })])));
    expect((await exchange(px.port(), 'x')).length).toBe(0);
    const [rec] = await px.waitLogs(1);
    expect(rec).toMatchObject({ termination: 'SC', frontend: 'lonely', backend: 'lonely', server: '<NOSRV>' });
  });
});

describe('server addresses', () => {
  it('resolves hostnames at start and puts unresolvable `init-addr libc,none` servers in maintenance with a log line', async () => {
    const good = await named('good');
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
    const px = await started(
      startProxy(
        configOf([
          proxySpec({
            name: 'dns',
            binds: [tcpBind(0)],
            servers: [serverSpec('ghost', good.port, { host: 'unresolvable.example', params: { 'init-addr': ['libc,none'] } }), serverSpec('good', good.port, { host: 'localhost' })],
          }),
        ]),
        {
          logger,
          // `localhost` goes through the real resolver (/etc/hosts); the other never leaves the process.
          resolve: async (host) => (host === 'localhost' ? (await import('node:dns/promises')).lookup(host).then((a) => a.address) : undefined),
        },
      ),
    );
    const be = px.runtime.backends.get('dns')!;
    expect(be.servers[0].admin.maint).toBe(true);
    expect(be.servers[1].host).toBe('127.0.0.1');
    expect(lines.some((l) => l.includes("dns/ghost: could not resolve address 'unresolvable.example', disabling server."))).toBe(true);
    for (let i = 0; i < 3; i++) expect((await exchange(px.port(), '', { end: false })).toString()).toBe('good');
  });

  it('applies a port offset to the port the client used (server 127.0.0.1:+1)', async () => {
    const srv = await named('offset');
    const px = await started(
      startProxy(configOf([proxySpec({ name: 'po', binds: [tcpBind(srv.port - 1, '127.0.0.3')], servers: [serverSpec('s1', undefined, { portOffset: 1 })] })])),
    );
    expect((await exchange(px.port(), '', { end: false, host: '127.0.0.3' })).toString()).toBe('offset');
  });

  it('ends with IC when a port offset leaves the port range', async () => {
    const px = await started(startProxy(configOf([proxySpec({ name: 'bad', binds: [tcpBind(0)], servers: [serverSpec('s1', undefined, { portOffset: 70000 })] })])));
    expect((await exchange(px.port(), 'x')).length).toBe(0);
    const [rec] = await px.waitLogs(1);
    expect(rec).toMatchObject({ termination: 'IC', server: 's1' });
    expect(px.runtime.backends.get('bad')!.servers[0].served).toBe(0);
  });

  it('connects to the port the client used when the server has none', async () => {
    const srv = await named('same-port');
    // The proxy listens on the server's own port on another loopback address.
    const px = await started(
      startProxy(configOf([proxySpec({ name: 'np', binds: [tcpBind(srv.port, '127.0.0.2')], servers: [serverSpec('s1', undefined)] })])),
    );
    expect((await exchange(px.port(), '', { end: false, host: '127.0.0.2' })).toString()).toBe('same-port');
    await waitFor(() => px.logs[0]);
  });
});
