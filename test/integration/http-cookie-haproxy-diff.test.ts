// Differential test: HAProxy 2.6 in `mode http` with cookie persistence (insert, rewrite, prefix,
// passive, indirect, preserve, postonly, nocache, maxidle/maxlife, option persist) in front of
// loopback backends; for the same requests, hapair's pure cookie logic must pick the same server,
// forward the same Cookie headers, give the client the same Set-Cookie / Cache-control headers
// and report the same %tsc cookie letters. hapair's HTTP engine is not involved.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Server } from '../../src/backend/server.ts';
import { formatDiagnostic, parseConfigText } from '../../src/config/config.ts';
import type { ProxySpec } from '../../src/config/model.ts';
import { s30ToBase64 } from '../../src/http/cookie-date.ts';
import { applyRequestCookies } from '../../src/http/cookie-request.ts';
import { applyResponseCookies } from '../../src/http/cookie-response.ts';
import { waitFor } from '../support/process.ts';
import { startUdpCollector, type UdpCollector } from '../support/servers.ts';
import { distinctFreePorts, type HaproxyRun, type NameServer, rawRequest, startHapairProxy, startHaproxy, startNameServer } from './http-oracle-harness.ts';

interface Req {
  readonly method?: 'GET' | 'POST' | 'HEAD';
  readonly cookies?: string[];
  /** Header lines the backend adds to its response. */
  readonly response?: string[];
  /** The case's force-persist / ignore-persist / use-server rule matches this request (for the prediction). */
  readonly rule?: 'force' | 'ignore' | 'use-server';
}

interface Case {
  readonly name: string;
  readonly lines: string[];
  readonly requests: (now: number) => Req[];
}

const date = (sec: number): string => s30ToBase64(Math.floor(sec / 4));

const BASIC: Req[] = [
  {},
  { cookies: ['SRV=s1c'] },
  { cookies: ['a=1; SRV=s2c; b=2'] },
  { cookies: ['SRV=s2c; a=1'] },
  { cookies: ['a=1;SRV=s2c'] },
  { cookies: ['a=1 ;  SRV=s2c  ; b=2'] },
  { cookies: ['SRV=bogus'] },
  { cookies: ['SRV=s4c'] },
  { cookies: ['SRV=s5c'] },
  { cookies: ['SRV='] },
  { cookies: ['$Version=1; SRV=s1c; $Path=/; x=y'] },
  { cookies: ['a=1', 'SRV=s1c'] },
  { cookies: ['SRV=s1c', 'SRV=s2c'] },
  { cookies: ['SRV=bogus; SRV=s2c'] },
  { cookies: ['a = 1 ;SRV = s1c'] },
  { cookies: ['flag; SRV=s1c'] },
  { cookies: ['SRV=s1c, b=2'] },
  { method: 'POST', response: ['Cache-Control: no-store'] },
  { response: ['Set-Cookie: SRV=fromserver; path=/'] },
  { cookies: ['SRV=s2c'], response: ['Set-Cookie: SRV=fromserver; path=/'] },
  { response: ['Cache-Control: public, max-age=10'] },
  { response: ['Cache-Control: private'] },
  { response: ['Pragma: no-cache', 'ETag: "1"'] },
  { response: ['Last-Modified: Tue, 15 Nov 1994 12:45:26 GMT'] },
  { response: ['Expires: Thu, 01 Dec 2094 16:00:00 GMT'] },
  { response: ['ETag: "x"'] },
  { response: ['Cache-Control: max-age=10'] },
  { response: ['Cache-Control: public'] },
  { response: ['Cache-Control: no-cache="set-cookie", max-age=10'] },
  { method: 'HEAD', response: ['ETag: "x"'] },
  { cookies: ['SRV=s1c'], response: ['ETag: "x"'] },
  { method: 'POST', response: ['Set-Cookie: other=1'] },
];

