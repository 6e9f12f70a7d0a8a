// Differential tests against HAProxy 2.6 on loopback: the admin form's status codes and 303
// Location, the CSV header and strict CSV syntax, the 401 of `stats auth`, and the Prometheus
// exporter's metric families (names, HELP and TYPE lines).
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/process.ts';
import { startEchoServer, type EchoServer } from '../support/servers.ts';
import { startApiProxy, type ApiProxy } from './api-harness.ts';
import { rawRequest, startHaproxy, type HaproxyRun } from './http-oracle-harness.ts';

let haproxy: HaproxyRun;
let haPort: number;
let authPort: number;
let ours: ApiProxy;
let ourPort: number;
let ourAuthPort: number;
let echo: EchoServer;
let closed: number;

const servers = () => `  server s1 127.0.0.1:${echo.port} check inter 60s
  server s2 127.0.0.1:${echo.port}
  server s3 127.0.0.1:${closed} agent-check agent-port ${closed} agent-inter 60s backup
`;

/** The same configuration for haproxy and for hapair, on different ports. */
function config(port: number, auth: number): string {
  return `defaults
  mode http
  timeout connect 5s
  timeout client 10s
  timeout server 10s
listen stats
  bind 127.0.0.1:${port}
  stats enable
  stats uri /stats
  stats admin if TRUE
  http-request use-service prometheus-exporter if { path /metrics }
listen authstats
  bind 127.0.0.1:${auth}
  stats uri /stats
  stats auth admin:s3cret
  stats realm LB\\ stats
backend app
${servers()}`;
}

beforeAll(async () => {
  echo = await startEchoServer();
  closed = await freePort();
  haPort = await freePort();
  authPort = await freePort();
  haproxy = await startHaproxy(config(haPort, authPort), [haPort, authPort]);
  [ourPort, ourAuthPort] = [await freePort(), await freePort()];
  ours = await startApiProxy(() => config(ourPort, ourAuthPort));
});

afterAll(async () => {
  await haproxy?.stop();
  await ours?.stop();
  await echo?.close();
});

