// Differential test of ACLs and rules: the same configuration text runs in HAProxy 2.6 and in
// `hapair proxy`; every request must get the same answer (status, body, the headers rules set)
// and, when forwarded, reach the same backend with the same request line and header fields.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distinctFreePorts, type HaproxyRun, type NameServer, rawRequest, type RawResponse, startHapairProxy, startHaproxy, startNameServer } from './http-oracle-harness.ts';

const SHA512_HELLO = '$6$saltstring$FAGYDyoYriJZZozrqxKlj3e8sB/i7oiBKr0IsSILeeFjOstTzTN7VBrJXtFNTHuRzUnhy.z43X6Jd3KbHZ.me/';

function config(port: number, be: Record<string, number>): string {
  return `defaults
    mode http
    timeout client 5s
    timeout connect 5s
    timeout server 5s
userlist L
    user admin insecure-password s3cret
    user ops password ${SHA512_HELLO}
frontend F
    bind 127.0.0.1:${port}
    acl api path_beg /api
    acl static path_end .css .js
    acl static hdr(x-static) -m found
    acl ok http_auth(L)
    acl local src 127.0.0.0/8 ::1
    http-request deny if { path /deny }
    http-request deny deny_status 429 if { path_beg /slow } local
    http-request auth realm Admin if { path_beg /admin } !ok
    http-request return status 200 content-type text/plain lf-string "path=%[path] q=%[query]" hdr X-Ret yes if { path_beg /ret }
    http-request return status 404 if { path /missing }
    http-request redirect location /new code 301 if { path /old }
    http-request redirect prefix /p drop-query if { path_beg /pre }
    http-request redirect scheme https code 308 if { hdr(x-https) 1 }
    http-request redirect location /cookie set-cookie SEEN=1 code 303 if { path /setc }
    http-request set-header X-Api yes if api
    http-request add-header X-Added a
    http-request del-header X-Secret
    http-request replace-header X-Rep ^foo(.*) bar\\1
    http-request replace-value X-Vals ^a(.*) z\\1
    http-request set-path /rewritten%[path] if { path_beg /rw }
    http-request set-query q=1&%[query] if { path_beg /sq }
    http-request set-method PUT if { hdr(x-put) -m found }
    http-request set-var(txn.host) req.hdr(host),lower
    http-request set-header X-Host %[var(txn.host)]
    http-request set-header X-Meth %[method] if METH_GET || METH_POST
    http-request set-header X-Http10 1 if HTTP_1.0
    http-response set-header X-Resp s%[status]
    http-response set-status 299 if { status 200 } { res.hdr(x-bump) -m found }
    http-response deny if { res.hdr(x-leak) -m found }
    http-response del-header X-Internal
    http-request set-header X-Client-Net private if { hdr_ip(x-forwarded-for) 10.0.0.0/8 }
    http-request set-header X-Sid %[cook(SID)] if { cook(SID) -m found }
    http-request set-header X-Lang %[urlp(lang),upper] if { urlp(lang) -m found }
    http-request deny deny_status 400 if { hdr_cnt(host) gt 1 }
    redirect prefix https://secure.example code 302 if { path_beg /secure }
    use_backend api if api || { urlp(be) api }
    use_backend static if static !{ cook(nostatic) 1 }
    use_backend pinned if { path_beg /pin }
    default_backend web
backend api
    http-request set-header X-In-Api 1
    server a 127.0.0.1:${be.api}
backend static
    server s 127.0.0.1:${be.static}
backend pinned
    balance roundrobin
    use-server p2 if { hdr(x-pin) 2 }
    use-server p1 if { hdr(x-pin) 1 }
    server p1 127.0.0.1:${be.p1}
    server p2 127.0.0.1:${be.p2}
backend web
    http-response set-header X-Web 1
    server w 127.0.0.1:${be.web}
`;
}

interface Req {
  readonly head: string;
  readonly body?: string;
  /** Extra response header lines the backends send for this request. */
  readonly responseHeaders?: string[];
}