const CASES: Case[] = [
  { name: 'insert_indirect_nocache', lines: ['cookie SRV insert indirect nocache'], requests: () => BASIC },
  { name: 'insert_plain', lines: ['cookie SRV insert'], requests: () => BASIC },
  {
    name: 'insert_preserve_postonly',
    lines: ['cookie SRV insert preserve postonly httponly secure domain .example.com domain example.org attr SameSite=Lax attr Max-Age=60'],
    requests: () => [
      {}, { method: 'POST' }, { method: 'POST', response: ['Set-Cookie: SRV=x; path=/'] }, { cookies: ['SRV=s1c'] },
      { method: 'POST', cookies: ['SRV=s2c'] }, { method: 'POST', cookies: ['SRV=s3c'] },
    ],
  },
  {
    name: 'rewrite',
    lines: ['cookie JSESSIONID rewrite'],
    requests: () => [
      { response: ['Set-Cookie: JSESSIONID=abc123; Path=/'] },
      { response: ['Set-Cookie: JSESSIONID = abc123 ; Path=/'] },
      { cookies: ['JSESSIONID=s2c'], response: ['Set-Cookie: JSESSIONID=zz; Path=/'] },
      { cookies: ['JSESSIONID=s2c'] },
      { response: ['Set-Cookie: other=1', 'Set-Cookie: JSESSIONID=q'] },
      {},
    ],
  },
  {
    name: 'prefix',
    lines: ['cookie JSESSIONID prefix'],
    requests: () => [
      { response: ['Set-Cookie: JSESSIONID=abc; Path=/'] },
      { cookies: ['JSESSIONID=s2c~xyz; other=1'] },
      { cookies: ['other=1; JSESSIONID=s1c~a~b'] },
      { cookies: ['JSESSIONID=nosep'] },
      { cookies: ['JSESSIONID=s4c~v'] },
      { cookies: ['JSESSIONID=~v'] },
      { cookies: ['JSESSIONID=s2c~xyz'], response: ['Set-Cookie: JSESSIONID=new; Path=/'] },
    ],
  },
  {
    name: 'passive_indirect',
    lines: ['cookie SRV indirect'],
    requests: () => [
      { cookies: ['SRV=s1c'] },
      { cookies: ['SRV=s1c'], response: ['Set-Cookie: SRV=s1c; path=/'] },
      { response: ['Set-Cookie: SRV=s1c; path=/'] },
      { cookies: ['SRV=nope'] },
    ],
  },
  {
    name: 'persist',
    lines: ['cookie SRV insert indirect', 'option persist'],
    requests: () => [{ cookies: ['SRV=s4c'] }, { cookies: ['SRV=s1c'] }, { cookies: ['SRV=s3c'] }],
  },
  {
    name: 'ignore_persist',
    lines: ['cookie SRV insert indirect', 'ignore-persist if { path_beg /r1 }'],
    requests: () => [{ cookies: ['SRV=s1c'] }, { cookies: ['SRV=s2c'], rule: 'ignore' }, { cookies: ['a=1; SRV=s2c'], response: ['Set-Cookie: SRV=x'] }],
  },
  {
    name: 'force_persist',
    lines: ['cookie SRV insert indirect', 'force-persist if { hdr(x-force) -m found }'],
    requests: () => [{ cookies: ['SRV=s4c'] }, { cookies: ['SRV=s4c', 'x-force: 1'], rule: 'force' }, { cookies: ['SRV=s1c', 'x-force: 1'], rule: 'force' }],
  },
  {
    name: 'use_server',
    lines: ['cookie SRV insert indirect', 'use-server s3 if { path_reg ^/r[12]$ }'],
    requests: () => [{ cookies: ['SRV=s1c'] }, { cookies: ['SRV=s1c'], rule: 'use-server' }, { rule: 'use-server' }],
  },
  {
    name: 'dates',
    lines: ['cookie SRV insert indirect maxidle 30m maxlife 2h'],
    requests: (now) => [
      {},
      { cookies: ['SRV=s1c'] },
      { cookies: [`SRV=s1c|${date(now - 60)}|${date(now - 600)}`] },
      { cookies: [`SRV=s2c|${date(now - 3600)}|${date(now - 4000)}`] },
      { cookies: [`SRV=s2c|${date(now - 60)}|${date(now - 3 * 3600)}`] },
      { cookies: [`SRV=s2c|${date(now + 3 * 86400)}|${date(now - 60)}`] },
      { cookies: [`SRV=s2c|${date(now - 60)}`] },
      { cookies: [`SRV=s2c|!!!!!|${date(now - 60)}`] },
    ],
  },
  {
    name: 'idle_only',
    lines: ['cookie SRV insert maxidle 10m'],
    requests: (now) => [{}, { cookies: [`SRV=s1c|${date(now - 60)}|${date(now - 60)}`] }, { cookies: [`SRV=s3c|${date(now - 60)}`] }],
  },
];

