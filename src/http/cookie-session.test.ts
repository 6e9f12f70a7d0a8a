import { describe, expect, it } from 'vitest';
import type { SampleTxn } from '../acl/sample.ts';
import type { ProxySpec } from '../config/model.ts';
import { cookieServers, cookieSpec } from './cookie.case.ts';
import { persistRequest, persistResponse } from './cookie-session.ts';
import { H1Message } from './h1-message.ts';

const servers = cookieServers();
/** No force-persist / ignore-persist rules: the txn is never read. */
const txn = {} as SampleTxn;

function backend(extra: Partial<ProxySpec> = {}): ProxySpec {
  return { cookie: cookieSpec({ indirect: true }), options: {}, ...extra } as ProxySpec;
}

function message(fields: [string, string][]): H1Message {
  const m = new H1Message();
  for (const [n, v] of fields) m.add(n, v);
  return m;
}

describe('cookie persistence on session messages', () => {
  it('does nothing for a backend without cookie', () => {
    const req = message([['cookie', 'SRV=a']]);
    expect(persistRequest({ options: {} } as ProxySpec, servers, req, txn, false)).toBeNull();
    expect(req.flat).toEqual(['cookie', 'SRV=a']);
  });

  it('edits the request Cookie fields in place, keeping the other fields in order', () => {
    const req = message([['host', 'h'], ['cookie', 'SRV=a'], ['accept', '*/*'], ['cookie', 'x=1; SRV=a']]);
    const r = persistRequest(backend(), servers, req, txn, false)!;
    expect(r.server).toBe(servers[0]);
    expect(req.flat).toEqual(['host', 'h', 'accept', '*/*', 'cookie', 'x=1']);
  });

  it('a use-server choice leaves the cookie unused and inserts nothing', () => {
    const req = message([['cookie', 'SRV=a']]);
    const r = persistRequest(backend(), servers, req, txn, true)!;
    expect([r.server, r.status]).toEqual([null, 'U']);
    const res = message([['content-length', '0']]);
    res.status = 200;
    expect(persistResponse(backend().cookie!, r, servers[2], 'GET', res)).toBe('UN');
    expect(res.flat).toEqual(['content-length', '0']);
  });

  it('replaces the server own Set-Cookie with the inserted one and marks a cacheable response private', () => {
    const req = message([]);
    const r = persistRequest(backend({ cookie: cookieSpec({ nocache: true }) }), servers, req, txn, false)!;
    const res = message([['set-cookie', 'SRV=own'], ['etag', '"1"'], ['set-cookie', 'o=1']]);
    res.status = 200;
    expect(persistResponse(cookieSpec({ nocache: true }), r, servers[1], 'GET', res)).toBe('NI');
    expect(res.flat).toEqual(['etag', '"1"', 'set-cookie', 'o=1', 'set-cookie', 'SRV=b; path=/', 'cache-control', 'private']);
  });

  it('leaves interim responses alone', () => {
    const r = persistRequest(backend(), servers, message([]), txn, false)!;
    const res = message([]);
    res.status = 103;
    expect(persistResponse(backend().cookie!, r, servers[0], 'GET', res)).toBe('NN');
    expect(res.flat).toEqual([]);
  });
});
