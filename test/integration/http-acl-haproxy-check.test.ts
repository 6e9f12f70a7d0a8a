// Differential test of the configuration language of ACLs and rules against `haproxy -c` (HAProxy
// 2.6): configurations both accept, configurations both refuse, and for the errors hapair words
// as HAProxy does, the same text after HAProxy's "parsing [file:line] : " prefix.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDiagnostic, loadConfig } from '../../src/config/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'hapair-acl-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MAP = join(dir, 'hosts.map');
writeFileSync(MAP, '# hosts\nwww.example.com web\napi.example.com api\n');
const LIST = join(dir, 'paths.lst');
writeFileSync(LIST, '/admin\n/debug\n');

function haproxyCheck(file: string): { code: number | null; out: string } {
  const r = spawnSync('/usr/sbin/haproxy', ['-c', '-f', file], { env: { PATH: '/usr/sbin:/usr/bin:/bin' }, encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

const HEAD = `userlist L\n    user admin insecure-password x\nfrontend F\n    mode http\n    bind 127.0.0.1:1\n    timeout client 1s\n`;
const TAIL = `    default_backend B\nbackend B\n    mode http\n    timeout connect 1s\n    timeout server 1s\n    server s1 127.0.0.1:2\n`;
/** Line of the tested text in the file (HEAD has 6 lines). */
const LINE = 7;

function ours(text: string): { config: boolean; errors: string[]; warnings: string[] } {
  const file = join(dir, 'ours.cfg');
  writeFileSync(file, text);
  const r = loadConfig([file], { env: {} });
  const of = (severity: string): string[] => r.diagnostics.filter((d) => d.severity === severity).map(formatDiagnostic);
  return { config: r.config !== undefined, errors: of('error'), warnings: of('warning') };
}

const VALID = [
  'acl a path_beg /api /static\n    acl a path_end .css',
  'acl a hdr(host) -i -m dom example.com',
  'acl a hdr_beg(host) -i www.',
  'acl a req.hdr(x-forwarded-for) -m ip 10.0.0.0/8 ::1/128',
  'acl a src 10.0.0.0/8 192.168.0.0/255.255.0.0 2001:db8::/32',
  'acl a src_port 1024:65535',
  'acl a dst_port 80 443',
  'acl a hdr_val(content-length) gt 10 lt 5',
  'acl a hdr_cnt(host) eq 1',
  'acl a req.len ge 0',
  'acl a path -m len 3:4',
  'acl a path -m found',
  'acl a path -m sub -- -x',
  `acl a path -f ${LIST}`,
  `acl a path_beg -i -f ${LIST} /x`,
  'acl a path_reg ^/img/.*\\.(png|gif)$',
  'acl a url_param(id) -m int 5',
  'acl a urlp(lang) fr de',
  'acl a cook(SID) -m found',
  'acl a cook_beg(SID) abc',
  'acl a method GET HEAD',
  'acl a ssl_fc',
  'acl a ssl_fc_sni -m end .example.com',
  'acl a http_auth(L)',
  'acl a base_beg example.com/api',
  `acl a req.hdr(host),lower,map_str(${MAP}) web`,
  `acl a req.hdr(host),map(${MAP},none) -m str none`,
  `acl a path,map_beg(${MAP}) -m found`,
  'acl a query -m sub debug=1',
  'acl a url -m beg http://',
  'http-request deny if { path /x } || { path /y } !{ src 127.0.0.1 }',
  'http-request deny deny_status 429 unless TRUE',
  'http-request allow if LOCALHOST METH_GET HTTP_1.1',
  'http-request auth realm Admin if !{ http_auth(L) }',
  'http-request return status 503 content-type text/plain string down hdr Retry-After 30',
  'http-request return status 200 content-type text/plain lf-string "%[src] %[path]"',
  'http-request redirect location /new code 301 if { path /old }',
  'http-request redirect prefix /p drop-query append-slash',
  'http-request redirect scheme https code 308 unless { ssl_fc }',
  'http-request redirect location /x set-cookie A=1 ignore-empty',
  'http-request set-header X-Forwarded-Proto https if { ssl_fc }',
  'http-request add-header X-Req %[hdr(host)]%[path]',
  'http-request del-header X-Secret',
  'http-request del-header x- -m beg',
  'http-request replace-header Host (.*):80 \\1',
  'http-request replace-value X-Fwd ^10\\.(.*) x\\1',
  'http-request set-path /v2%[path]',
  'http-request set-query a=1&%[query]',
  'http-request set-uri /x',
  'http-request set-method POST if METH_GET',
  'http-request set-var(txn.host) req.hdr(host),lower',
  'http-request use-service prometheus-exporter if { path /metrics }',
  'http-response set-header X-Frame-Options DENY',
  'http-response add-header X-A b',
  'http-response del-header Server',
  'http-response replace-header Location ^http://(.*) https://\\1',
  'http-response set-status 503 reason "Maint" if { status 500 }',
  'http-response deny if { res.hdr(x-leak) -m found }',
  'redirect prefix https://www.example.com code 301 if { hdr(host) -i example.com }',
  'redirect location /maintenance code 302 clear-cookie SID',
  'use_backend B if { path_beg /api } || HTTP_URL_ABS',
  'use_backend B unless { hdr_cnt(host) eq 0 }',
  'capture request header Host len 32\n    capture response header Content-Type len 20',
  'tcp-request connection accept if { src 127.0.0.1 }\n    tcp-request connection reject',
  'tcp-request inspect-delay 5s',
  'http-response set-header X %[hdr(a)]-%[method]-%[res.hdr(b)]-%[status]-%[src]\n    http-request set-header X %[hdr(a)]-%[method]-%[path]',
  'acl TRUE always_false\n    http-request deny if TRUE',
];

const INVALID: [string, string | null][] = [
  ['acl a1 nosuchfetch foo', "error detected while parsing ACL 'a1' : unknown fetch method 'nosuchfetch' in ACL expression 'nosuchfetch'."],
  ['acl a2 hdr(host) -m nosuch foo', "error detected while parsing ACL 'a2' : unknown matching method 'nosuch' when parsing ACL expression."],
  ['acl a3 path,nosuchconv foo', "error detected while parsing ACL 'a3' : ACL keyword 'path' : unknown converter 'nosuchconv'.."],
  ['acl a4 path -f /nonexistent/file', "error detected while parsing ACL 'a4' : failed to open pattern file </nonexistent/file>."],
  ['acl a5 src 1.2.3.400', "error detected while parsing ACL 'a5' : '1.2.3.400' is not a valid IPv4 or IPv6 address."],
  ['acl a6 req.len ge abc', "error detected while parsing ACL 'a6' : 'abc' is neither a number nor a supported operator."],
  ['acl a7 path -x foo', "error detected while parsing ACL 'a7' : '-x' is not a valid ACL option. Please use '--' before any pattern beginning with a '-'."],
  ['acl a8 path_reg (unclosed', null],
  ['acl a$ path /', "character '$' is not permitted in acl name 'a$'."],
  ['acl a9 hdr_cnt(host) ge 1 foo', "error detected while parsing ACL 'a9' : 'foo' is neither a number nor a supported operator."],
  ['acl e src 10.0.0.0/33', "error detected while parsing ACL 'e' : '10.0.0.0/33' is not a valid IPv4 or IPv6 address."],
  ['acl t hdr(host,x) foo', "error detected while parsing ACL 't' : ACL keyword 'hdr' : failed to parse 'x' as type 'integer' at position 2."],
  ['acl s hdr(host,1,2) foo', "error detected while parsing ACL 's' : ACL keyword 'hdr' : expected ')' before ',2)'."],
  ['acl p path(x) foo', "error detected while parsing ACL 'p' : ACL keyword 'path' : expected ')' before 'x)'."],
  [`acl l req.hdr(host),map_str(/nonexist) foo`, null],
  ['acl g path -m len eq x', "error detected while parsing ACL 'g' : 'x' is not a number."],
  ['acl r http_auth(nolist)', null],
  ['http-request deny if nosuch', "error detected while parsing an 'http-request deny' condition : no such ACL : 'nosuch'."],
  ['http-request deny if { path_beg /x', "error detected while parsing an 'http-request deny' condition : missing closing '}' in condition."],
  ['use_backend B if missing', 'error detected while parsing switching rule : no such ACL : \'missing\'.'],
  ['http-request foo', null],
  ['http-request deny foo', null],
  ['http-request deny deny_status 999', "error detected in frontend 'F' while parsing 'http-request deny' rule : Unexpected status code '999'."],
  ['http-request set-header', "error detected in frontend 'F' while parsing 'http-request set-header' rule : expects exactly 2 arguments."],
  ['http-request del-header', "error detected in frontend 'F' while parsing 'http-request del-header' rule : expects at least 1 argument."],
  ['http-request replace-header X', "error detected in frontend 'F' while parsing 'http-request replace-header' rule : expects exactly 3 arguments."],
  ['http-request set-path', "error detected in frontend 'F' while parsing 'http-request set-path' rule : expects exactly 1 argument <format>."],
  ['http-request set-var(foo) str(x)', null],
  ['http-request set-var(txn.foo)', "error detected in frontend 'F' while parsing 'http-request set-var(txn.foo)' rule : missing fetch method."],
  ['http-request return status 99', "error detected in frontend 'F' while parsing 'http-request return' rule : Unexpected status code '99'."],
  ['http-request return string x', "error detected in frontend 'F' while parsing 'http-request return' rule : a content type must be defined when non-empty payload is configured."],
  ['http-request return status 204 content-type text/plain string x', "error detected in frontend 'F' while parsing 'http-request return' rule : No body expected for 204 responses."],
  ['http-request use-service nosuch', "error detected in frontend 'F' while parsing 'http-request use-service' rule : 'nosuch' unknown service name.."],
  ['http-request redirect code 307', "error detected in frontend 'F' while parsing 'http-request redirect' rule : redirection type expected ('prefix', 'location', or 'scheme')."],
  ['http-request redirect location /x code 305', "error detected in frontend 'F' while parsing 'http-request redirect' rule : 'code': unsupported HTTP code '305' (must be one of 301, 302, 303, 307 or 308)."],
  ['http-request set-header X %Q', "error detected in frontend 'F' while parsing 'http-request set-header' rule : no such format variable 'Q'. If you wanted to emit the '%' character verbatim, you need to use '%%'."],
  ['http-response set-header X %[path]', "error detected in frontend 'F' while parsing 'http-response set-header' rule : sample fetch <path]> may not be reliably used here because it needs 'HTTP request headers' which is not available here."],
  ['http-response add-header X a%[req.cook(c),lower]b', "error detected in frontend 'F' while parsing 'http-response add-header' rule : sample fetch <req.cook(c),lower]b> may not be reliably used here because it needs 'HTTP request headers' which is not available here."],
  ['http-request set-header X %[status]', "error detected in frontend 'F' while parsing 'http-request set-header' rule : sample fetch <status]> may not be reliably used here because it needs 'HTTP response' which is not available here."],
  ['http-request set-header X %[res.hdr(a)]', "error detected in frontend 'F' while parsing 'http-request set-header' rule : sample fetch <res.hdr(a)]> may not be reliably used here because it needs 'HTTP response headers' which is not available here."],
  ['http-response set-var(txn.x) url_param(a)', "error detected in frontend 'F' while parsing 'http-response set-var(txn.x)' rule : fetch method 'set-var(txn.x)' extracts information from 'HTTP request headers', none of which is available here."],
  ['http-response set-status 9999', "error detected in frontend 'F' while parsing 'http-response set-status' rule : expects an integer status code between 100 and 999."],
  ['redirect location', "error detected in frontend 'F' while parsing redirect rule : missing argument for 'location'."],
  ['redirect foo /x', "error detected in frontend 'F' while parsing redirect rule : expects 'code', 'prefix', 'location', 'scheme', 'set-cookie', 'clear-cookie', 'drop-query', 'ignore-empty' or 'append-slash' (was 'foo')."],
  ['redirect prefix /x if nosuch', "error detected in frontend 'F' while parsing redirect rule : error in condition: no such ACL : 'nosuch'."],
  ['capture request header X', "'capture request' expects 'header' <header_name> 'len' <len>."],
  ['capture foo', "'capture' expects 'cookie' or 'request header' or 'response header'."],
  ['tcp-request inspect-delay', "'tcp-request inspect-delay' expects a positive delay in milliseconds, in frontend 'F'"],
  ['tcp-request connection foo', null],
  ['tcp-request', "missing argument for 'tcp-request' in frontend 'F'"],
];

describe('valid for haproxy -c and for hapair', () => {
  it.each(VALID)('%s', (line) => {
    const text = `${HEAD}    ${line}\n${TAIL}`;
    const file = join(dir, 'valid.cfg');
    writeFileSync(file, text);
    const ref = haproxyCheck(file);
    expect(ref.code, ref.out).toBe(0);
    expect(ours(text).errors).toEqual([]);
  });
});

describe('refused by both, with the same text where hapair words it as HAProxy does', () => {
  it.each(INVALID)('%s', (line, text) => {
    const cfg = `${HEAD}    ${line}\n${TAIL}`;
    const file = join(dir, 'invalid.cfg');
    writeFileSync(file, cfg);
    const ref = haproxyCheck(file);
    expect(ref.code, ref.out).not.toBe(0);
    const mine = ours(cfg);
    expect(mine.config).toBe(false);
    if (text === null) return;
    expect(ref.out).toContain(`[${file}:${LINE}]`);
    expect(ref.out).toContain(text);
    expect(mine.errors.some((e) => e.endsWith(`: ${text}`) || e.endsWith(`: ${text.replace(/\.$/, '')}`)), mine.errors.join('\n')).toBe(true);
  });
});

/** ACL terms of the other direction in http-request / http-response conditions: the same warning (they never match). */
const WARNED: [string, string][] = [
  ['http-response set-header X 1 if { path_beg /a }', "anonymous acl will never match because it uses keyword 'path_beg' which is incompatible with 'frontend http-response header rule'"],
  ['http-request set-header X 1 if { status 200 }', "anonymous acl will never match because it uses keyword 'status' which is incompatible with 'frontend http-request header rule'"],
  ['http-response set-header X 1 if !{ hdr(host) a } { path / }', "anonymous acl will never match because it uses keyword 'hdr' which is incompatible with 'frontend http-response header rule'"],
  ['acl p path /a\n    http-response set-header X 1 if p', "acl 'p' will never match because it only involves keywords that are incompatible with 'frontend http-response header rule'"],
  ['acl p path /a\n    acl p status 200\n    http-response set-header X 1 if p', "acl 'p' involves keywords 'path' which is incompatible with 'frontend http-response header rule'"],
];

describe('warned by both', () => {
  it.each(WARNED)('%s', (line, text) => {
    const cfg = `${HEAD}    ${line}\n${TAIL}`;
    const file = join(dir, 'warned.cfg');
    writeFileSync(file, cfg);
    const ref = haproxyCheck(file);
    expect(ref.code, ref.out).toBe(0);
    expect(ref.out).toContain(text);
    const mine = ours(cfg);
    expect(mine.errors).toEqual([]);
    expect(mine.warnings.filter((w) => w.endsWith(text))).toHaveLength(1);
  });
});
