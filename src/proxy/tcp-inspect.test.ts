// tcp-request content rules and use_backend on ClientHello fetches (req.ssl_*), from config text:
// an incomplete hello waits (HAProxy ACL_TEST_MISS), a complete one or garbage decides at once.
import { beforeAll, describe, expect, it } from 'vitest';
import { ACL_FAIL, ACL_MISS, ACL_PASS } from '../acl/acl.ts';
import { realHello } from '../acl/tls-hello.test-helper.ts';
import { makeTxn } from '../acl/txn.test-helper.ts';
import type { SampleTxn } from '../acl/sample.ts';
import { formatDiagnostic, parseConfigText } from '../config/config.ts';
import type { ProxySpec } from '../config/model.ts';
import { runTcpConnectionRules, runTcpContentRules } from '../http/rules/rules.ts';
import { selectBackend } from '../http/rules/switching.ts';

const T = '    timeout client 1s\n    timeout connect 1s\n    timeout server 1s\n';

function parse(lines: string): { config?: { proxies: readonly ProxySpec[] }; errors: string[] } {
  const text = `defaults\n    mode tcp\n${T}frontend F\n    bind 127.0.0.1:1\n${lines}\n` +
    ['ldap', 'web', 'other'].map((b) => `backend ${b}\n    server s 127.0.0.1:2\n`).join('');
  const r = parseConfigText(text, 't.cfg', { env: {} });
  return { config: r.config, errors: r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic) };
}

function frontend(lines: string): ProxySpec {
  const r = parse(lines);
  if (!r.config) throw new Error(r.errors.join('\n'));
  return r.config.proxies.find((p) => p.name === 'F')!;
}

const data = (d: Buffer | string): SampleTxn => ({ ...makeTxn({ tcp: true }), reqData: typeof d === 'string' ? Buffer.from(d, 'latin1') : d });

const SNI_CONFIG = [
  '    tcp-request inspect-delay 5s',
  '    tcp-request content accept if { req.ssl_hello_type 1 }',
  '    use_backend ldap if { req.ssl_sni -i ldap.example.com }',
  '    use_backend web  if { req_ssl_sni -m end .example.com }',
  '    default_backend other',
].join('\n');

let ldap: Buffer;
let web: Buffer;
let noSni: Buffer;
beforeAll(async () => {
  ldap = await realHello({ servername: 'LDAP.example.com' });
  web = await realHello({ servername: 'www.example.com', ALPNProtocols: ['h2'] });
  noSni = await realHello({});
});

