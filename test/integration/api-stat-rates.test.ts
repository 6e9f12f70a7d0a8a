// `show stat` session rates and time averages (rate, rate_max, conn_rate, qtime/ctime/rtime/ttime
// and their max), filled from real sessions through the proxy as HAProxy 2.6 fills them for TCP
// proxies: rtime stays 0 in TCP mode, the averages never exceed their max, the backend and its only server agree.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiConfigHead, ask, showStatRows, startApiProxy, type ApiProxy } from './api-harness.ts';
import { echoServer, exchange, freePort, type TestServer } from './proxy-harness.ts';

let echo: TestServer;
let px: ApiProxy;
let port: number;

beforeAll(async () => {
  echo = await echoServer();
  port = await freePort();
  px = await startApiProxy((dir) => `${apiConfigHead(`${dir}/api.sock`, 'admin', 'tcp')}listen app
    bind 127.0.0.1:${port}
    server s1 127.0.0.1:${echo.port}
`);
});

afterAll(async () => {
  await px?.stop();
  await echo?.close();
});

/** The rows keyed by svname (a later proxy's row of the same name wins). */
async function rows(): Promise<Map<string, Map<string, string>>> {
  const all = [...(await showStatRows(px.sock('api.sock'))).values()];
  return new Map(all.map((r) => [r.get('svname')!, r]));
}

describe('show stat rates and times', () => {
  it('counts the sessions of the last second and keeps the averages of connected sessions', async () => {
    const before = await rows();
    expect(before.get('s1')!.get('rate_max')).toBe('0');
    expect(before.get('BACKEND')!.get('ttime')).toBe('0');
    for (let i = 0; i < 3; i++) expect((await exchange(port, `hello ${i}`)).toString()).toBe(`hello ${i}`);
    const r = await rows();
    const fe = r.get('FRONTEND')!;
    const s1 = r.get('s1')!;
    const be = r.get('BACKEND')!;
    for (const row of [fe, s1, be]) {
      const max = Number(row.get('rate_max'));
      expect(max).toBeGreaterThanOrEqual(1);
      expect(max).toBeLessThanOrEqual(3);
      expect(Number(row.get('rate'))).toBeLessThanOrEqual(3);
    }
    expect(fe.get('conn_rate_max')).toBe(fe.get('rate_max'));
    for (const row of [s1, be]) {
      expect(row.get('rtime')).toBe('0');
      expect(row.get('rtime_max')).toBe('0');
      for (const t of ['qtime', 'ctime', 'ttime']) expect(Number(row.get(t))).toBeLessThanOrEqual(Number(row.get(`${t}_max`)));
    }
    for (const f of ['qtime', 'ctime', 'rtime', 'ttime', 'ttime_max', 'rate_max']) expect({ f, v: be.get(f) }).toEqual({ f, v: s1.get(f) });
  });

  it('reports the process connection and session rates in show info', async () => {
    const info = new Map((await ask(px.sock('api.sock'), 'show info')).split('\n').filter((l) => l.includes(': ')).map((l) => l.split(': ') as [string, string]));
    const max = Number(info.get('MaxConnRate'));
    expect(max).toBeGreaterThanOrEqual(1);
    expect(max).toBeLessThanOrEqual(3);
    expect(info.get('MaxSessRate')).toBe(info.get('MaxConnRate'));
    expect(info.get('SessRate')).toBe(info.get('ConnRate'));
  });
});
