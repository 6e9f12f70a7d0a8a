// HTTP checks against real node:http backends and misbehaving raw peers: statuses, codes and info
// as HAProxy 2.6 reports them (captured with /usr/sbin/haproxy and option log-health-checks).
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigLine } from '../../src/config/model.ts';
import { parseProxyChecks } from '../../src/checks/proxy-checks.ts';
import { runTcpCheck } from '../../src/checks/tcpcheck-run.ts';
import type { TcpCheckRuleset } from '../../src/checks/tcpcheck-rules.ts';
import { closeAll, peer, replyOnce, target, track } from './check-peers.ts';

afterEach(closeAll);

function httpCheck(...lines: string[]): TcpCheckRuleset {
  const cfg: ConfigLine[] = lines.map((l, i) => ({ args: l.split(' '), loc: { file: 't', line: i + 1 } }));
  const { config, diagnostics } = parseProxyChecks(cfg);
  expect(diagnostics).toEqual([]);
  return config.ruleset;
}

interface Seen {
  method?: string;
  url?: string;
  headers?: http.IncomingHttpHeaders;
  body?: string;
}

async function backend(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<{ port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const s: Seen = { method: req.method!, url: req.url!, headers: req.headers, body: '' };
    seen.push(s);
    req.on('data', (d: Buffer) => (s.body += d.toString()));
    req.on('end', () => handler(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  track({ close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))) });
  return { port: (server.address() as net.AddressInfo).port, seen };
}

describe('option httpchk against node:http', () => {
  it('passes on 200 with code 200 and sends OPTIONS / HTTP/1.0', async () => {
    const b = await backend((_req, res) => res.end('ok'));
    const r = await runTcpCheck(httpCheck('option httpchk'), target(b.port));
    expect(r).toMatchObject({ status: 'L7OK', code: 200, info: '' });
    expect(b.seen[0]).toMatchObject({ method: 'OPTIONS', url: '/' });
  });

  it('fails on 503 with L7STS, the code and the reason', async () => {
    const b = await backend((_req, res) => {
      res.statusCode = 503;
      res.end();
    });
    const r = await runTcpCheck(httpCheck('option httpchk GET /health'), target(b.port));
    expect(r).toMatchObject({ status: 'L7STS', code: 503, info: 'Service Unavailable' });
  });

  it('sends http-check send requests with headers and body', async () => {
    const b = await backend((_req, res) => res.end('ready'));
    const rs = httpCheck('option httpchk', 'http-check send meth POST uri /probe ver HTTP/1.1 hdr Host svc.example hdr X-Probe 1 body ping', 'http-check expect status 200');
    const r = await runTcpCheck(rs, target(b.port));
    expect(r).toMatchObject({ status: 'L7OK', code: 200 });
    expect(b.seen[0]).toMatchObject({ method: 'POST', url: '/probe', body: 'ping', headers: { host: 'svc.example', 'x-probe': '1', 'content-length': '4', connection: 'close' } });
  });

  it('checks body strings, status regexes and headers', async () => {
    const b = await backend((_req, res) => {
      res.setHeader('X-State', 'ready, warm');
      res.end('{"status":"up"}');
    });
    const ok = httpCheck('option httpchk', 'http-check expect rstatus ^2', 'http-check expect string "status":"up"', 'http-check expect hdr name X-State value warm');
    expect(await runTcpCheck(ok, target(b.port))).toMatchObject({ status: 'L7OK', code: 200 });
    const bad = httpCheck('option httpchk', 'http-check expect ! rstring "status":"up"');
    expect(await runTcpCheck(bad, target(b.port))).toMatchObject({ status: 'L7RSP', code: 200, info: 'HTTP check matched unwanted content' });
  });

  it('reports a 404 as a conditional pass with http-check disable-on-404', async () => {
    const b = await backend((_req, res) => {
      res.statusCode = 404;
      res.end();
    });
    const rs = httpCheck('option httpchk', 'http-check disable-on-404');
    expect(await runTcpCheck(rs, target(b.port), { serverIsUp: () => true })).toMatchObject({ status: 'L7OKC', code: 404 });
    expect(await runTcpCheck(rs, target(b.port), { serverIsUp: () => false })).toMatchObject({ status: 'L7STS', code: 404, info: 'Not Found' });
  });

  it('sends X-Haproxy-Server-State with http-check send-state', async () => {
    const b = await backend((_req, res) => res.end());
    const rs = httpCheck('option httpchk', 'http-check send-state');
    await runTcpCheck(rs, target(b.port), { serverStateHeader: () => 'UP 2/3; name=be/s1' });
    expect(b.seen[0]!.headers!['x-haproxy-server-state']).toBe('UP 2/3; name=be/s1');
  });

  it('reads chunked responses and answers to HEAD', async () => {
    const b = await backend((req, res) => {
      res.write('part one, ');
      res.end(req.method === 'HEAD' ? undefined : 'alive');
    });
    // HAProxy sends no Host header by itself: HTTP/1.1 servers such as node:http answer 400 without one.
    const noHost = await runTcpCheck(httpCheck('option httpchk GET / HTTP/1.1', 'http-check expect status 200'), target(b.port));
    expect(noHost).toMatchObject({ status: 'L7STS', code: 400, info: 'Bad Request' });
    const get = httpCheck('option httpchk GET / HTTP/1.1', 'http-check send hdr Host a', 'http-check expect string alive');
    expect(await runTcpCheck(get, target(b.port))).toMatchObject({ status: 'L7OK', code: 200 });
    const head = httpCheck('option httpchk HEAD / HTTP/1.1', 'http-check send hdr Host a');
    expect(await runTcpCheck(head, target(b.port))).toMatchObject({ status: 'L7OK', code: 200 });
  });
});

describe('HTTP checks against misbehaving peers never throw', () => {
  const HTTPCHK = (): TcpCheckRuleset => httpCheck('option httpchk');

  it('calls garbage an invalid response', async () => {
    const p = await peer(replyOnce('garbage\r\n\r\n'));
    expect(await runTcpCheck(HTTPCHK(), target(p.port))).toMatchObject({ status: 'L7RSP', code: 0, info: '' });
  });

  it('calls a close without answer an invalid response', async () => {
    const p = await peer((s) => s.once('data', () => s.end()));
    expect(await runTcpCheck(HTTPCHK(), target(p.port))).toMatchObject({ status: 'L7RSP', info: '' });
  });

  it('calls a head cut by a close an invalid response', async () => {
    const p = await peer(replyOnce('HTTP/1.1 200 OK\r\nContent-Le'));
    expect(await runTcpCheck(HTTPCHK(), target(p.port))).toMatchObject({ status: 'L7RSP' });
  });

  it('times out on a silent peer (L7TOUT, no info)', async () => {
    const p = await peer(() => {});
    expect(await runTcpCheck(HTTPCHK(), target(p.port))).toMatchObject({ status: 'L7TOUT', info: '' });
  });

  it('reports a reset as a socket error', async () => {
    const p = await peer((s) => s.once('data', () => s.resetAndDestroy()));
    expect(await runTcpCheck(HTTPCHK(), target(p.port))).toMatchObject({ status: 'SOCKERR', info: 'Connection reset by peer' });
  });

  it('passes on the status line without waiting for a body that never comes', async () => {
    const p = await peer(replyOnce('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n', { keepOpen: true }));
    expect(await runTcpCheck(HTTPCHK(), target(p.port))).toMatchObject({ status: 'L7OK', code: 200 });
  });
});
