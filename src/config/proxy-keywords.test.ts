import { describe, expect, it } from 'vitest';
import { formatDiagnostic, parseConfigText } from './config.ts';

const T = 'timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n';

function parse(text: string, env: Record<string, string> = {}) {
  const r = parseConfigText(text, 'p.cfg', { env, hostname: 'node1' });
  return {
    config: r.config,
    errors: r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic),
    warnings: r.diagnostics.filter((d) => d.severity === 'warning').map(formatDiagnostic),
  };
}

/** A valid listen section around `body`. */
const listen = (body: string) => `listen L\n    bind 127.0.0.1:8000\n    ${T}    server s 127.0.0.1:9000\n    ${body}\n`;

describe('proxy keywords', () => {
  it('parse mode, maxconn, retries, timeouts, description, id and disabled', () => {
    const r = parse(listen('mode http\n    maxconn 500\n    retries 5\n    timeout queue 2s\n    timeout tunnel 1h\n    timeout client-fin 1s\n    timeout server-fin 2s\n    description hello  "big world"\n    id 42\n    disabled'));
    expect(r.errors).toEqual([]);
    expect(r.config!.proxies[0]).toMatchObject({
      mode: 'http', maxconn: 500, retries: 5, id: 42, disabled: true, description: 'hello big world',
      timeouts: { connect: 5000, client: 30000, server: 30000, queue: 2000, tunnel: 3_600_000, clientFin: 1000, serverFin: 2000 },
    });
  });

  it('treat timeout 0 as unset, derive the queue timeout from connect, and warn when a timeout is set twice', () => {
    const r = parse(listen('timeout client 0\n    timeout server 1s'));
    expect(r.config?.proxies[0].timeouts).toEqual({ connect: 5000, server: 1000, queue: 5000, tarpit: 5000 });
    expect(r.warnings).toContain("p.cfg:8: listen 'L': overwriting 'timeout server' which was already specified");
    expect(r.warnings.some((w) => w.includes('missing timeouts'))).toBe(true);
  });

  it('parse every balance algorithm with its arguments', () => {
    const cases: Array<[string, string, string[]]> = [
      ['balance', 'roundrobin', []],
      ['balance static-rr', 'static-rr', []],
      ['balance leastconn', 'leastconn', []],
      ['balance first', 'first', []],
      ['balance source', 'source', []],
      ['balance random', 'random', ['2']],
      ['balance random(3)', 'random', ['3']],
      ['balance uri whole len 10 depth 2 path-only', 'uri', ['whole', 'len', '10', 'depth', '2', 'path-only']],
      ['balance url_param userid check_post', 'url_param', ['userid', 'check_post']],
      ['balance hdr(Host) use_domain_only', 'hdr', ['Host', 'use_domain_only']],
      ['balance rdp-cookie', 'rdp-cookie', ['mstshash']],
      ['balance rdp-cookie(user)', 'rdp-cookie', ['user']],
    ];
    for (const [line, algorithm, args] of cases) {
      const r = parse(listen(`mode http\n    ${line}`));
      expect(r.errors, line).toEqual([]);
      expect(r.config!.proxies[0].balance, line).toMatchObject({ algorithm, args });
    }
  });

  it('fall back to roundrobin for HTTP hashes in tcp mode, with HAProxy\'s warning', () => {
    const r = parse(listen('balance uri'));
    expect(r.config!.proxies[0].balance).toMatchObject({ algorithm: 'roundrobin', args: [] });
    expect(r.warnings).toEqual(["p.cfg:1: listen 'L': Layer 7 hash not possible for listen 'L' (needs 'mode http'). Falling back to round robin."]);
  });

  it('refuse malformed balance lines', () => {
    const bad: Array<[string, RegExp]> = [
      ['balance roundrobbin', /only supports .*\(got 'roundrobbin'\); did you mean 'roundrobin'\?/],
      ['balance random(0)', /number of draws/],
      ['balance random(2', /missing closing parenthesis/],
      ['balance leastconn 3', /'balance leastconn' cannot handle unexpected argument '3'/],
      ['balance uri len 0', /'len' expects a positive integer/],
      ['balance url_param', /requires an URL parameter name/],
      ['balance hdr()', /hdr requires an http header field name/],
      ['balance hash req.cook(s)', /'balance hash' is not supported yet/],
    ];
    for (const [line, re] of bad) expect(parse(listen(line)).errors.join('\n'), line).toMatch(re);
  });

  it('parse hash-type, with avalanche implied by consistent alone', () => {
    const ht = (line: string) => parse(listen(line)).config!.proxies[0].balance;
    expect(ht('hash-type consistent')).toMatchObject({ hashType: 'consistent', hashFunction: 'sdbm', hashAvalanche: true });
    expect(ht('hash-type consistent djb2')).toMatchObject({ hashType: 'consistent', hashFunction: 'djb2', hashAvalanche: false });
    expect(ht('hash-type map-based crc32 avalanche')).toMatchObject({ hashType: 'map-based', hashFunction: 'crc32', hashAvalanche: true });
    expect(parse(listen('hash-type consistent md5')).errors.join()).toMatch(/only supports 'sdbm', 'djb2', 'crc32', or 'wt6'/);
    expect(parse(listen('hash-type avalanche')).errors.join()).toMatch(/not supported anymore/);
  });

  it('parse options, no option and default option', () => {
    const r = parse(`defaults\n    option dontlognull\n    option allbackups\n    option redispatch\nlisten L\n    bind 127.0.0.1:8000\n    ${T}    server s 127.0.0.1:9000\n    no option dontlognull\n    default option allbackups\n    option redispatch 2\n`);
    expect(r.errors).toEqual([]);
    expect(r.config!.proxies[0].options).toEqual({ dontlognull: false, redispatch: true });
    expect(r.config!.proxies[0].redispatch).toEqual({ interval: 2 });
    const off = parse(listen('option redispatch\n    no option redispatch')).config!.proxies[0];
    expect(off.redispatch).toBeUndefined();
    expect(off.options.redispatch).toBe(false);
    expect(parse(listen('option redispatch')).config!.proxies[0].redispatch).toEqual({ interval: -1 });
  });

  it('take option http-buffer-request in defaults, frontend, listen and backend, and its no form', () => {
    const r = parse(`defaults\n    mode http\n    ${T}    option http-buffer-request\nfrontend F\n    bind 127.0.0.1:8000\n    no option http-buffer-request\n    default_backend B\n` +
      `backend B\n    server s 127.0.0.1:9000\nlisten L\n    bind 127.0.0.1:8001\n    no option http-buffer-request\n    option http-buffer-request\n    server s 127.0.0.1:9000\n` +
      `backend C\n    no option http-buffer-request\n    server s 127.0.0.1:9000\n`);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    const opt = (name: string) => r.config!.proxies.find((p) => p.name === name)!.options['http-buffer-request'];
    expect([opt('F'), opt('B'), opt('L'), opt('C')]).toEqual([false, true, true, false]);
    expect(parse(listen('option http-buffer-request extra')).errors.join()).toMatch(/http-buffer-request/);
  });

  it('warn that option http-buffer-request is ignored in mode tcp, as HAProxy 2.6 does', () => {
    const r = parse(`defaults\n    mode tcp\n    option http-buffer-request\n${listen('')}backend B\n    no option http-buffer-request\n    ${T}    server s 127.0.0.1:9000\n`);
    expect(r.errors).toEqual([]);
    expect(r.warnings.filter((w) => w.includes('http-buffer-request'))).toEqual(["p.cfg:4: listen 'L': 'option http-buffer-request' ignored for proxy 'L' as it requires HTTP mode."]);
  });

  it('refuse planned, unknown, removed and non-negatable options', () => {
    const r = parse(listen('option logasap\n    option ldap-chek\n    option forceclose\n    no option tcplog\n    option tcplog extra\n    option'));
    expect(r.errors).toEqual([
      "p.cfg:7: listen 'L': option 'logasap' is not supported yet",
      "p.cfg:8: listen 'L': unknown option 'ldap-chek'; did you mean 'ldap-check'?",
      "p.cfg:9: listen 'L': option 'forceclose' is not supported any more since HAProxy 2.0, please just remove it, or use 'option httpclose' if absolutely needed",
      "p.cfg:10: listen 'L': negation/default is not supported for option 'tcplog'",
      "p.cfg:11: listen 'L': 'option tcplog' cannot handle unexpected argument 'extra'",
      "p.cfg:12: listen 'L': 'option' expects an option name",
    ]);
  });

  it('parse log targets, log global and no log', () => {
    const r = parse(`global\n    log 127.0.0.1:514 local0\n    log stdout format raw daemon info\ndefaults\n    log global\nlisten L\n    bind 127.0.0.1:8000\n    ${T}    server s 127.0.0.1:9000\n    log global\n    log 127.0.0.2 len 2048 format rfc5424 local1 notice err\nlisten M\n    bind 127.0.0.1:8001\n    ${T}    server s 127.0.0.1:9000\n    no log\n`);
    expect(r.errors).toEqual([]);
    const [l, m] = r.config!.proxies;
    const g = r.config!.global.logs;
    expect(g).toHaveLength(2);
    expect(g[0]).toMatchObject({ kind: 'udp', host: '127.0.0.1', port: 514, facility: 'local0', format: 'local', defaultFormat: true, len: 1024, level: 'debug', minlevel: 'emerg' });
    expect(g[1]).toMatchObject({ kind: 'stdout', format: 'raw', facility: 'daemon', level: 'info' });
    // `log global` in the proxy does not duplicate the targets inherited from `defaults ... log global`.
    expect(l.logs).toHaveLength(3);
    expect(l.logs.slice(0, 2)).toEqual(g);
    expect(l.logs[2]).toMatchObject({ host: '127.0.0.2', port: 514, len: 2048, format: 'rfc5424', facility: 'local1', level: 'notice', minlevel: 'err', loc: { line: 13 } });
    expect(m.logs).toEqual([]);
  });

  it('refuse malformed log lines, and unix datagram targets with the remedy', () => {
    const r = parse(listen('log /dev/log local0\n    log 127.0.0.1 locl0\n    log 127.0.0.1 len 10 local0\n    log 127.0.0.1 local0 info debug extra\n    log 127.0.0.1 sample 1:2 local0\n    log 127.0.0.1'));
    expect(r.errors[0]).toMatch(/^p\.cfg:7: listen 'L': '\/dev\/log': unix datagram log targets are not supported .*'log 127\.0\.0\.1:514 \.\.\.'.*'log stdout'$/);
    expect(r.errors.slice(1)).toEqual([
      "p.cfg:8: listen 'L': unknown log facility 'locl0'; did you mean 'local0'?",
      "p.cfg:9: listen 'L': invalid log length '10', must be between 80 and 65535",
      "p.cfg:10: listen 'L': 'log' cannot handle unexpected argument 'extra'",
      "p.cfg:11: listen 'L': 'log ... sample' is not supported yet",
      "p.cfg:12: listen 'L': 'log' expects <address> and <facility> or global as arguments",
    ]);
  });

  it("parse use_backend and default_backend; refuse unknown ACLs and dynamic names", () => {
    const r = parse(`frontend F\n    bind 127.0.0.1:8000\n    timeout client 1s\n    use_backend B1\n    default_backend B2\nbackend B1\n    ${T}    server s 127.0.0.1:9000\nbackend B2\n    ${T}    server s 127.0.0.1:9000\n`);
    expect(r.errors).toEqual([]);
    expect(r.config!.proxies[0]).toMatchObject({ useBackends: [{ backend: 'B1', loc: { line: 4 } }], defaultBackend: 'B2' });
    const bad = parse(`frontend F\n    bind 127.0.0.1:8000\n    use_backend B1 if { src 10.0.0.1 }\n    use_backend B1 unless x\n    use_backend B%[req.hdr(host)]\n    use_backend B1 when\n    use_backend\n`);
    expect(bad.errors).toEqual([
      "p.cfg:4: frontend 'F': error detected while parsing switching rule : no such ACL : 'x'.",
      "p.cfg:5: frontend 'F': dynamic 'use_backend' names (log-format expressions) are not supported yet",
      "p.cfg:6: frontend 'F': unexpected keyword 'when' after switching rule, only 'if' and 'unless' are allowed",
      "p.cfg:7: frontend 'F': 'use_backend' expects a backend name",
      "p.cfg:3: frontend 'F': unable to find required use_backend: 'B1'",
    ]);
  });

  it('refuse unknown keywords with a did-you-mean hint, and planned ones by name', () => {
    const r = parse(listen('balanse roundrobin\n    timeout clinet 5s\n    timeout\n    tcp-response content accept\n    persist rdp-cookie\n    ldap-check\n    frobnicate\n    contimeout 5s'));
    expect(r.errors).toEqual([
      "p.cfg:7: listen 'L': unknown keyword 'balanse'; did you mean 'balance'?",
      "p.cfg:8: listen 'L': unknown timeout 'clinet'; did you mean 'client'?",
      "p.cfg:9: listen 'L': 'timeout' expects one of 'connect', 'client', 'server', 'queue', 'tunnel', 'client-fin', 'server-fin', 'check', 'http-request', 'http-keep-alive', 'tarpit'",
      "p.cfg:10: listen 'L': 'tcp-response' is not supported yet",
      "p.cfg:11: listen 'L': 'persist' is not supported yet",
      "p.cfg:12: listen 'L': unknown keyword 'ldap-check'; did you mean 'option ldap-check'?",
      "p.cfg:13: listen 'L': unknown keyword 'frobnicate'",
      "p.cfg:14: listen 'L': the 'contimeout' directive is not supported anymore since HAProxy 2.1; use 'timeout connect'",
    ]);
  });

  it("refuse 'no'/'default' on other keywords, and invalid values", () => {
    const r = parse(listen('no maxconn 10\n    maxconn lots\n    retries -1\n    mode udp\n    mode health\n    id 0\n    disabled now'));
    expect(r.errors).toEqual([
      "p.cfg:7: listen 'L': negation/default is only supported for options and log",
      "p.cfg:8: listen 'L': 'maxconn' expects an integer argument: 'lots' is not an integer",
      "p.cfg:9: listen 'L': 'retries' expects an integer argument (dispatch counts for one): '-1' must be >= 0",
      "p.cfg:10: listen 'L': unknown proxy mode 'udp'",
      "p.cfg:11: listen 'L': 'mode health' doesn't exist anymore; use 'http-request return status 200' instead",
      "p.cfg:12: listen 'L': custom id has to be > 0: '0' must be >= 1",
      "p.cfg:13: listen 'L': 'disabled' cannot handle unexpected argument 'now'",
    ]);
  });

  it('apply the sections matrix: errors for bind/server where impossible, warnings where HAProxy ignores', () => {
    const r = parse(`defaults\n    bind :80\n    id 3\n    description x\n    use_backend B\nfrontend F\n    bind 127.0.0.1:8000\n    timeout client 1s\n    server s 127.0.0.1:1\n    default-server weight 2\n    balance leastconn\n    timeout server 1s\n    option allbackups\n    default_backend B\nbackend B\n    ${T}    server s 127.0.0.1:9000\n    bind 127.0.0.1:8001\n    maxconn 10\n    option dontlognull\n    option tcplog\n    use_backend X\n`);
    expect(r.errors).toEqual([
      "p.cfg:2: defaults: 'bind' not allowed in 'defaults' section",
      "p.cfg:3: defaults: 'id' not allowed in 'defaults' section",
      "p.cfg:4: defaults: 'description' not allowed in 'defaults' section",
      "p.cfg:5: defaults: 'use_backend' not allowed in 'defaults' section",
      "p.cfg:9: frontend 'F': 'server' not allowed because frontend 'F' has no backend capability",
      "p.cfg:10: frontend 'F': 'default-server' not allowed because frontend 'F' has no backend capability",
      "p.cfg:20: backend 'B': 'bind' not allowed because backend 'B' has no frontend capability",
    ]);
    expect(r.warnings).toEqual([
      "p.cfg:11: frontend 'F': 'balance' ignored because frontend 'F' has no backend capability",
      "p.cfg:12: frontend 'F': 'timeout server' ignored because frontend 'F' has no backend capability",
      "p.cfg:13: frontend 'F': 'allbackups' ignored because frontend 'F' has no backend capability",
      "p.cfg:17: backend 'B': 'timeout client' ignored because backend 'B' has no frontend capability",
      "p.cfg:21: backend 'B': 'maxconn' ignored because backend 'B' has no frontend capability",
      "p.cfg:22: backend 'B': 'dontlognull' ignored because backend 'B' has no frontend capability",
      "p.cfg:23: backend 'B': backend 'B' : 'option tcplog' directive is ignored in backends",
      "p.cfg:24: backend 'B': 'use_backend' ignored because backend 'B' has no frontend capability",
    ]);
  });
});

