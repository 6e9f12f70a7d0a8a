// The stats page, its admin form and the Prometheus exporter served by the proxy's HTTP engine on
// a real socket, with the runtime API on the same process: a server set to MAINT through either
// shows MAINT in both and gets no traffic.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAT_FIELDS } from '../../src/stats/stat-fields.ts';
import { freePort } from '../support/process.ts';
import { ask, startApiProxy, type ApiProxy } from './api-harness.ts';
import { rawRequest, startNameServer, type NameServer } from './http-oracle-harness.ts';

let px: ApiProxy;
let s1: NameServer;
let s2: NameServer;
let statsPort: number;
let webPort: number;
let authPort: number;
let userPort: number;

beforeAll(async () => {
  s1 = await startNameServer('s1');
  s2 = await startNameServer('s2');
  [statsPort, webPort, authPort, userPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  px = await startApiProxy((dir) => `
global
  stats socket ${dir}/api.sock level admin
defaults
  mode http
  timeout connect 5s
  timeout client 10s
  timeout server 10s
listen stats
  bind 127.0.0.1:${statsPort}
  stats enable
  stats uri /stats
  stats refresh 10s
  stats admin if LOCALHOST
  http-request use-service prometheus-exporter if { path /metrics }
listen authstats
  bind 127.0.0.1:${authPort}
  stats uri /admin?stats
  stats auth admin:s3cret
userlist stats-auth
  user admin insecure-password AdMiN123
  user haproxy insecure-password haproxy
userlist stats-admins
  user admin insecure-password AdMiN123
listen userstats
  bind 127.0.0.1:${userPort}
  acl AUTH http_auth(stats-auth)
  acl AUTH_ADMIN http_auth(stats-admins)
  stats enable
  stats uri /stats
  stats http-request auth unless AUTH
  stats admin if AUTH_ADMIN
frontend web
  bind 127.0.0.1:${webPort}
  default_backend app
backend app
  server s1 127.0.0.1:${s1.port}
  server s2 127.0.0.1:${s2.port}
`);
});

afterAll(async () => {
  await px?.stop();
  await s1?.close();
  await s2?.close();
});

const get = (port: number, path: string, extra = '') => rawRequest(port, `GET ${path} HTTP/1.1\r\nhost: lb${extra}`);
const header = (r: { headers: [string, string][] }, name: string) => r.headers.find(([k]) => k === name)?.[1];

async function answeredBy(n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push((await get(webPort, '/')).body);
  return out;
}

describe('stats page over HTTP', () => {
  it('serves the page with Refresh, and ;norefresh drops it', async () => {
    const r = await get(statsPort, '/stats');
    expect(r.status).toBe(200);
    expect(header(r, 'content-type')).toBe('text/html');
    expect(header(r, 'refresh')).toBe('10');
    expect(r.body).toContain('<a name="app/s2">');
    expect(header(await get(statsPort, '/stats;norefresh'), 'refresh')).toBeUndefined();
    const head = await rawRequest(statsPort, 'HEAD /stats HTTP/1.1\r\nhost: lb');
    expect([head.status, head.body, Number(header(head, 'content-length')) > 1000]).toEqual([200, '', true]);
  });

  it('serves ;csv that a strict CSV parser reads, with HAProxy 2.6 header', async () => {
    const r = await get(statsPort, '/stats;csv;norefresh');
    expect(header(r, 'content-type')).toBe('text/plain');
    const rows = parse(r.body.replace(/^# /, ''), { columns: true, relax_column_count: false, relax_quotes: false }) as Record<string, string>[];
    expect(Object.keys(rows[0])).toEqual([...STAT_FIELDS, '']);
    expect(rows.map((x) => `${x.pxname}/${x.svname}`)).toContain('app/s2');
  });

  it('a server set to MAINT through the API shows MAINT on the page and gets no traffic', async () => {
    expect((await answeredBy(4)).sort()).toEqual(['s1', 's1', 's2', 's2']);
    expect(await ask(px.sock('api.sock'), 'set server app/s2 state maint')).toBe('\n');
    const page = await get(statsPort, '/stats');
    expect(page.body).toMatch(/<tr class="maintain">.*<a name="app\/s2">/);
    expect(new Set(await answeredBy(4))).toEqual(new Set(['s1']));
    expect(await ask(px.sock('api.sock'), 'set server app/s2 state ready')).toBe('\n');
  });

  it('a form POST changes the server, answers 303 to ;st=DONE, and the API sees it', async () => {
    const r = await rawRequest(statsPort, 'POST /stats HTTP/1.1\r\nhost: lb\r\ncontent-type: application/x-www-form-urlencoded', 's=s1&action=drain&b=app');
    expect([r.status, header(r, 'location')]).toEqual([303, '/stats;st=DONE']);
    const csv = await ask(px.sock('api.sock'), 'show stat');
    expect(csv.split('\n').find((l) => l.startsWith('app,s1,'))?.split(',')[17]).toBe('DRAIN');
    expect(new Set(await answeredBy(3))).toEqual(new Set(['s2']));
    await rawRequest(statsPort, 'POST /stats HTTP/1.1\r\nhost: lb', 's=s1&action=ready&b=app');
  });

  it('asks for basic auth on a stats page with stats auth', async () => {
    const r = await get(authPort, '/admin?stats');
    expect(r.status).toBe(401);
    expect(header(r, 'www-authenticate')).toBe('Basic realm="HAProxy Statistics"');
    const ok = await get(authPort, '/admin?stats;csv', `\r\nauthorization: Basic ${Buffer.from('admin:s3cret').toString('base64')}`);
    expect(ok.status).toBe(200);
  });
});

describe('stats admin with userlists (as configuration.txt\'s "stats admin" example)', () => {
  const basic = (user: string, pass: string) => `\r\nauthorization: Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

  it('asks for credentials, shows the form to admins only, and refuses the others\' POST', async () => {
    const none = await get(userPort, '/stats');
    expect([none.status, header(none, 'www-authenticate')]).toEqual([401, 'Basic realm="HAProxy Statistics"']);
    const reader = await get(userPort, '/stats', basic('haproxy', 'haproxy'));
    expect(reader.status).toBe(200);
    expect(reader.body).not.toContain('<form method="post">');
    const admin = await get(userPort, '/stats', basic('admin', 'AdMiN123'));
    expect(admin.body).toContain('<form method="post">');
    const post = (cred: string) => rawRequest(userPort, `POST /stats HTTP/1.1\r\nhost: lb${cred}`, 's=s2&action=drain&b=app');
    expect(header(await post(basic('haproxy', 'haproxy')), 'location')).toBe('/stats;st=DENY');
    expect(header(await post(basic('admin', 'AdMiN123')), 'location')).toBe('/stats;st=DONE');
    expect((await ask(px.sock('api.sock'), 'show stat')).split('\n').find((l) => l.startsWith('app,s2,'))?.split(',')[17]).toBe('DRAIN');
    await ask(px.sock('api.sock'), 'set server app/s2 state ready');
  });
});

describe('Prometheus exporter', () => {
  it('answers /metrics through http-request use-service prometheus-exporter', async () => {
    await ask(px.sock('api.sock'), 'set server app/s2 state maint');
    const r = await get(statsPort, '/metrics');
    expect(r.status).toBe(200);
    expect(header(r, 'content-type')).toBe('text/plain; version=0.0.4');
    expect(r.body).toContain('# TYPE haproxy_server_status gauge\n');
    expect(r.body).toContain('haproxy_server_status{proxy="app",server="s2",state="MAINT"} 1\n');
    expect(r.body).toContain('haproxy_server_status{proxy="app",server="s1",state="UP"} 1\n');
    expect(r.body).toMatch(/^haproxy_process_build_info\{version="[^"]+"\} 1$/m);
    await ask(px.sock('api.sock'), 'set server app/s2 state ready');
    // Other paths of that listen are not the exporter's (and the listen has no server).
    expect((await get(statsPort, '/other')).status).toBe(503);
  });
});
