// The `hapair` command end to end: the real entry on the pinned Node, real sockets on 127.0.0.1.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort, runHapair, startHapair, waitFor, waitForPort, type Running } from '../support/process.ts';
import { startEchoServer, startUdpCollector, type EchoServer, type UdpCollector } from '../support/servers.ts';

const dir = mkdtempSync(join(tmpdir(), 'hapair-cli-'));
const running: Running[] = [];

function writeCfg(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function start(args: string[]): Running {
  const r = startHapair(args);
  running.push(r);
  return r;
}

afterEach(async () => {
  for (const r of running.splice(0)) {
    if (r.child.exitCode === null && r.child.signalCode === null) {
      r.child.kill('SIGKILL');
      await r.exited;
    }
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ADVANCED = readFileSync(new URL('../fixtures/config/seed-advanced.cfg', import.meta.url), 'utf8');

describe('hapair help and version', () => {
  it('prints usage with --help and exits 0', async () => {
    const r = await runHapair(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: hapair <command>');
    const p = await runHapair(['proxy', '--help']);
    expect(p.code).toBe(0);
    expect(p.stdout).toContain('-f FILE|DIR');
  });

  it('rejects an unknown command with exit 1', async () => {
    const r = await runHapair(['frobnicate']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });

  it('prints the version with -v', async () => {
    const r = await runHapair(['-v']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^hapair version \d+\.\d+\.\d+ \(Node\.js v24\./);
  });
});

describe('hapair check', () => {
  it("accepts the seed's minimal config verbatim (addresses changed)", async () => {
    const file = writeCfg('minimal.cfg', 'listen GITSSH\n    bind      127.0.0.1:2222\n    mode      tcp\n    option    tcplog\n    server    comue-forge 127.0.0.1:22\n');
    const r = await runHapair(['check', '-f', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Configuration file is valid\n');
    const c = await runHapair(['proxy', '-c', '-f', file]);
    expect(c.code).toBe(0);
    expect(c.stdout).toBe('Configuration file is valid\n');
  });

  it("accepts the seed's advanced config (health checks, ldap-check, server TLS)", async () => {
    // `hapair check` resolves server names as `haproxy -c` does (init-addr libc): the seed's LDAP
    // hosts only resolve on its network, so they become `localhost` (from /etc/hosts) here.
    const file = writeCfg('advanced.cfg', ADVANCED.replace(/ldap(?:1|2|-backup)\.example\.org/g, 'localhost'));
    const r = await runHapair(['check', '-f', file]);
    expect(r.stderr).not.toMatch(/\[ALERT\]/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Configuration file is valid/);
    // The certificate-verification difference with HAProxy is said, once per server.
    expect(r.stderr.split('\n').filter((l) => l.includes('no CA file specified'))).toHaveLength(3);
  });

  it('reports check keyword errors at file:line', async () => {
    const file = writeCfg('bad-checks.cfg', ADVANCED.replace('rise 15', 'rise 0').replace('on-error mark-down', 'on-error explode'));
    const r = await runHapair(['check', '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${file}:11: .*'rise' has to be > 0`));
    expect(r.stderr).toMatch(new RegExp(`${file}:11: .*'on-error' expects one of`));
  });

  it('reports every error at once with file:line and a did-you-mean hint', async () => {
    const file = writeCfg('typos.cfg', 'listen X\n    bind 127.0.0.1:1\n    mode tcp\n    balanse roundrobin\n    server s1 127.0.0.1:2 wieght 3\n    timeout clinet 5s\n');
    const r = await runHapair(['check', '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${file}:4: listen 'X': .*'balanse'.*did you mean 'balance'`));
    expect(r.stderr).toMatch(new RegExp(`${file}:5: listen 'X': .*'wieght'.*did you mean 'weight'`));
    expect(r.stderr).toMatch(new RegExp(`${file}:6: .*'clinet'.*did you mean 'client'`));
  });

  it('validates keepalive sections with the proxy sections, errors at file:line', async () => {
    const key = writeCfg('ka.key', `1 ${'ab'.repeat(32)}\n`);
    const ka = (extra: string) =>
      `keepalive VI_1\n    interface eth0\n    vrid 51\n    node lb1 10.0.0.11 priority 150\n    node lb2 10.0.0.12 priority 100\n` +
      `    virtual-ip 10.0.0.100/24\n    auth-key-file ${key}\n    track-proxy socket /run/hapair/api.sock weight -100\n${extra}`;
    const good = await runHapair(['check', '-f', writeCfg('ka-good.cfg', ka(''))]);
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
    const file = writeCfg('ka-bad.cfg', ka('    advert-int fast\n    virtual-ipp 10.0.0.101/24\n'));
    const bad = await runHapair(['check', '-f', file]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(new RegExp(`${file}:9: keepalive 'VI_1': .*advert-int`));
    expect(bad.stderr).toMatch(new RegExp(`${file}:10: keepalive 'VI_1': .*'virtual-ipp'`));
  });

  it('refuses features the runtime does not serve yet instead of ignoring them', async () => {
    const file = writeCfg('gated.cfg', 'global\n    stats socket /tmp/hapair-x.sock level admin\nlisten W\n    bind 127.0.0.1:1\n    mode http\n    cookie SRV insert dynamic\n    server s1 127.0.0.1:2\n');
    const r = await runHapair(['check', '-f', file]);
    expect(r.code).toBe(1);
    // `stats socket` and `mode http` are served now: only the dynamic cookie is refused.
    expect(r.stderr).not.toMatch(/stats socket|mode http/);
    expect(r.stderr).toMatch(new RegExp(`${file}:3: listen 'W': 'cookie \\.\\.\\. dynamic' is not supported yet`));
  });
});

describe('hapair proxy', () => {
  let echo: EchoServer;
  let syslog: UdpCollector;
  beforeAll(async () => {
    echo = await startEchoServer();
    syslog = await startUdpCollector();
  });
  afterAll(async () => {
    await echo.close();
    syslog.close();
  });

  function gitssh(port: number): string {
    return writeCfg(
      `gitssh-${port}.cfg`,
      `global\n    log 127.0.0.1:${syslog.port} local0\ndefaults\n    log global\n    timeout connect 2s\n    timeout client 30s\n    timeout server 30s\n` +
        `listen GITSSH\n    bind      127.0.0.1:${port}\n    mode      tcp\n    option    tcplog\n    server    comue-forge 127.0.0.1:${echo.port}\n`,
    );
  }

  async function roundTrip(port: number, payload: string): Promise<string> {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    s.setEncoding('utf8').on('data', (d: string) => (got += d));
    s.end(payload);
    await new Promise((resolve, reject) => {
      s.on('close', resolve);
      s.on('error', reject);
    });
    return got;
  }

  it('relays through the seed config and sends a tcplog line by syslog', async () => {
    const port = await freePort();
    const p = start(['proxy', '-f', gitssh(port)]);
    await waitForPort(port);
    expect(await roundTrip(port, 'hello through hapair')).toBe('hello through hapair');
    // waitForPort's probe is logged too (HAProxy logs it as well): pick the session that carried data.
    const isOurs = (m: string) => / GITSSH GITSSH\/comue-forge \S+ 20 /.test(m);
    await waitFor(() => syslog.messages.some(isOurs), 10_000, 'tcplog line');
    const line = syslog.messages.find(isOurs)!;
    // <PRI>Mmm dd hh:mm:ss tag[pid]: ci:cp [date] ft b/s Tw/Tc/Tt B ts ac/fc/bc/sc/rc sq/bq
    expect(line).toMatch(
      /^<134>\w{3} [ \d]\d \d\d:\d\d:\d\d hapair\[\d+\]: 127\.0\.0\.1:\d+ \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d\.\d{3}\] GITSSH GITSSH\/comue-forge \d+\/\d+\/\d+ 20 -- \d+\/\d+\/\d+\/\d+\/0 0\/0\n$/,
    );
    p.child.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);
  });

  it('soft-stops on SIGUSR1: the listener closes, the running session finishes', async () => {
    const port = await freePort();
    const p = start(['proxy', '-f', gitssh(port)]);
    await waitForPort(port);
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    s.setEncoding('utf8').on('data', (d: string) => (got += d));
    s.write('first');
    await waitFor(() => got === 'first', 10_000, 'first echo');
    p.child.kill('SIGUSR1');
    // New connections are refused once the listener is closed; the old session still works.
    let refused = false;
    for (let i = 0; i < 100 && !refused; i++) {
      refused = await new Promise<boolean>((resolve) => {
        const c = net.connect(port, '127.0.0.1');
        c.once('connect', () => {
          c.destroy();
          resolve(false);
        });
        c.once('error', () => resolve(true));
      });
      if (!refused) await new Promise((r) => setTimeout(r, 50));
    }
    expect(refused).toBe(true);
    s.write('second');
    await waitFor(() => got === 'firstsecond', 10_000, 'echo after SIGUSR1');
    expect(p.child.exitCode).toBeNull();
    s.end();
    expect((await p.exited).code).toBe(0);
  });

  it('serves an inherited fd@ listener (systemd socket activation style)', async () => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1');
    await new Promise((r) => srv.once('listening', r));
    const port = (srv.address() as net.AddressInfo).port;
    const fd = (srv as unknown as { _handle: { fd: number } })._handle.fd;
    const file = writeCfg('fd.cfg', `defaults\n    timeout connect 2s\n    timeout client 30s\n    timeout server 30s\nlisten FD\n    bind "fd@\${LISTEN_FD}"\n    mode tcp\n    server e 127.0.0.1:${echo.port}\n`);
    const child = startHapairWithFd(['proxy', '-f', file], fd);
    running.push(child);
    srv.close(); // the child holds its own copy of the socket
    expect(await roundTrip(port, 'via fd')).toBe('via fd');
  });

  it('daemonizes with -D and writes the pid file', async () => {
    const port = await freePort();
    const pidfile = join(dir, 'hapair.pid');
    const r = await runHapair(['proxy', '-D', '-p', pidfile, '-f', gitssh(port)]);
    expect(r.code).toBe(0);
    await waitFor(() => existsSync(pidfile), 10_000, 'pid file');
    const pid = Number(readFileSync(pidfile, 'utf8').trim());
    expect(pid).toBeGreaterThan(1);
    try {
      await waitForPort(port);
      expect(await roundTrip(port, 'daemon')).toBe('daemon');
    } finally {
      process.kill(pid, 'SIGTERM');
    }
  });

  it('exits 1 with a clear message when the bind address is in use', async () => {
    const blocker = net.createServer();
    blocker.listen(0, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const r = await runHapair(['proxy', '-f', gitssh(port)]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/cannot bind socket.*127\.0\.0\.1:\d+/);
    } finally {
      blocker.close();
    }
  });
});

function startHapairWithFd(args: string[], fd: number): Running {
  // Child fd 3 is the inherited listening socket; the config names it through ${LISTEN_FD}.
  process.env.LISTEN_FD = '3';
  try {
    return startHapair(args, ['ignore', 'pipe', 'pipe', fd]);
  } finally {
    delete process.env.LISTEN_FD;
  }
}
