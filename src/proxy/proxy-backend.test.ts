import { describe, expect, it } from 'vitest';
import { Backend } from '../backend/backend-runtime.ts';
import { FakeClock } from '../clock.ts';
import { parseConfigText } from '../config/config.ts';
import { ProxyBackend } from './proxy-backend.ts';

function backend(lines: string): ProxyBackend {
  const r = parseConfigText(`defaults\n  mode tcp\n  timeout connect 500ms\nbackend be\n${lines}\n`, 't.cfg');
  if (!r.config) throw new Error(JSON.stringify(r.diagnostics));
  const spec = r.config.proxies[0];
  return new ProxyBackend(spec, new Backend(spec, new FakeClock()));
}

const TWO = '  server a 127.0.0.1:1\n  server b 127.0.0.1:2';

describe('ProxyBackend retry rules (HAProxy stream_choose_redispatch)', () => {
  it('never redispatches without option redispatch', () => {
    const be = backend(TWO);
    for (let n = 1; n <= 3; n++) expect(be.shouldRedispatch(be.servers[0], n)).toBe(false);
  });

  it('redispatches at once with a non-hash algorithm and two active servers', () => {
    const be = backend(`  option redispatch\n  balance leastconn\n${TWO}`);
    expect(be.shouldRedispatch(be.servers[0], 1)).toBe(true);
  });

  it('with source hashing waits for the last retry (interval -1)', () => {
    const be = backend(`  option redispatch\n  balance source\n  retries 3\n${TWO}`);
    expect([1, 2, 3].map((n) => be.shouldRedispatch(be.servers[0], n))).toEqual([false, false, true]);
  });

  it('honours a positive interval: every Nth retry', () => {
    const be = backend(`  option redispatch 2\n  balance source\n  retries 5\n${TWO}`);
    expect([1, 2, 3, 4, 5].map((n) => be.shouldRedispatch(be.servers[0], n))).toEqual([false, true, false, true, false]);
  });

  it('treats interval 0 as disabled', () => {
    const be = backend(`  option redispatch 0\n${TWO}`);
    expect(be.redispatchInterval).toBeNull();
    expect(be.shouldRedispatch(be.servers[0], 1)).toBe(false);
  });

  it('redispatches away from a server in maintenance whatever the algorithm', () => {
    const be = backend(`  option redispatch\n  balance source\n  retries 3\n${TWO}`);
    be.servers[0].admin.maint = true;
    expect(be.shouldRedispatch(be.servers[0], 1)).toBe(true);
  });

  it('with a single active server only the interval applies', () => {
    const be = backend(`  option redispatch\n  retries 2\n  server a 127.0.0.1:1\n  server bk 127.0.0.1:2 backup`);
    expect(be.activeServers()).toBe(1);
    expect([1, 2].map((n) => be.shouldRedispatch(be.servers[0], n))).toEqual([false, true]);
  });

  it('waits min(1s, timeout connect) before retrying a refused server', () => {
    expect(backend(TWO).turnAround).toBe(500);
    const r = parseConfigText(`backend be\n  mode tcp\n  timeout connect 5s\n${TWO}\n`, 't.cfg');
    const spec = r.config!.proxies[0];
    expect(new ProxyBackend(spec, new Backend(spec, new FakeClock())).turnAround).toBe(1000);
  });
});

describe('ProxyBackend.usableServers (HAProxy be_usable_srv, the nbsrv fetch)', () => {
  const SERVERS = '  server a 127.0.0.1:1\n  server b 127.0.0.1:2\n  server k1 127.0.0.1:3 backup\n  server k2 127.0.0.1:4 backup';

  it('counts the usable active servers, else 1 for the backups, or all of them with option allbackups', () => {
    const be = backend(SERVERS);
    expect(be.usableServers()).toBe(2);
    be.servers[0].admin.maint = true;
    expect(be.usableServers()).toBe(1);
    be.servers[1].admin.drain = true;
    expect(be.usableServers()).toBe(1);
    be.servers[2].admin.maint = true;
    expect(be.usableServers()).toBe(1);
    be.servers[3].admin.maint = true;
    expect(be.usableServers()).toBe(0);
    const all = backend(`  option allbackups\n${SERVERS}`);
    all.servers[0].admin.maint = true;
    all.servers[1].admin.maint = true;
    expect(all.usableServers()).toBe(2);
  });

  it('leaves out a server of weight 0', () => {
    expect(backend('  server a 127.0.0.1:1 weight 0\n  server b 127.0.0.1:2').usableServers()).toBe(1);
  });
});