describe('tcp-request content on a ClientHello', () => {
  it('accepts a complete hello at once and switches on its SNI (case-insensitive with -i)', () => {
    const fe = frontend(SNI_CONFIG);
    for (const [hello, backend] of [[ldap, 'ldap'], [web, 'web'], [noSni, 'other']] as const) {
      expect(runTcpContentRules(fe.rules!, data(hello), false)).toBe('accept');
      expect(selectBackend(fe, data(hello))).toBe(backend);
    }
  });

  it('waits on every prefix of the hello, and sees no sample once the inspection is final', () => {
    const fe = frontend(SNI_CONFIG);
    for (let k = 0; k < ldap.length; k++) {
      expect([k, runTcpContentRules(fe.rules!, data(ldap.subarray(0, k)), false)]).toEqual([k, 'wait']);
    }
    // Delay over: no rule matched, so accepted; use_backend sees no SNI.
    expect(runTcpContentRules(fe.rules!, data(ldap.subarray(0, 50)), true)).toBe('accept');
    expect(selectBackend(fe, data(ldap.subarray(0, 50)))).toBe('other');
  });

  it('decides at once on bytes that are no TLS hello (no wait for the delay)', () => {
    const fe = frontend(SNI_CONFIG);
    expect(runTcpContentRules(fe.rules!, data('GET / HTTP/1.1\r\n'), false)).toBe('accept');
    expect(selectBackend(fe, data('GET / HTTP/1.1\r\n'))).toBe('other');
  });

  it('`unless` and `!` of a hello test wait instead of matching on a partial hello (MISS stays MISS)', () => {
    for (const rule of ['tcp-request content reject unless { req.ssl_hello_type 1 }', 'tcp-request content reject if !{ req.ssl_hello_type 1 }']) {
      const fe = frontend(`    tcp-request inspect-delay 5s\n    ${rule}\n    default_backend other`);
      expect(runTcpContentRules(fe.rules!, data(web.subarray(0, 20)), false)).toBe('wait');
      expect(runTcpContentRules(fe.rules!, data(web), false)).toBe('accept');
      expect(runTcpContentRules(fe.rules!, data('SSH-2.0-x\r\n'), false)).toBe('reject');
      expect(runTcpContentRules(fe.rules!, data(web.subarray(0, 20)), true)).toBe('reject');
    }
  });

  it('a definite non-match goes on to the next rule at once', () => {
    const fe = frontend([
      '    tcp-request inspect-delay 5s',
      '    tcp-request content reject if { req.ssl_sni -i evil.example.com }',
      '    tcp-request content reject if { req.ssl_alpn h2 }',
      '    default_backend other',
    ].join('\n'));
    expect(runTcpContentRules(fe.rules!, data(ldap), false)).toBe('accept');
    expect(runTcpContentRules(fe.rules!, data(web), false)).toBe('reject');
    expect(runTcpContentRules(fe.rules!, data(ldap.subarray(0, ldap.length - 1)), false)).toBe('wait');
  });

  it('combines terms three-valued like acl_exec_cond: AND stops at MISS, OR passes on any PASS', () => {
    const fe = frontend([
      '    tcp-request inspect-delay 5s',
      '    acl from_a src 10.0.0.1',
      '    acl is_ldap req.ssl_sni ldap.example.com',
      '    acl is_ldap req.ssl_sni LDAP.example.com',
      '    tcp-request content reject if { req.ssl_sni -m found } !from_a || from_a',
      '    tcp-request content reject if is_ldap',
      '    default_backend other',
    ].join('\n'));
    const cond = fe.rules!.tcpContent[0].cond;
    const part = (src: string) => ({ ...makeTxn({ tcp: true, src }), reqData: ldap.subarray(0, 30) });
    expect(cond.evaluate!(part('192.0.2.1'))).toBe(ACL_MISS);
    expect(cond.evaluate!(part('10.0.0.1'))).toBe(ACL_PASS);
    expect(cond.evaluate!({ ...part('192.0.2.1'), reqData: Buffer.from('x') })).toBe(ACL_FAIL);
    // A named ACL ORs its lines: the second matches.
    expect(fe.rules!.tcpContent[1].cond.evaluate!(data(ldap))).toBe(ACL_PASS);
  });

  it('keeps req.len waiting until it matches, and WAIT_END until the delay ends', () => {
    const fe = frontend('    tcp-request inspect-delay 5s\n    tcp-request content accept if { req.len ge 4 }\n    tcp-request content reject if WAIT_END\n    default_backend other');
    expect(runTcpContentRules(fe.rules!, data('ab'), false)).toBe('wait');
    expect(runTcpContentRules(fe.rules!, data('abcd'), false)).toBe('accept');
    expect(runTcpContentRules(fe.rules!, data('ab'), true)).toBe('reject');
  });

  it('decides on the first pass without inspect-delay', () => {
    const fe = frontend('    tcp-request content reject unless { req.ssl_hello_type 1 }\n    default_backend other');
    expect(runTcpContentRules(fe.rules!, data(ldap.subarray(0, 10)), false)).toBe('reject');
  });
});

