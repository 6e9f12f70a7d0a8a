import { describe, expect, it } from 'vitest';
import { aclMatches } from './acl.test-helper.ts';
import { compileSampleExpr } from './sample-expr.ts';
import type { SampleTxn } from './sample.ts';
import { makeTxn } from './txn.test-helper.ts';
import { dnEntries } from '../net/tls-info.ts';

const ctx = { userlist: () => undefined };
function value(expr: string, txn: SampleTxn): unknown {
  const r = compileSampleExpr(expr, ctx);
  if (!r.ok) throw new Error(r.error);
  return r.expr.value(txn);
}

const tls = makeTxn({
  ssl: true, sni: 'a.example',
  tls: { protocol: 'TLSv1.2', cipher: 'ECDHE-RSA-AES128-GCM-SHA256', alpn: 'http/1.1', certUsed: true, verify: 0 },
});
const clear = makeTxn();

const withCert = makeTxn({
  ssl: true,
  tls: {
    certUsed: true,
    subject: dnEntries('C=FR\nO=Org\nOU=a\nOU=b\nCN=client1'),
    issuer: dnEntries('CN=Test CA'),
  },
});

describe('client TLS session fetches (ssl_sock.c smp_fetch_ssl_*)', () => {
  it('ssl_c_s_dn / ssl_c_i_dn: the DN in one line, or one entry by short name and occurrence', () => {
    expect(value('ssl_c_s_dn', withCert)).toBe('/C=FR/O=Org/OU=a/OU=b/CN=client1');
    expect(value('ssl_c_s_dn(cn)', withCert)).toBe('client1');
    expect(value('ssl_c_s_dn(OU)', withCert)).toBe('a');
    expect(value('ssl_c_s_dn(OU,2)', withCert)).toBe('b');
    expect(value('ssl_c_s_dn(OU,-1)', withCert)).toBe('b');
    expect(value('ssl_c_s_dn(OU,3)', withCert)).toBeUndefined();
    expect(value('ssl_c_s_dn(L)', withCert)).toBeUndefined();
    expect(value('ssl_c_i_dn', withCert)).toBe('/CN=Test CA');
    expect(value('ssl_c_s_dn', tls)).toBeUndefined();
    expect(value('ssl_fc_has_crt', withCert)).toBe(true);
    expect(value('ssl_fc_has_sni', withCert)).toBe(false);
    expect(value('ssl_fc_has_sni', tls)).toBe(true);
    expect(value('ssl_fc_has_sni', clear)).toBeUndefined();
  });

  it('give the session values over TLS', () => {
    expect(value('ssl_fc_protocol', tls)).toBe('TLSv1.2');
    expect(value('ssl_fc_cipher', tls)).toBe('ECDHE-RSA-AES128-GCM-SHA256');
    expect(value('ssl_fc_alpn', tls)).toBe('http/1.1');
    expect(value('ssl_c_used', tls)).toBe(true);
    expect(value('ssl_c_verify', tls)).toBe(0);
    expect(aclMatches('ssl_fc_protocol TLSv1.2 TLSv1.3', tls)).toBe(true);
    expect(aclMatches('ssl_c_verify 0', tls)).toBe(true);
    expect(aclMatches('ssl_fc_alpn -i HTTP/1.1', tls)).toBe(true);
  });

  it('give no sample in clear, except ssl_fc which is false', () => {
    expect(value('ssl_fc', clear)).toBe(false);
    for (const f of ['ssl_fc_sni', 'ssl_fc_protocol', 'ssl_fc_cipher', 'ssl_fc_alpn', 'ssl_c_used', 'ssl_c_verify']) {
      expect(value(f, clear), f).toBeUndefined();
    }
    expect(aclMatches('ssl_c_used', clear)).toBe(false);
    expect(aclMatches('ssl_fc_alpn -m found', makeTxn({ ssl: true }))).toBe(false);
  });
});
