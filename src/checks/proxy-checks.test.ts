import { describe, expect, it } from 'vitest';
import type { ConfigLine } from '../config/model.ts';
import { parseProxyChecks } from './proxy-checks.ts';
import type { TcpCheckRule } from './tcpcheck-rules.ts';

let n = 0;
const L = (text: string): ConfigLine => ({ args: text.split(' '), loc: { file: 'h.cfg', line: ++n } });
const shape = (rules: readonly TcpCheckRule[]): string[] =>
  rules.map((r) => (r.action === 'connect' ? (r.implicit ? 'connect*' : 'connect') : r.action === 'expect' ? `expect:${r.pattern.type}` : r.action));

describe('backend check type and rulesets (configuration.txt 4.2 "option ...-check", "tcp-check", "http-check")', () => {
  it('defaults to a plain TCP connect check', () => {
    const { config, diagnostics } = parseProxyChecks([]);
    expect(shape(config.ruleset.rules)).toEqual(['connect*']);
    expect(config.ruleset.kind).toBe('connect');
    expect(diagnostics).toEqual([]);
  });

  it('builds option httpchk with its implicit request and 200-399 expect', () => {
    const opt: ConfigLine = { args: ['option', 'httpchk', 'GET', '/health', 'HTTP/1.1\r\nHost: www'], loc: { file: 'h.cfg', line: ++n } };
    const { config, diagnostics } = parseProxyChecks([opt, L('option log-health-checks')]);
    expect(diagnostics[0]).toMatchObject({ severity: 'warning', message: expect.stringContaining('deprecated') });
    const rules = config.ruleset.rules;
    expect(shape(rules)).toEqual(['connect*', 'send-http', 'expect:status']);
    expect(rules[1]).toMatchObject({ method: 'GET', uri: '/health', version: 'HTTP/1.1', headers: [{ name: 'Host', value: 'www' }] });
    expect(rules[2]).toMatchObject({ pattern: { ranges: [[200, 399]] } });
    expect(config.logHealthChecks).toBe(true);
  });

  it('merges http-check send into the option request and keeps explicit expects', () => {
    const { config, diagnostics } = parseProxyChecks([
      L('option httpchk'),
      L('http-check send meth GET uri /ready hdr Host a.example'),
      L('http-check expect status 200'),
      L('http-check expect string ok'),
      L('http-check disable-on-404'),
    ]);
    expect(diagnostics).toEqual([]);
    expect(shape(config.ruleset.rules)).toEqual(['connect*', 'send-http', 'expect:status', 'expect:body']);
    expect(config.ruleset.rules[1]).toMatchObject({ method: 'GET', uri: '/ready', version: 'HTTP/1.0', headers: [{ name: 'Host', value: 'a.example' }] });
    expect(config.ruleset.disableOn404).toBe(true);
  });

  it('refuses http-check rules out of order (missing connect / send)', () => {
    const { diagnostics } = parseProxyChecks([L('option httpchk'), L('http-check expect status 200'), L('http-check send uri /x')]);
    expect(diagnostics.map((d) => d.message)).toEqual(["'http-check send' : unable to add http-check send rule at step 2 (missing connect rule)."]);
  });

  it('builds tcp-check sequences with comments handed to the next rules', () => {
    const { config } = parseProxyChecks([
      L('option tcp-check'),
      L('tcp-check comment ping'),
      L('tcp-check send PING\r\n'),
      L('tcp-check expect string +PONG'),
      L('tcp-check connect port 6380'),
    ]);
    expect(config.ruleset.rules).toHaveLength(3);
    expect(shape(config.ruleset.rules)).toEqual(['connect*', 'send', 'expect:string']);
    expect(config.ruleset.rules[1]).toMatchObject({ comment: 'ping', index: 1 });
    expect(config.ruleset.rules[2]!.comment).toBeUndefined();
  });

  it('reports a connect that is not the first tcp-check step', () => {
    const { diagnostics } = parseProxyChecks([L('option tcp-check'), L('tcp-check send x'), L('tcp-check connect port 1')]);
    expect(diagnostics[0]!.message).toContain("first step MUST also be a 'connect'");
  });

  it('knows the port of a leading tcp-check connect', () => {
    const { config } = parseProxyChecks([L('option tcp-check'), L('tcp-check connect port 6379'), L('tcp-check send PING\r\n')]);
    expect(config.connectHasPort).toBe(true);
    expect(shape(config.ruleset.rules)).toEqual(['connect', 'send']);
  });

  it('builds the protocol checks and validates their arguments', () => {
    const kinds = ['redis-check', 'ldap-check', 'ssl-hello-chk', 'smtpchk EHLO me', 'pgsql-check user pg', 'mysql-check user hap pre-41'].map(
      (o) => parseProxyChecks([L(`option ${o}`)]).config.ruleset.kind,
    );
    expect(kinds).toEqual(['redis', 'ldap', 'ssl-hello', 'smtp', 'pgsql', 'mysql']);
    expect(parseProxyChecks([L('option pgsql-check')]).diagnostics[0]!.message).toBe("'option pgsql-check' expects 'user <username>' as argument.");
    expect(parseProxyChecks([L('option mysql-check user x post-80')]).diagnostics[0]!.message).toBe(
      "keyword 'user' only supports 'post-41' and 'pre-41' (got 'post-80').",
    );
    expect(parseProxyChecks([L('option external-check')]).diagnostics[0]!.message).toBe("'option external-check' is not supported by hapair.");
  });

  it('inherits the check option and rules from defaults unless the proxy has its own', () => {
    const defaults = [L('option httpchk GET /d'), L('http-check expect status 204'), L('timeout check 3s')];
    const { config } = parseProxyChecks([], defaults);
    expect(config.ruleset.rules[1]).toMatchObject({ uri: '/d' });
    expect(config.ruleset.rules[2]).toMatchObject({ pattern: { ranges: [[204, 204]] } });
    expect(config.timeoutCheck).toBe(3000);
    const own = parseProxyChecks([L('option redis-check')], defaults).config;
    expect(own.ruleset.kind).toBe('redis');
  });

  it('warns about rules of an unselected family, as cfgparse.c does', () => {
    const { diagnostics } = parseProxyChecks([L('http-check expect status 200')]);
    expect(diagnostics[0]).toMatchObject({ severity: 'warning', message: "uses http-check rules without 'option httpchk', so the rules are ignored." });
    // Rules written before the option that uses them are fine; any check option clears the mark.
    expect(parseProxyChecks([L('tcp-check send x'), L('option tcp-check')]).diagnostics).toEqual([]);
    expect(parseProxyChecks([L('tcp-check send x'), L('option redis-check')]).diagnostics).toEqual([]);
    expect(parseProxyChecks([L('option redis-check'), L('tcp-check send x')]).diagnostics[0]!.message).toBe(
      "uses tcp-check rules without 'option tcp-check', so the rules are ignored.",
    );
    // Unused rules of a defaults section are not the backend's concern.
    expect(parseProxyChecks([], [L('tcp-check send x')]).diagnostics).toEqual([]);
  });
});

