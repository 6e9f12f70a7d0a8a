// The keyword tables, their parsers and docs/config-keywords.md must agree.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BIND_KEYWORDS, GLOBAL_KEYWORDS, OPTIONS, PROXY_KEYWORDS, SERVER_KEYWORDS, formatDiagnostic, parseConfigText } from './config.ts';
import { KEYWORDS_DOC_PATH, README_END, README_PATH, README_START, renderKeywordsMarkdown, renderSupportedSummary, TABLE_END, TABLE_START } from './keyword-doc.ts';
import { GLOBAL_PARSERS } from './parse-global.ts';
import { PROXY_PARSERS } from './parse-proxy.ts';

const supportedNames = (t: ReadonlyArray<{ name: string; status: string }>) => t.filter((e) => e.status === 'supported').map((e) => e.name).sort();

describe('docs/config-keywords.md', () => {
  it('holds exactly the table rendered from the keyword tables (regenerate: npx node src/config/keyword-doc.ts)', () => {
    const doc = readFileSync(KEYWORDS_DOC_PATH, 'utf8');
    const start = doc.indexOf(TABLE_START);
    const end = doc.indexOf(TABLE_END);
    expect(start).toBeGreaterThan(0);
    expect(doc.slice(start + TABLE_START.length, end).trim()).toBe(renderKeywordsMarkdown());
  });

  it("README's supported-keywords table is the one rendered from the tables", () => {
    const readme = readFileSync(README_PATH, 'utf8');
    const start = readme.indexOf(README_START);
    const end = readme.indexOf(README_END);
    expect(start).toBeGreaterThan(0);
    expect(readme.slice(start + README_START.length, end).trim()).toBe(renderSupportedSummary());
  });

  it('lists every keyword of every table once', () => {
    const rows = renderKeywordsMarkdown().split('\n').slice(2);
    const total = [GLOBAL_KEYWORDS, PROXY_KEYWORDS, OPTIONS, SERVER_KEYWORDS, BIND_KEYWORDS].reduce((n, t) => n + t.length, 0);
    expect(rows.length).toBe(total + 16); // + the 16 section keywords
    expect(rows.every((r) => /^\| .+ \| `.+` \| (supported|planned) \| .+ \|$/.test(r))).toBe(true);
  });
});

