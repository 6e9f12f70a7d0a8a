// TCP listeners: address families, wildcards, v6only, and HAProxy-worded bind errors.
import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BindError } from '../../src/errors.ts';
import { openListener, type Listener } from '../../src/net/listener.ts';
import { bindSpec, configOf, echoServer, exchange, freePort, proxySpec, serverSpec, startProxy, tcpBind } from './proxy-harness.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function open(host: string, extra: Parameters<typeof bindSpec>[1] = {}, port = 0): Promise<Listener> {
  const family = host.includes(':') ? 6 : 4;
  const address = { kind: 'tcp', host, port, family } as const;
  const l = await openListener({ address, bind: bindSpec([address], extra), backlog: 64 }, (s) => s.destroy());
  cleanups.push(() => l.close());
  return l;
}

function connects(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host });
    s.on('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

describe('tcp listeners', () => {
  it("treats '*' and an empty address as every IPv4 address", async () => {
    for (const host of ['*', '']) {
      const l = await open(host);
      expect(l.host).toBe('0.0.0.0');
      expect(await connects(l.port, '127.0.0.1')).toBe(true);
    }
  });

  it('listens on the IPv6 loopback', async () => {
    const l = await open('::1');
    expect(l.host).toBe('::1');
    expect(await connects(l.port, '::1')).toBe(true);
    expect(await connects(l.port, '127.0.0.1')).toBe(false);
  });

  it('keeps an IPv6 wildcard off IPv4 with v6only, and dual-stack without it', async () => {
    const v6only = await open('::', { v6only: true });
    expect(await connects(v6only.port, '::1')).toBe(true);
    expect(await connects(v6only.port, '127.0.0.1')).toBe(false);
    const dual = await open('::', { v4v6: true });
    expect(await connects(dual.port, '::1')).toBe(true);
    expect(await connects(dual.port, '127.0.0.1')).toBe(true);
  });

  it('reports an address in use with HAProxy wording, file:line and proxy name', async () => {
    const taken = net.createServer();
    taken.listen(0, '127.0.0.1');
    await once(taken, 'listening');
    cleanups.push(() => void taken.close());
    const port = (taken.address() as net.AddressInfo).port;
    const address = { kind: 'tcp', host: '127.0.0.1', port, family: 4 } as const;
    const p = openListener(
      { address, bind: bindSpec([address]), backlog: 64, context: { proxy: 'web', loc: { file: 'hapair.cfg', line: 7 } } },
      () => {},
    );
    await expect(p).rejects.toBeInstanceOf(BindError);
    await expect(p).rejects.toThrow(`Binding [hapair.cfg:7] for proxy web: cannot bind socket (Address already in use) for [127.0.0.1:${port}]`);
  });

  it('fails the whole start and closes what it opened when one bind fails', async () => {
    const taken = net.createServer();
    taken.listen(0, '127.0.0.1');
    await once(taken, 'listening');
    cleanups.push(() => void taken.close());
    const busy = (taken.address() as net.AddressInfo).port;
    const free = await freePort();
    const echo = await echoServer();
    cleanups.push(() => echo.close());
    const config = configOf([
      proxySpec({ name: 'ok', binds: [tcpBind(free)], servers: [serverSpec('s1', echo.port)] }),
      proxySpec({ name: 'clash', binds: [tcpBind(busy)], servers: [serverSpec('s1', echo.port)] }),
    ]);
    await expect(startProxy(config)).rejects.toThrow(`for proxy clash: cannot bind socket (Address already in use) for [127.0.0.1:${busy}]`);
    // The listener that did open was closed again.
    expect(await connects(free, '127.0.0.1')).toBe(false);
  });

  it('relays through a proxy bound on ::1', async () => {
    const echo = await echoServer();
    cleanups.push(() => echo.close());
    const px = await startProxy(configOf([proxySpec({ name: 'v6', binds: [tcpBind(0, '::1')], servers: [serverSpec('s1', echo.port)] })]));
    cleanups.push(() => px.runtime.stop());
    expect((await exchange(px.port(), 'six', { host: '::1' })).toString()).toBe('six');
    const [rec] = await px.waitLogs(1);
    expect(rec.clientIp).toBe('::1');
  });
});
