// Differential test of every fetch, converter and header action issue 6 names, over real sockets:
// the same configuration (pattern and map files included) runs in HAProxy 2.6 and in
// `hapair proxy`. Each ACL that matches adds its name to an `x-m` request header, each sample is
// copied into a request header, and the response rules mark the answer; the backend must get the
// same request line and fields, the client the same status and headers.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distinctFreePorts, type HaproxyRun, type NameServer, rawRequest, type RawResponse, startHapairProxy, startHaproxy, startNameServer } from './http-oracle-harness.ts';

const FILES: Record<string, string> = {
  'paths.lst': '# exact paths\n/exact/one\n  /exact/two\n\n/exact three\n',
  'prefixes.lst': '/pre1/\n/pre2/\n',
  'nets.lst': '# clients\n10.0.0.0/8\n127.0.0.0/8\n',
  'hosts.lst': 'Example.ORG\nexample.net\n',
  'exact.map': '# key value\n/m/a   alpha\n/m/b\tbeta two\nkey1 v1\n',
  'beg.map': '/m/  under-m\n/m/b  under-mb\n/  root\n',
  'reg.map': '^/m/[0-9]+$ digits\n^/m/[a-z]+$ letters\n',
  'int.map': '1 one\n10 ten\n',
};

/** ACL name → definition (or a predefined ACL). A matching ACL adds its name to x-m. */
const ACLS: [string, string][] = [
  ['p_sub', 'path_sub /sub/'],
  ['p_reg', 'path_reg ^/re/[0-9]+$'],
  ['p_dir', 'path_dir img'],
  ['p_dom', 'path_dom example'],
  ['p_end', 'path_end .php .asp'],
  ['p_len', 'path_len 5'],
  ['p_i', 'path -i /CASE'],
  ['u_beg', 'url_beg /u?'],
  ['u_sub', 'url_sub q='],
  ['b_beg', 'base_beg www.example.com/b'],
  ['h_beg', 'hdr_beg(x-a) foo'],
  ['h_end', 'hdr_end(x-a) bar'],
  ['h_sub', 'hdr_sub(x-a) mid'],
  ['h_reg', 'hdr_reg(x-a) ^[0-9]+$'],
  ['h_dom', 'hdr_dom(host) example'],
  ['h_dom2', 'hdr_dom(host) www.example.com'],
  ['h_dir', 'hdr_dir(x-a) mid'],
  ['h_len', 'hdr_len(x-a) 3'],
  ['h_val', 'hdr_val(x-n) gt 10'],
  ['h_val_rng', 'hdr_val(x-n) 2:5'],
  ['h_cnt', 'hdr_cnt(x-a) ge 2'],
  ['h_ip', 'hdr_ip(x-ip) 192.168.0.0/16 2001:db8::/32'],
  ['h_i', 'hdr(x-a) -i FOO'],
  ['h_found', 'hdr(x-a) -m found'],
  ['h_occ', 'hdr(x-a,1) first'],
  ['fh', 'req.fhdr(x-list) -m sub "b, c"'],
  ['fh_cnt', 'req.fhdr_cnt(x-list) 1'],
  ['ck', 'req.cook(sess) -m beg ab'],
  ['ck2', 'cook(lang) en fr'],
  ['ck_cnt', 'cook_cnt(c) 2'],
  ['ck_val', 'cook_val(n) lt 0'],
  ['urlp', 'urlp(a) -m reg ^[0-9]+$'],
  ['urlp_val', 'urlp_val(a) ge 100'],
  ['f_path', `path -f @DIR@/paths.lst`],
  ['f_beg', 'path_beg -f @DIR@/prefixes.lst'],
  ['f_ip', 'hdr_ip(x-ip) -f @DIR@/nets.lst'],
  ['f_host', 'hdr(host) -i -f @DIR@/hosts.lst'],
  ['f_two', 'path -f @DIR@/paths.lst -f @DIR@/prefixes.lst'],
  ['meth', 'method PUT DELETE'],
  ['get', 'METH_GET'],
  ['local', 'LOCALHOST'],
  ['h11', 'HTTP_1.1'],
  ['slash', 'HTTP_URL_SLASH'],
  ['abs', 'HTTP_URL_ABS'],
  ['tls', 'ssl_fc'],
  ['sni', 'ssl_fc_sni -m found'],
  ['src_net', 'src 127.0.0.0/8'],
  ['src_v6', 'src ::1'],
  ['query_found', 'query -m found'],
  ['query_len', 'query -m len 3'],
  ['int_ops', 'hdr(x-n) -m int le 3'],
  ['nodash', 'hdr(x-a) -- -x'],
];

