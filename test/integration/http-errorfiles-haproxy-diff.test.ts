// Error pages against HAProxy 2.6 (configuration.txt 3.8 "http-errors", 4.2 "errorfile",
// "errorfiles", "errorloc", "errorloc302", "errorloc303", and the http-reply options of
// "http-request deny|return" and "http-response deny"): the same config, page files and requests
// go through haproxy and `hapair proxy`. Compared: the client's raw response bytes, and whether
// the connection then serves a second request (a page's own `Connection: close` ends it). Cases:
// each keyword; precedence of a proxy's lines (the last one for a code wins, errorfiles without
// codes takes every page of its section), the defaults' lines coming first, the backend's pages
// over the frontend's once the stream entered it; deny/return with errorfile, errorfiles (a code
// the section lacks: an empty reply), default-errorfiles and the custom reply options; pages
// of HTTP/1.0 and without a length. Then
// `haproxy -c` against `hapair check` for the error cases (codes, files, unknown sections).
import { once } from 'node:events';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runHapair } from '../support/process.ts';
import { HttpClient } from './http-harness.ts';
import { distinctFreePorts, type HaproxyRun, type OracleKind, oracleSides, starterOf } from './http-oracle-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'hapair-errorfiles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A page file: a complete response, as errorfile wants it. */
function page(name: string, statusLine: string, body: string, extra = ''): string {
  const file = join(dir, `${name}.http`);
  writeFileSync(file, `${statusLine}\r\nContent-Type: text/plain\r\n${extra}Content-Length: ${body.length}\r\n\r\n${body}`);
  return file;
}

const P = {
  def503: page('def503', 'HTTP/1.1 503 Defaults', 'def503\n'),
  own403: page('own403', 'HTTP/1.1 403 Own', 'own403\n', 'X-Own: 1\r\n'),
  fe503: page('fe503', 'HTTP/1.1 503 Frontend', 'fe503\n'),
  he200: page('he200', 'HTTP/1.1 200 Section', 'he200\n'),
  he403: page('he403', 'HTTP/1.1 403 Section', 'he403\n', 'Connection: close\r\n'),
  he503: page('he503', 'HTTP/1.1 503 Section', 'he503\n'),
  he2403: page('he2403', 'HTTP/1.1 403 Other', 'he2-403\n'),
  he2404: page('he2404', 'HTTP/1.0 404 Old', 'he2-404\n'),
  ret: page('ret', 'HTTP/1.1 418 Teapot', 'teapot\n'),
  nolen11: join(dir, 'nolen11.http'),
  nolen10: join(dir, 'nolen10.http'),
  body: join(dir, 'body.txt'),
};
writeFileSync(P.body, 'file body\n');
writeFileSync(join(dir, 'empty.txt'), '');
// Pages without a length: their body ends with the connection.
writeFileSync(P.nolen11, 'HTTP/1.1 503 NoLen\r\nContent-Type: text/plain\r\n\r\nnolen\n');
writeFileSync(P.nolen10, 'HTTP/1.0 503 NoLen\r\nContent-Type: text/plain\r\n\r\nnolen\n');