describe('bind lines', () => {
  it('parse the BindSpec parameters and keep every keyword raw', () => {
    const r = parse(`frontend F\n    bind 127.0.0.1:8000,[::1]:8000 name web maxconn 100 backlog 64 v4v6 v6only\n    bind /run/x.sock mode 0660 user haproxy group adm\n    bind unix@y.sock uid 100 gid 200\n    bind fd@\${FD}\n    timeout client 1s\n    default_backend B\nbackend B\n    ${T}    server s 127.0.0.1:9000\n`, { FD: '4' });
    expect(r.errors).toEqual([]);
    const [b1, b2, b3, b4] = r.config!.proxies[0].binds;
    expect(b1).toMatchObject({
      addresses: [{ kind: 'tcp', host: '127.0.0.1', port: 8000, family: 4 }, { kind: 'tcp', host: '::1', port: 8000, family: 6 }],
      name: 'web', maxconn: 100, backlog: 64, v4v6: true, v6only: true,
    });
    expect(b1.ssl).toBeUndefined();
    expect(b1.raw).toEqual({ name: ['web'], maxconn: ['100'], backlog: ['64'], v4v6: [], v6only: [] });
    expect(b2).toMatchObject({ addresses: [{ kind: 'unix', path: '/run/x.sock' }], mode: 0o660, user: 'haproxy', group: 'adm' });
    expect(b3).toMatchObject({ addresses: [{ kind: 'unix', path: 'y.sock' }], user: '100', group: '200' });
    expect(b4.addresses).toEqual([{ kind: 'fd', fd: 4 }]);
  });

  it('refuse what the runtime does not serve yet: accept-proxy, transparent, interface, TLS settings node:tls lacks', () => {
    const r = parse(`frontend F\n    bind 127.0.0.1:8000 accept-proxy transparent interface lo\n    bind 127.0.0.1:8443 ssl crt /a.pem no-ca-names ca-verify-file /l.txt\n    timeout client 1s\n`);
    expect(r.errors).toEqual([
      "p.cfg:2: frontend 'F': 'bind 127.0.0.1:8000' : 'accept-proxy' is not supported yet",
      "p.cfg:2: frontend 'F': 'bind 127.0.0.1:8000' : 'transparent' is not supported yet",
      "p.cfg:2: frontend 'F': 'bind 127.0.0.1:8000' : 'interface' is not supported yet",
      "p.cfg:3: frontend 'F': 'bind 127.0.0.1:8443' : 'no-ca-names' is not supported yet",
      "p.cfg:3: frontend 'F': 'bind 127.0.0.1:8443' : 'ca-verify-file' is not supported yet",
    ]);
  });

  it('refuse planned, unknown, stats-only and malformed bind keywords', () => {
    const r = parse(`frontend F\n    bind 127.0.0.1:8000 tfo defer-accept\n    bind 127.0.0.1:8001 nam web\n    bind 127.0.0.1:8002 level admin\n    bind /x.sock mode rw\n    bind 127.0.0.1:8003 maxconn\n    bind abns@x\n    bind\n    timeout client 1s\n`);
    expect(r.errors).toEqual([
      "p.cfg:2: frontend 'F': 'bind 127.0.0.1:8000' : 'tfo' is not supported yet",
      "p.cfg:2: frontend 'F': 'bind 127.0.0.1:8000' : 'defer-accept' is not supported yet",
      "p.cfg:3: frontend 'F': 'bind 127.0.0.1:8001' : unknown keyword 'nam'; did you mean 'name'?",
      "p.cfg:4: frontend 'F': 'bind 127.0.0.1:8002' : 'level' is only supported on 'stats socket' lines",
      "p.cfg:5: frontend 'F': 'bind /x.sock' : 'mode' : missing or invalid mode 'rw' (octal integer expected)",
      "p.cfg:6: frontend 'F': 'bind 127.0.0.1:8003' : 'maxconn' : missing value",
      "p.cfg:7: frontend 'F': 'bind abns@x' : abstract namespace sockets (abns@) are not supported in 'abns@x'",
      "p.cfg:8: frontend 'F': 'bind' expects {<path>|[addr1]:port1[-end1]}{,[addr]:port[-end]}... as arguments",
    ]);
  });
});

