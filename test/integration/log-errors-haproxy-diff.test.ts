// `option dontlog-normal` and `option log-separate-errors` (HAProxy configuration.txt 4.2): which
// sessions are logged and at which syslog level. HAProxy 2.6's strm_log() counts as an error a
// redispatched session, one that ended on anything but a normal or local close, one that was
// retried, and in mode http a status of 500 or more. The same requests go through HAProxy 2.6 and
// hapair; compared per request: the log lines it produced with their syslog priority (<PRI>).
// Whether a line is absent is decided once a later request's line (logged by a section without
// the options) has arrived: each proxy sends its lines in order.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { startHttpResponder, startTcpServer, type TestTcpServer } from '../support/servers.ts';
import { distinctFreePorts, type OracleKind, oracleSides, starterOf } from './http-oracle-harness.ts';
import { logLineWith, type LoggedRun, startLoggedRun, stopLoggedRuns } from './logged-run.ts';

const HTTP_SECTIONS: Record<string, string[]> = {
  plain: [],
  dontlog: ['option dontlog-normal'],
  seperr: ['option log-separate-errors'],
  both: ['option dontlog-normal', 'option log-separate-errors'],
};
const TCP_SECTIONS = ['tcp_ok', 'tcp_down'];
const NAMES = [...Object.keys(HTTP_SECTIONS), ...TCP_SECTIONS];
/** Request paths; the backend answers by path (see `answer`). */
const CASES = ['/ok', '/e404', '/e500', '/bad', '/nosrv', '/redisp', '/deny', '/ret', '/redir', '/auth', '/hang'];

/** `/e404` and `/e500` get that status, `/bad` junk, `/hang` nothing, anything else 200. */
function answer(head: string, s: net.Socket): string | undefined {
  const path = head.split(' ')[1] ?? '';
  if (path.startsWith('/hang')) return undefined;
  if (path.startsWith('/bad')) return void s.end('NOT HTTP\r\n\r\n');
  const status = path.startsWith('/e404') ? '404 Not Found' : path.startsWith('/e500') ? '500 Internal Server Error' : '200 OK';
  return `HTTP/1.1 ${status}\r\ncontent-length: 2\r\n\r\nok`;
}

interface Side {
  readonly run: LoggedRun;
  readonly backends: TestTcpServer[];
}

async function startSide(kind: OracleKind): Promise<Side> {
  const web = await startHttpResponder(answer);
  const echo = await startTcpServer((s) => s.pipe(s));
  const [dead] = await distinctFreePorts(1);
  const run = await startLoggedRun(starterOf(kind), NAMES.length, (logPort, ports) => `global
    nbthread 1
defaults
    timeout client 5s
    timeout connect 5s
    timeout server 5s
    log 127.0.0.1:${logPort} local0
${Object.entries(HTTP_SECTIONS).map(([name, lines], i) => `listen ${name}
    mode http
    bind 127.0.0.1:${ports[i]}
    log-format "%HU %ST %ts %rc"
    timeout server 300ms
${lines.map((l) => `    ${l}\n`).join('')}    http-request deny if { path_beg /deny }
    http-request return status 200 if { path_beg /ret }
    http-request redirect location /elsewhere if { path_beg /redir }
    http-request auth realm r if { path_beg /auth }
    use_backend be_none if { path_beg /nosrv }
    use_backend be_redisp if { path_beg /redisp }
    server s 127.0.0.1:${web.port}
`).join('')}backend be_none
    mode http
backend be_redisp
    mode http
    retries 1
    option redispatch
    server dead 127.0.0.1:${dead}
    server live 127.0.0.1:${web.port}
${TCP_SECTIONS.map((name, j) => `listen ${name}
    mode tcp
    bind 127.0.0.1:${ports[Object.keys(HTTP_SECTIONS).length + j]}
    log-format "%ft %ts"
    option dontlog-normal
    option log-separate-errors
    retries 0
    server s 127.0.0.1:${name === 'tcp_ok' ? echo.port : dead}
`).join('')}`);
  return { run, backends: [web, echo] };
}

const sides = oracleSides(startSide, async (s) => {
  await stopLoggedRuns([s.run]);
  for (const b of s.backends) await b.close();
});

/** One HTTP/1.1 request on its own connection (`connection: close`); resolves once the proxy closed it. */
async function request(port: number, path: string): Promise<void> {
  const c = net.connect(port, '127.0.0.1');
  c.on('error', () => undefined);
  c.resume();
  c.write(`GET ${path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no close after ${path}`)), 3000);
    c.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

let markers = 0;

/** The lines (`<PRI>` and message) from line `from` on that mention `tag`, once a later marker request's line came. */
async function linesOf(side: Side, tag: string, from = 0): Promise<string[]> {
  const marker = `/marker${++markers}`;
  await request(side.run.ports[0]!, marker);
  await logLineWith(side.run, marker);
  return side.run.lines.slice(from).filter((l) => l.includes(tag)).map((l) => `${/^<\d+>/.exec(l)?.[0] ?? '?'} ${l.slice(l.indexOf(']: ') + 3)}`);
}

const HTTP_CASES = Object.keys(HTTP_SECTIONS).flatMap((section) => CASES.map((path) => [section, path] as const));

describe('dontlog-normal and log-separate-errors log what HAProxy 2.6 logs, at its levels', () => {
  it.each(HTTP_CASES)('mode http, %s: %s', async (section, path) => {
    const got: string[][] = [];
    for (const side of [sides.haproxy, sides.hapair]) {
      const tagged = `${path}-${section}`;
      await request(side.run.ports[NAMES.indexOf(section)]!, tagged);
      got.push(await linesOf(side, tagged));
    }
    expect(got[1]).toEqual(got[0]);
  });

  it.each(TCP_SECTIONS)('mode tcp, %s', async (section) => {
    const got: string[][] = [];
    for (const side of [sides.haproxy, sides.hapair]) {
      const before = side.run.lines.length;
      const c = net.connect(side.run.ports[NAMES.indexOf(section)]!, '127.0.0.1');
      c.on('error', () => undefined);
      await new Promise<void>((resolve) => {
        c.on('connect', () => c.end('hello'));
        c.on('data', () => c.destroy());
        c.on('close', () => resolve());
      });
      got.push(await linesOf(side, section, before));
    }
    expect(got[1]).toEqual(got[0]);
  });

  it('the cases include lines left out and lines at each level', async () => {
    const all = sides.haproxy.run.lines.join('\n');
    expect(all).toContain('<131>');
    expect(all).toContain('<134>');
    expect(all).not.toContain('/ok-dontlog');
    expect(all).toContain('/ok-plain');
  });
});
