// `observe layer4` + `error-limit` + `on-error mark-down` through the real Runtime: a server that
// refuses live traffic is marked DOWN from the traffic itself, long before its next check; a
// server in maintenance (`disabled`) gets no traffic; the backup serves while no active is up.
import dgram from 'node:dgram';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/proxy/runtime.ts';
import { startLoggedRuntime } from './check-wiring-runtime.ts';
import { exchange, freePort, nameServer, TestServer, waitFor } from './proxy-harness.ts';

let rt: Runtime | undefined;
let servers: TestServer[] = [];
let udp: dgram.Socket[] = [];

afterEach(async () => {
  await rt?.stop();
  rt = undefined;
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  for (const u of udp) u.close();
  udp = [];
});

async function start(text: string, lines: string[]): Promise<Runtime> {
  rt = await startLoggedRuntime(text, 'obs.cfg', lines);
  return rt;
}

describe('observe layer4', () => {
  it('marks a server DOWN after error-limit failed connections, without waiting for a check', async () => {
    const a = await nameServer('A');
    const b = await nameServer('B');
    servers.push(a, b);
    const port = await freePort();
    const lines: string[] = [];
    const runtime = await start(`listen L
    bind 127.0.0.1:${port}
    mode tcp
    balance roundrobin
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    retries 0
    option redispatch
    server A 127.0.0.1:${a.port} check inter 1h rise 1 fall 3 observe layer4 error-limit 2 on-error mark-down
    server B 127.0.0.1:${b.port} check inter 1h
`, lines);
    const server = (n: string) => runtime.backends.get('L')!.servers.find((s) => s.name === n)!;
    const state = runtime.health!.stateOf(server('A'))!;
    // The first checks (run at start) pass; the next are an hour away.
    await waitFor(() => (state.check.status === 'L4OK' ? true : undefined), 10_000, 'A checked');
    expect(server('A').oper).toBe('UP');
    // A's port now refuses connections: live traffic fails on it.
    await a.close();
    servers = [b];
    const replies: string[] = [];
    for (let i = 0; i < 6 && server('A').oper === 'UP'; i++) replies.push((await exchange(port, 'x')).toString());
    await waitFor(() => (server('A').oper === 'DOWN' ? true : undefined), 10_000, 'A DOWN');
    expect(state.check.status).toBe('HANA');
    expect(lines.some((l) => l.startsWith('Server L/A is DOWN, reason: Health analyze, info: "Detected 2 consecutive errors, last one was: L4 unsuccessful connection"'))).toBe(true);
    // Once DOWN, every connection goes to B.
    for (let i = 0; i < 4; i++) expect((await exchange(port, 'x')).toString()).toBe('B');
    expect(replies.length).toBeGreaterThan(0);
  }, 30_000);

  it('sends no traffic to a server in maintenance; the backup serves while no active is up, and gives back', async () => {
    const a = await nameServer('A');
    const m = await nameServer('M');
    const bk = await nameServer('BK');
    servers.push(a, m, bk);
    const port = await freePort();
    const lines: string[] = [];
    // A syslog receiver: the state lines also go to the proxy's `log` targets, as HAProxy sends them.
    const syslog = dgram.createSocket('udp4');
    const datagrams: string[] = [];
    syslog.on('message', (m) => datagrams.push(m.toString()));
    syslog.bind(0, '127.0.0.1');
    await once(syslog, 'listening');
    udp.push(syslog);
    const runtime = await start(`listen L
    bind 127.0.0.1:${port}
    mode tcp
    balance roundrobin
    log 127.0.0.1:${syslog.address().port} local0
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    server A 127.0.0.1:${a.port} check inter 100 rise 2 fall 1
    server M 127.0.0.1:${m.port} check disabled
    server BK 127.0.0.1:${bk.port} check inter 100 backup
`, lines);
    const server = (n: string) => runtime.backends.get('L')!.servers.find((s) => s.name === n)!;
    expect(server('M').admin.maint).toBe(true);
    for (let i = 0; i < 4; i++) expect((await exchange(port, 'x')).toString()).toBe('A');
    // A fails its check (fall 1): the backup takes over, M stays out.
    await a.close();
    await waitFor(() => (server('A').oper === 'DOWN' ? true : undefined), 10_000, 'A DOWN');
    for (let i = 0; i < 4; i++) expect((await exchange(port, 'x')).toString()).toBe('BK');
    // A comes back on the same port: after `rise 2` passed checks, the backup gives back.
    const again = await new TestServer((s) => s.end('A')).listen(a.port);
    servers.push(again);
    await waitFor(() => (server('A').oper === 'UP' ? true : undefined), 10_000, 'A UP');
    for (let i = 0; i < 4; i++) expect((await exchange(port, 'x')).toString()).toBe('A');
    expect(m.accepted).toBe(0);
    expect(lines.some((l) => l.startsWith('Server L/A is UP'))).toBe(true);
    // local0 (16) * 8 + alert (1) = <129>: "Server ... is DOWN" is an alert in HAProxy.
    await waitFor(() => (datagrams.some((d) => d.startsWith('<129>') && d.includes('Server L/A is DOWN, reason: Layer4 connection problem')) ? true : undefined), 5000, 'syslog DOWN line');
    await waitFor(() => (datagrams.some((d) => d.includes('Server L/A is UP')) ? true : undefined), 5000, 'syslog UP line');
  }, 30_000);
});
