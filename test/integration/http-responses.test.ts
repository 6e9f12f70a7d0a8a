// Server responses, differential against HAProxy 2.6: the same raw response bytes come from a
// scripted server behind haproxy and behind hapair; the client must get the same statuses and
// the same bytes (valid framings, 1xx, close-delimited, and malformed responses that become 502).
// Deliberate deviation, not listed: a status of other than three digits is a 502 in hapair,
// where HAProxy 2.6 forwards it (`HTTP/1.1 20 OK`).
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/process.ts';
import { configOf, serverSpec, startProxy, tcpBind, type TestProxy } from './proxy-harness.ts';
import { httpSpec } from './http-harness.ts';
import { startHapairProxy, startHaproxy, type HaproxyRun } from './http-oracle-harness.ts';

const CASES: ReadonlyArray<readonly [string, string]> = [
  ['content-length', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Up: A\r\n\r\nhello'],
  // Already as HAProxy writes it: hapair forwards such a head without rebuilding it.
  ['canonical lower-case head', 'HTTP/1.1 200 OK\r\ncontent-length: 5\r\nx-up: A\r\n\r\nhello'],
  ['chunked', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'],
  ['close-delimited HTTP/1.0', 'HTTP/1.0 200 OK\r\nX-A: 1\r\n\r\nuntil close'],
  ['100 then 200', 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'],
  ['204 with a body-less frame', 'HTTP/1.1 204 No Content\r\n\r\n'],
  ['no reason phrase', 'HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok'],
  ['LF line ends', 'HTTP/1.1 200 OK\nContent-Length: 2\n\nok'],
  ['duplicate equal content-length', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok'],
  ['different content-lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok'],
  ['not HTTP', 'garbage\r\n\r\n'],
  ['space in a header name', 'HTTP/1.1 200 OK\r\nBad Name: x\r\nContent-Length: 2\r\n\r\nok'],
  ['bare CR in a value', 'HTTP/1.1 200 OK\r\nX: a\rb\r\nContent-Length: 2\r\n\r\nok'],
  ['truncated head', 'HTTP/1.1 200 OK\r\nContent-Le'],
  ['101 websocket without accept', 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n'],
  ['101 websocket with accept', 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n'],
];

let haproxy: HaproxyRun | undefined;
let proxy: TestProxy | undefined;
let script = '';
const servers: net.Server[] = [];
let haPort = 0;
/** The same proxies with http-response rules, which a head forwarded as it came must not skip. */
let haRules: HaproxyRun | undefined;
let oursRules: HaproxyRun | undefined;
const rulesPorts = { ha: 0, ours: 0 };
const rulesConfig = (listen: number, server: number): string =>
  `global\n  nbthread 1\ndefaults\n  mode http\n  timeout connect 1s\n  timeout client 5s\n  timeout server 2s\n` +
  `listen p\n  bind 127.0.0.1:${listen}\n  http-response set-header X-Set 1\n  http-response del-header x-up\n  server s1 127.0.0.1:${server}\n`;

beforeAll(async () => {
  const srv = net.createServer((s) => {
    s.on('error', () => undefined);
    s.once('data', () => s.end(Buffer.from(script, 'latin1')));
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  haPort = await freePort();
  haproxy = await startHaproxy(
    `global\n  nbthread 1\ndefaults\n  mode http\n  timeout connect 1s\n  timeout client 5s\n  timeout server 2s\nlisten p\n  bind 127.0.0.1:${haPort}\n  server s1 127.0.0.1:${port}\n`,
    [haPort],
  );
  proxy = await startProxy(configOf([httpSpec({ name: 'p', binds: [tcpBind(0)], servers: [serverSpec('s1', port)], timeouts: { server: 2000 } })]));
  rulesPorts.ha = await freePort();
  rulesPorts.ours = await freePort();
  haRules = await startHaproxy(rulesConfig(rulesPorts.ha, port), [rulesPorts.ha]);
  oursRules = await startHapairProxy(rulesConfig(rulesPorts.ours, port), [rulesPorts.ours]);
}, 20_000);

afterAll(async () => {
  await haproxy?.stop();
  await haRules?.stop();
  await oursRules?.stop();
  await proxy?.runtime.stop();
  for (const s of servers) s.close();
});

/** One request; everything the client receives until the proxy closes or 0.8 s pass. */
async function fetchRaw(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    let done = false;
    const finish = (how: string): void => {
      if (done) return;
      done = true;
      s.destroy();
      resolve(got + how);
    };
    s.on('data', (d: Buffer) => (got += d.toString('latin1')));
    s.on('error', () => undefined);
    s.on('close', () => finish(' [closed]'));
    s.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    setTimeout(() => finish(' [open]'), 800);
  });
}

describe('responses reach the client as through HAProxy 2.6', () => {
  it.each(CASES)('%s', async (_name, response) => {
    script = response;
    const expected = await fetchRaw(haPort);
    const actual = await fetchRaw(proxy!.port());
    expect(actual).toBe(expected);
  });
});

describe('http-response rules edit a head that could go out as it came', () => {
  it.each([
    ['canonical lower-case head', 'HTTP/1.1 200 OK\r\ncontent-length: 5\r\nx-up: A\r\n\r\nhello'],
    ['mixed-case head', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Up: A\r\n\r\nhello'],
  ])('%s', async (_name, response) => {
    script = response;
    const expected = await fetchRaw(rulesPorts.ha);
    expect(expected).toContain('x-set: 1\r\n');
    expect(await fetchRaw(rulesPorts.ours)).toBe(expected);
  });
});
