import { describe, expect, it } from 'vitest';
import { versionRange } from './bind-tls.ts';
import { formatDiagnostic, parseConfigText } from './config.ts';
import type { BindTls } from './model.ts';

function parse(text: string) {
  const r = parseConfigText(text, 'p.cfg', { env: {}, hostname: 'node1' });
  return {
    config: r.config,
    errors: r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic),
    warnings: r.diagnostics.filter((d) => d.severity === 'warning').map(formatDiagnostic),
  };
}

const fe = (bind: string, mode = 'http', global = ''): string =>
  `global\n${global}frontend F\n    mode ${mode}\n    timeout client 1s\n    bind ${bind}\n`;

const TLS: BindTls = { enabled: true, crts: [{ path: '/c.pem', list: false }], noVersions: [], strictSni: false, noTlsTickets: false, preferClientCiphers: false };

describe('bind TLS keywords', () => {
  it('parse into BindSpec.ssl, crt repeatable in order', () => {
    const r = parse(fe(':443 ssl crt /a.pem crt /certs alpn http/1.1,x ca-file /ca.pem verify optional ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.3 ciphers ECDHE-RSA-AES128-GCM-SHA256 ciphersuites TLS_AES_128_GCM_SHA256 curves X25519:P-256 ecdhe prime256v1 strict-sni no-tls-tickets prefer-client-ciphers no-tlsv10'));
    expect(r.errors).toEqual([]);
    expect(r.config!.proxies[0].binds[0].ssl).toEqual({
      enabled: true, crts: [{ path: '/a.pem', list: false }, { path: '/certs', list: false }], alpn: ['http/1.1', 'x'], caFile: '/ca.pem', verify: 'optional',
      minVer: 'TLSv1.2', maxVer: 'TLSv1.3', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256', ciphersuites: 'TLS_AES_128_GCM_SHA256',
      curves: 'X25519:P-256', ecdhe: 'prime256v1', strictSni: true, noTlsTickets: true, preferClientCiphers: true,
      noVersions: ['TLSv1.0'],
    });
  });

  it('keep crt and crt-list in line order (the first certificate is the default)', () => {
    const r = parse(fe(':443 ssl crt-list /l.txt crt /a.pem'));
    expect(r.errors).toEqual([]);
    expect(r.config!.proxies[0].binds[0].ssl!.crts).toEqual([{ path: '/l.txt', list: true }, { path: '/a.pem', list: false }]);
  });

  it('apply crt-base, ca-base and the ssl-default-bind-* globals; the line wins', () => {
    const g = '    crt-base /etc/ssl/private\n    ca-base /etc/ssl/certs\n    ssl-default-bind-ciphers AES128-SHA\n    ssl-default-bind-ciphersuites TLS_AES_128_GCM_SHA256\n    ssl-default-bind-curves X25519\n    ssl-default-bind-options ssl-min-ver TLSv1.3 no-tls-tickets\n';
    const r = parse(fe(':443 ssl crt site.pem crt /abs.pem ca-file ca.pem crl-file crl.pem verify required ciphers AES256-SHA', 'http', g));
    expect(r.errors).toEqual([]);
    expect(r.config!.proxies[0].binds[0].ssl).toMatchObject({
      crts: [{ path: '/etc/ssl/private/site.pem', list: false }, { path: '/abs.pem', list: false }], crtBase: '/etc/ssl/private', caFile: '/etc/ssl/certs/ca.pem', crlFile: '/etc/ssl/certs/crl.pem', ciphers: 'AES256-SHA',
      ciphersuites: 'TLS_AES_128_GCM_SHA256', curves: 'X25519', minVer: 'TLSv1.3', noTlsTickets: true,
    });
  });

  it("refuse 'alpn h2' in mode http (no HTTP/2) with file:line, accept it in mode tcp", () => {
    expect(parse(fe(':443 ssl crt /a.pem alpn h2,http/1.1')).errors).toEqual([
      "p.cfg:5: frontend 'F': 'bind :443' : 'alpn h2' cannot be served: hapair has no HTTP/2 in 'mode http' (use 'alpn http/1.1').",
    ]);
    expect(parse(fe(':443 ssl crt /a.pem alpn h2', 'tcp')).errors).toEqual([]);
  });

  it('report what HAProxy 2.6 refuses or warns about, with file:line', () => {
    expect(parse(fe(':443 ssl')).errors).toEqual(["p.cfg:5: frontend 'F': Proxy 'F': no SSL certificate specified for bind ':443' at [p.cfg:5] (use 'crt')."]);
    expect(parse(fe(':443 ssl strict-sni')).warnings).toContain("p.cfg:5: frontend 'F': Proxy 'F': no SSL certificate specified for bind ':443' at [p.cfg:5], ssl connections will fail (use 'crt').");
    expect(parse(fe(':443 crt /a.pem')).warnings).toContain("p.cfg:5: frontend 'F': Proxy 'F': A certificate was specified but SSL was not enabled for bind ':443' at [p.cfg:5] (use 'ssl').");
    expect(parse(fe(':443 ssl crt /a.pem verify required')).errors).toEqual(["p.cfg:5: frontend 'F': Proxy 'F': verify is enabled but no CA file specified for bind ':443' at [p.cfg:5]."]);
    expect(parse(fe(':443 ssl crt /a.pem verify sometimes')).errors).toEqual(["p.cfg:5: frontend 'F': 'bind :443' : 'verify' : unknown verify method 'sometimes', only 'none', 'optional', and 'required' are supported"]);
    expect(parse(fe(':443 ssl crt /a.pem ssl-min-ver TLSv9')).errors).toEqual(["p.cfg:5: frontend 'F': 'bind :443' : 'TLSv9' : unknown ssl/tls version"]);
    expect(parse(fe(':443 ssl crt /a.pem alpn http/1.1,,x')).errors).toEqual(["p.cfg:5: frontend 'F': 'bind :443' : 'alpn' : empty protocol name"]);
    expect(parse(fe(':443 ssl crt /a.pem no-tlsv12 no-tlsv13')).errors).toEqual(["p.cfg:5: frontend 'F': Proxy 'F': all SSL/TLS versions are disabled for bind ':443' at [p.cfg:5]."]);
  });

  it('keep refusing the TLS keywords node:tls cannot honour', () => {
    const r = parse(fe(':443 ssl crt /a.pem no-ca-names crt-ignore-err all ca-ignore-err all ca-verify-file /c.pem allow-0rtt'));
    expect(r.errors).toEqual(['no-ca-names', 'crt-ignore-err', 'ca-ignore-err', 'ca-verify-file', 'allow-0rtt'].map((k) => `p.cfg:5: frontend 'F': 'bind :443' : '${k}' is not supported yet`));
  });

  it('check the global TLS keywords as HAProxy does', () => {
    const r = parse('global\n    crt-base /a\n    crt-base /b\n    ssl-default-bind-options no-tls-tickets frobnicate\n    ssl-default-bind-ciphers\n');
    expect(r.errors).toEqual([
      "p.cfg:3: global: 'crt-base' already specified.",
      "p.cfg:4: global: unknown option 'frobnicate' on global statement 'ssl-default-bind-options'.",
      "p.cfg:5: global: global statement 'ssl-default-bind-ciphers' expects a cipher suite as an argument.",
    ]);
  });
});