describe('global keywords', () => {
  it('parse the supported keywords with defaults applied', () => {
    const r = parse(`global\n    maxconn 2000\n    daemon\n    pidfile /run/hapair.pid\n    nbthread 4\n    localpeer lb1\n    log-tag hapair\n    log-send-hostname\n    server-state-file /var/lib/s\n    server-state-base /var/lib\n    stats socket /run/admin.sock mode 660 level admin expose-fd listeners\n    stats socket 127.0.0.1:9999\n    stats timeout 30s\n`);
    expect(r.errors).toEqual([]);
    expect(r.config!.global).toMatchObject({
      maxconn: 2000, daemon: true, pidfile: '/run/hapair.pid', nbthread: 4, localpeer: 'lb1', logTag: 'hapair',
      logSendHostname: 'node1', serverStateFile: '/var/lib/s', serverStateBase: '/var/lib', statsTimeout: 30_000,
      loc: { file: 'p.cfg', line: 1 },
    });
    expect(r.config!.global.statsSockets).toEqual([
      { address: { kind: 'unix', path: '/run/admin.sock' }, level: 'admin', mode: 0o660, raw: { mode: ['660'], level: ['admin'], 'expose-fd': ['listeners'] }, loc: { file: 'p.cfg', line: 11 } },
      { address: { kind: 'tcp', host: '127.0.0.1', port: 9999, family: 4 }, level: 'operator', raw: {}, loc: { file: 'p.cfg', line: 12 } },
    ]);
  });

  it('default every unset global setting', () => {
    const g = parse('global\n').config!.global;
    expect(g).toEqual({ maxconn: 4096, logs: [], statsSockets: [], statsTimeout: 10_000, daemon: false, nbthread: 1, lines: [], loc: { file: 'p.cfg', line: 1 } });
  });

  it('keep the first of repeated single-valued keywords, with HAProxy\'s notice', () => {
    const r = parse('global\n    maxconn 100\n    maxconn 200\n    pidfile /a\n    pidfile /b\n');
    expect(r.config!.global).toMatchObject({ maxconn: 100, pidfile: '/a' });
    expect(r.warnings).toEqual([
      "p.cfg:3: global: 'maxconn' already specified. Continuing.",
      "p.cfg:5: global: 'pidfile' already specified. Continuing.",
    ]);
  });

  it('refuse unknown, planned and malformed global keywords', () => {
    const r = parse('global\n    maxcon 10\n    chroot /var/lib/haproxy\n    stats maxconn 10\n    stats sokcet /x\n    nbthread 65\n    stats timeout 0\n    log /dev/log local0\n    log global\n    nbproc 2\n    no daemon\n    daemon now\n    stats socket /x.sock level root\n');
    expect(r.errors[0]).toBe("p.cfg:2: global: unknown keyword 'maxcon'; did you mean 'maxconn'?");
    expect(r.errors.slice(1)).toEqual([
      "p.cfg:3: global: 'chroot' is not supported yet",
      "p.cfg:4: global: 'stats maxconn' is not supported yet",
      "p.cfg:5: global: 'stats' only supports 'socket', 'maxconn', 'bind-process' and 'timeout' (got 'sokcet'); did you mean 'socket'?",
      "p.cfg:6: global: 'nbthread' value must be between 1 and 64: '65' must be between 1 and 64",
      "p.cfg:7: global: 'stats timeout' expects a positive value",
      expect.stringMatching(/^p\.cfg:8: global: '\/dev\/log': unix datagram log targets are not supported/),
      "p.cfg:9: global: 'log global' is not supported for a global syslog server",
      "p.cfg:10: global: 'nbproc' is not supported anymore since HAProxy 2.5; use 'nbthread'",
      'p.cfg:11: global: negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping',
      "p.cfg:12: global: 'daemon' cannot handle unexpected argument 'now'",
      "p.cfg:13: global: 'stats socket /x.sock' : 'level' only supports 'user', 'operator', and 'admin' (got 'root')",
    ]);
  });

  it("makes localpeer visible as HAPROXY_LOCALPEER to the lines after it, like HAProxy's setenv", () => {
    const r = parse('global\n    localpeer lb2\nlisten L\n    bind 127.0.0.1:8000\n    description "${HAPROXY_LOCALPEER}"\n    ' + T + '    server s 127.0.0.1:9000\n');
    expect(r.config!.proxies[0].description).toBe('lb2');
  });
});