/** Header name → sample expression, copied into the forwarded request. */
const SAMPLES: [string, string][] = [
  ['x-s-hdr', 'hdr(x-a)'],
  ['x-s-hdr1', 'req.hdr(x-a,1)'],
  ['x-s-hdrm1', 'req.hdr(x-a,-1)'],
  ['x-s-fhdr', 'req.fhdr(x-list)'],
  ['x-s-cnt', 'req.hdr_cnt(x-a)'],
  ['x-s-fcnt', 'req.fhdr_cnt(x-list)'],
  ['x-s-val', 'req.hdr_val(x-n)'],
  ['x-s-ip', 'req.hdr_ip(x-ip)'],
  ['x-s-cook', 'req.cook(sess)'],
  ['x-s-cookcnt', 'req.cook_cnt(c)'],
  ['x-s-urlp', 'url_param(a)'],
  ['x-s-url', 'url'],
  ['x-s-base', 'base'],
  ['x-s-query', 'query'],
  ['x-s-path', 'path'],
  ['x-s-meth', 'method'],
  ['x-s-ver', 'req.ver'],
  ['x-s-tls', 'ssl_fc'],
  ['x-s-len', 'req.len'],
  ['x-s-lower', 'hdr(x-a),lower'],
  ['x-s-upper', 'hdr(x-a),upper'],
  ['x-s-map', 'path,map(@DIR@/exact.map,none)'],
  ['x-s-map-str', 'hdr(x-k),map_str(@DIR@/exact.map)'],
  ['x-s-map-beg', 'path,map_beg(@DIR@/beg.map,nobeg)'],
  ['x-s-map-reg', 'path,map_reg(@DIR@/reg.map,noreg)'],
  ['x-s-map-int', 'req.hdr_val(x-n),map_int(@DIR@/int.map,noint)'],
  ['x-s-map-lower', 'hdr(x-k),lower,map(@DIR@/exact.map,nokey)'],
];

function config(port: number, be: Record<string, number>, dir: string): string {
  // Predefined ACLs (upper case) are used as such: `acl NAME METH_GET` is no ACL in HAProxy.
  const predefined = (d: string): boolean => /^[A-Z]/.test(d);
  const acls = ACLS.filter(([, d]) => !predefined(d)).map(([n, d]) => `    acl ${n} ${d.replaceAll('@DIR@', dir)}`);
  const marks = ACLS.map(([n, d]) => `    http-request add-header x-m ${n} if ${predefined(d) ? d : n}`);
  const samples = SAMPLES.map(([h, e]) => `    http-request set-header ${h} "%[${e.replaceAll('@DIR@', dir)}]"`);
  return `defaults
    mode http
    timeout client 5s
    timeout connect 5s
    timeout server 5s
frontend F
    bind 127.0.0.1:${port}
${acls.join('\n')}
    http-request deny deny_status 403 if { path /denied }
    http-request allow if { path /allowed }
    http-request set-uri /via-set-uri?%[query] if { path_beg /seturi }
    http-request set-uri http://other.example/abs%[path] if { path_beg /absuri }
    http-request set-path /x%[path] if { path_beg /setpath }
    http-request set-query %[query]&added=1 if { path_beg /setquery }
    http-request set-method %[hdr(x-method)] if { hdr(x-method) -m found }
    http-request replace-header x-rh (.*)-(.*) \\2-\\1
    http-request replace-value x-rv ^([a-z]+)$ <\\1>
    http-request del-header x-del
    http-request del-header x-delbeg -m beg
${marks.join('\n')}
${samples.join('\n')}
    http-request set-var(txn.p) path
    http-response add-header x-r-added a%[status]
    http-response add-header x-r-added b
    http-response set-header x-r-srv %[res.hdr(x-srv)] if { res.hdr(x-srv) -m found }
    http-response set-header x-r-cnt %[res.hdr_cnt(x-srv)]
    http-response set-header x-r-hdr "%[hdr(x-srv)]"
    http-response set-header x-r-meth %[method]
    http-response set-header x-r-fhdr %[res.fhdr(x-srv)] if { res.fhdr(x-srv) -m found }
    http-response replace-header x-r-rep ^old(.*) new\\1
    http-response replace-value x-r-vals ^v([0-9]) w\\1
    http-response del-header x-r-gone
    http-response set-status 202 reason Accepted-Here if { res.hdr(x-accept) -m found }
    http-response set-status 418 if { status 200 } { res.hdr(x-teapot) -m found }
    http-response deny deny_status 502 if { res.hdr(x-bad) -m found }
    http-response deny if { status 203 }
    http-response set-header x-r-status s%[status] if { status ge 200 } { status lt 300 }
    http-response set-header x-r-reqpath %[var(txn.p)]
    acl mixed path /r1
    acl mixed status 203
    http-response add-header x-r-cond never if { path_beg / }
    http-response add-header x-r-cond negated if !{ path_beg /nothing }
    http-response add-header x-r-cond mixed if mixed
    http-response add-header x-r-cond get if METH_GET
    http-response add-header x-r-cond hdr if { hdr(x-srv) -m found }
    http-request add-header x-q-cond never if { status 200 }
    http-request add-header x-q-cond negated if !{ res.hdr(x) -m found }
    use_backend two if { hdr(x-be) 2 } || { path_beg /two }
    default_backend one
backend one
    server o 127.0.0.1:${be.one}
backend two
    http-request set-header x-in-two %[hdr(host),lower]
    http-response set-header x-from-two 1
    server t 127.0.0.1:${be.two}
`;
}