/** HAProxy sends the stats and metrics chunked: the body without the chunk framing. */
function dechunk(raw: string): string {
  let out = '';
  let at = 0;
  for (let i = 0; i < 100_000; i++) {
    const eol = raw.indexOf('\r\n', at);
    const size = parseInt(raw.slice(at, eol), 16);
    if (!(size > 0)) return out;
    out += raw.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
  throw new Error('too many chunks');
}

/** GET `path` on `port`; the body without chunk framing. */
async function getBody(port: number, path: string): Promise<string> {
  const r = await rawRequest(port, `GET ${path} HTTP/1.1\r\nhost: x`);
  expect(r.status).toBe(200);
  return r.headers.some(([k, v]) => k === 'transfer-encoding' && v === 'chunked') ? dechunk(r.body) : r.body;
}

async function post(port: number, body: string): Promise<string> {
  const r = await rawRequest(port, 'POST /stats HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded', body);
  return `${r.status} ${r.headers.find(([k]) => k === 'location')?.[1]}`;
}

const header = (r: { headers: [string, string][] }, name: string) => r.headers.find(([k]) => k === name)?.[1];

describe('admin form against HAProxy 2.6', () => {
  it('answers the same 303 and ;st= code for the same forms, in the same order', async () => {
    // Both number the proxies alike: stats #1, authstats #2, app #3.
    const forms = [
      's=s2&action=maint&b=%233',
      's=s2&action=ready&b=app',
      's=s2&s=zz&action=drain&b=app',
      'action=maint&b=%233',
      '',
      's=zz&action=maint&b=app',
      's=s2&action=foo&b=app',
      's=s2&action=maint&b=%2399',
      's=s2&action=arunn&b=app',
      's=s3&action=arunn&b=app',
      's=s2&action=ehlth&b=app',
      's=s2&s=s3&action=dagent&b=app',
      's=s1&action=hrunn&b=app',
      'b=app&action=ready&s=s2',
      's=s2&action=ready',
      'action=ready&s=s2&b=nope',
      's=s2&action=ready&b=stats',
      // Legacy actions (not in the menu): counted only when they change the flag.
      's=s2&action=disable&b=app',
      's=s2&action=disable&b=app',
      's=s2&action=enable&b=app',
      's=s2&action=stop&b=app',
      's=s2&action=start&b=app',
      's=s2&action=start&b=app',
      's=s2&action=shutdown&b=app',
    ];
    const theirs: string[] = [];
    for (const f of forms) theirs.push(await post(haPort, f));
    const mine: string[] = [];
    for (const f of forms) mine.push(await post(ourPort, f));
    expect(mine).toEqual(theirs);
    // And the servers are left in the same states.
    const states = (csv: string) => csv.split('\n').filter((l) => l.startsWith('app,')).map((l) => l.split(',').slice(0, 2).concat(l.split(',')[17]).join(' '));
    expect(states(await getBody(ourPort, '/stats;csv'))).toEqual(states(await getBody(haPort, '/stats;csv')));
  });

  it('refuses a POST without admin rights with ;st=DENY', async () => {
    const theirs = await rawRequest(authPort, `POST /stats HTTP/1.1\r\nhost: x\r\nauthorization: Basic ${Buffer.from('admin:s3cret').toString('base64')}`, 's=s1&action=maint&b=app');
    const mine = await rawRequest(ourAuthPort, `POST /stats HTTP/1.1\r\nhost: x\r\nauthorization: Basic ${Buffer.from('admin:s3cret').toString('base64')}`, 's=s1&action=maint&b=app');
    expect([mine.status, header(mine, 'location')]).toEqual([theirs.status, header(theirs, 'location')]);
    expect(header(mine, 'location')).toBe('/stats;st=DENY');
  });
});

describe('page against HAProxy 2.6', () => {
  it('has the same tables, column headings, server rows, checkboxes and action list', async () => {
    const outline = (html: string) => ({
      tables: [...html.matchAll(/<a class=px href="#([^"]+)">/g)].map((m) => m[1]),
      headings: [...html.matchAll(/<th(?: colspan=\d+)?>([A-Za-z ]+)<\/th>/g)].map((m) => m[1]),
      rows: [...html.matchAll(/<tr class="([a-z_]+)">/g)].map((m) => m[1]),
      boxes: [...html.matchAll(/<input class='([^']+)' type="checkbox" name="s" value="([^"]+)">/g)].map((m) => `${m[1]} ${m[2]}`),
      actions: [...html.matchAll(/<option value="([a-z]*)">([^<]*)<\/option>/g)].map((m) => `${m[1]}=${m[2]}`),
      forms: [...html.matchAll(/<input type="hidden" name="b" value="([^"]+)">/g)].map((m) => m[1]),
    });
    expect(outline(await getBody(ourPort, '/stats'))).toEqual(outline(await getBody(haPort, '/stats')));
  });
});

describe('outputs against HAProxy 2.6', () => {
  it('CSV over HTTP: strict CSV, and the header equals HAProxy\'s field for field', async () => {
    const theirText = await getBody(haPort, '/stats;csv');
    const ourText = await getBody(ourPort, '/stats;csv');
    expect(ourText.split('\n')[0]).toBe(theirText.split('\n')[0]);
    const opts = { columns: true, relax_column_count: false, relax_quotes: false } as const;
    const theirs = parse(theirText.replace(/^# /, ''), opts) as Record<string, string>[];
    const mine = parse(ourText.replace(/^# /, ''), opts) as Record<string, string>[];
    const rows = (x: Record<string, string>[]) => x.map((r) => `${r.pxname} ${r.svname} ${r.iid} ${r.sid} ${r.act} ${r.bck} ${r.weight} ${r.type}`);
    expect(rows(mine)).toEqual(rows(theirs));
  });

  it(';typed over HTTP: each object carries the same fields with the same tags', async () => {
    const fields = (text: string) => [...new Set(text.split('\n').filter(Boolean).map((l) => {
      const m = /^([FBS])\.(\d+)\.(\d+)\.\d+\.([a-z0-9_]+)\.1:([A-Za-z]{3}:[a-z0-9]+):/.exec(l);
      return m ? `${m[1]}.${m[2]}.${m[3]} ${m[4]} ${m[5]}` : `bad line ${l}`;
    }))];
    expect(fields(await getBody(ourPort, '/stats;typed'))).toEqual(fields(await getBody(haPort, '/stats;typed')));
  });

  it('stats auth: the same 401 status, WWW-Authenticate and page', async () => {
    const theirs = await rawRequest(authPort, 'GET /stats HTTP/1.1\r\nhost: x');
    const mine = await rawRequest(ourAuthPort, 'GET /stats HTTP/1.1\r\nhost: x');
    expect([mine.status, header(mine, 'www-authenticate'), mine.body]).toEqual([theirs.status, header(theirs, 'www-authenticate'), theirs.body]);
    const auth = `authorization: Basic ${Buffer.from('admin:s3cret').toString('base64')}`;
    expect((await rawRequest(ourAuthPort, `GET /stats HTTP/1.1\r\nhost: x\r\n${auth}`)).status).toBe(200);
  });

  it('Prometheus: the same metric families (names, HELP, TYPE) in the same order', async () => {
    const heads = (text: string) => text.split('\n').filter((l) => l.startsWith('# '));
    const theirs = await getBody(haPort, '/metrics');
    const mine = await getBody(ourPort, '/metrics');
    expect(heads(mine)).toEqual(heads(theirs));
    const series = (text: string) => text.split('\n').filter((l) => /^haproxy_(server|backend)_(status|agg_server_status|active_servers|backup_servers|weight)\{/.test(l));
    expect(series(mine)).toEqual(series(theirs));
    // Every sample has the same name and labels (values differ: uptimes, memory, rates).
    const keys = (text: string) => text.split('\n').filter((l) => l.startsWith('haproxy_') && !l.startsWith('haproxy_process_build_info')).map((l) => l.slice(0, l.lastIndexOf(' ')));
    expect(keys(mine)).toEqual(keys(theirs));
  });
});