/** s1-s3 usable (s3 without cookie for rewrite/prefix/insert cases that need one: `s3c`), s4 in maintenance, s5 draining (weight 0). */
const SERVERS = [
  ['s1', 'cookie s1c'],
  ['s2', 'cookie s2c'],
  ['s3', ''],
  ['s4', 'cookie s4c disabled'],
  ['s5', 'cookie s5c weight 0'],
] as const;

let backends: NameServer[] = [];
let haproxy: HaproxyRun | undefined;
const ports = new Map<string, number>();
let cfg = '';

function configText(): string {
  const servers = SERVERS.map(([name, extra], i) => `    server ${name} 127.0.0.1:${backends[i].port} ${extra}`).join('\n');
  const listens = CASES.map((c) => `listen ${c.name}\n    bind 127.0.0.1:${ports.get(c.name)}\n${c.lines.map((l) => `    ${l}`).join('\n')}\n${servers}\n`);
  return (
    'global\n    nbthread 1\n    log stdout format raw local0\ndefaults\n    mode http\n    log global\n    log-format "%tsc %b/%s %{+Q}r"\n' +
    `    timeout connect 2s\n    timeout client 5s\n    timeout server 5s\n${listens.join('')}`
  );
}

beforeAll(async () => {
  backends = await Promise.all(SERVERS.map(([name]) => startNameServer(name)));
  const free = await distinctFreePorts(CASES.length);
  CASES.forEach((c, i) => ports.set(c.name, free[i]));
  cfg = configText();
  haproxy = await startHaproxy(cfg, [...ports.values()]);
});

afterAll(async () => {
  await haproxy?.stop();
  await Promise.all(backends.map((b) => b.close()));
});