describe('keyword tables and parsers', () => {
  it('every supported proxy keyword has a parser, and every parser a supported entry', () => {
    expect([...PROXY_PARSERS].sort()).toEqual(supportedNames(PROXY_KEYWORDS));
  });

  it('every supported global keyword has a parser, and every parser a supported entry', () => {
    expect([...GLOBAL_PARSERS].sort()).toEqual(supportedNames(GLOBAL_KEYWORDS));
  });

  it('every supported server keyword is parsed without error', () => {
    const values: Record<string, string> = {
      weight: '5', maxconn: '10', minconn: '1', maxqueue: '2', id: '9', cookie: 'c',
      inter: '1s', fastinter: '1s', downinter: '1s', 'agent-inter': '1s', slowstart: '1s', rise: '2', fall: '2', 'error-limit': '2',
      port: '80', 'agent-port': '80', addr: '127.0.0.1', 'agent-addr': '127.0.0.1', 'check-sni': 'a.example', sni: 'str(a.example)',
      'check-alpn': 'h2', alpn: 'h2', 'agent-send': 'hi', track: 's0', observe: 'layer4', 'on-error': 'mark-down',
      'on-marked-down': 'shutdown-sessions', 'on-marked-up': 'shutdown-backup-sessions', verify: 'none', 'ca-file': '/etc/passwd', crt: '/etc/passwd',
      'init-addr': 'last,libc,none',
    };
    // Keywords that only make sense with another one (HAProxy refuses an agent without a port, warns on an unverified ssl).
    const companions: Record<string, string> = { 'agent-check': ' agent-port 1', ssl: ' verify none', 'check-ssl': ' verify none' };
    for (const e of SERVER_KEYWORDS.filter((k) => k.status === 'supported')) {
      const args = (e.args === 0 ? '' : ` ${values[e.name]}`) + (companions[e.name] ?? '');
      const r = parseConfigText(`backend B\n    mode http\n    timeout connect 1s\n    timeout server 1s\n    server s0 127.0.0.1:2 check\n    server s 127.0.0.1:1 ${e.name}${args}\n`, 't.cfg', { env: {} });
      expect(r.diagnostics.map(formatDiagnostic), e.name).toEqual([]);
    }
  });

  it('every supported bind keyword is parsed without error', () => {
    const values: Record<string, string> = {
      name: 'n', maxconn: '1', backlog: '1', interface: 'lo', mode: '600', user: 'u', uid: '1', group: 'g', gid: '1',
      level: 'admin', 'expose-fd': 'listeners', 'severity-output': 'none',
    };
    Object.assign(values, { verify: 'none', alpn: 'http/1.1', 'ssl-min-ver': 'TLSv1.2', 'ssl-max-ver': 'TLSv1.3', crt: '/c.pem' });
    // OpenSSL 3 has no SSLv3: HAProxy then finds every version disabled (ssl_sock_prepare_ctx).
    const ownError: Record<string, string> = { 'force-sslv3': 'all SSL/TLS versions are disabled' };
    for (const e of BIND_KEYWORDS.filter((k) => k.status === 'supported')) {
      const arg = e.args === 0 ? '' : ` ${values[e.name] ?? 'x'}`;
      // TLS settings take effect on a TLS listener (a crt without `ssl` is only warned about).
      const tls = e.ssl && e.name !== 'ssl' ? ' ssl crt /c.pem' : e.name === 'ssl' ? ' crt /c.pem' : '';
      const text = e.statsOnly
        ? `global\n    stats socket /tmp/t.sock ${e.name}${arg}\n`
        : `frontend F\n    timeout client 1s\n    bind 127.0.0.1:1${tls} ${e.name}${arg}\n`;
      if (ownError[e.name] !== undefined) {
        const r = parseConfigText(text, 't.cfg', { env: {} });
        expect(r.diagnostics.map(formatDiagnostic).join('\n'), e.name).toContain(ownError[e.name]);
        continue;
      }
      const r = parseConfigText(text, 't.cfg', { env: {} });
      expect(r.diagnostics.map(formatDiagnostic), e.name).toEqual([]);
    }
  });

  it('every planned keyword is refused as "not supported yet", by name', () => {
    const cases: Array<[string, string]> = [
      ...SERVER_KEYWORDS.filter((k) => k.status === 'planned' && k.args !== 'source')
        .map((k) => [`backend B\n    server s 127.0.0.1:1 ${k.name}${' x'.repeat(k.args as number)}\n`, `'${k.name}' is not supported yet`] as [string, string]),
      ...BIND_KEYWORDS.filter((k) => k.status === 'planned')
        .map((k) => [`frontend F\n    bind 127.0.0.1:1 ${k.name}${' x'.repeat(k.args)}\n`, `'${k.name}' is not supported yet`] as [string, string]),
      ...OPTIONS.filter((k) => k.status === 'planned').map((k) => [`backend B\n    option ${k.name}\n`, `option '${k.name}' is not supported yet`] as [string, string]),
      ...PROXY_KEYWORDS.filter((k) => k.status === 'planned').map((k) => [`listen L\n    ${k.name} x\n`, `'${k.name}' is not supported yet`] as [string, string]),
      ...GLOBAL_KEYWORDS.filter((k) => k.status === 'planned').map((k) => [`global\n    ${k.name} x\n`, `'${k.name}' is not supported yet`] as [string, string]),
    ];
    for (const [text, message] of cases) {
      const errors = parseConfigText(text, 't.cfg', { env: {} }).diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
      expect(errors.some((m) => m.endsWith(message)), `${text} → ${errors.join(' | ')}`).toBe(true);
    }
  });
});
