import { describe, expect, it } from 'vitest';
import { aclMatches } from './acl.test-helper.ts';
import { compileSampleExpr } from './sample-expr.ts';
import type { SampleTxn } from './sample.ts';
import { makeTxn } from './txn.test-helper.ts';

const ctx = { userlist: () => undefined };
function value(expr: string, txn: SampleTxn): unknown {
  const r = compileSampleExpr(expr, ctx);
  if (!r.ok) throw new Error(r.error);
  return r.expr.value(txn);
}

const txn = makeTxn({
  src: '10.1.2.3', srcPort: 51000, dst: '192.0.2.1', dstPort: 8443, ssl: true, sni: 'api.example.com',
  method: 'POST', uri: '/shop/cart.php?id=7&lang=fr&id=9', version: 'HTTP/1.0',
  headers: [
    ['Host', 'www.example.com'], ['Accept', 'text/html, application/json;q=0.9'], ['X-Forwarded-For', '203.0.113.5, 10.0.0.1'],
    ['X-Forwarded-For', '198.51.100.7'], ['Cookie', 'SID=abc; lang=de'], ['Cookie', 'SID=def'], ['Content-Length', '42'],
    ['X-Quoted', '"a,b", c'],
  ],
});

describe('layer 4 fetches', () => {
  it('src, src_port, dst, dst_port, ssl_fc, ssl_fc_sni', () => {
    expect(value('src', txn)).toBe('10.1.2.3');
    expect(value('src_port', txn)).toBe(51000);
    expect(value('dst', txn)).toBe('192.0.2.1');
    expect(value('dst_port', txn)).toBe(8443);
    expect(value('ssl_fc', txn)).toBe(true);
    expect(value('ssl_fc_sni', txn)).toBe('api.example.com');
    expect(aclMatches('src 10.0.0.0/8', txn)).toBe(true);
    expect(aclMatches('src 192.168.0.0/16 ::1', txn)).toBe(false);
    expect(aclMatches('dst_port 8443', txn)).toBe(true);
    expect(aclMatches('ssl_fc', txn)).toBe(true);
    expect(aclMatches('ssl_fc', makeTxn())).toBe(false);
    expect(aclMatches('ssl_fc_sni -m end .example.com', txn)).toBe(true);
  });

  it('req.len reads the buffered client data', () => {
    expect(value('req.len', makeTxn({ tcp: true, data: 'hello' }))).toBe(5);
    expect(aclMatches('req.len gt 0', makeTxn({ tcp: true }))).toBe(false);
  });

  it('req.len in http mode is the size of HAProxy 2.6 HTX copy of the head (values measured with haproxy)', () => {
    expect(value('req.len', makeTxn({ method: 'GET', uri: '/', headers: [['host', 'a']] }))).toBe(38);
    expect(value('req.len', makeTxn({ method: 'GET', uri: '/abc', headers: [['host', 'a'], ['x', '1']] }))).toBe(43);
    expect(value('req.len', makeTxn({ method: 'GET', uri: '/', version: 'HTTP/1.0' }))).toBe(33);
  });
});

