// Check rules inherited from `defaults` sections, differential against the real HAProxy 2.6: one
// config file, named defaults (`listen X from D`) and one anonymous defaults; haproxy runs it and
// `haproxy -c` validates it, hapair parses the same text with its own parser, and the bytes the
// first check of each proxy writes must be equal (tcpcheck.c / proxy.c ruleset inheritance).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTargets, parseServerChecks } from '../../src/checks/check-params.ts';
import { parseProxyChecks } from '../../src/checks/proxy-checks.ts';
import { runTcpCheck } from '../../src/checks/tcpcheck-run.ts';
import { parseConfigText } from '../../src/config/config.ts';
import { formatDiagnostic } from '../../src/config/diagnostics.ts';
import { closedPort, endOracle, firstChecksDone, peer, type Peer } from './check-peers.ts';

const HAPROXY = '/usr/sbin/haproxy';

interface Case {
  readonly name: string;
  /** Lines of the defaults section the proxy uses. */
  readonly defaults: readonly string[];
  /** The proxy's own check lines. */
  readonly proxy: readonly string[];
  /** Lines of a parent defaults section: the proxy's defaults is then built `from` it. */
  readonly parent?: readonly string[];
}

const CASES: readonly Case[] = [
  { name: 'tcp_inherited', defaults: ['option tcp-check', 'tcp-check send from-defaults\\n'], proxy: [] },
  { name: 'tcp_own_rules_win', defaults: ['option tcp-check', 'tcp-check send from-defaults\\n'], proxy: ['tcp-check send own\\n'] },
  { name: 'tcp_option_again', defaults: ['option tcp-check', 'tcp-check send from-defaults\\n'], proxy: ['option tcp-check'] },
  { name: 'tcp_rules_without_option', defaults: ['tcp-check send unused\\n'], proxy: ['option tcp-check', 'tcp-check send own\\n'] },
  { name: 'http_inherited', defaults: ['option httpchk GET /d', 'http-check send hdr Host d.example'], proxy: [] },
  { name: 'http_own_option', defaults: ['option httpchk GET /d', 'http-check send hdr Host d.example'], proxy: ['option httpchk GET /own'] },
  { name: 'http_own_send', defaults: ['option httpchk GET /d'], proxy: ['http-check send meth HEAD uri /own ver HTTP/1.1 hdr Host b.example'] },
  // The backend's rule replaces the defaults' ruleset, option request included: nothing is sent.
  { name: 'http_own_expect_only', defaults: ['option httpchk GET /d'], proxy: ['http-check expect status 200'] },
  { name: 'http_rules_before_option', defaults: [], proxy: ['http-check send hdr X-Early 1', 'option httpchk GET /late'] },
  { name: 'http_state_flag', defaults: ['option httpchk GET /s', 'http-check send-state'], proxy: [] },
  // `defaults d from p` chains: d is built from p as a proxy is built from its defaults.
  { name: 'chain_tcp_inherited', parent: ['option tcp-check', 'tcp-check send parent\\n'], defaults: [], proxy: [] },
  { name: 'chain_tcp_child_rules_win', parent: ['option tcp-check', 'tcp-check send parent\\n'], defaults: ['tcp-check send child\\n'], proxy: [] },
  { name: 'chain_tcp_proxy_rules_win', parent: ['option tcp-check', 'tcp-check send parent\\n'], defaults: ['tcp-check send child\\n'], proxy: ['tcp-check send own\\n'] },
  { name: 'chain_tcp_option_again', parent: ['option tcp-check', 'tcp-check send parent\\n'], defaults: ['option tcp-check'], proxy: ['option tcp-check'] },
  // (An empty ruleset makes haproxy 2.6 open no connection at all, so every case sends something.)
  { name: 'chain_tcp_parent_rules_unused', parent: ['tcp-check send unused\\n'], defaults: ['option tcp-check', 'tcp-check send child\\n'], proxy: [] },
  { name: 'chain_tcp_child_rules_unused', parent: [], defaults: ['tcp-check send unused\\n'], proxy: ['option tcp-check', 'tcp-check send own\\n'] },
  { name: 'chain_http_inherited', parent: ['option httpchk GET /p', 'http-check send hdr Host p.example'], defaults: [], proxy: [] },
  { name: 'chain_http_child_send', parent: ['option httpchk GET /p'], defaults: ['http-check send hdr Host c.example'], proxy: [] },
  { name: 'chain_http_child_option', parent: ['option httpchk GET /p', 'http-check send hdr Host p.example'], defaults: ['option httpchk GET /c'], proxy: [] },
  { name: 'chain_http_proxy_send', parent: ['option httpchk GET /p'], defaults: ['http-check send hdr Host c.example'], proxy: ['http-check send meth HEAD uri /own'] },
  { name: 'chain_three_levels', parent: ['option httpchk GET /p'], defaults: ['option tcp-check', 'tcp-check send child\\n'], proxy: [] },
];