describe('monitor-uri and monitor fail', () => {
  const HTTP = `defaults\n    mode http\n    ${T}    monitor-uri /dmon\n`;

  it('build the monitor of http proxies with a frontend side: own or inherited URI, the fail conditions in order', () => {
    const r = parse(`${HTTP}frontend F\n    bind 127.0.0.1:8000\n    monitor-uri /mon\n    monitor fail if { nbsrv(B) lt 1 }\n    monitor fail unless TRUE\n    default_backend B\n` +
      'listen L\n    bind 127.0.0.1:8001\n    server s 127.0.0.1:9000\nbackend B\n    server s 127.0.0.1:9000\n');
    expect(r.errors).toEqual([]);
    const [f, l, b] = r.config!.proxies;
    expect(f.monitor?.uri).toBe('/mon');
    expect(f.monitor?.fail.map((c) => c.text)).toEqual(['if { nbsrv(B) lt 1 }', 'unless TRUE']);
    expect(l.monitor).toEqual({ uri: '/dmon', fail: [] });
    expect(b.monitor).toBeUndefined();
  });

  it('ignore them in mode tcp with HAProxy\'s warning, inherited or not', () => {
    const r = parse(`${HTTP}frontend F\n    mode tcp\n    bind 127.0.0.1:8000\n    default_backend B\nbackend B\n    mode tcp\n    server s 127.0.0.1:9000\n`);
    expect(r.errors).toEqual([]);
    expect(r.config!.proxies[0].monitor).toBeUndefined();
    expect(r.warnings).toContain("p.cfg:7: frontend 'F': monitor-uri will be ignored for frontend 'F' (needs 'mode http').");
  });

  it("resolve nbsrv's backend after parsing: declared later, unknown, or the frontend itself", () => {
    const ok = parse(`${HTTP}frontend F\n    bind 127.0.0.1:8000\n    monitor fail if { nbsrv(B) lt 1 }\n    default_backend B\nbackend B\n    server s 127.0.0.1:9000\n`);
    expect(ok.errors).toEqual([]);
    const bad = parse(`${HTTP}frontend F\n    bind 127.0.0.1:8000\n    monitor fail if { nbsrv(X) lt 1 }\n    monitor fail if { nbsrv lt 1 }\n    monitor fail if { nbsrv(F) lt 1 }\n    default_backend B\nbackend B\n    server s 127.0.0.1:9000\n`);
    expect(bad.errors).toEqual([
      "p.cfg:10: frontend 'F': proxy 'F', referenced in arg 1 of ACL keyword 'nbsrv' in proxy 'F', has not backend capability.",
      "p.cfg:9: frontend 'F': unable to find backend 'X' referenced in arg 1 of ACL keyword 'nbsrv' in proxy 'F'.",
      "p.cfg:11: frontend 'F': unable to find backend 'F' referenced in arg 1 of ACL keyword 'nbsrv' in proxy 'F'.",
    ]);
  });
});
