// ACL-driven rules in `mode tcp` through the real runtime on loopback: conditional use_backend
// on layer-4 and payload fetches and nbsrv, tcp-request connection reject (no log, dcon counted),
// tcp-request content accept/reject under inspect-delay (PR in the log, WAIT_END).
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { once } from 'node:events';
import { formatDiagnostic, parseConfigText } from '../../src/config/config.ts';
import { exchange, freePort, nameServer, startProxy, TestClient, waitFor, type TestProxy, type TestServer } from './proxy-harness.ts';

let proxy: TestProxy | undefined;
const servers: TestServer[] = [];
afterEach(async () => {
  await proxy?.runtime.stop();
  proxy = undefined;
  for (const s of servers.splice(0)) await s.close();
});

const T = '    timeout client 5s\n    timeout connect 2s\n    timeout server 5s\n';

async function start(frontendLines: string, names: string[] = ['one', 'two']): Promise<TestProxy> {
  const be: Record<string, number> = {};
  for (const n of names) {
    const s = await nameServer(n);
    servers.push(s);
    be[n] = s.port;
  }
  const text = `frontend F\n    mode tcp\n    bind 127.0.0.1:${await freePort()}\n${T}${frontendLines}\n` +
    names.map((n) => `backend ${n}\n    mode tcp\n${T}    server s 127.0.0.1:${be[n]}\n`).join('');
  const r = parseConfigText(text, 't.cfg', { env: {} });
  if (!r.config) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
  proxy = await startProxy(r.config);
  return proxy;
}

describe('use_backend conditions in mode tcp', () => {
  it('switches on the client address', async () => {
    const p = await start('    use_backend two if { src 127.0.0.2 }\n    default_backend one');
    expect((await exchange(p.port(), 'x', { localAddress: '127.0.0.1' })).toString()).toBe('one');
    expect((await exchange(p.port(), 'x', { localAddress: '127.0.0.2' })).toString()).toBe('two');
    const logs = await p.waitLogs(2);
    expect(logs.map((l) => l.backend)).toEqual(['one', 'two']);
  });

  it('switches on the payload under inspect-delay (req.len, WAIT_END)', async () => {
    const p = await start([
      '    tcp-request inspect-delay 2s',
      '    tcp-request content accept if { req.len ge 4 }',
      '    tcp-request content accept if WAIT_END',
      '    use_backend two if { req.len ge 4 }',
      '    default_backend one',
    ].join('\n'));
    expect((await exchange(p.port(), 'long payload')).toString()).toBe('two');
    expect((await exchange(p.port(), 'ab')).toString()).toBe('one');
  });

  it('switches on nbsrv: the usable servers of a backend, at accept and after inspection', async () => {
    const p = await start([
      '    tcp-request connection reject if { nbsrv(two) lt 1 }',
      '    use_backend two if { nbsrv(one) lt 1 }',
      '    default_backend one',
    ].join('\n'));
    expect((await exchange(p.port(), 'x')).toString()).toBe('one');
    p.runtime.backends.get('one')!.servers[0]!.admin.maint = true;
    expect((await exchange(p.port(), 'x')).toString()).toBe('two');
    p.runtime.backends.get('two')!.servers[0]!.admin.maint = true;
    expect((await exchange(p.port(), 'x')).toString()).toBe('');
    expect(p.runtime.frontends.get('F')!.counters.dcon).toBe(1);
  });

  it('without a matching rule or default, the session ends with <NOSRV>', async () => {
    const p = await start('    use_backend two if { src 10.0.0.0/8 }');
    expect((await exchange(p.port(), 'x')).toString()).toBe('');
    const [log] = await p.waitLogs(1);
    expect(log.server).toBe('<NOSRV>');
    expect(log.backend).toBe('F');
  });
});

describe('tcp-request connection', () => {
  it('rejects at accept: closed without data, not logged, counted as denied connection', async () => {
    const p = await start('    tcp-request connection reject if { src 127.0.0.3 }\n    default_backend one');
    expect((await exchange(p.port(), 'x', { localAddress: '127.0.0.3' })).toString()).toBe('');
    expect((await exchange(p.port(), 'x', { localAddress: '127.0.0.1' })).toString()).toBe('one');
    await p.waitLogs(1);
    expect(p.logs.map((l) => l.clientIp)).toEqual(['127.0.0.1']);
    expect(p.runtime.frontends.get('F')!.counters.dcon).toBe(1);
  });
});

describe('tcp-request content', () => {
  it('rejects on the payload: PR in the log, no server, denied request counted', async () => {
    const p = await start('    tcp-request inspect-delay 2s\n    tcp-request content reject if { req.len ge 3 }\n    default_backend one');
    expect((await exchange(p.port(), 'abcdef')).toString()).toBe('');
    const [log] = await p.waitLogs(1);
    expect(log.termination).toBe('PR');
    expect(log.server).toBe('<NOSRV>');
    expect(p.runtime.frontends.get('F')!.counters.denied).toBe(1);
  });

  it('waits for data until the inspect delay: a silent client is decided by WAIT_END', async () => {
    const p = await start('    tcp-request inspect-delay 300ms\n    tcp-request content reject if WAIT_END\n    tcp-request content accept if { req.len gt 0 }\n    default_backend one');
    const silent = await new TestClient(p.port()).connected();
    await silent.closed;
    expect(silent.text).toBe('');
    const [log] = await p.waitLogs(1);
    expect(log.termination).toBe('PR');
  });

  it('data that arrives during the delay is forwarded once accepted', async () => {
    const echo = net.createServer((s) => s.on('error', () => undefined).pipe(s));
    echo.listen(0, '127.0.0.1');
    await once(echo, 'listening');
    try {
      const port = (echo.address() as net.AddressInfo).port;
      const text = `frontend F\n    mode tcp\n    bind 127.0.0.1:${await freePort()}\n${T}    tcp-request inspect-delay 3s\n    tcp-request content accept if { req.len ge 6 }\n    default_backend e\nbackend e\n    mode tcp\n${T}    server s 127.0.0.1:${port}\n`;
      proxy = await startProxy(parseConfigText(text, 't.cfg', { env: {} }).config!);
      const c = await new TestClient(proxy.port()).connected();
      c.socket.write('abc');
      await new Promise((r) => setTimeout(r, 50));
      c.socket.write('def-more');
      await waitFor(() => (c.text === 'abcdef-more' ? true : undefined), 5000, 'echo through the proxy');
      c.socket.end();
      await c.closed;
    } finally {
      echo.close();
    }
  });
});