describe('request line fetches', () => {
  it('method, url, path, query, base, req.ver', () => {
    expect(value('method', txn)).toBe('POST');
    expect(value('url', txn)).toBe('/shop/cart.php?id=7&lang=fr&id=9');
    expect(value('path', txn)).toBe('/shop/cart.php');
    expect(value('query', txn)).toBe('id=7&lang=fr&id=9');
    expect(value('base', txn)).toBe('www.example.com/shop/cart.php');
    expect(value('req.ver', txn)).toBe('1.0');
    expect(value('query', makeTxn({ uri: '/x' }))).toBeUndefined();
    expect(value('path', makeTxn({ uri: 'http://h.example:81/p/q?x=1' }))).toBe('/p/q');
    expect(value('path', makeTxn({ uri: '*' }))).toBeUndefined();
    expect(value('path', makeTxn({ tcp: true }))).toBeUndefined();
  });

  it('path and url ACL keywords with their match methods', () => {
    expect(aclMatches('path /shop/cart.php', txn)).toBe(true);
    expect(aclMatches('path_beg /shop/', txn)).toBe(true);
    expect(aclMatches('path_end .php .asp', txn)).toBe(true);
    expect(aclMatches('path_sub cart', txn)).toBe(true);
    expect(aclMatches('path_reg ^/shop/[a-z]+\\.php$', txn)).toBe(true);
    expect(aclMatches('path_dir shop', txn)).toBe(true);
    expect(aclMatches('path_dir sho', txn)).toBe(false);
    expect(aclMatches('path_dom cart', txn)).toBe(true);
    expect(aclMatches('path_len 14', txn)).toBe(true);
    expect(aclMatches('url_beg /shop', txn)).toBe(true);
    expect(aclMatches('url_sub lang=fr', txn)).toBe(true);
    expect(aclMatches('base_beg www.example.com/shop', txn)).toBe(true);
    expect(aclMatches('method POST PUT', txn)).toBe(true);
    expect(aclMatches('method -i post', txn)).toBe(true);
    expect(aclMatches('method post', txn)).toBe(false);
  });

  it('url_param / urlp: every occurrence in ACLs, the first in expressions; custom delimiter', () => {
    expect(value('url_param(id)', txn)).toBe('7');
    expect(aclMatches('urlp(id) 9', txn)).toBe(true);
    expect(aclMatches('url_param(lang) fr', txn)).toBe(true);
    expect(aclMatches('urlp(nope) -m found', txn)).toBe(false);
    expect(value('urlp_val(id)', txn)).toBe(7);
    expect(value('url_param(b,;)', makeTxn({ uri: '/x?a=1;b=2' }))).toBe('2');
    expect(value('url_param', makeTxn({ uri: '/x?first=1&b=2' }))).toBe('1');
  });
});

describe('header fetches', () => {
  it('hdr splits values on commas (outside quotes) and takes the last in expressions', () => {
    expect(value('hdr(x-forwarded-for)', txn)).toBe('198.51.100.7');
    expect(value('hdr(X-Forwarded-For,1)', txn)).toBe('203.0.113.5');
    expect(value('hdr(x-forwarded-for,2)', txn)).toBe('10.0.0.1');
    expect(value('hdr(x-forwarded-for,-1)', txn)).toBe('198.51.100.7');
    expect(value('hdr(x-forwarded-for,-2)', txn)).toBe('10.0.0.1');
    expect(value('req.hdr(x-quoted,1)', txn)).toBe('"a,b"');
    expect(value('hdr(host)', txn)).toBe('www.example.com');
    expect(value('hdr(nope)', txn)).toBeUndefined();
    expect(aclMatches('hdr(x-forwarded-for) 10.0.0.1', txn)).toBe(true);
    expect(aclMatches('hdr(accept) -m beg application/', txn)).toBe(true);
    expect(aclMatches('hdr(HOST) www.example.com', txn)).toBe(true);
  });

  it('fhdr keeps whole lines; counts of values and lines', () => {
    expect(value('req.fhdr(x-forwarded-for,1)', txn)).toBe('203.0.113.5, 10.0.0.1');
    expect(value('req.fhdr(accept)', txn)).toBe('text/html, application/json;q=0.9');
    expect(value('hdr_cnt(x-forwarded-for)', txn)).toBe(3);
    expect(value('req.fhdr_cnt(x-forwarded-for)', txn)).toBe(2);
    expect(value('hdr_cnt', txn)).toBe(11);
    expect(value('hdr_cnt(nope)', txn)).toBe(0);
    expect(aclMatches('hdr_cnt(host) gt 1', txn)).toBe(false);
  });

  it('hdr_beg hdr_end hdr_sub hdr_reg hdr_dom hdr_dir hdr_len hdr_ip hdr_val', () => {
    expect(aclMatches('hdr_beg(host) www.', txn)).toBe(true);
    expect(aclMatches('hdr_end(host) .com', txn)).toBe(true);
    expect(aclMatches('hdr_sub(host) example', txn)).toBe(true);
    expect(aclMatches('hdr_reg(host) ^www\\.', txn)).toBe(true);
    expect(aclMatches('hdr_dom(host) example.com', txn)).toBe(true);
    expect(aclMatches('hdr_dom(host) ample.com', txn)).toBe(false);
    expect(aclMatches('hdr_len(host) 15', txn)).toBe(true);
    expect(aclMatches('hdr_ip(x-forwarded-for) 198.51.100.0/24', txn)).toBe(true);
    expect(aclMatches('hdr_ip(host) 0.0.0.0/0', txn)).toBe(false);
    expect(value('hdr_ip(x-forwarded-for,1)', txn)).toBe('203.0.113.5');
    expect(aclMatches('hdr_val(content-length) eq 42', txn)).toBe(true);
  });

  it('cookies: every value in ACLs, the last in expressions, counts', () => {
    expect(value('cook(SID)', txn)).toBe('def');
    expect(value('req.cook(lang)', txn)).toBe('de');
    expect(aclMatches('cook(SID) abc', txn)).toBe(true);
    expect(aclMatches('cook_beg(SID) de', txn)).toBe(true);
    expect(value('cook_cnt(SID)', txn)).toBe(2);
    expect(value('req.cook_cnt', txn)).toBe(3);
    expect(value('cook(nope)', txn)).toBeUndefined();
    expect(value('cook_val(n)', makeTxn({ headers: [['cookie', 'n=12']] }))).toBe(12);
  });

  it('response: status, res.hdr, shdr, res.cook', () => {
    const r = makeTxn({ status: 404, resHeaders: [['Content-Type', 'text/html'], ['Set-Cookie', 'SRV=s1; path=/'], ['Vary', 'a, b']] });
    expect(value('status', r)).toBe(404);
    expect(aclMatches('status 400:499', r)).toBe(true);
    expect(value('res.hdr(content-type)', r)).toBe('text/html');
    expect(aclMatches('shdr_beg(content-type) text/', r)).toBe(true);
    expect(value('res.hdr_cnt(vary)', r)).toBe(2);
    expect(value('res.cook(SRV)', r)).toBe('s1');
    expect(value('status', makeTxn())).toBeUndefined();
  });
});

