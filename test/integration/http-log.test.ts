// `option httplog` lines, differential against HAProxy 2.6: the same requests go through
// haproxy (logging over UDP, `format raw`) and through hapair (records rendered with HTTPLOG);
// the lines must match once ports, dates and timer values (not their -1s) are masked.
import dgram from 'node:dgram';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTPLOG } from '../../src/log/httplog.ts';
import { freePort } from '../support/process.ts';
import { configOf, serverSpec, startProxy, tcpBind, type TestProxy } from './proxy-harness.ts';
import { httpBackend, httpSpec, type HttpBackend } from './http-harness.ts';
import { startHaproxy, type HaproxyRun } from './http-oracle-harness.ts';

let haproxy: HaproxyRun | undefined;
let proxy: TestProxy | undefined;
let udp: dgram.Socket;
const lines: string[] = [];
const backends: HttpBackend[] = [];
const ha = { web: 0, nosrv: 0 };

beforeAll(async () => {
  udp = dgram.createSocket('udp4');
  udp.on('message', (m) => lines.push(m.toString('latin1').replace(/\n$/, '')));
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
  const respond = (head: string, _b: string, s: net.Socket): void => {
    const status = head.startsWith('GET /missing') ? '404 Not Found' : '200 OK';
    s.write(`HTTP/1.1 ${status}\r\ncontent-length: 5\r\n\r\nhello`);
  };
  backends.push(await httpBackend(respond), await httpBackend(respond));
  ha.web = await freePort();
  ha.nosrv = await freePort();
  const common = `  log 127.0.0.1:${udp.address().port} format raw local0\n  option httplog\n`;
  haproxy = await startHaproxy(
    `global\n  nbthread 1\ndefaults\n  mode http\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\n` +
      `listen web\n  bind 127.0.0.1:${ha.web}\n${common}  server s1 127.0.0.1:${backends[0].port}\n` +
      `listen nosrv\n  bind 127.0.0.1:${ha.nosrv}\n${common}`,
    [ha.web, ha.nosrv],
  );
  proxy = await startProxy(configOf([
    httpSpec({ name: 'web', binds: [tcpBind(0)], servers: [serverSpec('s1', backends[1].port)] }),
    httpSpec({ name: 'nosrv', binds: [tcpBind(0)] }),
  ]));
}, 20_000);

afterAll(async () => {
  await haproxy?.stop();
  await proxy?.runtime.stop();
  udp?.close();
  for (const b of backends) await b.close();
});

/**
 * Send `data` on one connection, half-close, wait for the proxy to close; resolves with the client
 * port. `finAfterAnswer`: the half-close waits for the proxy's first answer bytes, so that a
 * refused request is never seen together with the client's close (HAProxy logs CR instead of PR
 * when the FIN arrives with the bytes it refuses, which a loaded machine makes likely).
 */
async function send(port: number, data: string, finAfterAnswer = false): Promise<number> {
  const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  s.on('error', () => undefined);
  await new Promise<void>((r) => s.on('connect', () => r()));
  const clientPort = s.localPort!;
  if (finAfterAnswer) {
    s.write(Buffer.from(data, 'latin1'));
    s.once('data', () => s.end());
  } else {
    s.end(Buffer.from(data, 'latin1'));
  }
  await new Promise<void>((r) => {
    s.on('close', () => r());
    setTimeout(() => {
      s.destroy();
      r();
    }, 1000);
  });
  return clientPort;
}

/**
 * Ports, dates and non-negative timer values masked; everything else compared as is, except
 * %B: HAProxy 2.6 counts the bytes of its internal (HTX) message, hapair the bytes on the wire.
 */
function mask(line: string): string {
  return line
    .replace(/^127\.0\.0\.1:\d+ /, '127.0.0.1:P ')
    .replace(/\[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d\.\d{3}\]/, '[DATE]')
    .replace(/ (-?\d+)\/(-?\d+)\/(-?\d+)\/(-?\d+)\/(\d+) (\d+) (\d+) /, (_m, ...t: string[]) =>
      ' ' + t.slice(0, 5).map((v) => (v === '-1' ? v : 'n')).join('/') + ` ${t[5]} ${t[6] === '0' ? '0' : 'B'} `);
}

/**
 * The lines of one connection through each proxy, picked by the client port (the harness's
 * port probes are logged too, at any time, as <BADREQ> lines of other ports).
 */
async function both(name: 'web' | 'nosrv', data: string, expectLines: number, finAfterAnswer = false): Promise<[string[], string[]]> {
  const haPort = await send(ha[name], data, finAfterAnswer);
  const ourPort = await send(proxy!.port(name), data, finAfterAnswer);
  const env = { pid: 0, hostname: '' };
  const theirs = (): string[] => lines.filter((l) => l.startsWith(`127.0.0.1:${haPort} `));
  const ours = (): string[] => proxy!.logs.map((r) => HTTPLOG.render(r, env)).filter((l) => l.startsWith(`127.0.0.1:${ourPort} `));
  const deadline = Date.now() + 5000;
  while ((theirs().length < expectLines || ours().length < expectLines) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return [theirs().map(mask), ours().map(mask)];
}

describe('option httplog matches HAProxy 2.6', () => {
  it('two keep-alive requests, a 404 with a query and quotes encoded in the log', async () => {
    const [expected, actual] = await both('web', 'GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /missing?a="b"&c=%22 HTTP/1.1\r\nHost: a\r\n\r\n', 2);
    expect(expected).toHaveLength(2);
    expect(actual).toEqual(expected);
  });

  it('503 without a server', async () => {
    const [expected, actual] = await both('nosrv', 'GET /x HTTP/1.1\r\nHost: a\r\n\r\n', 1);
    expect(expected).toHaveLength(1);
    expect(actual).toEqual(expected);
  });

  it('a connection closed without a request (400 CR, <BADREQ>)', async () => {
    const [expected, actual] = await both('web', '', 1);
    expect(expected).toHaveLength(1);
    expect(actual).toEqual(expected);
  });

  it('400 on a bad request', async () => {
    const [expected, actual] = await both('web', 'GET / HTTP/1.1\r\nBad Header: x\r\n\r\n', 1, true);
    expect(expected).toHaveLength(1);
    expect(actual).toEqual(expected);
  });
});