const basic = (u: string, p: string): string => `Authorization: Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
const get = (path: string, ...headers: string[]): Req => ({ head: [`GET ${path} HTTP/1.1`, 'Host: Example.COM', ...headers].join('\r\n') });

const REQUESTS: Req[] = [
  get('/'),
  get('/deny'),
  get('/slow/x'),
  get('/admin'),
  get('/admin', basic('admin', 'nope')),
  get('/admin/panel', basic('admin', 's3cret')),
  get('/admin', basic('ops', 'hello')),
  get('/ret/a?b=c'),
  get('/missing'),
  get('/old'),
  get('/pre/x/y?drop=me'),
  get('/any?q', 'X-Https: 1'),
  get('/setc'),
  get('/secure/area?x=1'),
  get('/api/v1/users'),
  get('/x?be=api'),
  get('/app.js'),
  get('/app.js', 'Cookie: a=b; nostatic=1'),
  get('/page', 'X-Static: yes'),
  get('/h', 'X-Secret: s', 'X-Rep: foo-1', 'X-Rep: keep', 'X-Vals: a1, b2, a3'),
  get('/rw/deep?k=v'),
  get('/sq/x?orig=1'),
  get('/m', 'X-Put: 1'),
  { head: 'POST /form HTTP/1.1\r\nHost: example.com', body: 'a=1' },
  { head: 'GET /old10 HTTP/1.0\r\nHost: example.com' },
  { head: 'DELETE /api/item/3 HTTP/1.1\r\nHost: example.com' },
  { ...get('/bump'), responseHeaders: ['X-Bump: 1', 'X-Internal: secret'] },
  { ...get('/leak'), responseHeaders: ['X-Leak: 1'] },
  get('/xff', 'X-Forwarded-For: 192.0.2.1, 10.1.2.3'),
  get('/xff', 'X-Forwarded-For: 192.0.2.1'),
  get('/c', 'Cookie: a=1; SID=s-42'),
  get('/l?lang=fr&x=1'),
  get('/two-hosts', 'Host: other.example'),
  get('/pin', 'X-Pin: 2'),
  get('/pin', 'X-Pin: 1'),
  get('/pin/again', 'X-Pin: 2'),
];

/** Headers a rule or the backend sets (framing and connection headers differ by design). */
const COMPARED = ['location', 'set-cookie', 'www-authenticate', 'x-resp', 'x-ret', 'x-web', 'content-type', 'cache-control', 'x-bump', 'x-internal', 'x-leak'];

function answer(r: RawResponse): unknown {
  const headers = r.headers.filter(([n]) => COMPARED.includes(n)).sort(([a], [b]) => a.localeCompare(b));
  return { status: r.status, headers, body: r.body };
}

/** The request line and header fields a backend got (names lower-cased, connection headers dropped). */
function forwarded(head: string | undefined): unknown {
  if (head === undefined) return undefined;
  const [line, ...fields] = head.split('\r\n');
  const kept = fields.map((f) => `${f.slice(0, f.indexOf(':')).toLowerCase()}:${f.slice(f.indexOf(':') + 1).trim()}`)
    .filter((f) => !f.startsWith('connection:') && !f.startsWith('content-length:'));
  return { line, fields: kept };
}

let backends: Record<string, NameServer>;
let haproxy: HaproxyRun | undefined;
let hapair: HaproxyRun | undefined;
let ports: number[];

beforeAll(async () => {
  backends = {};
  for (const name of ['api', 'static', 'web', 'p1', 'p2']) backends[name] = await startNameServer(name);
  const bePorts = Object.fromEntries(Object.entries(backends).map(([n, s]) => [n, s.port]));
  ports = await distinctFreePorts(2);
  haproxy = await startHaproxy(config(ports[0], bePorts), [ports[0]]);
  hapair = await startHapairProxy(config(ports[1], bePorts), [ports[1]]);
}, 60_000);

afterAll(async () => {
  await haproxy?.stop();
  await hapair?.stop();
  for (const s of Object.values(backends ?? {})) await s.close();
});

async function through(port: number, req: Req): Promise<{ answer: unknown; backend: unknown }> {
  const before = Object.fromEntries(Object.entries(backends).map(([n, s]) => [n, s.heads.length]));
  for (const b of Object.values(backends)) b.responseHeaders = req.responseHeaders ?? [];
  const r = await rawRequest(port, req.head, req.body ?? '');
  const hit = Object.entries(backends).find(([n, s]) => s.heads.length > before[n]);
  return { answer: answer(r), backend: hit ? { name: hit[0], head: forwarded(hit[1].heads.at(-1)) } : undefined };
}

describe('ACLs and rules: hapair answers as HAProxy 2.6 does', () => {
  it.each(REQUESTS.map((r) => [r.head.split('\r\n')[0] + (r.head.includes('\r\nX-') || r.head.includes('Authorization') || r.head.includes('Cookie') ? ' +headers' : ''), r] as const))(
    '%s',
    async (_label, req) => {
      const ref = await through(ports[0], req);
      const ours = await through(ports[1], req);
      expect(ours).toEqual(ref);
    },
  );
});