/** Entry points: name → section body (each a listen on its own port, or a frontend). */
const ENTRIES: Record<string, string> = {
  // errorfiles after an errorfile of the same code wins; without codes: every page of the section.
  lastsection: `    errorfile 403 ${P.own403}
    errorfiles he
    http-request deny if { path /403 }
    http-request deny deny_status 200 if { path /200 }
    http-request deny deny_status 404 if { path /404 }
    use_backend nosrv if { path /503 }
`,
  // an errorfile after errorfiles wins for its code; errorfiles with codes takes only those.
  lastfile: `    errorfiles he 403 200
    errorfiles he2 404
    errorfile 403 ${P.own403}
    http-request deny if { path /403 }
    http-request deny deny_status 200 if { path /200 }
    http-request deny deny_status 404 if { path /404 }
    use_backend nosrv if { path /503 }
`,
  // errorloc* replace a page by an empty 302/303; the last line for a code wins.
  loc: `    errorfile 403 ${P.own403}
    errorloc 403 http://example.com/forbidden
    errorloc303 404 /moved?x=1
    errorloc302 200 https://example.com/ok
    errorloc303 503 /first
    errorfile 503 ${P.fe503}
    errorloc302 504 /later
    http-request deny if { path /403 }
    http-request deny deny_status 404 if { path /404 }
    http-request deny deny_status 200 if { path /200 }
    http-request deny deny_status 504 if { path /504 }
    use_backend nosrv if { path /503 }
`,
  // deny/return http replies.
  replies: `    errorfile 403 ${P.own403}
    http-request deny deny_status 403 errorfiles he2 if { path /a }
    http-request deny deny_status 404 errorfiles he if { path /b }
    http-request deny errorfiles he if { path /c }
    http-request deny deny_status 503 default-errorfiles if { path /d }
    http-request deny errorfile ${P.ret} if { path /e }
    http-request deny content-type text/plain string denied hdr x-why "path %[path]" if { path /f }
    http-request deny deny_status 429 content-type text/html lf-string "<p>%[path]</p>" if { path /g }
    http-request deny status 451 if { path /h }
    http-request deny deny_status 410 content-type text/plain file ${P.body} if { path /i }
    http-request return status 503 errorfile ${P.ret} if { path /j }
    http-request return status 200 errorfiles he if { path /k }
    http-request return status 404 errorfiles he if { path /l }
    http-request return status 403 default-errorfiles if { path /m }
    http-request return status 503 errorfiles he2 content-type text/plain hdr x-a b if { path /n }
    http-request return status 200 errorfiles he2 if { path /o }
    http-request return status 404 errorfiles he2 if { path /p }
    http-response deny deny_status 503 errorfiles he if { path /q }
    http-response deny content-type text/plain string late if { path /r }
    http-response deny if { path /s }
    http-response deny errorfile ${P.ret} if { path /t }
    http-request deny errorfile ${P.nolen11} if { path /u }
    http-request return errorfile ${P.nolen10} if { path /v }
`,
};
const LISTENS = Object.keys(ENTRIES);

const PATHS: Record<string, string[]> = {
  lastsection: ['/403', '/200', '/404', '/503'],
  lastfile: ['/403', '/200', '/404', '/503'],
  loc: ['/403', '/404', '/200', '/504', '/503'],
  replies: ['/a', '/b', '/c', '/d', '/e', '/f', '/g', '/h', '/i', '/j', '/k', '/l', '/m', '/n', '/o', '/p', '/q', '/r', '/s', '/t', '/u', '/v'],
  // The frontend's errorfile 503 before the backend is entered; the backend's (from defaults) after.
  fe: ['/fe503', '/be503', '/nosrv', '/be403'],
};

interface Side {
  readonly run: HaproxyRun;
  readonly ports: Record<string, number>;
  readonly web: net.Server;
}

