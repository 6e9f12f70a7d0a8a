// Differential: the same configuration run by HAProxy 2.6 (/usr/sbin/haproxy) and by hapair;
// `show stat` must have the same CSV header field for field, the same rows in the same order,
// the same set of fields filled per row and the same identity/config values; `show servers
// state` the same header and columns.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './proxy-harness.ts';
import { apiConfigHead, ask, startApiProxy, type ApiProxy } from './api-harness.ts';
import { startHaproxyApi, type HaproxyApi } from './haproxy-api-oracle.ts';

const cfg = (dir: string, feA: number, feB: number): string => `${apiConfigHead(`${dir}/api.sock`, 'admin', 'tcp')}frontend fe
    bind 127.0.0.1:${feA}
    default_backend be
backend be
    balance leastconn
    server s1 127.0.0.1:1
    server s2 127.0.0.1:2 weight 3 maxconn 7
    server s3 127.0.0.1:3 backup
listen app
    bind 127.0.0.1:${feB}
    server a1 127.0.0.1:4 id 12
backend chk
    server c1 127.0.0.1:1 check inter 100 fall 1 rise 1
`;

let ha: HaproxyApi | undefined;
let px: ApiProxy;

beforeAll(async () => {
  const haA = await freePort();
  const haB = await freePort();
  ha = await startHaproxyApi('hapair-api-ha-', (dir) => cfg(dir, haA, haB));
  const a = await freePort();
  const b = await freePort();
  px = await startApiProxy((dir) => cfg(dir, a, b));
  // Both must have run the failing health check of chk/c1 before rows are compared.
  for (const sock of [ha!.sock('api.sock'), px.sock('api.sock')]) {
    for (let i = 0; i < 200 && !/\nchk,c1,([^,]*,){15}DOWN,/.test(await ask(sock, 'show stat')); i++) await new Promise((r) => setTimeout(r, 25));
  }
}, 30_000);

afterAll(async () => {
  await ha?.stop();
  await px?.stop();
});

function parseCsv(text: string): { header: string[]; rows: Map<string, string>[] } {
  const lines = text.split('\n').filter((l) => l !== '');
  const header = lines[0].replace(/^# /, '').split(',');
  const rows = lines.slice(1).map((l) => {
    const cells = l.split(',');
    return new Map(header.map((h, i) => [h, cells[i] ?? '']));
  });
  return { header, rows };
}

const SAME_VALUES = ['check_status', 'check_desc', 'check_rise', 'check_fall', 'check_health', 'pxname', 'svname', 'iid', 'sid', 'pid', 'type', 'status', 'weight', 'act', 'bck', 'slim', 'mode', 'algo', 'uweight', 'addr', 'qcur', 'scur', 'stot'];

describe('show stat against HAProxy 2.6', () => {
  it('has the same header, rows, filled fields and identity values', async () => {
    const theirs = parseCsv(await ask(ha!.sock('api.sock'), 'show stat'));
    const ours = parseCsv(await ask(px.sock('api.sock'), 'show stat'));
    expect(ours.header).toEqual(theirs.header);
    expect(ours.rows.map((r) => `${r.get('pxname')}/${r.get('svname')}`)).toEqual(theirs.rows.map((r) => `${r.get('pxname')}/${r.get('svname')}`));
    theirs.rows.forEach((t, i) => {
      const o = ours.rows[i];
      const filled = (r: Map<string, string>) => [...r].filter(([, v]) => v !== '').map(([k]) => k);
      expect({ row: i, fields: filled(o) }).toEqual({ row: i, fields: filled(t) });
      for (const f of SAME_VALUES) {
        // slim of a frontend is the global maxconn, derived from ulimit by HAProxy.
        if (f === 'slim' && t.get('svname') !== 'BACKEND' && t.get('type') === '0') continue;
        if (f === 'slim' && t.get('svname') === 'BACKEND') continue;
        expect({ row: i, field: f, value: o.get(f) }).toEqual({ row: i, field: f, value: t.get(f) });
      }
    });
  });

  it('filters by proxy, type and server id like HAProxy', async () => {
    for (const q of ['show stat be 4 -1', 'show stat 3 2 -1', 'show stat -1 1 -1', 'show stat nope 1 -1']) {
      const theirs = await ask(ha!.sock('api.sock'), q);
      const ours = await ask(px.sock('api.sock'), q);
      const names = (t: string) => t.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => l.split(',').slice(0, 2).join('/'));
      expect({ q, rows: names(ours) }).toEqual({ q, rows: names(theirs) });
    }
  });

  it('has the same typed field positions and tags', async () => {
    const key = (t: string) =>
      t
        .split('\n')
        .filter((l) => l !== '' && !/\.(slim|lastchg|Uptime)/.test(l))
        .map((l) => l.replace(/:[^:]*$/, ''));
    const theirs = key(await ask(ha!.sock('api.sock'), 'show stat typed'));
    const ours = key(await ask(px.sock('api.sock'), 'show stat typed'));
    expect(ours).toEqual(theirs);
  });
});

describe('show servers state against HAProxy 2.6', () => {
  it('prints format version 1, the same header and the same columns', async () => {
    const strip = (t: string) => t.split('\n').map((l) => l.split(' ').filter((_, i) => i !== 9).join(' '));
    const theirs = strip(await ask(ha!.sock('api.sock'), 'show servers state'));
    const ours = strip(await ask(px.sock('api.sock'), 'show servers state'));
    expect(ours).toEqual(theirs);
  });
});

describe('show info against HAProxy 2.6', () => {
  it('has the same field names in the same order', async () => {
    const names = (t: string) => t.split('\n').filter((l) => l !== '').map((l) => l.split(':')[0]);
    const theirs = names(await ask(ha!.sock('api.sock'), 'show info'));
    const ours = names(await ask(px.sock('api.sock'), 'show info'));
    expect(ours).toEqual(theirs);
  });
});
