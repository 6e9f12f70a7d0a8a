import { describe, expect, it } from 'vitest';
import type { CookieSpec } from '../config/model.ts';
import { cookieServers, cookieSpec } from './cookie.case.ts';
import { s30ToBase64 } from './cookie-date.ts';
import { applyRequestCookies, isStopped, type RequestCookieInput } from './cookie-request.ts';

const NOW = 1_800_000_000;
const date = (sec: number) => s30ToBase64(Math.floor(sec / 4));

function run(cookieHeaders: string[], spec: Partial<CookieSpec> = {}, extra: Partial<RequestCookieInput> = {}, servers = cookieServers()) {
  const r = applyRequestCookies({ spec: cookieSpec(spec), servers, cookieHeaders, nowSec: NOW, persist: false, ...extra });
  return { server: r.server?.name ?? null, status: r.status, headers: r.headers, changed: r.changed, firstDate: r.firstDate, lastDate: r.lastDate };
}

describe('request cookies: server choice and %tsc letter', () => {
  it.each([
    [[], null, 'N'],
    [['other=1'], null, 'N'],
    [['SRV=a'], 's1', 'V'],
    [['x=1; SRV=b'], 's2', 'V'],
    [['SRV=zz'], null, 'I'],
    [['SRV='], null, 'I'],
    [['SRV'], null, 'N'],
    [['srv=a'], null, 'N'],
    [['SRV=a', 'SRV=b'], 's1', 'V'],
    [['SRV=zz; SRV=b'], 's2', 'V'],
    [['SRV=b; SRV=zz'], 's2', 'V'],
    [['SRV = a'], 's1', 'V'],
    [['SRV="a"'], null, 'I'],
    [['SRV=a, x=2'], 's1', 'V'],
  ])('%j → %s %s', (headers, server, status) => {
    const r = run(headers);
    expect([r.server, r.status]).toEqual([server, status]);
  });

  it('skips a stopped server for another one with the same value, else reports D', () => {
    const servers = cookieServers();
    servers[1].oper = 'DOWN';
    expect(run(['SRV=b'], {}, {}, servers)).toMatchObject({ server: 's3', status: 'V' });
    servers[2].admin.maint = true;
    expect(run(['SRV=b'], {}, {}, servers)).toMatchObject({ server: null, status: 'D' });
  });

  it('sends to a stopped server with option persist or force-persist (status D)', () => {
    const servers = cookieServers();
    servers[0].oper = 'DOWN';
    expect(run(['SRV=a'], {}, { persist: true }, servers)).toMatchObject({ server: 's1', status: 'D' });
    expect(run(['SRV=a'], {}, { forcePersist: true }, servers)).toMatchObject({ server: 's1', status: 'D' });
  });

  it('keeps persistent clients on a draining or weight-0 server', () => {
    const servers = cookieServers();
    servers[0].admin.drain = true;
    expect(isStopped(servers[0])).toBe(false);
    expect(run(['SRV=a'], {}, {}, servers)).toMatchObject({ server: 's1', status: 'V' });
    servers[0].admin.drain = false;
    servers[0].setWeight(0);
    expect(run(['SRV=a'], {}, {}, servers)).toMatchObject({ server: 's1', status: 'V' });
  });

  it('reads but does not use the cookie with ignore-persist or an assigned server (U)', () => {
    expect(run(['SRV=a'], {}, { ignorePersist: true })).toMatchObject({ server: null, status: 'U' });
    expect(run(['SRV=a'], {}, { assigned: true })).toMatchObject({ server: null, status: 'U' });
  });
});

describe('request cookies: what the server sees', () => {
  it.each([
    [['SRV=a'], [null]],
    [['SRV=a; x=1'], ['x=1']],
    [['x=1; SRV=a'], ['x=1']],
    [['x=1 ; SRV=a ; y=2'], ['x=1; y=2']],
    [['x=1;SRV=a;y=2'], ['x=1; y=2']],
    [['$Version=1; SRV=a; $Path=/; x=y'], ['$Version=1; x=y']],
    [['$Version=1; SRV=a; $Path=/'], [null]],
    [['x=1', 'SRV=a'], ['x=1', null]],
    [['SRV=a; SRV=b'], [null]],
    [['flag; SRV=a'], ['flag']],
    [['SRV=a; flag'], ['flag']],
    [['SRV=zz; x=1'], ['x=1']],
    [['a = 1 ;SRV = b'], ['a=1 ']],
  ])('insert indirect: %j → %j', (headers, out) => {
    expect(run(headers, { indirect: true }).headers).toEqual(out);
  });

  it('insert without indirect forwards the cookie (spaces around = dropped)', () => {
    expect(run(['SRV=a; x=1'])).toMatchObject({ headers: ['SRV=a; x=1'], changed: false });
    expect(run(['SRV = a ; x = 1'])).toMatchObject({ headers: ['SRV=a ; x=1'], changed: true });
    expect(run([''])).toMatchObject({ headers: [''], changed: false });
  });

  it.each([
    [['SRV=a~xyz'], 's1', 'V', ['SRV=xyz']],
    [['o=1; SRV=b~x~y; p=2'], 's2', 'V', ['o=1; SRV=x~y; p=2']],
    [['SRV=zz~v'], null, 'I', ['SRV=v']],
    [['SRV=~v'], null, 'I', ['SRV=v']],
    [['SRV=nosep'], null, 'I', ['SRV=nosep']],
  ])('prefix: %j → %s %s, server sees %j', (headers, server, status, out) => {
    expect(run(headers, { mode: 'prefix' })).toMatchObject({ server, status, headers: out });
  });

  it('rewrite and passive modes forward the cookie untouched', () => {
    expect(run(['SRV=a; x=1'], { mode: 'rewrite' })).toMatchObject({ server: 's1', headers: ['SRV=a; x=1'] });
    expect(run(['SRV=a; x=1'], { mode: 'passive', indirect: true })).toMatchObject({ server: 's1', headers: ['SRV=a; x=1'] });
  });
});

describe('request cookies: maxidle and maxlife', () => {
  const idle = { maxidle: 1800, maxlife: 7200 };
  it('reads the dates of a valid cookie', () => {
    const r = run([`SRV=a|${date(NOW - 60)}|${date(NOW - 600)}`], idle);
    expect(r).toMatchObject({ server: 's1', status: 'V' });
    expect(r.lastDate).toBe(Math.floor((NOW - 60) / 4) * 4);
    expect(r.firstDate).toBe(Math.floor((NOW - 600) / 4) * 4);
  });

  it.each([
    [`SRV=a|${date(NOW - 3600)}|${date(NOW - 4000)}`, 'E'],
    [`SRV=a|${date(NOW - 60)}|${date(NOW - 3 * 3600)}`, 'O'],
    [`SRV=a|${date(NOW + 2 * 86400)}|${date(NOW - 60)}`, 'E'],
    [`SRV=a|${date(NOW - 60)}|${date(NOW + 2 * 86400)}`, 'O'],
  ])('%s is %s and not used', (cookie, status) => {
    expect(run([cookie], idle)).toMatchObject({ server: null, status, firstDate: 0, lastDate: 0 });
  });

  it('ignores dates it cannot read and dates when the limit is not set', () => {
    expect(run([`SRV=a|!!!!!|${date(NOW - 60)}`], idle)).toMatchObject({ server: 's1', lastDate: 0 });
    expect(run([`SRV=a|${date(NOW - 99999)}`])).toMatchObject({ server: 's1', status: 'V' });
    expect(run([`SRV=a|abc`], idle)).toMatchObject({ server: 's1', lastDate: 0, firstDate: 0 });
  });
});
