// init-addr at start (server.c srv_iterate_initaddr): the methods in order, HAProxy's texts.
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../config/config.ts';
import { formatDiagnostic } from '../config/diagnostics.ts';
import { checkServerAddresses, iterateInitAddr, type HostResolver } from './server-addresses.ts';

const hosts: Record<string, string> = { 'db.example': '192.0.2.10' };
const resolve: HostResolver = async (h) => hosts[h];

describe('iterateInitAddr', () => {
  it('resolves with libc by default and ignores a missing last address', async () => {
    expect(await iterateInitAddr('db.example', ['last', 'libc'], resolve)).toEqual({ address: '192.0.2.10' });
  });

  it('prefers the address the state file kept (last) over libc', async () => {
    expect(await iterateInitAddr('db.example', ['last', 'libc'], resolve, () => '192.0.2.99')).toEqual({ address: '192.0.2.99' });
  });

  it('refuses an unresolvable name, and says when no method applied at all', async () => {
    expect(await iterateInitAddr('nx.invalid', ['last', 'libc'], resolve)).toEqual({ error: "could not resolve address 'nx.invalid'." });
    expect(await iterateInitAddr('nx.invalid', ['last'], resolve)).toEqual({ error: "no method found to resolve address 'nx.invalid'." });
  });

  it('falls back to an IP literal, with a warning only when a method failed before', async () => {
    expect(await iterateInitAddr('nx.invalid', ['libc', '10.0.0.1'], resolve)).toEqual({
      address: '10.0.0.1',
      warning: "could not resolve address 'nx.invalid', falling back to configured address.",
    });
    expect(await iterateInitAddr('db.example', ['10.0.0.1', 'libc'], resolve)).toEqual({ address: '10.0.0.1' });
  });

  it('none: maintenance, even for a name that would resolve when none comes first', async () => {
    expect(await iterateInitAddr('nx.invalid', ['libc', 'none'], resolve)).toEqual({ maint: true, warning: "could not resolve address 'nx.invalid', disabling server." });
    expect(await iterateInitAddr('db.example', ['none', 'libc'], resolve)).toEqual({ maint: true });
  });

  it('does not take a name from the state file for an address', async () => {
    expect(await iterateInitAddr('nx.invalid', ['last', 'none'], resolve, () => 'other.example')).toEqual({ maint: true, warning: "could not resolve address 'nx.invalid', disabling server." });
  });
});

describe('checkServerAddresses (hapair check)', () => {
  const cfg = `defaults
    mode tcp
    timeout connect 1s
    timeout client 1s
    timeout server 1s
    default-server init-addr libc
backend b
    server s1 nx1.invalid:80
    server s2 db.example:80
    server s3 nx2.invalid:80 init-addr libc,10.0.0.1
    server s4 nx3.invalid:80 init-addr libc,none
    server s5 192.0.2.1:80
backend off
    disabled
    server s1 nx4.invalid:80
`;

  it('reports every server at its line, errors and warnings, skipping disabled proxies and IPs', async () => {
    const r = parseConfigText(cfg, 'a.cfg', { env: {} });
    expect(r.config).toBeDefined();
    const diags = await checkServerAddresses(r.config!, resolve);
    expect(diags.map((d) => `${d.severity} ${formatDiagnostic(d)}`)).toEqual([
      "error a.cfg:8: backend 'b': server 'b/s1': could not resolve address 'nx1.invalid'.",
      "warning a.cfg:10: backend 'b': server 'b/s3': could not resolve address 'nx2.invalid', falling back to configured address.",
      "warning a.cfg:11: backend 'b': server 'b/s4': could not resolve address 'nx3.invalid', disabling server.",
    ]);
  });
});
