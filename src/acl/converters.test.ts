import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { aclError, aclMatches } from './acl.test-helper.ts';
import { readMapFile, readPatternFile } from './pattern-file.ts';
import { compileSampleExpr } from './sample-expr.ts';
import { makeTxn } from './txn.test-helper.ts';

const dir = mkdtempSync(join(tmpdir(), 'hapair-acl-maps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const hosts = file('hosts.map', '# host to backend\nwww.example.com   web\n  api.example.com\tapi_be  \n\nexample.org  org backend with spaces\r\n');
const prefixes = file('prefixes.map', '/api api\n/api/v2 api2\n/ root\n');
const regs = file('regs.map', '^/img/.*\\.png$ images\n^/img static\n');
const ints = file('ports.map', '80 1\n443 2\n');
const patterns = file('bad-paths.lst', '# comment\n/admin\n   /debug\n\n/with space \n');

const value = (expr: string, txn = makeTxn()) => {
  const r = compileSampleExpr(expr, { userlist: () => undefined });
  if (!r.ok) throw new Error(r.error);
  return r.expr.value(txn);
};

describe('map and pattern files (HAProxy formats)', () => {
  it('reads keys and values: comments, blank lines, surrounding blanks, CRLF', () => {
    const m = readMapFile(hosts);
    expect(m.ok && m.keys).toEqual(['www.example.com', 'api.example.com', 'example.org']);
    expect(m.ok && m.values).toEqual(['web', 'api_be', 'org backend with spaces']);
  });

  it('reads one pattern per line; inner and trailing spaces belong to the pattern', () => {
    const p = readPatternFile(patterns);
    expect(p.ok && p.patterns).toEqual(['/admin', '/debug', '/with space ']);
    expect(readPatternFile(join(dir, 'missing'))).toEqual({ ok: false, error: `failed to open pattern file <${join(dir, 'missing')}>` });
  });

  it('-f loads patterns for an ACL', () => {
    expect(aclMatches(`path -f ${patterns}`, makeTxn({ uri: '/debug' }))).toBe(true);
    expect(aclMatches(`path_beg -f ${patterns}`, makeTxn({ uri: '/admin/x' }))).toBe(true);
    expect(aclMatches(`path -f ${patterns}`, makeTxn({ uri: '/other' }))).toBe(false);
    expect(aclMatches(`path -f ${patterns} /other`, makeTxn({ uri: '/other' }))).toBe(true);
  });
});

describe('map converters', () => {
  const withHost = (h: string) => makeTxn({ headers: [['host', h]] });
  it('map / map_str: exact key, default when missing, nothing without default', () => {
    expect(value(`req.hdr(host),lower,map(${hosts})`, withHost('WWW.example.com'))).toBe('web');
    expect(value(`req.hdr(host),map_str(${hosts},fallback)`, withHost('nope'))).toBe('fallback');
    expect(value(`req.hdr(host),map_str(${hosts})`, withHost('nope'))).toBeUndefined();
    expect(value(`req.hdr(host),map(${hosts})`, withHost('example.org'))).toBe('org backend with spaces');
  });

  it('map_beg takes the longest prefix, map_reg the first regex in file order', () => {
    expect(value(`path,map_beg(${prefixes})`, makeTxn({ uri: '/api/v2/users' }))).toBe('api2');
    expect(value(`path,map_beg(${prefixes})`, makeTxn({ uri: '/api/v1' }))).toBe('api');
    expect(value(`path,map_beg(${prefixes})`, makeTxn({ uri: '/else' }))).toBe('root');
    expect(value(`path,map_reg(${regs})`, makeTxn({ uri: '/img/a.png' }))).toBe('images');
    expect(value(`path,map_reg(${regs})`, makeTxn({ uri: '/img/a.gif' }))).toBe('static');
  });

  it('map_int and _int outputs', () => {
    expect(value(`dst_port,map_int(${ints})`, makeTxn({ dstPort: 443 }))).toBe('2');
    expect(value(`dst_port,map_int_int(${ints},0)`, makeTxn({ dstPort: 81 }))).toBe(0);
  });

  it('an ACL on a mapped value', () => {
    expect(aclMatches(`req.hdr(host),map_str(${hosts}) api_be`, withHost('api.example.com'))).toBe(true);
  });

  it('errors: missing file, arguments', () => {
    expect(aclError('path,map(/nonexistent/x) foo')).toBe("ACL keyword 'path' : invalid args in converter 'map' : failed to open pattern file </nonexistent/x>.");
    expect(aclError('req.hdr(host),lower(x) foo')).toBe("converter 'lower' does not support any args in ACL expression 'req.hdr(host),lower(x)'");
    expect(aclError('path,map foo')).toMatch(/missing arguments/);
  });
});