describe('converters in expressions', () => {
  it('lower and upper', () => {
    expect(value('hdr(host),upper', txn)).toBe('WWW.EXAMPLE.COM');
    expect(value('hdr(host),upper,lower', txn)).toBe('www.example.com');
    expect(aclMatches('hdr(host),upper WWW.EXAMPLE.COM', txn)).toBe(true);
    expect(aclMatches('req.hdr(x-forwarded-for),lower -m ip 10.0.0.0/8', txn)).toBe(true);
  });

  it('constants str(), int(), bool()', () => {
    expect(value('str(on),upper', txn)).toBe('ON');
    expect(value('int(42)', txn)).toBe(42);
    expect(value('bool(1)', txn)).toBe(true);
    expect(aclMatches('int(7) gt 5', txn)).toBe(true);
  });

  it('var() reads what set-var stored', () => {
    const t = makeTxn();
    t.vars = new Map([['txn.who', 'me']]);
    expect(value('var(txn.who)', t)).toBe('me');
    expect(value('var(txn.none)', t)).toBeUndefined();
  });
});

describe('nbsrv', () => {
  it('reads the usable servers of the named backend through the transaction; no sample without a lookup', () => {
    const t = { ...makeTxn(), usableServers: (be: string) => (be === 'web' ? 2 : 0) };
    expect(value('nbsrv(web)', t)).toBe(2);
    expect(aclMatches('nbsrv(web) ge 2', t)).toBe(true);
    expect(aclMatches('nbsrv(db) lt 1', t)).toBe(true);
    expect(value('nbsrv(web)', makeTxn())).toBeUndefined();
  });

  it('asks the context for the backend: an empty argument is the current proxy', () => {
    const asked: string[] = [];
    const backendCtx = { userlist: () => undefined, backend: (name: string) => (asked.push(name), name || 'self') };
    const r = compileSampleExpr('nbsrv', backendCtx);
    if (!r.ok) throw new Error(r.error);
    expect(r.expr.value({ ...makeTxn(), usableServers: (be: string) => (be === 'self' ? 1 : 0) })).toBe(1);
    expect(compileSampleExpr('nbsrv(web)', backendCtx).ok).toBe(true);
    expect(asked).toEqual(['', 'web']);
  });
});
