// Fixtures of the cookie persistence tests: a cookie line's spec and a farm with cookies.
import { Server } from '../backend/server.ts';
import type { CookieSpec } from '../config/model.ts';
import { serverSpecOf } from '../lb/balancer.case.ts';

export function cookieSpec(extra: Partial<CookieSpec> = {}): CookieSpec {
  return {
    name: 'SRV', mode: 'insert', indirect: false, nocache: false, postonly: false, preserve: false, httponly: false,
    secure: false, domains: [], maxidle: 0, maxlife: 0, dynamic: false, attrs: [], ...extra,
  };
}

/** s1..s3 with cookies a, b, b (b shared), s4 without cookie. */
export function cookieServers(): Server[] {
  return [['s1', 'a'], ['s2', 'b'], ['s3', 'b'], ['s4', undefined]].map(
    ([name, cookie], i) => new Server({ ...serverSpecOf({ name: name! }, i), ...(cookie !== undefined ? { cookie } : {}) }, 'be'),
  );
}
