import { describe, expect, it } from 'vitest';
import { checkTargets, parseServerChecks } from './check-params.ts';

describe('server check keywords (configuration.txt 5.2)', () => {
  it('uses HAProxy defaults: inter 2s, rise 2, fall 3, error-limit 10, on-error fail-check', () => {
    const { settings, errors } = parseServerChecks('s1', { check: [] });
    expect(errors).toEqual([]);
    expect(settings).toMatchObject({ check: true, inter: 2000, rise: 2, fall: 3, errorLimit: 10, onError: 'fail-check', observe: 'none', slowstart: 0 });
    expect(settings.initAddr).toEqual(['last', 'libc']);
  });

  it('reads timers with units, ports, TLS and PROXY settings', () => {
    const { settings } = parseServerChecks('s1', {
      check: [],
      inter: ['5s'],
      fastinter: ['500'],
      downinter: ['1m'],
      rise: ['4'],
      fall: ['1'],
      port: ['8080'],
      'check-ssl': [],
      'check-sni': ['api.example'],
      'check-send-proxy': [],
      slowstart: ['30s'],
      track: ['be2/s3'],
      'on-marked-down': ['shutdown-sessions'],
    });
    expect(settings).toMatchObject({ inter: 5000, fastinter: 500, downinter: 60000, rise: 4, fall: 1, port: 8080, checkSsl: true, checkSni: 'api.example', checkSendProxy: true, slowstart: 30000, track: { backend: 'be2', server: 's3' }, onMarkedDown: 'shutdown-sessions' });
  });

  it('reports bad values with haproxy texts', () => {
    const { errors, warnings } = parseServerChecks('s1', {
      check: [],
      rise: ['0'],
      inter: ['2x'],
      'on-error': ['explode'],
      observe: ['layer7'],
      track: ['s2'],
      'agent-check': [],
    });
    expect(errors).toEqual([
      "'rise' has to be > 0.",
      "unexpected character 'x' in argument <2x> to <inter> of server s1.",
      'server s1 does not have agent port. Agent check has been disabled.',
      "'on-error' expects one of 'fastinter', 'fail-check', 'sudden-death' or 'mark-down' but got 'explode'",
      'unable to enable checks and tracking at the same time!',
    ]);
    // HAProxy prints this one as an alert but still accepts the config (srv_parse_observe returns ERR_ALERT only).
    expect(warnings).toEqual(["'layer7' can only be used in http proxies."]);
  });

  it('takes observe layer7 in http proxies', () => {
    expect(parseServerChecks('s1', { observe: ['layer7'] }, 'http')).toMatchObject({ errors: [], warnings: [], settings: { observe: 'layer7' } });
    expect(parseServerChecks('s1', { observe: ['layer7'] }, 'tcp').settings.observe).toBe('none');
  });

  it('validates init-addr methods', () => {
    expect(parseServerChecks('s1', { 'init-addr': ['last,10.0.0.1,none'] })).toMatchObject({ errors: [], settings: { initAddr: ['last', '10.0.0.1', 'none'] } });
    expect(parseServerChecks('s1', { 'init-addr': ['dns,10.0.0.1,10.0.0.2'] }).errors).toEqual([
      "'init-addr' : unknown init-addr method 'dns', supported methods are 'libc', 'last', 'none'.",
      "'init-addr' : initial address already specified, cannot add '10.0.0.2'.",
    ]);
  });

  it('lets no-check cancel an inherited check and reads the agent settings', () => {
    const { settings } = parseServerChecks('s1', { check: [], 'no-check': [], 'agent-check': [], 'agent-port': ['9999'], 'agent-send': ['ping\n'], inter: ['3s'] });
    expect(settings.check).toBe(false);
    expect(settings.agent).toEqual({ port: 9999, inter: 3000, send: 'ping\n' });
  });
});

describe('check targets (src/check.c init_srv_check)', () => {
  const timeouts = { connect: 1000, check: 500 };
  it('inherits ssl and send-proxy from the server when neither port nor addr is set', () => {
    const { settings } = parseServerChecks('s1', { check: [], ssl: [], 'send-proxy-v2': [] });
    const t = checkTargets('s1', settings, { host: '10.0.0.1', port: 443 }, timeouts);
    expect(t.check).toEqual({ host: '10.0.0.1', port: 443, ssl: true, sendProxy: 'v2', timeout: { inter: 2000, connect: 1000, check: 500 } });
  });

  it('does not inherit them with a check port or addr', () => {
    const { settings } = parseServerChecks('s1', { check: [], ssl: [], port: ['8080'], addr: ['10.0.0.9'] });
    const t = checkTargets('s1', settings, { host: '10.0.0.1', port: 443 }, timeouts);
    expect(t.check).toEqual({ host: '10.0.0.9', port: 8080, timeout: { inter: 2000, connect: 1000, check: 500 } });
  });

  it('needs a port somewhere, and sends the agent to its own address', () => {
    const { settings } = parseServerChecks('s1', { check: [], 'agent-check': [], 'agent-port': ['5555'], 'agent-addr': ['10.0.0.7'] });
    const t = checkTargets('s1', settings, { host: '10.0.0.1' }, {});
    expect(t.errors).toEqual(["server 's1' has neither service port nor check port."]);
    expect(t.agent).toEqual({ host: '10.0.0.7', port: 5555, timeout: { inter: 2000 } });
    expect(checkTargets('s1', settings, { host: '10.0.0.1' }, {}, true).errors).toEqual([]);
  });
});
