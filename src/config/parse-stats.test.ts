// `stats *` proxy keywords: values, defaults inheritance, HAProxy's errors and warnings.
import { describe, expect, it } from 'vitest';
import { parseConfigText } from './config.ts';
import { formatDiagnostic } from './diagnostics.ts';

const T = 'timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n';

function parse(text: string) {
  const r = parseConfigText(text, 'p.cfg', { env: {} });
  const messages = (sev: string) => r.diagnostics.filter((d) => d.severity === sev).map(formatDiagnostic);
  return { config: r.config, errors: messages('error'), warnings: messages('warning') };
}

function listen(lines: string, mode = 'http'): string {
  return `listen L\n    mode ${mode}\n    bind 127.0.0.1:8000\n    ${T}    ${lines}\n`;
}

describe('stats keywords', () => {
  it('parses every setting into the model', () => {
    const r = parse(listen(
      'stats enable\n    stats uri /admin?stats\n    stats realm LB\\ Stats\n    stats auth a:b\n    stats auth c:d:e\n' +
      '    stats refresh 5m\n    stats scope .\n    stats scope web\n    stats hide-version\n    stats show-legends\n' +
      '    stats show-node lb1\n    stats show-desc edge pair\n    stats admin if LOCALHOST',
    ));
    expect(r.errors).toEqual([]);
    const s = r.config!.proxies[0].stats!;
    expect(s).toMatchObject({
      uri: '/admin?stats', realm: 'LB Stats', refresh: 300, scope: ['L', 'web'], hideVersion: true, showLegends: true,
      showNode: 'lb1', showDesc: 'edge pair', httpRequest: [],
    });
    expect(s.auth).toEqual([{ user: 'a', password: 'b' }, { user: 'c', password: 'd:e' }]);
    expect(s.admin).toHaveLength(1);
    expect(s.admin[0].condition.text).toContain('LOCALHOST');
  });

  it('has HAProxy defaults, and a proxy inherits the defaults section until its own first stats line', () => {
    const r = parse(`defaults\n    mode http\n    ${T}    stats uri /d\n    stats refresh 7\nlisten A\n    bind 127.0.0.1:8000\nlisten B\n    bind 127.0.0.1:8001\n    stats enable\n`);
    expect(r.errors).toEqual([]);
    expect(r.config!.proxies[0].stats).toMatchObject({ uri: '/d', refresh: 7 });
    expect(r.config!.proxies[1].stats).toMatchObject({ uri: '/haproxy?stats', refresh: 0, auth: [], admin: [] });
  });

  it('parses stats http-request rules with their conditions', () => {
    const r = parse(listen('stats http-request deny unless LOCALHOST\n    stats http-request auth realm Ops if TRUE\n    stats http-request allow'));
    expect(r.errors).toEqual([]);
    const rules = r.config!.proxies[0].stats!.httpRequest;
    expect(rules.map((x) => [x.action, x.realm, x.condition !== undefined])).toEqual([['deny', undefined, true], ['auth', 'Ops', true], ['allow', undefined, false]]);
  });

  it('ignores stats in a tcp proxy with HAProxy\'s warning', () => {
    const r = parse(listen('stats enable', 'tcp'));
    expect(r.errors).toEqual([]);
    expect(r.config!.proxies[0].stats).toBeUndefined();
    expect(r.warnings).toContain("p.cfg:1: listen 'L': 'stats' statement ignored for proxy 'L' as it requires HTTP mode");
  });

  it('refuses what HAProxy refuses', () => {
    const r = parse(
      `defaults\n    mode http\n    stats admin if TRUE\n${listen(
        'stats uri\n    stats refresh 5x\n    stats auth nocolon\n    stats admin TRUE\n    stats show-node bad/name\n' +
        '    stats http-request tarpit\n    stats admin if NO_SUCH_ACL\n    stats frob\n    stats show-modules',
      )}`,
    );
    expect(r.errors).toEqual([
      "p.cfg:3: defaults: 'stats admin' not allowed in 'defaults' section",
      "p.cfg:10: listen 'L': 'stats uri' needs a URI prefix",
      "p.cfg:11: listen 'L': invalid 'stats refresh' delay '5x': unexpected character 'x'",
      "p.cfg:12: listen 'L': 'stats auth' expects '<user>:<password>' (got 'nocolon')",
      "p.cfg:13: listen 'L': 'stats admin' requires either 'if' or 'unless' followed by a condition",
      "p.cfg:14: listen 'L': 'stats show-node' invalid node name - should be a string with digits(0-9), letters(A-Z, a-z), hyphen(-) or underscode(_)",
      "p.cfg:15: listen 'L': 'stats http-request' expects 'allow', 'deny', 'auth' (got 'tarpit')",
      expect.stringMatching(/^p\.cfg:16: listen 'L': error detected while parsing a 'stats admin' rule : .*NO_SUCH_ACL/),
      "p.cfg:17: listen 'L': unknown stats 'frob'",
      "p.cfg:18: listen 'L': 'stats show-modules' is not supported yet",
    ]);
  });

  it("refuses stats auth with stats http-request, as HAProxy", () => {
    const r = parse(listen('stats auth a:b\n    stats http-request allow'));
    expect(r.errors).toEqual(["p.cfg:1: listen 'L': stats 'auth'/'realm' and 'http-request' can't be used at the same time"]);
  });
});
