import { describe, expect, it } from 'vitest';
import { parseConfigText } from './config.ts';
import { formatDiagnostic } from './diagnostics.ts';

function diags(servers: string, extra = ''): string[] {
  const text = `backend B\n    mode tcp\n    timeout connect 1s\n    timeout server 1s\n${extra}${servers}`;
  return parseConfigText(text, 't.cfg', { env: {} }).diagnostics.map(formatDiagnostic);
}

describe('health-check validation at config time', () => {
  it('accepts checks, agents, tracking and server TLS that are complete', () => {
    expect(diags('    server a 127.0.0.1:1 check inter 1s agent-check agent-port 2\n    server b 127.0.0.1:2 track a ssl verify none sni str(x.test) alpn h2\n')).toEqual([]);
  });

  it('reports check keyword errors at the server line', () => {
    expect(diags('    server a 127.0.0.1:1 check rise 0 on-error nope\n')).toEqual([
      "t.cfg:5: backend 'B': server 'B/a': 'rise' has to be > 0.",
      "t.cfg:5: backend 'B': server 'B/a': 'on-error' expects one of 'fastinter', 'fail-check', 'sudden-death' or 'mark-down' but got 'nope'",
    ]);
  });

  it('refuses a check without any port, and an agent without a port', () => {
    expect(diags('    server a 127.0.0.1 check agent-check\n')).toEqual([
      "t.cfg:5: backend 'B': server 'B/a': server a does not have agent port. Agent check has been disabled.",
      "t.cfg:5: backend 'B': server 'B/a': server 'a' has neither service port nor check port.",
    ]);
  });

  it('refuses tracking an unknown server or one without checks', () => {
    expect(diags('    server a 127.0.0.1:1\n    server b 127.0.0.1:2 track a\n    server c 127.0.0.1:3 track zz/a\n    server d 127.0.0.1:4 track nope\n')).toEqual([
      "t.cfg:6: backend 'B': server 'B/b': unable to use B/a for tracking as it does not have any check nor agent enabled.",
      "t.cfg:7: backend 'B': server 'B/c': unable to find required proxy 'zz' for tracking.",
      "t.cfg:8: backend 'B': server 'B/d': unable to find required server 'nope' for tracking.",
    ]);
  });

  it('checks server TLS settings: verify method, readable files, constant SNI', () => {
    expect(diags('    server a 127.0.0.1:1 ssl verify maybe ca-file /nonexistent/ca.pem sni req.hdr(host)\n')).toEqual([
      "t.cfg:5: backend 'B': server 'B/a': 'verify' : unknown verify method 'maybe', only 'none' and 'required' are supported.",
      "t.cfg:5: backend 'B': server 'B/a': 'ca-file' : unable to load '/nonexistent/ca.pem'.",
      "t.cfg:5: backend 'B': server 'B/a': 'sni' : only a constant name ('str(<name>)') is supported yet, got 'req.hdr(host)'.",
    ]);
  });

  it('applies global ssl-server-verify to servers without verify, for traffic and check-ssl alike', () => {
    const noCa = (what: string) =>
      `${what} but no CA file specified: hapair verifies the server's certificate against the system's trusted CAs (HAProxy refuses this; set 'verify none' or 'ca-file').`;
    expect(diags('    server a 127.0.0.1:1 ssl\n    server b 127.0.0.1:2 check check-ssl\n')).toEqual([
      `t.cfg:5: backend 'B': server 'B/a': ${noCa('verify is enabled by default')}`,
      `t.cfg:6: backend 'B': server 'B/b': ${noCa('verify is enabled by default')}`,
    ]);
    const none = 'global\n    ssl-server-verify none\n';
    const text = (servers: string) => `${none}backend B\n    mode tcp\n    timeout connect 1s\n    timeout server 1s\n${servers}`;
    const d = (servers: string) => parseConfigText(text(servers), 't.cfg', { env: {} }).diagnostics.map(formatDiagnostic);
    expect(d('    server a 127.0.0.1:1 ssl check check-ssl\n')).toEqual([]);
    // An explicit verify required still needs a CA (ssl_sock_prepare_srv_ctx's second text).
    expect(d('    server a 127.0.0.1:1 ssl verify required\n')).toEqual([`t.cfg:7: backend 'B': server 'B/a': ${noCa('verify is enabled')}`]);
    expect(parseConfigText('global\n    ssl-server-verify maybe\n', 't.cfg', { env: {} }).diagnostics.map(formatDiagnostic)).toEqual([
      "t.cfg:2: global: 'ssl-server-verify' expects 'none' or 'required' as argument.",
    ]);
    expect(parseConfigText(none, 't.cfg', { env: {} }).config!.global.sslServerVerify).toBe('none');
  });

  it('accepts observe layer7 outside http with the alert HAProxy prints, as a warning', () => {
    expect(diags('    server a 127.0.0.1:1 check observe layer7\n')).toEqual(["t.cfg:5: backend 'B': server 'B/a': 'layer7' can only be used in http proxies."]);
  });

  it('validates the proxy check options and rules, also those inherited from defaults', () => {
    const text = 'defaults\n    option tcp-check\n    tcp-check expect bogus\nbackend B\n    timeout connect 1s\n    timeout server 1s\n    server a 127.0.0.1:1 check\n';
    const d = parseConfigText(text, 't.cfg', { env: {} }).diagnostics.map(formatDiagnostic);
    expect(d.some((l) => l.startsWith("t.cfg:3: backend 'B':"))).toBe(true);
  });

  it('keeps refusing check-proto, check-via-socks4, external-check and spop-check', () => {
    expect(diags('    server a 127.0.0.1:1 check check-via-socks4\n')).toEqual(["t.cfg:5: backend 'B': server 'a': 'check-via-socks4' is not supported yet"]);
    expect(diags('    server a 127.0.0.1:1\n', '    option external-check\n')).toEqual(["t.cfg:5: backend 'B': option 'external-check' is not supported yet"]);
  });
});
