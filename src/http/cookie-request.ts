// Request side of cookie persistence (HAProxy http_ana.c http_manage_client_side_cookies): find
// the persistence cookie in the request's `Cookie` headers, pick the server it names, check its
// maxidle/maxlife dates, and rewrite the headers the server will see (prefix mode strips the
// `SRV~` prefix, insert+indirect removes the cookie). Pure: strings in, strings out.
import type { Server } from '../backend/server.ts';
import type { CookieSpec } from '../config/model.ts';
import { base64ToS30 } from './cookie-date.ts';
import { type CookieToken, deleteCookieRange, scanCookie, stripSpacesAroundEqual } from './cookie-header.ts';

/** Client-side cookie status, the 3rd character of `%tsc` (HAProxy log.c sess_cookie). */
export type ClientCookieStatus = 'N' | 'I' | 'D' | 'V' | 'E' | 'O' | 'U';

export interface RequestCookieInput {
  readonly spec: CookieSpec;
  /** The backend's servers in declaration order (the first running one with the value wins). */
  readonly servers: readonly Server[];
  /** Values of the request's `Cookie` header lines, in order. */
  readonly cookieHeaders: readonly string[];
  /** Current UNIX time in seconds. */
  readonly nowSec: number;
  /** `option persist`: a cookie naming a down server still sends the request there. */
  readonly persist: boolean;
  /** `force-persist` matched: same as `option persist` for this request. */
  readonly forcePersist?: boolean;
  /** `ignore-persist` matched: the cookie is read but not used. */
  readonly ignorePersist?: boolean;
  /** A server was already chosen (`use-server`): the cookie is not used. */
  readonly assigned?: boolean;
}

export interface RequestCookieResult {
  /** The server the cookie sends the request to (HAProxy SF_DIRECT), or null: balance. */
  readonly server: Server | null;
  readonly status: ClientCookieStatus;
  /** New values of `cookieHeaders`, index for index; null: remove that header line. */
  readonly headers: readonly (string | null)[];
  /** Some header changed. */
  readonly changed: boolean;
  /** Dates found in a valid cookie (UNIX seconds, 0 = none), for the response side. */
  readonly firstDate: number;
  readonly lastDate: number;
  /** `ignore-persist` applied (the response side then leaves cookies alone too). */
  readonly ignorePersist: boolean;
  /** A use-server rule chose the server (HAProxy sets SF_DIRECT then too: no cookie inserted). */
  readonly assigned: boolean;
}

/** HAProxy tells servers from clients apart by `cur_state`: maintenance counts as stopped, drain does not. */
export function isStopped(server: Server): boolean {
  return server.admin.maint || server.oper === 'DOWN';
}

const DAY = 86400;

class RequestCookieState {
  readonly input: RequestCookieInput;
  server: Server | null = null;
  assigned: boolean;
  status: ClientCookieStatus = 'N';
  firstDate = 0;
  lastDate = 0;
  readonly t: CookieToken = { attBeg: 0, attEnd: 0, equal: 0, valBeg: 0, valEnd: 0, next: 0 };

  constructor(input: RequestCookieInput) {
    this.input = input;
    this.assigned = input.assigned === true;
  }
}

/** Apply cookie persistence to a request's `Cookie` headers. */
export function applyRequestCookies(input: RequestCookieInput): RequestCookieResult {
  const st = new RequestCookieState(input);
  let changed = false;
  const headers = input.cookieHeaders.map((value) => {
    const out = processLine(st, value);
    if (out !== value) changed = true;
    return out;
  });
  return {
    server: st.server, status: st.status, headers, changed, firstDate: st.firstDate, lastDate: st.lastDate, ignorePersist: input.ignorePersist === true,
    assigned: input.assigned === true,
  };
}