/** A keep-alive server answering 200 `ok` to anything. */
async function webServer(): Promise<net.Server> {
  const server = net.createServer((s) => {
    s.on('error', () => s.destroy());
    let buf = '';
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      while (buf.includes('\r\n\r\n')) {
        buf = buf.slice(buf.indexOf('\r\n\r\n') + 4);
        s.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

function config(ports: Record<string, number>, web: number): string {
  return `global
    nbthread 1
http-errors he
    errorfile 200 ${P.he200}
    errorfile 403 ${P.he403}
    errorfile 503 ${P.he503}
defaults
    mode http
    timeout client 5s
    timeout connect 5s
    timeout server 5s
    errorfile 503 ${P.def503}
${LISTENS.map((name) => `listen ${name}
    bind 127.0.0.1:${ports[name]}
${ENTRIES[name]}    server s 127.0.0.1:${web}
`).join('')}frontend fe
    bind 127.0.0.1:${ports.fe}
    errorfile 503 ${P.fe503}
    errorfile 403 ${P.own403}
    http-request deny deny_status 503 if { path /fe503 }
    use_backend nosrv if { path /nosrv }
    default_backend be
backend be
    errorfiles he 403
    http-request deny deny_status 503 if { path /be503 }
    http-request deny if { path /be403 }
    server s 127.0.0.1:${web}
backend nosrv
http-errors he2
    errorfile 403 ${P.he2403}
    errorfile 404 ${P.he2404}
`;
}

async function startSide(kind: OracleKind): Promise<Side> {
  const names = [...LISTENS, 'fe'];
  const web = await webServer();
  const list = await distinctFreePorts(names.length);
  const ports = Object.fromEntries(names.map((n, i) => [n, list[i]!]));
  const run = await starterOf(kind)(config(ports, (web.address() as net.AddressInfo).port), list);
  return { run, ports, web };
}

const sides = oracleSides(startSide, async (s) => {
  await s.run.stop();
  s.web.close();
});

/** The first response's raw bytes, then the second request's answer or `closed`. */
async function exchange(side: Side, entry: string, path: string): Promise<{ first: string; second: string }> {
  const c = new HttpClient(side.ports[entry]!);
  try {
    await once(c.socket, 'connect');
    c.send(`GET ${path} HTTP/1.1\r\nHost: t\r\n\r\n`);
    const r = await c.read();
    const first = r.head + r.body;
    if (c.closed) return { first, second: 'closed' };
    c.send('GET /next HTTP/1.1\r\nHost: t\r\n\r\n');
    const second = await c.read().then((r2) => r2.head.split('\r\n')[0]!, () => 'closed');
    return { first, second };
  } finally {
    c.socket.destroy();
  }
}

const CASES = Object.entries(PATHS).flatMap(([entry, paths]) => paths.map((p) => [entry, p] as const));

describe('error pages and http replies: the bytes HAProxy 2.6 sends', () => {
  it.each(CASES)('%s %s', async (entry, path) => {
    const ref = await exchange(sides.haproxy, entry, path);
    const ours = await exchange(sides.hapair, entry, path);
    expect(ours).toEqual(ref);
  });

  it('the pages came from the files, not the built-in ones (a check of the cases above)', async () => {
    expect((await exchange(sides.hapair, 'lastsection', '/403'))).toEqual({ first: expect.stringContaining('he403'), second: 'closed' });
    expect((await exchange(sides.hapair, 'loc', '/404')).first).toContain('location: /moved?x=1');
    expect((await exchange(sides.hapair, 'fe', '/be503')).first).toContain('def503');
  });
});

/** `line: message` of each alert and warning HAProxy prints, the final dot dropped; `-` for those without a line. */
function haproxyAlerts(out: string): string[] {
  const found: string[] = [];
  for (const l of out.split('\n')) {
    const m = /(?:ALERT|WARNING)\]\s+\(\d+\) : config : (?:parsing \[[^\]]+:(\d+)\] ?: ?)?(.*)$/.exec(l);
    if (m === null || /^(Error\(s\) found|Fatal errors found)/.test(m[2]!)) continue;
    found.push(`${m[1] ?? '-'}: ${m[2]!.replace(/\.$/, '')}`);
  }
  return found;
}

function hapairAlerts(out: string): string[] {
  const found: string[] = [];
  for (const l of out.split('\n')) {
    const m = /^\[(?:ALERT|WARNING)\] [^:]+:(\d+): (?:defaults|(?:frontend|backend|listen|http-errors) '[^']*'): (.*)$/.exec(l);
    if (m !== null) found.push(`${m[1]}: ${m[2]!.replace(/\.$/, '')}`);
  }
  return found;
}

/**
 * Each HAProxy alert and warning is one of ours. HAProxy reports references after parsing, without
 * a line: `proxy 'P': unknown http-errors section 'N' (at FILE:L)` and `config: proxy 'P' : status
 * 'C' not declared in http-errors section 'N' (at FILE:L)` are ours at L; `Proxy 'P': unknown ...
 * referenced by an http reply ` (trailing space) and `Proxy 'P': status 'C' referenced by an http
 * reply not declared ...` ours at the rule's line.
 */
async function checkBoth(name: string, text: string, valid = false): Promise<void> {
  const file = join(dir, name);
  writeFileSync(file, text);
  const hap = spawnSync('/usr/sbin/haproxy', ['-c', '-f', file], { encoding: 'utf8', timeout: 20_000 });
  const ours = await runHapair(['check', '-f', file]);
  const mine = hapairAlerts(ours.stderr);
  expect(ours.code, ours.stderr).toBe(hap.status);
  const theirs = haproxyAlerts(`${hap.stdout}${hap.stderr}`);
  expect(theirs.length).toBeGreaterThan(0);
  expect(hap.status === 0, `${hap.stdout}${hap.stderr}`).toBe(valid);
  for (const f of theirs) {
    const at = /^-: (?:config: )?proxy '[^']*' ?: (unknown http-errors section '[^']*'|status '\d+' not declared in http-errors section '[^']*') \(at [^:]+:(\d+)\)$/.exec(f);
    if (at !== null) {
      expect(mine, f).toContain(`${at[2]}: ${at[1]}`);
      continue;
    }
    const reply = /^-: Proxy '[^']*': (unknown http-errors section '[^']*' referenced by an http reply|status '\d+' referenced by an http reply not declared in http-errors section '[^']*') ?$/.exec(f);
    if (reply !== null) {
      expect(mine.map((m) => m.replace(/^\d+: /, '')), f).toContain(reply[1]);
      continue;
    }
    expect(mine, f).toContain(f);
  }
}

