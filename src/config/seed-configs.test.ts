// The two configurations of the project seed: the minimal one parses, the advanced one fails only
// on the health-check keywords, each by name and line.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, parseConfigText } from './config.ts';

const FILE = '/etc/hapair/hapair.cfg';

const MINIMAL = readFileSync(new URL('../../test/fixtures/config/minimal.cfg', import.meta.url), 'utf8');

const ADVANCED = readFileSync(new URL('../../test/fixtures/config/seed-advanced.cfg', import.meta.url), 'utf8');

describe("the seed's minimal config", () => {
  const r = parseConfigText(MINIMAL, FILE, { env: {} });

  it("parses with no error, only the two warnings HAProxy 2.6 also prints for it", () => {
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      `${FILE}:1: listen 'GITSSH': missing timeouts: ensure that all of 'timeout client', 'timeout connect' and 'timeout server' are set to a non-zero value`,
      `${FILE}:1: listen 'GITSSH': log format ignored since the proxy has no log address`,
    ]);
    expect(r.diagnostics.every((d) => d.severity === 'warning')).toBe(true);
  });

  it('yields one tcp listen proxy with its bind, server and option', () => {
    const px = r.config!.proxies[0];
    expect(r.config!.proxies).toHaveLength(1);
    expect(px).toMatchObject({ kind: 'listen', name: 'GITSSH', id: 1, mode: 'tcp', disabled: false, retries: 3, options: { tcplog: true } });
    expect(px.binds[0].addresses).toEqual([{ kind: 'tcp', host: '127.0.0.1', port: 2222, family: 4 }]);
    expect(px.servers).toEqual([
      { name: 'comue-forge', id: 1, host: '127.0.0.1', port: 22, weight: 1, backup: false, maxconn: 0, minconn: 0, maxqueue: 0, disabled: false, params: {}, loc: { file: FILE, line: 5 } },
    ]);
    expect(px.balance).toEqual({ algorithm: 'roundrobin', args: [], hashType: 'map-based', hashFunction: 'sdbm', hashAvalanche: false });
    expect(r.config!.global.maxconn).toBe(4096);
  });
});

describe("the seed's advanced config", () => {
  const r = parseConfigText(ADVANCED, FILE, { env: {} });
  const errors = r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);

  it('is valid: no error at all', () => {
    expect(errors).toEqual([]);
    expect(r.config).toBeDefined();
  });

  it('only warns about the missing connect timeout and the unverified server certificates', () => {
    const verify = (line: number, name: string) =>
      `${FILE}:${line}: listen 'UT': server 'UT/${name}': verify is enabled by default but no CA file specified: hapair verifies the server's certificate against the system's trusted CAs (HAProxy refuses this; set 'verify none' or 'ca-file').`;
    expect(r.diagnostics.filter((d) => d.severity === 'warning').map(formatDiagnostic)).toEqual([
      `${FILE}:3: listen 'UT': missing timeouts: ensure that all of 'timeout client', 'timeout connect' and 'timeout server' are set to a non-zero value`,
      verify(11, 'A'),
      verify(12, 'B'),
      verify(13, 'backup'),
    ]);
  });

  it('keeps the check keywords of each server, with the defaults inherited', () => {
    const px = r.config!.proxies[0];
    expect(px.timeouts.check).toBe(7000);
    expect(px.options['ldap-check']).toBe(true);
    expect(px.servers.map((s) => Object.keys(s.params).sort())).toEqual([
      ['check', 'check-ssl', 'error-limit', 'on-error', 'on-marked-down', 'rise', 'ssl'],
      ['check', 'check-ssl', 'error-limit', 'on-error', 'on-marked-down', 'rise', 'ssl'],
      ['check', 'check-ssl', 'error-limit', 'on-marked-down', 'rise', 'ssl'],
    ]);
    expect(px.servers[0]!.params['rise']).toEqual(['15']);
  });

  it('parses everything else, as the model shows once the health-check keywords are gone', () => {
    const supportedOnly = ADVANCED
      .replace('error-limit 10 rise 15 on-marked-down shutdown-sessions ', '')
      .replace('    timeout check 7s\n', '    timeout connect 5s\n')
      .replace('    option ldap-check\n', '    option dontlognull\n')
      .replaceAll(' check check-ssl ssl on-error mark-down', '')
      .replace(' check check-ssl ssl backup', ' backup');
    const ok = parseConfigText(supportedOnly, FILE, { env: {} });
    expect(ok.diagnostics).toEqual([]);
    const px = ok.config!.proxies[0];
    expect(px.binds[0]).toMatchObject({ addresses: [{ kind: 'unix', path: '/var/run/haproxy/etab_UT.sock' }], mode: 0o666 });
    expect(px.timeouts).toEqual({ server: 120_000, client: 120_000, connect: 5000, queue: 5000, tarpit: 5000 });
    expect(px.balance.algorithm).toBe('leastconn');
    expect(px.servers.map((s) => [s.name, s.id, s.host, s.port, s.backup, s.maxconn, s.minconn, s.maxqueue])).toEqual([
      ['A', 1, 'ldap1.example.org', 636, false, 125, 125, 125],
      ['B', 2, 'ldap2.example.org', 636, false, 125, 125, 125],
      ['backup', 3, 'ldap-backup.example.org', 636, true, 125, 125, 125],
    ]);
  });
});