describe('req.ssl_ver and the other hello fetches in ACLs', () => {
  const accepts = (cond: string, d: Buffer): string => {
    const fe = frontend(`    tcp-request inspect-delay 5s\n    tcp-request content reject if ${cond}\n    default_backend other`);
    return runTcpContentRules(fe.rules!, data(d), false);
  };

  it('match dotted versions (pat_parse_dotted_ver) with operators and ranges', () => {
    // node:tls sends client_version 3.3 (TLS 1.2; 1.3 is negotiated in an extension).
    expect(accepts('{ req.ssl_ver 3.3 }', web)).toBe('reject');
    expect(accepts('{ req_ssl_ver ge 3.1 }', web)).toBe('reject');
    expect(accepts('{ req.ssl_ver gt 3.3 }', web)).toBe('accept');
    expect(accepts('{ req.ssl_ver lt 3.3 }', web)).toBe('accept');
    expect(accepts('{ req.ssl_ver 3.0:3.2 }', web)).toBe('accept');
    expect(accepts('{ req.ssl_ver 3.1-3.3 }', web)).toBe('reject');
    expect(accepts('{ req.ssl_ver :3 }', web)).toBe('accept');
    // As a sample (-m int) it is (major << 16) | minor.
    expect(accepts('{ req.ssl_ver -m int 196611 }', web)).toBe('reject');
  });

  it('refuse bad dotted versions with HAProxy 2.6 texts', () => {
    expect(parse('    tcp-request content reject if { req.ssl_ver 3.x }').errors.join()).toContain("'3.x' is not a dotted number");
    expect(parse('    tcp-request content reject if { req.ssl_ver 3.2:3.1 }').errors.join()).toContain("'3.2:3.1' is not a valid dotted number range");
    expect(parse('    tcp-request content reject if { req.ssl_ver ge x }').errors.join()).toContain("'x' is neither a number nor a supported operator");
  });

  it('read ALPN names, the session ticket and curves extensions', () => {
    expect(accepts('{ req.ssl_alpn h2 }', web)).toBe('reject');
    expect(accepts('{ req.ssl_alpn h2 }', ldap)).toBe('accept');
    expect(accepts('{ req.ssl_st_ext 1 }', web)).toBe('reject');
    expect(accepts('{ req.ssl_ec_ext }', web)).toBe('reject');
    expect(accepts('{ req.ssl_ec_ext }', Buffer.from('plain'))).toBe('accept');
  });

  it('give no sample in mode http (HAProxy: meaningless for HTX)', () => {
    const txn = { ...makeTxn({}), reqData: ldap };
    const fe = frontend(SNI_CONFIG);
    expect(selectBackend(fe, txn)).toBe('other');
  });

  it('are no longer refused as not supported; res.ssl_hello_type still is', () => {
    expect(parse(SNI_CONFIG).errors).toEqual([]);
    expect(parse('    use_backend web if { req.ssl_st_ext 1 } { req.ssl_ec_ext } { req.ssl_alpn h2 } { req_ssl_hello_type 1 }').errors).toEqual([]);
    expect(parse('    use_backend web if { res.ssl_hello_type 1 }').errors.join()).toContain('not supported yet');
  });
});

describe('tcp-request connection has no request buffer', () => {
  it('its ACLs on hello fetches or req.len never match (negated: always), with the warning of tcp_rules.c', () => {
    const text = `defaults\n    mode tcp\n${T}frontend F\n    bind 127.0.0.1:1\n    tcp-request connection reject if { req.len 0 }\n` +
      '    tcp-request connection reject if !{ req.ssl_sni x }\n    default_backend other\nbackend other\n    server s 127.0.0.1:2\n';
    const r = parseConfigText(text, 't.cfg', { env: {} });
    expect(r.diagnostics.filter((d) => d.severity === 'warning').map(formatDiagnostic)).toEqual([
      "t.cfg:8: frontend 'F': anonymous acl will never match in 'tcp-request connection' because it uses keyword 'req.len' which is incompatible with 'frontend tcp-request connection rule'",
      "t.cfg:9: frontend 'F': anonymous acl will never match in 'tcp-request connection' because it uses keyword 'req.ssl_sni' which is incompatible with 'frontend tcp-request connection rule'",
    ]);
    const rules = r.config!.proxies[0].rules!;
    expect(runTcpConnectionRules({ ...rules, tcpConnection: rules.tcpConnection.slice(0, 1) }, makeTxn({ tcp: true }))).toBe(true);
    expect(runTcpConnectionRules(rules, makeTxn({ tcp: true }))).toBe(false);
  });
});

describe('use-server in mode tcp', () => {
  it('parses against the backend servers', () => {
    const r = parse('    default_backend other\nbackend sni\n    use-server a if { req.ssl_sni a.example }\n    use-server b if { req.ssl_sni b.example }\n    server a 127.0.0.1:3\n    server b 127.0.0.1:4');
    expect(r.errors).toEqual([]);
    const be = r.config!.proxies.find((p) => p.name === 'sni')!;
    expect(be.rules!.useServers.map((u) => u.server)).toEqual(['a', 'b']);
  });
});
