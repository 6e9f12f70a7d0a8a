import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTxn, type TxnInit } from '../../acl/txn.test-helper.ts';
import { formatDiagnostic, parseConfigText } from '../../config/config.ts';
import type { ProxySpec } from '../../config/model.ts';
import { NO_RULES, runHttpAfterResponseRules, runHttpRequestRules, runHttpResponseRules, runTcpConnectionRules, runTcpContentRules, selectServer, type HttpVerdict } from './rules.ts';
import { selectBackend } from './switching.ts';

const dir = mkdtempSync(join(tmpdir(), 'hapair-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T = '    timeout client 1s\n    timeout connect 1s\n    timeout server 1s\n';

/** The frontend `F` (and backend `B`) of a config whose frontend holds `lines`. */
function proxies(lines: string, backendLines = '', mode = 'http'): { fe: ProxySpec; be: ProxySpec } {
  const text = `frontend F\n    mode ${mode}\n    bind 127.0.0.1:1\n${T}${lines}\n    default_backend B\nbackend B\n    mode ${mode}\n${T}    server s1 127.0.0.1:2\n    server s2 127.0.0.1:3\n${backendLines}\n`;
  const r = parseConfigText(text, 't.cfg', { env: {} });
  const errors = r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
  if (!r.config) throw new Error(errors.join('\n'));
  return { fe: r.config.proxies[0], be: r.config.proxies[1] };
}

function errorsOf(lines: string, extra = ''): string[] {
  const text = `${extra}frontend F\n    mode http\n    bind 127.0.0.1:1\n${T}${lines}\n    default_backend B\nbackend B\n    mode http\n${T}    server s1 127.0.0.1:2\n`;
  return parseConfigText(text, 't.cfg', { env: {} }).diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
}

function request(fe: ProxySpec, init: TxnInit = {}): { v: HttpVerdict; txn: ReturnType<typeof makeTxn> } {
  const txn = makeTxn(init);
  return { v: runHttpRequestRules(fe.rules ?? NO_RULES, txn), txn };
}

describe('http-request verdicts', () => {
  it('the first final verdict wins; non-final actions run in order until then', () => {
    const { fe } = proxies([
      '    http-request add-header X-Step 1',
      '    http-request deny if { path /a }',
      '    http-request add-header X-Step 2',
      '    http-request deny deny_status 429 if { path_beg / }',
      '    http-request add-header X-Step 3',
    ].join('\n'));
    const a = request(fe, { uri: '/a' });
    expect(a.v).toEqual({ kind: 'deny', status: 403 });
    expect(a.txn.req!.headers.flat).toEqual(['x-step', '1']);
    const b = request(fe, { uri: '/b' });
    expect(b.v).toEqual({ kind: 'deny', status: 429 });
    expect(b.txn.req!.headers.flat).toEqual(['x-step', '1', 'x-step', '2']);
  });

  it('allow stops the http-request rules but not the redirect rules', () => {
    const { fe } = proxies('    http-request allow if { src 10.0.0.0/8 }\n    http-request deny\n    redirect location /moved if { path /old }');
    expect(request(fe, { src: '10.1.1.1', uri: '/x' }).v).toEqual({ kind: 'allow' });
    expect(request(fe, { src: '192.0.2.1', uri: '/x' }).v).toEqual({ kind: 'deny', status: 403 });
    const r = request(fe, { src: '10.1.1.1', uri: '/old' }).v;
    expect(r.kind === 'reply' && r.reply.status).toBe(302);
  });

  it('no rule: continue', () => {
    expect(request(proxies('').fe).v).toEqual({ kind: 'continue' });
  });

  it('auth: realm from the rule or the proxy name; http_auth against a userlist', () => {
    const userlist = 'userlist L\n    user admin insecure-password s3cret\n    user ops password $5$saltstring$4mLzDd7PmpYGnmV6HHYAR6tJydOUyhkrRSQDy8q2eK8\n';
    const text = `${userlist}frontend F\n    mode http\n    bind 127.0.0.1:1\n${T}    acl ok http_auth(L)\n    http-request auth realm Admins unless ok\n    default_backend B\nbackend B\n    mode http\n${T}    server s1 127.0.0.1:2\n    http-request auth unless { always_false }\n`;
    const r = parseConfigText(text, 't.cfg', { env: {} });
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const [fe, be] = r.config!.proxies;
    const basic = (u: string, p: string): [string, string][] => [['authorization', `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`]];
    expect(request(fe).v).toEqual({ kind: 'auth', realm: 'Admins' });
    expect(request(fe, { headers: basic('admin', 'wrong') }).v).toEqual({ kind: 'auth', realm: 'Admins' });
    expect(request(fe, { headers: basic('admin', 's3cret') }).v).toEqual({ kind: 'continue' });
    expect(request(fe, { headers: basic('ops', 'hello') }).v).toEqual({ kind: 'continue' });
    expect(request(fe, { headers: basic('ops', 'hello2') }).v.kind).toBe('auth');
    expect(request(be).v).toEqual({ kind: 'auth', realm: 'B' });
  });

  it('use-service names the applet', () => {
    const { fe } = proxies('    http-request use-service prometheus-exporter if { path /metrics }');
    expect(request(fe, { uri: '/metrics' }).v).toEqual({ kind: 'use-service', service: 'prometheus-exporter' });
    expect(request(fe, { uri: '/' }).v).toEqual({ kind: 'continue' });
  });
});

describe('http-request return and redirect replies', () => {
  it('return: status, hdr, content-type, string and lf-string bodies, file', () => {
    const body = join(dir, 'body.html');
    writeFileSync(body, '<p>maintenance</p>\n');
    const { fe } = proxies([
      '    http-request return status 200 content-type text/plain string ok hdr X-A b if { path /a }',
      '    http-request return content-type text/plain lf-string "you are %[src] on %[path]" if { path /b }',
      `    http-request return status 503 content-type text/html file ${body} if { path /c }`,
      '    http-request return status 404 if { path /d }',
    ].join('\n'));
    const reply = (uri: string) => {
      const v = request(fe, { uri, src: '10.9.9.9' }).v;
      if (v.kind !== 'reply') throw new Error(v.kind);
      return { ...v.reply, body: v.reply.body.toString() };
    };
    expect(reply('/a')).toEqual({ status: 200, headers: [['x-a', 'b'], ['content-length', '2'], ['content-type', 'text/plain']], body: 'ok' });
    expect(reply('/b').body).toBe('you are 10.9.9.9 on /b');
    expect(reply('/c')).toMatchObject({ status: 503, body: '<p>maintenance</p>\n' });
    expect(reply('/d')).toEqual({ status: 404, headers: [['content-length', '0']], body: '' });
  });

  it.each([
    ['http-request redirect location /x', '/a', 302, '/x'],
    ['http-request redirect location /x code 301', '/a', 301, '/x'],
    ['http-request redirect prefix /p drop-query', '/c/z?x=1', 302, '/p/c/z'],
    ['http-request redirect prefix /p', '/c/z?x=1', 302, '/p/c/z?x=1'],
    ['http-request redirect prefix /p append-slash', '/d/y', 302, '/p/d/y/'],
    ['http-request redirect prefix / append-slash', '/d/y', 302, '/d/y/'],
    ['http-request redirect scheme https code 308', '/e/x?q', 308, 'https://ex.com/e/x?q'],
    ['http-request redirect location %[hdr(host)]/new code 303', '/', 303, 'ex.com/new'],
    ['redirect prefix https://h.example code 307', '/q/x?y', 307, 'https://h.example/q/x?y'],
    ['redirect location /literal%[path]', '/q', 302, '/literal%[path]'],
  ])('%s on %s: %i %s', (line, uri, status, location) => {
    const { fe } = proxies(`    ${line}`);
    const v = request(fe, { uri, headers: [['host', 'ex.com']] }).v;
    if (v.kind !== 'reply') throw new Error(v.kind);
    expect(v.reply.status).toBe(status);
    const headers = new Map(v.reply.headers);
    expect(headers.get('location')).toBe(location);
    expect(headers.get('content-length')).toBe('0');
    expect(headers.get('cache-control')).toBe([302, 303, 307].includes(status) ? 'no-cache' : undefined);
  });

  it('redirect set-cookie / clear-cookie and ignore-empty', () => {
    const { fe } = proxies('    redirect location /x set-cookie FOO=bar if { path /f }\n    redirect location /x clear-cookie FOO if { path /g }\n    http-request redirect location %[hdr(x-to)] ignore-empty');
    const cookie = (uri: string) => {
      const v = request(fe, { uri }).v;
      return v.kind === 'reply' ? new Map(v.reply.headers).get('set-cookie') : v.kind;
    };
    expect(cookie('/f')).toBe('FOO=bar; path=/;');
    expect(cookie('/g')).toBe('FOO; path=/; Max-Age=0;');
    expect(request(fe, { uri: '/h' }).v).toEqual({ kind: 'continue' });
  });
});

describe('http-request editing actions', () => {
  const edit = (line: string, init: TxnInit) => {
    const { fe } = proxies(`    ${line}`);
    const { txn } = request(fe, init);
    return txn.req!;
  };

  it('set-header replaces every line, add-header appends, del-header removes (with -m)', () => {
    expect(edit('http-request set-header X-Fwd %[src]', { src: '10.0.0.9', headers: [['X-Fwd', 'a'], ['Host', 'h'], ['x-fwd', 'b']] }).headers.flat)
      .toEqual(['Host', 'h', 'x-fwd', '10.0.0.9']);
    expect(edit('http-request add-header X-A "v 1"', { headers: [['x-a', '0']] }).headers.flat).toEqual(['x-a', '0', 'x-a', 'v 1']);
    expect(edit('http-request del-header x-a', { headers: [['X-A', '1'], ['b', '2'], ['x-a', '3']] }).headers.flat).toEqual(['b', '2']);
    expect(edit('http-request del-header x- -m beg', { headers: [['X-A', '1'], ['b', '2'], ['x-c', '3']] }).headers.flat).toEqual(['b', '2']);
    expect(edit('http-request set-header X-Copy %[hdr(x-copy)]-2', { headers: [['x-copy', 'v']] }).headers.flat).toEqual(['x-copy', 'v-2']);
  });

  it('replace-header rewrites whole lines, replace-value each value, with \\N references', () => {
    expect(edit('http-request replace-header Cookie foo=([^;]*);(.*) foo=\\1;ip=%[src];\\2', { src: '1.2.3.4', headers: [['Cookie', 'foo=bar; x=y']] }).headers.flat)
      .toEqual(['Cookie', 'foo=bar;ip=1.2.3.4; x=y']);
    expect(edit('http-request replace-value X-Fwd ^10\\.(.*) private-\\1', { headers: [['X-Fwd', '10.0.0.1, 192.0.2.1, 10.2.3.4']] }).headers.flat)
      .toEqual(['X-Fwd', 'private-0.0.1, 192.0.2.1,private-2.3.4']);
    expect(edit('http-request replace-header Host ^www\\.(.*) \\1', { headers: [['Host', 'example.com']] }).headers.flat).toEqual(['Host', 'example.com']);
  });

  it('set-path, set-query, set-uri, set-method', () => {
    expect(edit('http-request set-path /new%[path]', { uri: '/a/b?x=1' }).uri).toBe('/new/a/b?x=1');
    expect(edit('http-request set-path /p', { uri: 'http://h.example/a?x=1' }).uri).toBe('http://h.example/p?x=1');
    expect(edit('http-request set-query y=2&%[query]', { uri: '/a?x=1' }).uri).toBe('/a?y=2&x=1');
    expect(edit('http-request set-query y=2', { uri: '/a' }).uri).toBe('/a?y=2');
    expect(edit('http-request set-uri /other?z', { uri: '/a?x=1' }).uri).toBe('/other?z');
    expect(edit('http-request set-method PUT', { method: 'GET' }).method).toBe('PUT');
  });

  it('set-uri to an absolute URI rewrites the Host fields to its authority (HAProxy http_update_host)', () => {
    const abs = edit('http-request set-uri http://u:p@other.example:8080/x?y', { uri: '/a', headers: [['Host', 'h'], ['x-a', '1']] });
    expect([abs.uri, abs.headers.flat]).toEqual(['http://u:p@other.example:8080/x?y', ['Host', 'other.example:8080', 'x-a', '1']]);
    expect(edit('http-request set-uri /rel', { uri: 'http://h.example/a', headers: [['Host', 'h.example']] }).headers.flat).toEqual(['Host', 'h.example']);
  });

  it('the method fetch keeps the parsed method after set-method, as HAProxy (txn->meth)', () => {
    const { fe } = proxies('    http-request set-method PUT\n    http-request set-header X-M %[method] if METH_GET');
    const { txn } = request(fe, { method: 'GET' });
    expect(txn.req!.method).toBe('PUT');
    expect(txn.req!.headers.flat).toEqual(['x-m', 'GET']);
  });

  it('set-var stores a sample that later rules and ACLs read', () => {
    const { fe } = proxies('    http-request set-var(txn.host) req.hdr(host),lower\n    http-request deny if { var(txn.host) -m str example.com }');
    expect(request(fe, { headers: [['Host', 'EXAMPLE.com']] }).v).toEqual({ kind: 'deny', status: 403 });
    expect(request(fe, { headers: [['Host', 'other']] }).v).toEqual({ kind: 'continue' });
  });
});

describe('http-response rules', () => {
  it('set-header, del-header, set-status, deny with 502 by default', () => {
    const { fe } = proxies([
      '    http-response del-header Server',
      '    http-response set-header X-Frame-Options DENY',
      '    http-response set-status 503 reason "Down for maintenance" if { status 500 }',
      '    http-response deny if { res.hdr(x-leak) -m found }',
      '    http-response deny deny_status 500 if { status 418 }',
    ].join('\n'));
    const txn = makeTxn({ status: 500, resHeaders: [['Server', 'x'], ['Content-Type', 'text/html']] });
    expect(runHttpResponseRules(fe.rules!, txn)).toEqual({ kind: 'continue' });
    expect(txn.res!.headers.flat).toEqual(['Content-Type', 'text/html', 'x-frame-options', 'DENY']);
    expect(txn.res!.status).toBe(503);
    expect(txn.res!.reason).toBe('Down for maintenance');
    expect(runHttpResponseRules(fe.rules!, makeTxn({ status: 200, resHeaders: [['X-Leak', '1']] }))).toEqual({ kind: 'deny', status: 502 });
    expect(runHttpResponseRules(fe.rules!, makeTxn({ status: 418 }))).toEqual({ kind: 'deny', status: 500 });
  });

  it('the hdr fetch of an http-response sample reads the response (HAProxy smp_fetch_chn_hdr)', () => {
    const { fe } = proxies('    http-response set-header X-Copy %[hdr(x-a)]\n    http-request set-header X-Req %[hdr(x-a)]');
    const txn = makeTxn({ status: 200, headers: [['x-a', 'req']], resHeaders: [['x-a', 'res']] });
    runHttpResponseRules(fe.rules!, txn);
    expect(txn.res!.headers.flat).toEqual(['x-a', 'res', 'x-copy', 'res']);
    const reqTxn = makeTxn({ headers: [['x-a', 'req']] });
    runHttpRequestRules(fe.rules!, reqTxn);
    expect(reqTxn.req!.headers.flat).toEqual(['x-a', 'req', 'x-req', 'req']);
  });
});

describe('http-after-response rules', () => {
  it('edit the response in order; allow ends the list; set-status without reason takes the status phrase', () => {
    const { fe } = proxies([
      '    http-after-response set-header Strict-Transport-Security max-age=1',
      '    http-after-response del-header server',
      '    http-after-response replace-value cache-control ^public$ private',
      '    http-after-response set-status 299 if { status 500 }',
      '    http-after-response set-var(txn.st) status',
      '    http-after-response allow if { status 299 }',
      '    http-after-response add-header x-st %[var(txn.st)]',
    ].join('\n'));
    const ok = makeTxn({ status: 200, resHeaders: [['Server', 'x'], ['cache-control', 'max-age=3, public']] });
    runHttpAfterResponseRules(fe.rules!, ok);
    expect(ok.res!.headers.flat).toEqual(['cache-control', 'max-age=3,private', 'strict-transport-security', 'max-age=1', 'x-st', '200']);
    const err = makeTxn({ status: 500 });
    runHttpAfterResponseRules(fe.rules!, err);
    expect([err.res!.status, err.res!.reason, err.res!.headers.flat]).toEqual([299, 'Success', ['strict-transport-security', 'max-age=1']]);
  });

  it("refuse what HAProxy 2.6 has no after-response action for, and its actions hapair lacks, with file:line", () => {
    expect(errorsOf('    http-after-response deny\n    http-after-response redirect location /x\n    http-after-response capture res.hdr(x) id 0\n    http-after-response strict-mode on\n    http-after-response unset-var(txn.x)\n    http-after-response set-var-fmt(txn.x) a')).toEqual([
      "t.cfg:7: frontend 'F': 'http-after-response' expects 'add-header', 'allow', 'del-header', 'replace-header', 'replace-value', 'set-header', 'set-status', 'set-var(*)', but got 'deny'.",
      "t.cfg:8: frontend 'F': 'http-after-response' expects 'add-header', 'allow', 'del-header', 'replace-header', 'replace-value', 'set-header', 'set-status', 'set-var(*)', but got 'redirect'.",
      "t.cfg:9: frontend 'F': 'http-after-response capture' is not supported yet",
      "t.cfg:10: frontend 'F': 'http-after-response strict-mode' is not supported yet",
      "t.cfg:11: frontend 'F': 'http-after-response unset-var' is not supported yet",
      "t.cfg:12: frontend 'F': 'http-after-response set-var-fmt' is not supported yet",
    ]);
    expect(errorsOf('    http-after-response set-status 99\n    http-after-response set-header x\n    http-after-response allow when { status 200 }')).toEqual([
      "t.cfg:7: frontend 'F': error detected in frontend 'F' while parsing 'http-after-response set-status' rule : expects an integer status code between 100 and 999.",
      "t.cfg:8: frontend 'F': error detected in frontend 'F' while parsing 'http-after-response set-header' rule : expects exactly 2 arguments.",
      "t.cfg:9: frontend 'F': 'http-after-response allow' expects either 'if' or 'unless' followed by a condition but found 'when'.",
    ]);
    expect(errorsOf('', 'defaults\n    http-after-response allow\n')).toEqual(["t.cfg:2: defaults: 'http-after-response' not allowed in anonymous 'defaults' section."]);
  });
});

describe('switching rules', () => {
  it('use_backend in order with conditions, then default_backend', () => {
    const text = `frontend F\n    mode http\n    bind 127.0.0.1:1\n${T}    acl is_api path_beg /api\n    use_backend api if is_api\n    use_backend static if { path_end .css }\n    use_backend api unless { hdr(host) -m found }\n    default_backend web\n` +
      ['api', 'static', 'web'].map((b) => `backend ${b}\n    mode http\n${T}    server s 127.0.0.1:2\n`).join('');
    const fe = parseConfigText(text, 't.cfg', { env: {} }).config!.proxies[0];
    const host: [string, string][] = [['host', 'h']];
    expect(selectBackend(fe, makeTxn({ uri: '/api/x', headers: host }))).toBe('api');
    expect(selectBackend(fe, makeTxn({ uri: '/s.css', headers: host }))).toBe('static');
    expect(selectBackend(fe, makeTxn({ uri: '/', headers: host }))).toBe('web');
    expect(selectBackend(fe, makeTxn({ uri: '/' }))).toBe('api');
  });

  it('use-server picks a named server when its condition holds', () => {
    const { be } = proxies('', '    use-server s2 if { hdr(x-srv) s2 }\n    use-server s1 unless { always_false }');
    expect(selectServer(be.rules!, makeTxn({ headers: [['x-srv', 's2']] }))).toBe('s2');
    expect(selectServer(be.rules!, makeTxn())).toBe('s1');
  });

  it('capture request/response header slots', () => {
    const { fe } = proxies('    capture request header Host len 20\n    capture request header User-Agent len 5\n    capture response header Content-Type len 10');
    expect(fe.rules!.captureRequest).toEqual([{ name: 'host', len: 20 }, { name: 'user-agent', len: 5 }]);
    expect(fe.rules!.captureResponse).toEqual([{ name: 'content-type', len: 10 }]);
  });
});

describe('tcp-request rules', () => {
  it('connection accept/reject in order, accept by default', () => {
    const { fe } = proxies('    tcp-request connection accept if { src 10.0.0.0/8 }\n    tcp-request connection reject if { src 10.0.0.0/7 }', '', 'tcp');
    expect(runTcpConnectionRules(fe.rules!, makeTxn({ tcp: true, src: '10.0.0.1' }))).toBe(true);
    expect(runTcpConnectionRules(fe.rules!, makeTxn({ tcp: true, src: '11.0.0.1' }))).toBe(false);
    expect(runTcpConnectionRules(fe.rules!, makeTxn({ tcp: true, src: '12.0.0.1' }))).toBe(true);
  });

  it('content rules wait for data under inspect-delay until final', () => {
    const { fe } = proxies('    tcp-request inspect-delay 5s\n    tcp-request content accept if { req.len ge 4 }\n    tcp-request content reject if WAIT_END', '', 'tcp');
    expect(fe.rules!.inspectDelay).toBe(5000);
    expect(runTcpContentRules(fe.rules!, makeTxn({ tcp: true, data: 'ab' }), false)).toBe('wait');
    expect(runTcpContentRules(fe.rules!, makeTxn({ tcp: true, data: 'abcd' }), false)).toBe('accept');
    expect(runTcpContentRules(fe.rules!, makeTxn({ tcp: true, data: 'ab' }), true)).toBe('reject');
  });
});

describe('parse errors as HAProxy reports them', () => {
  it.each([
    ['    acl a1 nosuchfetch foo', "t.cfg:7: frontend 'F': error detected while parsing ACL 'a1' : unknown fetch method 'nosuchfetch' in ACL expression 'nosuchfetch'."],
    ['    acl a$ path /', "t.cfg:7: frontend 'F': character '$' is not permitted in acl name 'a$'"],
    ['    http-request deny if nosuch', "t.cfg:7: frontend 'F': error detected while parsing an 'http-request deny' condition : no such ACL : 'nosuch'."],
    ['    http-request deny if { path_beg /x', "t.cfg:7: frontend 'F': error detected while parsing an 'http-request deny' condition : missing closing '}' in condition."],
    ['    use_backend B if missing', "t.cfg:7: frontend 'F': error detected while parsing switching rule : no such ACL : 'missing'."],
    ['    http-request deny foo', "t.cfg:7: frontend 'F': 'http-request deny' expects either 'if' or 'unless' followed by a condition but found 'foo'."],
    ['    http-request set-header X', "t.cfg:7: frontend 'F': error detected in frontend 'F' while parsing 'http-request set-header' rule : expects exactly 2 arguments."],
    ['    http-request deny deny_status 999', "t.cfg:7: frontend 'F': error detected in frontend 'F' while parsing 'http-request deny' rule : Unexpected status code '999'."],
    ['    http-request redirect location /x code 305', "t.cfg:7: frontend 'F': error detected in frontend 'F' while parsing 'http-request redirect' rule : 'code': unsupported HTTP code '305' (must be one of 301, 302, 303, 307 or 308)."],
    ['    http-request set-header X %Q', "t.cfg:7: frontend 'F': error detected in frontend 'F' while parsing 'http-request set-header' rule : no such format variable 'Q'. If you wanted to emit the '%' character verbatim, you need to use '%%'."],
    ['    http-request set-var(foo) str(x)', "t.cfg:7: frontend 'F': error detected in frontend 'F' while parsing 'http-request set-var(foo)' rule : invalid variable name 'foo'. A variable name must be start by its scope. The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'."],
    ['    http-request return string x', "t.cfg:7: frontend 'F': error detected in frontend 'F' while parsing 'http-request return' rule : a content type must be defined when non-empty payload is configured."],
    ['    http-request use-service nosuch', "t.cfg:7: frontend 'F': error detected in frontend 'F' while parsing 'http-request use-service' rule : 'nosuch' unknown service name.."],
    ['    redirect foo /x', "t.cfg:7: frontend 'F': error detected in frontend 'F' while parsing redirect rule : expects 'code', 'prefix', 'location', 'scheme', 'set-cookie', 'clear-cookie', 'drop-query', 'ignore-empty' or 'append-slash' (was 'foo')."],
    ['    redirect prefix /x if nosuch', "t.cfg:7: frontend 'F': error detected in frontend 'F' while parsing redirect rule : error in condition: no such ACL : 'nosuch'."],
    ['    capture request header X', "t.cfg:7: frontend 'F': 'capture request' expects 'header' <header_name> 'len' <len>."],
    ['    http-request reject', "t.cfg:7: frontend 'F': 'http-request reject' is not supported yet"],
    ['    tcp-request connection track-sc0 src', "t.cfg:7: frontend 'F': 'tcp-request connection track-sc0' is not supported yet"],
    ['    acl r http_auth(nolist)', "t.cfg:7: frontend 'F': unable to find userlist 'nolist' referenced in arg 1 of ACL keyword 'http_auth' in proxy 'F'"],
  ])('%s', (line, message) => {
    expect(errorsOf(line)).toEqual([message]);
  });

  it('use-server naming an unknown server', () => {
    const text = `backend B\n    mode http\n${T}    server s1 127.0.0.1:2\n    use-server nope if TRUE\n`;
    expect(parseConfigText(text, 't.cfg', { env: {} }).diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic))
      .toEqual(["t.cfg:7: backend 'B': unable to find server 'nope' referenced in a 'use-server' rule"]);
  });

  it('rules in defaults sections are refused (not supported yet)', () => {
    const text = `defaults\n    mode http\n    http-request deny\n`;
    expect(parseConfigText(text, 't.cfg', { env: {} }).diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic))
      .toEqual(["t.cfg:3: defaults: 'http-request' in a 'defaults' section is not supported yet"]);
  });
});
