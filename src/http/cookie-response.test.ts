import { describe, expect, it } from 'vitest';
import type { Server } from '../backend/server.ts';
import type { CookieSpec } from '../config/model.ts';
import { cookieDateOf, s30ToBase64 } from './cookie-date.ts';
import { cookieServers, cookieSpec } from './cookie.case.ts';
import { appliesToResponse, applyResponseCookies, isCacheable, type ResponseCookieInput } from './cookie-response.ts';

const NOW = 1_800_000_000;
const servers = cookieServers();

function run(spec: Partial<CookieSpec>, over: Partial<Omit<ResponseCookieInput, 'spec'>> & { headers?: [string, string][] } = {}) {
  const headers = over.headers ?? [];
  const values = (name: string) => headers.filter(([n]) => n === name).map(([, v]) => v);
  return applyResponseCookies({
    spec: cookieSpec(spec), server: servers[0] as Server | null, direct: false, method: 'GET', status: 200,
    setCookieHeaders: values('set-cookie'), responseHeader: values, firstDate: 0, lastDate: 0, nowSec: NOW, ...over,
  });
}

describe('response cookies: insert', () => {
  it('inserts the server cookie for a client that did not come with it', () => {
    expect(run({})).toEqual({ status: 'I', setCookieHeaders: [], insert: 'SRV=a; path=/', cacheControlPrivate: false });
  });

  it('does not insert for a client that came through its cookie', () => {
    expect(run({}, { direct: true })).toEqual({ status: 'N', setCookieHeaders: [], cacheControlPrivate: false });
  });

  it('tells a server without cookie to drop the client cookie', () => {
    expect(run({}, { server: servers[3] }).insert).toBe('SRV=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/');
  });

  it('adds domain, HttpOnly, Secure and attributes in HAProxy order', () => {
    expect(run({ domains: ['.a.com', 'b.org'], httponly: true, secure: true, attrs: ['SameSite=Lax', 'x'] }).insert).toBe(
      'SRV=a; path=/; domain=.a.com; domain=b.org; HttpOnly; Secure; SameSite=Lax; x',
    );
  });

  it('postonly: only on POST responses', () => {
    expect(run({ postonly: true }).insert).toBeUndefined();
    expect(run({ postonly: true }, { method: 'POST' }).insert).toBe('SRV=a; path=/');
  });

  it('nocache marks a cacheable response private, not an uncacheable one', () => {
    const etag: [string, string][] = [['etag', '"v1"']];
    expect(run({ nocache: true }, { headers: etag }).cacheControlPrivate).toBe(true);
    expect(run({ nocache: true }).cacheControlPrivate).toBe(false);
    expect(run({ nocache: true }, { method: 'POST', headers: etag }).cacheControlPrivate).toBe(false);
    expect(run({ nocache: true }, { headers: [...etag, ['cache-control', 'no-store']] }).cacheControlPrivate).toBe(false);
    expect(run({ nocache: true }, { direct: true, headers: etag }).cacheControlPrivate).toBe(false);
  });

  it('replaces the server own cookie (D then I), or keeps it with preserve (P, no insert)', () => {
    expect(run({}, { headers: [['set-cookie', 'SRV=x; path=/']] })).toMatchObject({ status: 'I', setCookieHeaders: [null], insert: 'SRV=a; path=/' });
    expect(run({ preserve: true }, { headers: [['set-cookie', 'SRV=x; path=/']] })).toEqual({ status: 'P', setCookieHeaders: ['SRV=x; path=/'], cacheControlPrivate: false });
    expect(run({}, { headers: [['set-cookie', 'other = 1; path=/']] }).setCookieHeaders).toEqual(['other=1; path=/']);
  });

  it('does nothing with ignore-persist or without a server', () => {
    expect(run({}, { ignorePersist: true, headers: [['set-cookie', 'SRV=x']] })).toEqual({ status: 'N', setCookieHeaders: ['SRV=x'], cacheControlPrivate: false });
    expect(run({}, { server: null }).insert).toBeUndefined();
  });
});