interface Req {
  readonly head: string;
  readonly body?: string;
  readonly responseHeaders?: string[];
}

const req = (line: string, ...headers: string[]): Req => ({ head: [line, ...(headers.some((h) => /^host:/i.test(h)) ? [] : ['Host: www.example.com']), ...headers].join('\r\n') });
const get = (path: string, ...headers: string[]): Req => req(`GET ${path} HTTP/1.1`, ...headers);
const withResponse = (r: Req, ...responseHeaders: string[]): Req => ({ ...r, responseHeaders });

const REQUESTS: Req[] = [
  get('/'),
  get('/a/sub/b'),
  get('/re/123'),
  get('/re/12a'),
  get('/x/img/y.png'),
  get('/www.example.com/page'),
  get('/index.php?x=1'),
  get('/abcd'),
  get('/case'),
  get('/u?q=1'),
  get('/b/c', 'Host: WWW.example.com'),
  get('/h', 'X-A: foobar'),
  get('/h', 'X-A: foomidbar', 'X-A: 42'),
  get('/h', 'X-A: a/mid/b', 'X-A: first, second'),
  get('/h', 'X-A: FoO'),
  get('/h', 'X-A: -x'),
  get('/h', 'X-A: abc'),
  get('/h', 'X-N: 11'),
  get('/h', 'X-N: 3'),
  get('/h', 'X-N: x7'),
  get('/h', 'X-N: -4'),
  get('/h', 'X-IP: 192.168.1.9'),
  get('/h', 'X-IP: 2001:db8::1'),
  get('/h', 'X-IP: 10.2.3.4, 8.8.8.8'),
  get('/h', 'X-IP: not-an-ip'),
  get('/h', 'X-List: a, b, c'),
  get('/h', 'X-List: a, b', 'X-List: c'),
  get('/c', 'Cookie: sess=abc123; lang=fr'),
  get('/c', 'Cookie: c=1; c=2; n=-3'),
  get('/c', 'Cookie: lang=de', 'Cookie: sess=zz'),
  get('/q?a=123&b=2'),
  get('/q?a=abc'),
  get('/q?b=1&a=5'),
  get('/q?abc'),
  get('/exact/one'),
  get('/exact/two'),
  get('/exact%20three'),
  get('/pre1/x'),
  get('/pre2/'),
  get('/h', 'X-IP: 10.9.9.9'),
  get('/h', 'Host: example.org'),
  get('/h', 'Host: EXAMPLE.NET'),
  req('PUT /p HTTP/1.1', 'Content-Length: 0'),
  req('DELETE /p HTTP/1.1'),
  req('GET /old HTTP/1.0'),
  req('GET http://www.example.com/abs?z=1 HTTP/1.1'),
  get('/m/a'),
  get('/m/b'),
  get('/m/b/c'),
  get('/m/42'),
  get('/m/xyz'),
  get('/zzz', 'X-K: key1'),
  get('/zzz', 'X-K: KEY1'),
  get('/zzz', 'X-K: nokey'),
  get('/zzz', 'X-N: 10'),
  get('/zzz', 'X-N: 1'),
  get('/denied'),
  get('/allowed', 'X-A: foo'),
  get('/seturi/a?k=v'),
  get('/absuri/p'),
  get('/setpath/q?z=1'),
  get('/setquery/q?z=1'),
  get('/setquery/q'),
  get('/meth', 'X-Method: PATCH'),
  get('/hdrs', 'X-RH: left-right', 'X-RV: abc, DEF, ghi', 'X-Del: 1', 'X-DelBeg-One: 1', 'x-delbeg2: 2'),
  get('/two/x', 'Host: Mixed.Example'),
  get('/x', 'X-Be: 2'),
  withResponse(get('/r1'), 'X-Srv: one, two', 'X-Srv: three'),
  withResponse(get('/r2'), 'X-R-Rep: old-value', 'X-R-Vals: v1, x2, v3', 'X-R-Gone: 1'),
  withResponse(get('/r3'), 'X-Accept: 1'),
  withResponse(get('/r4'), 'X-Teapot: 1'),
  withResponse(get('/r5'), 'X-Bad: 1'),
  withResponse(get('/two/r6'), 'X-Srv: two'),
];

