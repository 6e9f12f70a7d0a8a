import { describe, expect, it } from 'vitest';
import { aclError, aclMatches } from './acl.test-helper.ts';
import { compilePatterns, matchWord, toInt } from './matchers.ts';
import { makeTxn } from './txn.test-helper.ts';

const find = (method: Parameters<typeof compilePatterns>[0], patterns: string[], v: string | number | boolean, icase = false): number => {
  const c = compilePatterns(method, patterns, icase);
  if (!c.ok) throw new Error(c.error);
  return c.find(v);
};

describe('match methods', () => {
  it('str: exact, -i folds case', () => {
    expect(find('str', ['/a', '/b'], '/b')).toBe(1);
    expect(find('str', ['/a'], '/A')).toBe(-1);
    expect(find('str', ['/a'], '/A', true)).toBe(0);
    expect(find('str', [], '/a')).toBe(-1);
  });

  it('beg picks the longest prefix, end and sub the first match', () => {
    expect(find('beg', ['/api', '/api/v2', '/'], '/api/v2/x')).toBe(1);
    expect(find('beg', ['/API'], '/api/x', true)).toBe(0);
    expect(find('end', ['.jpg', '.png'], '/x.png')).toBe(1);
    expect(find('end', ['.JPG'], '/x.jpg')).toBe(-1);
    expect(find('sub', ['admin', 'debug'], '/x/debug/admin')).toBe(0);
  });

  it('reg: JS regular expressions, -i case-insensitive', () => {
    expect(find('reg', ['^/img/.*\\.(png|gif)$'], '/img/a.gif')).toBe(0);
    expect(find('reg', ['^/IMG'], '/img/a', true)).toBe(0);
    expect(find('reg', ['^/IMG'], '/img/a')).toBe(-1);
  });

  it('dir and dom match delimited words (pattern.c match_word)', () => {
    expect(matchWord('/images/logo.png', 'images', '/?', false)).toBe(true);
    expect(matchWord('/myimages/logo.png', 'images', '/?', false)).toBe(false);
    expect(matchWord('/a/b/c', '/b/', '/?', false)).toBe(true);
    expect(matchWord('/a/bc', 'b', '/?', false)).toBe(false);
    expect(matchWord('www.example.com', 'example', '/?.:', false)).toBe(true);
    expect(matchWord('www.example.com:80', 'com', '/?.:', false)).toBe(true);
    expect(matchWord('www.myexample.com', 'example', '/?.:', false)).toBe(false);
    expect(matchWord('WWW.EXAMPLE.COM', 'example.com', '/?.:', true)).toBe(true);
    expect(find('dom', ['example.com'], 'api.example.com')).toBe(0);
  });

  it('int: values and ranges; len: string length ranges', () => {
    expect(find('int', ['80', '443'], 443)).toBe(1);
    expect(find('int', ['1024:65535'], 8080)).toBe(0);
    expect(find('int', [':1023'], 1023)).toBe(0);
    expect(find('int', ['1024:'], 1023)).toBe(-1);
    expect(find('int', ['5'], '5abc')).toBe(0);
    expect(find('len', ['3:4'], 'abcd')).toBe(0);
    expect(find('len', ['3'], 'ab')).toBe(-1);
    expect(compilePatterns('int', ['x'], false)).toEqual({ ok: false, error: "'x' is not a number" });
  });

  it('ip: longest prefix, refuses invalid addresses', () => {
    expect(find('ip', ['10.0.0.0/8', '10.1.0.0/16'], '10.1.2.3')).toBe(1);
    expect(find('ip', ['10.0.0.0/8'], 'not-an-ip')).toBe(-1);
    expect(compilePatterns('ip', ['10.0.0.0/33'], false)).toEqual({ ok: false, error: "'10.0.0.0/33' is not a valid IPv4 or IPv6 address" });
  });

  it('found and bool', () => {
    expect(find('found', [], '')).toBe(0);
    expect(find('bool', [], 0)).toBe(-1);
    expect(find('bool', [], 3)).toBe(0);
    expect(find('bool', [], true)).toBe(0);
  });

  it('casts strings to integers as HAProxy c_str2int does', () => {
    expect(toInt('42')).toBe(42);
    expect(toInt('-7x')).toBe(-7);
    expect(toInt('abc')).toBe(0);
    expect(toInt('')).toBeNaN();
  });
});