describe('versionRange (ssl_sock_prepare_ctx)', () => {
  const where = "bind ':443' at [p.cfg:5]";
  it('defaults to TLSv1.2..TLSv1.3; no-*, force-* and min/max narrow it', () => {
    expect(versionRange(TLS, where)).toEqual({ min: 'TLSv1.2', max: 'TLSv1.3', warnings: [] });
    expect(versionRange({ ...TLS, noVersions: ['TLSv1.2'] }, where)).toMatchObject({ min: 'TLSv1.3', max: 'TLSv1.3' });
    expect(versionRange({ ...TLS, minVer: 'TLSv1.2', maxVer: 'TLSv1.2' }, where)).toMatchObject({ min: 'TLSv1.2', max: 'TLSv1.2' });
    expect(versionRange({ ...TLS, minVer: 'TLSv1.0' }, where)).toMatchObject({ min: 'TLSv1.0', max: 'TLSv1.3' });
    // SSLv3 does not exist in OpenSSL 3: a minimum of SSLv3 starts at TLSv1.0.
    expect(versionRange({ ...TLS, minVer: 'SSLv3' }, where)).toMatchObject({ min: 'TLSv1.0' });
    expect(versionRange({ ...TLS, minVer: 'SSLv3', maxVer: 'SSLv3' }, where)).toBeUndefined();
  });

  it('warns as HAProxy: no-* ignored beside a min/max, a max below the default min, a hole', () => {
    expect(versionRange({ ...TLS, minVer: 'TLSv1.2', noVersions: ['TLSv1.3'] }, where)).toEqual({
      min: 'TLSv1.2', max: 'TLSv1.3', warnings: [`no-sslv3/no-tlsv1x are ignored for ${where}. Use only 'ssl-min-ver' and 'ssl-max-ver' to fix.`],
    });
    const low = versionRange({ ...TLS, maxVer: 'TLSv1.1' }, where)!;
    expect(low).toMatchObject({ min: 'TLSv1.1', max: 'TLSv1.1' });
    expect(low.warnings[0]).toContain('the ssl-min-ver value is not configured and the ssl-max-ver value is lower than the default ssl-min-ver value (TLSv1.2). Setting the ssl-min-ver to TLSv1.1.');
    const hole = versionRange({ ...TLS, minVer: undefined, noVersions: ['TLSv1.1'], maxVer: undefined }, where);
    expect(hole).toMatchObject({ min: 'TLSv1.2', max: 'TLSv1.3', warnings: [] });
  });
});

describe('stats socket', () => {
  it('refuses TLS keywords (the runtime API is served in clear)', () => {
    expect(parse('global\n    stats socket /tmp/x.sock ssl crt /a.pem\n').errors).toEqual([
      "p.cfg:2: global: 'stats socket /tmp/x.sock' : 'ssl' is not supported yet on 'stats socket' lines",
      "p.cfg:2: global: 'stats socket /tmp/x.sock' : 'crt' is not supported yet on 'stats socket' lines",
    ]);
  });
});

describe('option httpslog', () => {
  it('is the proxy log format, replacing a log-format or httplog before it', () => {
    const r = parse('defaults\n    mode http\n    log-format "%ci"\n    option httpslog\n    timeout client 1s\nfrontend F\n    bind :443 ssl crt /a.pem\n');
    expect(r.errors).toEqual([]);
    // HAProxy 2.6's httpslog branch names itself 'option httplog' in this warning (measured with haproxy -c).
    expect(r.warnings).toContain("p.cfg:4: defaults: 'option httplog' overrides previous 'log-format' in 'defaults' section.");
    const fe = r.config!.proxies[0];
    expect(fe.options.httpslog).toBe(true);
    expect(fe.logFormat).toBeUndefined();
  });
});
