// Differential test of check outcomes against the real HAProxy 2.6: haproxy and hapair check the
// same misbehaving peers with `option log-health-checks`; the "Health check for server ..." and
// "Agent check ..." lines must be equal but for the check duration.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerState } from '../../src/backend/server-state.ts';
import { realClock } from '../../src/clock.ts';
import type { ConfigLine } from '../../src/config/model.ts';
import { agentCheckRuleset } from '../../src/checks/agent-check.ts';
import { parseProxyChecks } from '../../src/checks/proxy-checks.ts';
import { runTcpCheck } from '../../src/checks/tcpcheck-run.ts';
import { closedPort, endOracle, peer, type Peer } from './check-peers.ts';

const HAPROXY = '/usr/sbin/haproxy';

interface Case {
  readonly name: string;
  readonly lines: readonly string[];
  readonly respond: (sock: net.Socket) => void;
  readonly agent?: boolean;
  /** The check connects to a closed port given by this tcp-check line template. */
  readonly refusedConnect?: boolean;
}

const endWith = (data: string | Buffer) => (s: net.Socket) => s.once('data', () => s.end(data));
const bannerEnd = (data: string | Buffer) => (s: net.Socket) => s.end(data);
const hex = (h: string): Buffer => Buffer.from(h, 'hex');

const CASES: readonly Case[] = [
  { name: 'http503', lines: ['option httpchk'], respond: endWith('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n') },
  { name: 'httpgarbage', lines: ['option httpchk'], respond: endWith('garbage\r\n\r\n') },
  { name: 'httpclose', lines: ['option httpchk'], respond: (s) => s.once('data', () => s.end()) },
  { name: 'http200', lines: ['option httpchk GET /'], respond: endWith('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n') },
  { name: 'tcpnope', lines: ['option tcp-check', 'tcp-check send PING\\r\\n', 'tcp-check expect string +PONG'], respond: endWith('+NOPE\r\n') },
  { name: 'tcpinv', lines: ['option tcp-check', 'tcp-check send PING\\r\\n', 'tcp-check expect ! string ERR'], respond: endWith('+ERR\r\n') },
  { name: 'tcpempty', lines: ['option tcp-check', 'tcp-check send PING\\r\\n', 'tcp-check expect rstring ^\\+PONG'], respond: (s) => s.once('data', () => s.end()) },
  { name: 'redis', lines: ['option redis-check'], respond: endWith('-ERR unknown command\r\n') },
  { name: 'smtp', lines: ['option smtpchk'], respond: bannerEnd('554 go away\r\n') },
  { name: 'ldap', lines: ['option ldap-check'], respond: endWith('abcdefghijklmnopq') },
  { name: 'ldaperr', lines: ['option ldap-check'], respond: endWith(hex('300c02010161070a013104000400')) },
  { name: 'pgsql', lines: ['option pgsql-check user pg'], respond: endWith(Buffer.concat([Buffer.from('E', 'latin1'), hex('000000105346415441000000')])) },
  { name: 'sslhello', lines: ['option ssl-hello-chk'], respond: endWith('garbage!!') },
  { name: 'agent', lines: [], agent: true, respond: bannerEnd('stopped # bye\n') },
];

let dir = '';
let haproxy: ChildProcess | undefined;
const output: string[] = [];
const hapPeers = new Map<string, Peer>();

function lineFor(name: string): string | undefined {
  return output.find((l) => l.includes(` server ${name}/s1 `));
}

beforeAll(async () => {
  if (!existsSync(HAPROXY)) throw new Error(`${HAPROXY} is required for this differential test`);
  dir = mkdtempSync(path.join(os.tmpdir(), 'hapair-logdiff-'));
  let cfg =
    'global\n  log stdout format raw local0 debug\n  max-spread-checks 500\ndefaults\n  mode tcp\n  log global\n  option log-health-checks\n' +
    '  timeout connect 1s\n  timeout check 1s\n  timeout client 5s\n  timeout server 5s\n';
  for (const c of CASES) {
    const p = await peer(c.respond);
    hapPeers.set(c.name, p);
    const srv = c.agent
      ? `  server s1 127.0.0.1:${await closedPort()} agent-check agent-port ${p.port} agent-inter 10s\n`
      : `  server s1 127.0.0.1:${p.port} check inter 10s\n`;
    cfg += `listen ${c.name}\n  bind 127.0.0.1:${await closedPort()}\n${c.lines.map((l) => `  ${l}\n`).join('')}${srv}`;
  }
  writeFileSync(path.join(dir, 'h.cfg'), cfg);
  haproxy = spawn(HAPROXY, ['-f', path.join(dir, 'h.cfg'), '-db'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let buf = '';
  haproxy.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    output.push(...parts);
  });
  for (let i = 0; i < 600 && !CASES.every((c) => lineFor(c.name)); i++) await new Promise((r) => setTimeout(r, 10));
}, 20_000);

afterAll(() => endOracle(haproxy, dir));

const maskDuration = (l: string): string => l.replace(/check duration: \d+ms/, 'check duration: Nms');

describe('check log lines match haproxy 2.6 (option log-health-checks)', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const expected = lineFor(c.name);
      expect(expected, `haproxy logged a check line for ${c.name}`).toBeDefined();
      const ours = await peer(c.respond);
      const lines: ConfigLine[] = c.lines.map((l, i) => ({ args: l.replace(/\\r\\n/g, '\r\n').split(' '), loc: { file: 'h.cfg', line: i + 1 } }));
      const { config } = parseProxyChecks(lines);
      const state = new ServerState({
        proxy: c.name,
        proxyType: 'proxy',
        name: 's1',
        clock: realClock,
        logHealthChecks: true,
        ...(c.agent ? { agent: { inter: 10000 } } : { check: { rise: 2, fall: 3, inter: 10000 } }),
      });
      const logs: string[] = [];
      state.on('log', (l) => logs.push(l.message));
      const target = { host: '127.0.0.1', port: ours.port, timeout: { inter: 10000, connect: 1000, check: 1000 } };
      if (c.agent) state.reportAgent(await runTcpCheck(agentCheckRuleset(), target));
      else state.reportCheck(await runTcpCheck(config.ruleset, target));
      expect(maskDuration(logs[0] ?? '')).toBe(maskDuration(expected!));
    });
  }
});
