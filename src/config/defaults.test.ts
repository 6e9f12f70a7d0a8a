// `defaults` inheritance as HAProxy 2.6 does it (configuration.txt 4, cfgparse-listen.c).
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, parseConfigText } from './config.ts';

function parse(text: string) {
  const r = parseConfigText(text, 'd.cfg', { env: {} });
  const byName = (name: string) => r.config?.proxies.find((p) => p.name === name);
  return {
    config: r.config, byName,
    errors: r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic),
    warnings: r.diagnostics.filter((d) => d.severity === 'warning').map(formatDiagnostic),
  };
}

const be = (name: string, from = '') => `backend ${name}${from}\n    server s 127.0.0.1:9000\n`;

describe('defaults inheritance', () => {
  it('a proxy takes the last defaults section before it, anonymous or named', () => {
    const r = parse(`defaults\n    timeout connect 1s\n    timeout server 1s\n    retries 1\n${be('A')}defaults named\n    timeout connect 2s\n    timeout server 2s\n${be('B')}`);
    expect(r.errors).toEqual([]);
    expect(r.byName('A')).toMatchObject({ retries: 1, timeouts: { connect: 1000, server: 1000 } });
    // A new defaults section restarts from HAProxy's built-in defaults: retries is 3 again.
    expect(r.byName('B')).toMatchObject({ retries: 3, timeouts: { connect: 2000, server: 2000 } });
  });

  it('`from NAME` picks a named defaults section, even an earlier one', () => {
    const r = parse(`defaults tcp1\n    mode tcp\n    timeout connect 1s\n    timeout server 1s\ndefaults http1\n    mode http\n    timeout connect 2s\n    timeout server 2s\n${be('A', ' from tcp1')}${be('B', ' from http1')}`);
    expect(r.errors).toEqual([]);
    expect(r.byName('A')).toMatchObject({ mode: 'tcp', timeouts: { connect: 1000 } });
    expect(r.byName('B')).toMatchObject({ mode: 'http', timeouts: { connect: 2000 } });
  });

  it('defaults sections inherit from each other with `defaults X from Y` and `defaults from Y`', () => {
    const r = parse(`defaults base\n    timeout connect 1s\n    timeout server 1s\n    option redispatch\ndefaults child from base\n    timeout server 9s\n${be('A', ' from child')}defaults from child\n    retries 7\n${be('B')}`);
    expect(r.errors).toEqual([]);
    expect(r.byName('A')).toMatchObject({ timeouts: { connect: 1000, server: 9000 }, options: { redispatch: true }, redispatch: { interval: -1 } });
    expect(r.byName('B')).toMatchObject({ retries: 7, timeouts: { connect: 1000, server: 9000 } });
  });

  it('frontend settings go only to proxies with a frontend side, backend settings only to backend sides', () => {
    const r = parse(`defaults\n    timeout client 5s\n    timeout connect 1s\n    timeout server 1s\n    maxconn 77\n    default_backend B\n    balance leastconn\n    retries 9\nfrontend F\n    bind 127.0.0.1:8000\n${be('B')}`);
    expect(r.errors).toEqual([]);
    const f = r.byName('F')!;
    const b = r.byName('B')!;
    expect(f).toMatchObject({ maxconn: 77, defaultBackend: 'B', timeouts: { client: 5000 } });
    expect(f.timeouts.connect).toBeUndefined();
    expect(b).toMatchObject({ retries: 9, balance: { algorithm: 'leastconn' }, timeouts: { connect: 1000, server: 1000, queue: 1000 } });
    // A backend never inherits default_backend (it would be a loop), nor maxconn or timeout client.
    expect(b.defaultBackend).toBeUndefined();
    expect(b.maxconn).toBeUndefined();
    expect(b.timeouts.client).toBeUndefined();
  });

  it('mode, options, logs, disabled and default-server are inherited by every proxy', () => {
    const r = parse(`defaults\n    mode tcp\n    option dontlognull\n    log 127.0.0.1 local0\n    disabled\n    default-server weight 9 maxconn 5\n    timeout connect 1s\n    timeout server 1s\nlisten L\n    bind 127.0.0.1:8000\n    timeout client 1s\n    enabled\n    server s 127.0.0.1:9000\n${be('B')}`);
    expect(r.errors).toEqual([]);
    expect(r.byName('L')).toMatchObject({ disabled: false, options: { dontlognull: true }, servers: [{ weight: 9, maxconn: 5 }] });
    expect(r.byName('L')!.logs[0]).toMatchObject({ host: '127.0.0.1', facility: 'local0' });
    expect(r.byName('B')).toMatchObject({ disabled: true, servers: [{ weight: 9 }] });
  });

  it('a proxy before any defaults section gets HAProxy\'s built-in defaults', () => {
    const r = parse(be('A'));
    expect(r.byName('A')).toMatchObject({ mode: 'tcp', retries: 3, options: {}, logs: [], balance: { algorithm: 'roundrobin', hashType: 'map-based', hashFunction: 'sdbm' } });
  });

  it('refuses a missing or ambiguous defaults name, and extra words on the section line', () => {
    const r = parse(`defaults d\ndefaults d\n${be('A', ' from nope')}${be('B', ' from d')}listen L 127.0.0.1:80\nbackend C from\n`);
    expect(r.errors).toEqual([
      "d.cfg:3: backend 'A': defaults section 'nope' not found for backend 'A'",
      "d.cfg:5: backend 'B': ambiguous defaults section name 'd' referenced by backend 'B' exists at least at d.cfg:1 and d.cfg:2",
      "d.cfg:7: listen 'L': 'listen L' cannot handle unexpected argument '127.0.0.1:80'; please use the 'bind' keyword for listening addresses",
      "d.cfg:8: backend 'C': 'from' expects the name of a defaults section",
      "d.cfg:7: listen 'L': no 'bind' directive (declare it as a backend if this was intended)",
    ]);
  });

  it('warns when a defaults section is used both explicitly and implicitly', () => {
    const r = parse(`defaults d\n    timeout connect 1s\n    timeout server 1s\n${be('A', ' from d')}${be('B')}`);
    expect(r.warnings).toEqual([
      "d.cfg:6: backend 'B': defaults section 'd' (declared at d.cfg:1) is explicitly referenced by another proxy and implicitly used here; to avoid any ambiguity, do not mix both usages",
    ]);
  });
});