/** One `Cookie` line: its new value, or null when nothing is left of it. */
function processLine(st: RequestCookieState, value: string): string | null {
  const name = st.input.spec.name;
  const t = st.t;
  let s = value;
  let delFrom = -1;
  let preserve = false;
  for (let prev = 0, first = true; prev < s.length; prev = t.next, first = false) {
    scanCookie(s, prev, first, true, t);
    if (s.charCodeAt(t.attBeg) === 36) continue; // `$Path` and co. go with the cookie before them
    if (t.equal === t.next || !(t.attEnd - t.attBeg === name.length && s.startsWith(name, t.attBeg))) {
      // Not ours (or no '='): keep it, and delete a persistence cookie scheduled before it.
      if (t.equal !== t.next) s = stripSpacesAroundEqual(s, t);
      preserve = true;
      if (delFrom >= 0) {
        const d = deleteCookieRange(s, delFrom, prev);
        s = d.value;
        t.next += d.delta;
        delFrom = -1;
      }
      continue;
    }
    s = stripSpacesAroundEqual(s, t);
    const delim = matchServer(st, s);
    if (st.input.spec.mode === 'prefix' && delim !== t.valEnd) {
      // Give the server back its own cookie: drop `SRV~`.
      s = s.slice(0, t.valBeg) + s.slice(delim + 1);
      t.next -= delim + 1 - t.valBeg;
      delFrom = -1;
      preserve = true;
    } else if (delFrom < 0 && st.input.spec.mode === 'insert' && st.input.spec.indirect) {
      delFrom = prev;
    }
  }
  if (delFrom >= 0) s = preserve ? s.slice(0, delFrom) : '';
  if (s === value) return value;
  return s.length === 0 ? null : s;
}

/**
 * Read the persistence cookie at `st.t`: its dates, then the first server whose `cookie` equals
 * the value (up to '~' in prefix mode, '|' before dates otherwise). Returns where the server
 * part ends (`valBeg` when the cookie is unusable).
 */
function matchServer(st: RequestCookieState, s: string): number {
  const { spec } = st.input;
  const t = st.t;
  let delim = spec.mode === 'prefix' ? indexIn(s, '~', t.valBeg, t.valEnd, t.valEnd) : readDates(st, s);
  if (st.firstDate !== 0 && spec.maxlife > 0 && (st.input.nowSec - st.firstDate > spec.maxlife || st.firstDate - st.input.nowSec > DAY)) {
    st.status = 'O';
    delim = t.valBeg;
    st.firstDate = st.lastDate = 0;
  } else if (st.lastDate !== 0 && spec.maxidle > 0 && (st.input.nowSec - st.lastDate > spec.maxidle || st.lastDate - st.input.nowSec > DAY)) {
    st.status = 'E';
    delim = t.valBeg;
    st.firstDate = st.lastDate = 0;
  }
  const skip = delim === t.valBeg || st.input.ignorePersist === true || st.assigned;
  let found: Server | null = null;
  for (const srv of st.input.servers) {
    if (skip) break;
    const c = srv.spec.cookie;
    if (c === undefined || c.length !== delim - t.valBeg || !s.startsWith(c, t.valBeg)) continue;
    const stopped = isStopped(srv);
    if (stopped && !st.input.persist && !st.input.forcePersist) {
      st.status = 'D'; // go on: another server may share the value
      continue;
    }
    st.status = stopped ? 'D' : 'V';
    st.server = found = srv;
    st.assigned = true;
    break;
  }
  // HAProxy tests the whole status mask here, so only a first status is set this way.
  if (found === null && st.status === 'N') st.status = st.input.ignorePersist === true || st.assigned ? 'U' : 'I';
  return delim;
}

/** `SRV|<last>|<first>`: record the dates, return where the server part ends. */
function readDates(st: RequestCookieState, s: string): number {
  const t = st.t;
  const bar = indexIn(s, '|', t.valBeg, t.valEnd, -1);
  if (bar < 0) return t.valEnd;
  if (t.valEnd - (bar + 1) >= 5) {
    const v = base64ToS30(s, bar + 1);
    if (v > 0) st.lastDate = v * 4;
  }
  const bar2 = indexIn(s, '|', bar + 1, t.valEnd, -1);
  if (bar2 >= 0 && t.valEnd - bar2 > 5) {
    const v = base64ToS30(s, bar2 + 1);
    if (v > 0) st.firstDate = v * 4;
  }
  return bar;
}

function indexIn(s: string, ch: string, from: number, to: number, none: number): number {
  const i = s.indexOf(ch, from);
  return i >= 0 && i < to ? i : none;
}