describe('response cookies: dates', () => {
  const spec = { maxidle: 1800, maxlife: 7200 };
  it('writes last and first seen dates', () => {
    expect(run(spec).insert).toBe(`SRV=a|${cookieDateOf(NOW)}|${cookieDateOf(NOW)}; path=/`);
    expect(run({ maxidle: 60 }).insert).toBe(`SRV=a|${cookieDateOf(NOW)}; path=/`);
  });

  it('refreshes the last date of a direct client once it is past, keeping the first date (U)', () => {
    const first = Math.floor((NOW - 600) / 4) * 4;
    const r = run(spec, { direct: true, lastDate: NOW - 60, firstDate: first });
    expect(r).toMatchObject({ status: 'U', insert: `SRV=a|${cookieDateOf(NOW)}|${s30ToBase64(first / 4)}; path=/` });
    expect(run(spec, { direct: true, lastDate: NOW + 2, firstDate: first }).insert).toBeUndefined();
  });

  it('adds a first date when maxlife is set and removes it when not', () => {
    expect(run({ maxlife: 100 }, { direct: true, lastDate: NOW + 2 }).status).toBe('U');
    expect(run({}, { direct: true, firstDate: NOW - 60 }).insert).toBe('SRV=a; path=/');
  });
});

describe('response cookies: rewrite, prefix, indirect', () => {
  it('rewrite puts the server cookie in the server own cookie (R)', () => {
    expect(run({ mode: 'rewrite' }, { headers: [['set-cookie', 'SRV=abc123; Path=/']] })).toEqual({ status: 'R', setCookieHeaders: ['SRV=a; Path=/'], cacheControlPrivate: false });
    expect(run({ mode: 'rewrite' }, { server: servers[3], headers: [['set-cookie', 'SRV=abc']] }).status).toBe('P');
  });

  it('prefix prepends the server cookie and ~ (R)', () => {
    expect(run({ mode: 'prefix' }, { headers: [['set-cookie', 'SRV=abc; Path=/']] }).setCookieHeaders).toEqual(['SRV=a~abc; Path=/']);
    expect(run({ mode: 'prefix' }, { headers: [['set-cookie', 'SRV = abc ;Path=/']] }).setCookieHeaders).toEqual(['SRV=a~abc ;Path=/']);
  });

  it('indirect removes the server own cookie on a direct request only', () => {
    expect(run({ mode: 'passive', indirect: true }, { direct: true, headers: [['set-cookie', 'SRV=a']] })).toMatchObject({ status: 'D', setCookieHeaders: [null] });
    expect(run({ mode: 'passive', indirect: true }, { headers: [['set-cookie', 'SRV=a']] })).toMatchObject({ status: 'P', setCookieHeaders: ['SRV=a'] });
  });
});

describe('cacheability (HAProxy TX_CACHEABLE)', () => {
  const c = (method: string, status: number, headers: Record<string, string[]> = {}) => isCacheable({ method, status, responseHeader: (n) => headers[n] ?? [] });
  const fresh = { expires: ['Thu, 01 Dec 2094 16:00:00 GMT'] };
  it('follows method, status and Cache-Control/Pragma', () => {
    expect(c('GET', 200, fresh)).toBe(true);
    expect(c('HEAD', 404, fresh)).toBe(true);
    expect(c('POST', 200, fresh)).toBe(false);
    expect(c('GET', 302, fresh)).toBe(false);
    expect(c('GET', 200, { ...fresh, pragma: ['no-cache'] })).toBe(false);
    expect(c('GET', 200, { 'cache-control': ['max-age=10, private'] })).toBe(false);
    expect(c('GET', 302, { 'cache-control': ['public, max-age=3'] })).toBe(true);
    expect(c('GET', 200, { 'cache-control': ['max-age=0'] })).toBe(false);
  });

  it('needs freshness information or a validator', () => {
    expect(c('GET', 200)).toBe(false);
    expect(c('GET', 200, { 'cache-control': ['public'] })).toBe(false);
    expect(c('GET', 200, { 'cache-control': ['s-maxage=5'] })).toBe(true);
    expect(c('GET', 200, { etag: ['"x"'] })).toBe(true);
    expect(c('GET', 200, { 'last-modified': ['Tue, 15 Nov 1994 12:45:26 GMT'] })).toBe(true);
  });

  it('leaves interim responses alone', () => {
    expect([100, 101, 103, 200].map(appliesToResponse)).toEqual([false, true, false, true]);
  });
});
