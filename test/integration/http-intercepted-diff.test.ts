// The frontend `intercepted` counter (requests the proxy answers itself), differential against
// HAProxy 2.6: the same requests to the same config, then `show stat` of both must give each
// frontend the same `intercepted`, `req_tot` and `dreq`. HAProxy counts stats pages, redirects,
// `http-request return`, auth challenges and services only while the stream's backend is the
// frontend itself (http_ana.c / http_act.c `sess->fe == s->be`); deny does not count.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './proxy-harness.ts';
import { apiConfigHead, ask, startApiProxy, type ApiProxy } from './api-harness.ts';
import { startHaproxyApi, type HaproxyApi } from './haproxy-api-oracle.ts';

interface Ports {
  readonly fe: number;
  readonly li: number;
}

const cfg = (dir: string, p: Ports): string => `${apiConfigHead(`${dir}/api.sock`, 'admin', 'http')}frontend fe
    bind 127.0.0.1:${p.fe}
    stats enable
    stats uri /st
    http-request redirect location /elsewhere if { path /r }
    http-request return status 200 content-type text/plain string ok if { path /ret }
    http-request deny if { path /d }
    http-request auth realm R if { path /a }
    http-request use-service prometheus-exporter if { path /metrics }
    redirect prefix /pfx if { path /old }
    use_backend be if { path_beg /b }
    default_backend be
backend be
    http-request redirect location /be-elsewhere if { path /b/r }
    http-request return status 204 if { path /b/ret }
    stats enable
    stats uri /b/st
listen li
    bind 127.0.0.1:${p.li}
    stats enable
    stats uri /st
    http-request redirect location /x if { path /r }
    http-request deny if { path /d }
`;

/** Paths requested on each frontend, in order. */
const FE_PATHS = ['/st', '/st;csv', '/r', '/ret', '/d', '/a', '/metrics', '/old', '/b/r', '/b/ret', '/b/st', '/r'];
const LI_PATHS = ['/st', '/r', '/d', '/r'];

let ha: HaproxyApi | undefined;
let haPorts: Ports;
let ourPorts: Ports;
let px: ApiProxy | undefined;

/** One GET on a new connection; resolves with the status once the whole answer is read. */
function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer for ${path}`)));
    req.on('error', reject);
  });
}

async function ports(): Promise<Ports> {
  return { fe: await freePort(), li: await freePort() };
}

beforeAll(async () => {
  haPorts = await ports();
  ha = await startHaproxyApi('hapair-icpt-ha-', (dir) => cfg(dir, haPorts));
  ourPorts = await ports();
  px = await startApiProxy((dir) => cfg(dir, ourPorts));
}, 30_000);

afterAll(async () => {
  await ha?.stop();
  await px?.stop();
});

/** pxname → { intercepted, req_tot, dreq } of each FRONTEND row of `show stat`. */
function frontendCounters(csv: string): Record<string, Record<string, string>> {
  const lines = csv.split('\n').filter((l) => l !== '');
  const header = lines[0]!.replace(/^# /, '').split(',');
  const out: Record<string, Record<string, string>> = {};
  for (const l of lines.slice(1)) {
    const c = l.split(',');
    if (c[1] !== 'FRONTEND') continue;
    const at = (name: string) => c[header.indexOf(name)] ?? '';
    out[c[0]!] = { intercepted: at('intercepted'), req_tot: at('req_tot'), dreq: at('dreq') };
  }
  return out;
}

describe('intercepted requests against HAProxy 2.6', () => {
  it('answers the requests with the same statuses', async () => {
    for (const [paths, key] of [[FE_PATHS, 'fe'], [LI_PATHS, 'li']] as const) {
      for (const p of paths) {
        const theirs = await get(haPorts[key], p);
        const ours = await get(ourPorts[key], p);
        expect({ p, ours }).toEqual({ p, ours: theirs });
      }
    }
  });

  it('show stat has the same intercepted, req_tot and dreq per frontend', async () => {
    const theirs = frontendCounters(await ask(ha!.sock('api.sock'), 'show stat'));
    const ours = frontendCounters(await ask(px!.sock('api.sock'), 'show stat'));
    // The oracle counted something on both (stats page, redirects...), else the test proves nothing.
    expect(Number(theirs.fe?.intercepted) > 0 && Number(theirs.li?.intercepted) > 0, JSON.stringify(theirs)).toBe(true);
    expect(ours).toEqual(theirs);
  });
});