/** The bytes-relevant shape of a ruleset: sends with their payload or request line. */
function requests(rules: readonly TcpCheckRule[]): string[] {
  return rules.flatMap((r) =>
    r.action === 'send-http' ? [`${r.method} ${r.uri}`] : r.action === 'send' ? [typeof r.data === 'function' ? 'fn' : r.data.toString()] : r.action === 'expect' ? [`expect ${r.pattern.type}`] : [],
  );
}

describe('rulesets inherited from defaults (HAProxy 2.6 tcpcheck.c / proxy.c)', () => {
  const opt = (text: string): ConfigLine => ({ args: ['option', ...text.split(' ')], loc: { file: 'h.cfg', line: ++n } });

  it('tcp-check: the backend inherits the defaults rules only when it has none', () => {
    const defaults = [opt('tcp-check'), L('tcp-check send from-defaults'), L('tcp-check expect string ok')];
    expect(requests(parseProxyChecks([], defaults).config.ruleset.rules)).toEqual(['from-defaults', 'expect string']);
    expect(requests(parseProxyChecks([opt('tcp-check')], defaults).config.ruleset.rules)).toEqual(['from-defaults', 'expect string']);
    expect(requests(parseProxyChecks([L('tcp-check send own')], defaults).config.ruleset.rules)).toEqual(['own']);
  });

  it('tcp-check rules in defaults without the option are not used by a backend saying option tcp-check', () => {
    const defaults = [L('tcp-check send from-defaults')];
    const { config } = parseProxyChecks([opt('tcp-check')], defaults);
    expect(config.ruleset.kind).toBe('tcp');
    expect(requests(config.ruleset.rules)).toEqual([]);
  });

  it("option httpchk in the backend drops the defaults' http-check rules", () => {
    const defaults = [opt('httpchk GET /d'), L('http-check expect status 204')];
    const { config } = parseProxyChecks([opt('httpchk GET /own')], defaults);
    expect(requests(config.ruleset.rules)).toEqual(['GET /own', 'expect status']);
    expect(config.ruleset.rules.at(-1)).toMatchObject({ pattern: { ranges: [[200, 399]] } });
  });

  it("backend http-check rules under the defaults' option httpchk replace its ruleset, request included", () => {
    const defaults = [opt('httpchk GET /fromdefaults')];
    // Observed with haproxy 2.6: nothing is sent, the expect waits for a reply.
    expect(requests(parseProxyChecks([L('http-check expect status 200')], defaults).config.ruleset.rules)).toEqual(['expect status']);
    expect(requests(parseProxyChecks([L('http-check send meth HEAD uri /own')], defaults).config.ruleset.rules)).toEqual(['HEAD /own', 'expect status']);
    expect(requests(parseProxyChecks([], defaults).config.ruleset.rules)).toEqual(['GET /fromdefaults', 'expect status']);
  });

  it('the check option itself comes from the last section that sets one', () => {
    const defaults = [opt('tcp-check'), L('tcp-check send x')];
    expect(parseProxyChecks([opt('ldap-check')], defaults).config.ruleset.kind).toBe('ldap');
    expect(parseProxyChecks([], [opt('ldap-check')]).config.ruleset.kind).toBe('ldap');
  });
});