/** Headers the rules or the backend set (framing and connection headers differ by design). */
function answer(r: RawResponse): unknown {
  const headers = r.headers.filter(([n]) => n.startsWith('x-') || n === 'content-type' || n === 'cache-control');
  return { status: r.status, headers, body: r.body };
}

/** The request line and fields the backend got (names lower-cased, connection framing dropped). */
function forwarded(head: string | undefined): unknown {
  if (head === undefined) return undefined;
  const [line, ...fields] = head.split('\r\n');
  const kept = fields.map((f) => `${f.slice(0, f.indexOf(':')).toLowerCase()}:${f.slice(f.indexOf(':') + 1).trim()}`)
    .filter((f) => !f.startsWith('connection:') && !f.startsWith('content-length:'));
  return { line, fields: kept };
}

let dir = '';
let backends: Record<string, NameServer>;
let haproxy: HaproxyRun | undefined;
let hapair: HaproxyRun | undefined;
let ports: number[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hapair-fetches-'));
  for (const [name, text] of Object.entries(FILES)) writeFileSync(join(dir, name), text);
  backends = { one: await startNameServer('one'), two: await startNameServer('two') };
  const bePorts = { one: backends.one.port, two: backends.two.port };
  ports = await distinctFreePorts(2);
  haproxy = await startHaproxy(config(ports[0], bePorts, dir), [ports[0]]);
  hapair = await startHapairProxy(config(ports[1], bePorts, dir), [ports[1]]);
}, 60_000);

afterAll(async () => {
  await haproxy?.stop();
  await hapair?.stop();
  for (const s of Object.values(backends ?? {})) await s.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function through(port: number, r: Req): Promise<{ answer: unknown; backend: unknown }> {
  const before = Object.fromEntries(Object.entries(backends).map(([n, s]) => [n, s.heads.length]));
  for (const b of Object.values(backends)) b.responseHeaders = r.responseHeaders ?? [];
  const res = await rawRequest(port, r.head, r.body ?? '');
  const hit = Object.entries(backends).find(([n, s]) => s.heads.length > before[n]);
  return { answer: answer(res), backend: hit ? { name: hit[0], head: forwarded(hit[1].heads.at(-1)) } : undefined };
}

describe('fetches, converters and header actions: hapair answers as HAProxy 2.6 does', () => {
  it.each(REQUESTS.map((r, i) => [`${i} ${r.head.replaceAll('\r\n', ' | ')}${r.responseHeaders ? ` => ${r.responseHeaders.join(' | ')}` : ''}`, r] as const))(
    '%s',
    async (_label, r) => {
      const ref = await through(ports[0], r);
      const ours = await through(ports[1], r);
      expect(ours).toEqual(ref);
    },
  );
});
