import { describe, expect, it } from 'vitest';
import { condMatches, testContext } from './acl.test-helper.ts';
import { compileCondition, declareAcl, PREDEFINED_ACLS, type AclScope } from './condition.ts';
import { inspect } from './fetches.ts';
import { makeTxn } from './txn.test-helper.ts';

function scopeOf(lines: string[]): AclScope {
  const scope: AclScope = new Map();
  for (const l of lines) {
    const [name, ...words] = l.split(' ');
    const err = declareAcl(scope, name, words, testContext());
    if (err) throw new Error(err);
  }
  return scope;
}

describe('conditions', () => {
  const scope = scopeOf(['api path_beg /api', 'admin path_beg /admin', 'internal src 10.0.0.0/8', 'static path_end .css', 'static path_end .js']);
  const get = (uri: string, src = '192.0.2.1') => makeTxn({ uri, src });

  it('if / unless, implicit AND, || and or, ! negation', () => {
    expect(condMatches('if api', get('/api/x'), scope)).toBe(true);
    expect(condMatches('unless api', get('/api/x'), scope)).toBe(false);
    expect(condMatches('if api internal', get('/api/x'), scope)).toBe(false);
    expect(condMatches('if api internal', get('/api/x', '10.1.1.1'), scope)).toBe(true);
    expect(condMatches('if admin || api', get('/api'), scope)).toBe(true);
    expect(condMatches('if admin or api', get('/other'), scope)).toBe(false);
    expect(condMatches('if admin !internal', get('/admin'), scope)).toBe(true);
    expect(condMatches('if admin !internal', get('/admin', '10.0.0.1'), scope)).toBe(false);
    expect(condMatches('if !api !admin', get('/x'), scope)).toBe(true);
    expect(condMatches('if ! api', get('/api'), scope)).toBe(false);
    expect(condMatches('if !!api', get('/api'), scope)).toBe(true);
    expect(condMatches('unless admin || api', get('/x'), scope)).toBe(true);
    expect(condMatches('if admin internal || api', get('/api/v1'), scope)).toBe(true);
  });

  it('a one-term condition answers like the general form for every polarity and negation', () => {
    for (const uri of ['/api/x', '/x']) {
      const api = uri.startsWith('/api');
      expect(condMatches('if api', get(uri), scope)).toBe(api);
      expect(condMatches('if !api', get(uri), scope)).toBe(!api);
      expect(condMatches('unless api', get(uri), scope)).toBe(!api);
      expect(condMatches('unless !api', get(uri), scope)).toBe(api);
      expect(condMatches('unless !!api', get(uri), scope)).toBe(!api);
    }
  });

  it('lines with the same ACL name are ORed', () => {
    expect(condMatches('if static', get('/a.js'), scope)).toBe(true);
    expect(condMatches('if static', get('/a.css'), scope)).toBe(true);
    expect(condMatches('if static', get('/a.png'), scope)).toBe(false);
  });

  it('anonymous ACLs between braces', () => {
    expect(condMatches('if { path_beg /x } { method GET }', get('/x/1'), scope)).toBe(true);
    expect(condMatches('if !{ path_beg /x } || api', get('/x/1'), scope)).toBe(false);
    expect(condMatches('if { hdr(host) -i example.com } api', makeTxn({ uri: '/api', headers: [['host', 'EXAMPLE.com']] }), scope)).toBe(true);
  });

  it('an empty condition after if never matches, after unless always does (acl.c)', () => {
    expect(condMatches('if', get('/'), scope)).toBe(false);
    expect(condMatches('unless', get('/'), scope)).toBe(true);
  });

  it("HAProxy's errors", () => {
    const err = (w: string) => compileCondition(w.split(' '), new Map(scope), testContext());
    expect(err('if nosuch')).toBe("no such ACL : 'nosuch'");
    expect(err('if { path_beg /x')).toBe("missing closing '}' in condition");
    expect(err('when api')).toBe("conditions must start with either 'if' or 'unless'");
    expect(err('if { nosuch 1 }')).toBe("unknown fetch method 'nosuch' in ACL expression 'nosuch'");
    expect(err('if RDP_COOKIE')).toMatch(/not supported yet/);
  });
});

describe('predefined ACLs', () => {
  const cases: [string, Parameters<typeof makeTxn>[0], boolean][] = [
    ['TRUE', {}, true],
    ['FALSE', {}, false],
    ['LOCALHOST', { src: '127.0.0.1' }, true],
    ['LOCALHOST', { src: '::1' }, true],
    ['LOCALHOST', { src: '10.0.0.1' }, false],
    ['HTTP', {}, true],
    ['HTTP', { tcp: true }, false],
    ['HTTP_1.0', { version: 'HTTP/1.0' }, true],
    ['HTTP_1.1', { version: 'HTTP/1.0' }, false],
    ['HTTP_1.1', {}, true],
    ['METH_GET', { method: 'HEAD' }, true],
    ['METH_GET', { method: 'POST' }, false],
    ['METH_POST', { method: 'POST' }, true],
    ['METH_PUT', { method: 'PUT' }, true],
    ['METH_DELETE', { method: 'DELETE' }, true],
    ['METH_OPTIONS', { method: 'OPTIONS' }, true],
    ['METH_TRACE', { method: 'TRACE' }, true],
    ['METH_CONNECT', { method: 'CONNECT' }, true],
    ['METH_HEAD', { method: 'GET' }, false],
    ['HTTP_URL_ABS', { uri: 'http://x/y' }, true],
    ['HTTP_URL_ABS', { uri: '/y' }, false],
    ['HTTP_URL_SLASH', { uri: '/y' }, true],
    ['HTTP_URL_STAR', { uri: '*' }, true],
    ['HTTP_CONTENT', { headers: [['content-length', '3']] }, true],
    ['HTTP_CONTENT', { headers: [['content-length', '0']] }, false],
    ['REQ_CONTENT', { tcp: true, data: 'x' }, true],
    ['REQ_CONTENT', { tcp: true }, false],
  ];
  it.each(cases)('%s on %j is %s', (name, init, expected) => {
    expect(condMatches(`if ${name}`, makeTxn(init))).toBe(expected);
  });

  it('WAIT_END holds once the inspection is final', () => {
    inspect.final = false;
    try {
      expect(condMatches('if WAIT_END', makeTxn({ tcp: true }))).toBe(false);
    } finally {
      inspect.final = true;
    }
    expect(condMatches('if WAIT_END', makeTxn({ tcp: true }))).toBe(true);
  });

  it('a proxy ACL with a predefined name overrides it', () => {
    const scope = scopeOf(['TRUE always_false']);
    expect(condMatches('if TRUE', makeTxn(), scope)).toBe(false);
  });

  it('every predefined ACL compiles or says it is not supported', () => {
    for (const name of Object.keys(PREDEFINED_ACLS)) {
      const c = compileCondition(['if', name], new Map(), testContext());
      if (typeof c === 'string') expect(c).toMatch(/not supported yet/);
    }
  });
});