function proxyOf(name: string): { px: ProxySpec; servers: Server[] } {
  const parsed = parseConfigText(cfg, 'diff.cfg');
  expect(parsed.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([]);
  const px = parsed.config!.proxies.find((p) => p.name === name)!;
  return { px, servers: px.servers.map((s) => new Server(s, px.name)) };
}

const cookieLines = (head: string): string[] =>
  head.split('\r\n').slice(1).filter((l) => /^cookie:/i.test(l)).map((l) => l.slice(l.indexOf(':') + 1).trim());

interface Observed {
  server: string;
  forwarded: string[];
  setCookie: string[];
  cacheControl: string[];
  letters: string;
}

/** What hapair's cookie logic does with `r`, given the server HAProxy balanced to when no cookie applied. */
function predict(px: ProxySpec, servers: Server[], r: Req, balanced: string, nowSec: number): Observed {
  const spec = px.cookie!;
  const req = applyRequestCookies({
    spec, servers, cookieHeaders: (r.cookies ?? []).filter((c) => !c.startsWith('x-')), nowSec, persist: px.options.persist === true,
    forcePersist: r.rule === 'force', ignorePersist: r.rule === 'ignore', assigned: r.rule === 'use-server',
  });
  const server = req.server ?? servers.find((s) => s.name === balanced)!;
  const response = r.response ?? [];
  const headerValues = (name: string) => response.filter((l) => l.toLowerCase().startsWith(`${name}:`)).map((l) => l.slice(name.length + 1).trim());
  const res = applyResponseCookies({
    spec, server, direct: req.server !== null || r.rule === 'use-server', ignorePersist: r.rule === 'ignore', method: r.method ?? 'GET', status: 200,
    setCookieHeaders: headerValues('set-cookie'), responseHeader: headerValues,
    firstDate: req.firstDate, lastDate: req.lastDate, nowSec,
  });
  const setCookie = res.setCookieHeaders.filter((v): v is string => v !== null);
  if (res.insert !== undefined) setCookie.push(res.insert);
  const cacheControl = [...headerValues('cache-control'), ...(res.cacheControlPrivate ? ['private'] : [])];
  // Header values travel without surrounding spaces (the backend's parser trims them).
  const forwarded = req.headers.filter((v): v is string => v !== null).map((v) => v.trim());
  return { server: server.name, forwarded, setCookie, cacheControl, letters: `${req.status}${res.status}` };
}

/** The `%tsc` cookie letters of the log line of request `i` of case `name`, found in `lines`. */
type LetterSource = (name: string, i: number) => string | undefined;

/** HAProxy's raw `%tsc %b/%s %{+Q}r` lines on its stdout. */
const rawLogLetters = (run: HaproxyRun): LetterSource => (name, i) =>
  run.output().split('\n').find((l) => l.includes(` ${name}/`) && l.includes(` /r${i} `))?.slice(2, 4);

/** httplog lines (syslog over UDP): the 4-character termination state before the connection counts. */
const httplogLetters = (messages: readonly string[]): LetterSource => (name, i) => {
  const line = messages.find((m) => m.includes(` ${name}/`) && m.includes(` /r${i} `));
  return line === undefined ? undefined : / \S\S(\S\S) \d+\/\d+\/\d+\/\d+\/\+?\d+ /.exec(line)?.[1];
};

/** Send the case's requests to `port`; compare what was seen (log letters from `letters`) with hapair's cookie logic. */
async function runCase(name: string, c: Case, port: number, letters: LetterSource): Promise<void> {
  const { px, servers } = proxyOf(name);
  const requests = c.requests(Math.floor(Date.now() / 1000));
  for (const [i, r] of requests.entries()) {
    for (const b of backends) {
      b.responseHeaders = r.response ?? [];
      b.heads.length = 0;
    }
    // `x-...: v` entries of `cookies` are other request headers.
    const head = `${r.method ?? 'GET'} /r${i} HTTP/1.1\r\nhost: test${(r.cookies ?? []).map((v) => `\r\n${v.startsWith('x-') ? v : `cookie: ${v}`}`).join('')}`;
    const sentAt = Math.floor(Date.now() / 1000);
    const res = await rawRequest(port, head);
    expect(res.status, `request ${i}`).toBe(200);
    const backend = backends.find((b) => b.heads.length > 0)!; // a HEAD response has no body to tell
    await waitFor(() => letters(name, i) !== undefined, 5000, `the log line of ${name} /r${i}`);
    const seen: Observed = {
      server: backend.name,
      forwarded: cookieLines(backend.heads[0]),
      setCookie: res.headers.filter(([n]) => n === 'set-cookie').map(([, v]) => v),
      cacheControl: res.headers.filter(([n]) => n === 'cache-control').map(([, v]) => v),
      letters: letters(name, i)!,
    };
    // Dates are in 4-second steps: the proxy may have seen the clock a second later than us.
    const candidates = [sentAt, sentAt + 1, sentAt - 1].map((t) => predict(px, servers, r, backend.name, t));
    const ours = candidates.find((p) => JSON.stringify(p) === JSON.stringify(seen)) ?? candidates[0];
    expect({ i, req: r, ...ours }).toEqual({ i, req: r, ...seen });
  }
}

describe('cookie persistence matches HAProxy 2.6', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (name, c) => {
    await runCase(name, c, ports.get(name)!, rawLogLetters(haproxy!));
  });
});

describe('hapair proxy applies cookie persistence like HAProxy 2.6', () => {
  let hapair: HaproxyRun | undefined;
  let syslog: UdpCollector | undefined;
  const hapairPorts = new Map<string, number>();
  beforeAll(async () => {
    syslog = await startUdpCollector();
    const free = await distinctFreePorts(CASES.length);
    CASES.forEach((c, i) => hapairPorts.set(c.name, free[i]));
    let text = cfg;
    for (const c of CASES) text = text.replace(`bind 127.0.0.1:${ports.get(c.name)}\n`, `bind 127.0.0.1:${hapairPorts.get(c.name)}\n`);
    // httplog to a syslog collector carries the same letters (and so checks them in httplog's format).
    text = text.replace(/^ {4}log stdout.*\n/m, '').replace(/^ {4}log global\n {4}log-format .*\n/m, `    log 127.0.0.1:${syslog.port} local0\n    option httplog\n`);
    hapair = await startHapairProxy(text, [...hapairPorts.values()]);
  });
  afterAll(async () => {
    await hapair?.stop();
    syslog?.close();
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (name, c) => {
    await runCase(name, c, hapairPorts.get(name)!, httplogLetters(syslog!.messages));
  });
});