/** The anonymous defaults case: the last defaults section, used without `from`. */
const ANON: Case = { name: 'anonymous', defaults: ['option httpchk OPTIONS /anon HTTP/1.1', 'http-check send hdr Host anon.example'], proxy: ['http-check expect status 200-499'] };

let dir = '';
let cfgText = '';
let haproxy: ChildProcess | undefined;
const hapPeers = new Map<string, Peer>();
const ourPeers = new Map<string, Peer>();

function respond(s: net.Socket): void {
  s.once('data', () => s.end('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n'));
  // A check that sends nothing still ends: the peer closes after a short while.
  setTimeout(() => s.end(), 300).unref();
}

beforeAll(async () => {
  if (!existsSync(HAPROXY)) throw new Error(`${HAPROXY} is required for this differential test`);
  dir = mkdtempSync(path.join(os.tmpdir(), 'hapair-defdiff-'));
  const base = '    mode tcp\n    timeout connect 1s\n    timeout check 1s\n    timeout client 5s\n    timeout server 5s\n';
  let cfg = 'global\n    log stdout format raw local0 err\n    max-spread-checks 300\n';
  const section = async (c: Case, from: string | null): Promise<string> => {
    const p = await peer(respond);
    hapPeers.set(c.name, p);
    ourPeers.set(c.name, await peer(respond));
    const lines = c.proxy.map((l) => `    ${l}\n`).join('');
    return `listen ${c.name}${from ? ` from ${from}` : ''}\n    bind 127.0.0.1:${await closedPort()}\n${lines}    server s 127.0.0.1:${p.port} check inter 2s\n`;
  };
  for (const c of CASES) {
    const parent = c.parent ? `defaults p_${c.name}\n${base}${c.parent.map((l) => `    ${l}\n`).join('')}` : '';
    cfg += `${parent}defaults d_${c.name}${c.parent ? ` from p_${c.name}` : ''}\n${base}${c.defaults.map((l) => `    ${l}\n`).join('')}`;
  }
  for (const c of CASES) cfg += await section(c, `d_${c.name}`);
  cfg += `defaults\n${base}${ANON.defaults.map((l) => `    ${l}\n`).join('')}`;
  cfg += await section(ANON, null);
  // hapair reads the same sections; haproxy's global tuning line is not one it serves.
  cfgText = cfg.replace(/^global\n(?: {4}.*\n)*/, '');
  writeFileSync(path.join(dir, 'h.cfg'), cfg);
  haproxy = spawn(HAPROXY, ['-f', path.join(dir, 'h.cfg'), '-db'], { stdio: 'ignore' });
  await firstChecksDone(hapPeers.values());
}, 30_000);

afterAll(() => endOracle(haproxy, dir));

describe('check rules inherited from defaults match haproxy 2.6', () => {
  it('haproxy -c and hapair accept the same config without error', () => {
    const hap = spawnSync(HAPROXY, ['-c', '-f', path.join(dir, 'h.cfg')], { encoding: 'utf8', timeout: 20_000 });
    expect(hap.status, hap.stderr).toBe(0);
    const r = parseConfigText(cfgText, 'h.cfg', { env: {} });
    expect(r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([]);
  });

  for (const c of [...CASES, ANON]) {
    it(c.name, async () => {
      const hap = hapPeers.get(c.name)!;
      const ours = ourPeers.get(c.name)!;
      expect(hap.closed.has(0), 'haproxy ran this check').toBe(true);
      const parsed = parseConfigText(cfgText, 'h.cfg', { env: {} });
      const spec = parsed.config!.proxies.find((p) => p.name === c.name)!;
      const { config } = parseProxyChecks(spec.lines, spec.defaultsLines ?? [], spec.defaultsChain);
      const { settings } = parseServerChecks('s', { check: [] });
      const targets = checkTargets('s', settings, { host: '127.0.0.1', port: ours.port }, { connect: 1000, check: 1000 });
      await runTcpCheck(config.ruleset, targets.check!, { serverStateHeader: () => 'state' });
      for (let i = 0; i < 200 && !ours.closed.has(0); i++) await new Promise((r) => setTimeout(r, 10));
      // `http-check send-state`: the header must be there; its value (ports, node) differs by nature.
      const mask = (b: Buffer) => b.toString('latin1').replace(/(x-haproxy-server-state: )[^\r]*/i, '$1*');
      expect(mask(ours.received[0]!)).toBe(mask(hap.received[0]!));
    });
  }
});