describe('acl flags and operators', () => {
  const txn = makeTxn({ uri: '/Static/x.css?v=1', headers: [['content-length', '120'], ['host', 'www.Example.com']] });

  it('-m overrides the default match, -i folds case, -- ends the flags', () => {
    expect(aclMatches('path -m beg /Static', txn)).toBe(true);
    expect(aclMatches('path -m beg /static', txn)).toBe(false);
    expect(aclMatches('path -i -m beg /static', txn)).toBe(true);
    expect(aclMatches('path_end -i .CSS', txn)).toBe(true);
    expect(aclMatches('path -m sub -- -x', makeTxn({ uri: '/a-x' }))).toBe(true);
    expect(aclMatches('hdr(host) -m dom example.com', txn)).toBe(false);
    expect(aclMatches('hdr(host) -i -m dom example.com', txn)).toBe(true);
    expect(aclMatches('path -m len 13', txn)).toBe(true);
    expect(aclMatches('path -m found', txn)).toBe(true);
    expect(aclMatches('hdr(x-nope) -m found', txn)).toBe(false);
  });

  it('-n (no DNS) and -u ID are accepted and change nothing', () => {
    expect(aclMatches('src -n 192.0.2.0/24', makeTxn())).toBe(true);
    expect(aclMatches('path -u 7 /x', makeTxn({ uri: '/x' }))).toBe(true);
    expect(aclError('path -u x /x')).toBe('the argument of -u must be an integer');
  });

  it('integer operators eq ge gt le lt and ranges', () => {
    expect(aclMatches('hdr_val(content-length) gt 119', txn)).toBe(true);
    expect(aclMatches('hdr_val(content-length) gt 120', txn)).toBe(false);
    expect(aclMatches('hdr_val(content-length) ge 120', txn)).toBe(true);
    expect(aclMatches('hdr_val(content-length) lt 120', txn)).toBe(false);
    expect(aclMatches('hdr_val(content-length) le 120', txn)).toBe(true);
    expect(aclMatches('hdr_val(content-length) eq 120', txn)).toBe(true);
    expect(aclMatches('hdr_val(content-length) 100:200', txn)).toBe(true);
    expect(aclMatches('hdr_val(content-length) lt 10 gt 100', txn)).toBe(true);
    expect(aclMatches('dst_port 80 443', txn)).toBe(true);
  });

  it('reports HAProxy texts for bad flags and patterns', () => {
    expect(aclError('path -x foo')).toBe("'-x' is not a valid ACL option. Please use '--' before any pattern beginning with a '-'");
    expect(aclError('hdr(host) -m nosuch foo')).toBe("unknown matching method 'nosuch' when parsing ACL expression");
    expect(aclError('req.len ge abc')).toBe("'abc' is neither a number nor a supported operator");
    expect(aclError('src 1.2.3.400')).toBe("'1.2.3.400' is not a valid IPv4 or IPv6 address");
    expect(aclError('path -f /nonexistent/hapair')).toBe('failed to open pattern file </nonexistent/hapair>');
    expect(aclError('path_reg (unclosed')).toMatch(/^regex '\(unclosed' is invalid \(error=/);
    expect(aclError('nosuchfetch foo')).toBe("unknown fetch method 'nosuchfetch' in ACL expression 'nosuchfetch'");
    expect(aclError('path,nosuchconv foo')).toBe("ACL keyword 'path' : unknown converter 'nosuchconv'.");
    expect(aclError('req.hdr(host),nosuch foo')).toBe("unknown converter 'nosuch' in ACL expression 'req.hdr(host),nosuch'");
    expect(aclError('path -f /dev/null -m str x')).toBe("'-m' must only be specified before patterns and files in parsing ACL expression");
    expect(aclError('req.rdp_cookie_cnt gt 0')).toBe("fetch method 'req.rdp_cookie_cnt' is not supported yet in ACL expression 'req.rdp_cookie_cnt'");
  });
});