const HEAD = 'defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n';

describe('error-page config errors: hapair check reports what haproxy -c does', () => {
  it('http-errors sections: bad code, missing file, missing arguments, unknown keyword, duplicate name', async () => {
    await checkBoth('section.cfg', `http-errors he
    errorfile 418 ${P.he200}
    errorfile 503 ${dir}/missing.http
    errorfile 503
    errorloc 503 /x
    errorfile 200 ${P.he200}
http-errors he
    errorfile 403 ${P.he403}
${HEAD}frontend f
    bind 127.0.0.1:1
    errorfiles he
    default_backend b
backend b
    server s 127.0.0.1:2
`);
  });

  it('proxy keywords: codes each one handles, missing arguments and files', async () => {
    await checkBoth('proxy.cfg', `http-errors he
    errorfile 200 ${P.he200}
${HEAD}    errorloc 302 /x
frontend f
    bind 127.0.0.1:1
    errorfile 418 ${P.own403}
    errorfile 403 ${dir}/missing.http
    errorfile 403
    errorfiles he 418
    errorfiles he 403 999
    errorfiles
    errorloc 421 /x
    errorloc302 503
    errorloc303 201 /x
    errorfiles he 200 404 425 429 500 501 502 503 504 400 401 405 407 408 410 413
    errorloc 425 /a
    errorloc303 429 /b
    default_backend b
backend b
    server s 127.0.0.1:2
`);
  });

  it('unknown http-errors sections, for errorfiles and for http replies', async () => {
    await checkBoth('unknown.cfg', `${HEAD}frontend f
    bind 127.0.0.1:1
    errorfiles nosuch
    http-request deny deny_status 403 errorfiles nope if { path /x }
    http-request return status 503 errorfiles nope2 if { path /y }
    default_backend b
backend b
    errorfiles late 503
    server s 127.0.0.1:2
http-errors late
    errorfile 503 ${P.he503}
`);
  });

  it('warnings: pages a section lacks, options an error page ignores, headers a reply always sets', async () => {
    await checkBoth('warnings.cfg', `http-errors he
    errorfile 200 ${P.he200}
${HEAD}frontend f
    bind 127.0.0.1:1
    errorfiles he 200 404
    http-request deny deny_status 404 errorfiles he if { path /a }
    http-request return status 403 content-type text/plain errorfiles he hdr x-a b if { path /b }
    http-request return status 200 content-type text/plain hdr content-length 3 hdr Transfer-Encoding x if { path /c }
    http-request return status 200 content-type text/plain file ${join(dir, 'empty.txt')} if { path /d }
    http-request deny errorfile ${P.ret} content-type text/plain if { path /e }
    default_backend b
backend b
    server s 127.0.0.1:2
`, true);
  });

  for (const [what, rule] of [
    ['default-errorfiles with a code that has no page', 'http-request deny deny_status 418 default-errorfiles'],
    ['errorfiles with a code that has no page', 'http-request return status 201 errorfiles he'],
    ['a missing errorfile', 'http-request return errorfile /nonexistent/x.http'],
    ['errorfile without its file', 'http-request return status 200 errorfile'],
    ['errorfiles without a name', 'http-response deny errorfiles'],
    ['two payloads', `http-request deny errorfile ${P.ret} string x`],
    ['a body without content-type', 'http-request deny string x'],
    ['a missing file payload', 'http-response deny content-type text/plain file /nonexistent/x'],
    ['an empty string payload', 'http-request deny content-type text/plain string ""'],
    ['status without its code', 'http-request return status'],
    ['content-type without its type', 'http-request deny content-type'],
  ] as const) {
    it(`http replies: ${what}`, async () => {
      await checkBoth(`rule-${what.replace(/\W+/g, '-')}.cfg`, `http-errors he
    errorfile 200 ${P.he200}
${HEAD}frontend f
    bind 127.0.0.1:1
    ${rule}
    default_backend b
backend b
    server s 127.0.0.1:2
`);
    });
  }
});
