// Differential test against the real HAProxy 2.6 (/usr/sbin/haproxy): for each check type, the
// same config lines run once by haproxy and once by hapair against identical capture peers;
// the bytes both write on the wire must be equal (the ssl-hello time field is masked).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigLine } from '../../src/config/model.ts';
import { agentCheckRuleset } from '../../src/checks/agent-check.ts';
import { checkTargets, parseServerChecks } from '../../src/checks/check-params.ts';
import { parseProxyChecks } from '../../src/checks/proxy-checks.ts';
import { runTcpCheck } from '../../src/checks/tcpcheck-run.ts';
import { closedPort, endOracle, firstChecksDone, lineScript, peer, type Peer } from './check-peers.ts';

const HAPROXY = '/usr/sbin/haproxy';

interface Case {
  readonly name: string;
  /** Proxy lines (space-separated words; quoted for haproxy where `hap` differs). */
  readonly lines: readonly string[];
  /** Extra server keywords, haproxy spelling and parsed params for hapair. */
  readonly server?: { readonly hap: string; readonly params: Readonly<Record<string, string[]>> };
  readonly agent?: boolean;
  readonly respond: (sock: net.Socket) => void;
  readonly mask?: (b: Buffer) => Buffer;
}

const mysqlHandshake = Buffer.from('0f0000000a382e302e33360000000000000000', 'hex');
const CASES: readonly Case[] = [
  { name: 'httpchk default', lines: ['option httpchk'], respond: reply('HTTP/1.0 200 OK\r\n\r\n') },
  {
    name: 'httpchk + http-check send',
    lines: ['option httpchk GET /h HTTP/1.1', 'http-check send hdr Host x.example hdr X-A b body hi'],
    respond: reply('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'),
  },
  { name: 'httpchk POST no body', lines: ['option httpchk POST /p HTTP/1.1'], respond: reply('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n') },
  { name: 'redis-check', lines: ['option redis-check'], respond: reply('+PONG\r\n') },
  { name: 'ldap-check', lines: ['option ldap-check'], respond: reply(Buffer.from('300c02010161070a010004000400', 'hex')) },
  { name: 'pgsql-check', lines: ['option pgsql-check user postgres'], respond: reply(Buffer.from('520000000800000000', 'hex')) },
  {
    name: 'mysql-check post-41',
    lines: ['option mysql-check user haproxy'],
    respond: (s) => {
      s.write(mysqlHandshake);
      s.once('data', () => s.end(Buffer.from('0700000200000002000000', 'hex')));
    },
  },
  { name: 'mysql-check pre-41', lines: ['option mysql-check user bob pre-41'], respond: (s) => (s.write(mysqlHandshake), s.once('data', () => s.end(Buffer.from('0700000200000002000000', 'hex')))) },
  {
    name: 'smtpchk',
    lines: ['option smtpchk EHLO me.example'],
    respond: lineScript('220 mx ESMTP\r\n', (l) => (l.startsWith('QUIT') ? '221 bye\r\n' : '250-mx\r\n250 OK\r\n')),
  },
  {
    name: 'tcp-check',
    lines: ['option tcp-check', 'tcp-check send-binary 50494e47', 'tcp-check send hello', 'tcp-check expect string ok'],
    respond: reply('ok'),
  },
  {
    name: 'ssl-hello-chk',
    lines: ['option ssl-hello-chk'],
    respond: reply(Buffer.from('1603010000', 'hex')),
    mask: (b) => Buffer.concat([b.subarray(0, 11), Buffer.alloc(4), b.subarray(15)]),
  },
  {
    name: 'check-send-proxy v2',
    lines: [],
    server: { hap: 'send-proxy-v2', params: { 'send-proxy-v2': [] } },
    respond: () => {},
  },
  {
    name: 'agent-send',
    lines: [],
    server: { hap: 'agent-send "ping\\n"', params: { 'agent-send': ['ping\n'] } },
    agent: true,
    respond: reply('up\n'),
  },
];

function reply(data: string | Buffer): (s: net.Socket) => void {
  return (s) => s.once('data', () => s.end(data));
}

let dir = '';
let haproxy: ChildProcess | undefined;
const hapPeers = new Map<string, Peer>();
const ourPeers = new Map<string, Peer>();

beforeAll(async () => {
  if (!existsSync(HAPROXY)) throw new Error(`${HAPROXY} is required for this differential test`);
  dir = mkdtempSync(path.join(os.tmpdir(), 'hapair-checkdiff-'));
  let cfg = 'global\n  log stdout format raw local0 err\n  max-spread-checks 300\ndefaults\n  mode tcp\n  timeout connect 1s\n  timeout check 1s\n  timeout client 5s\n  timeout server 5s\n';
  for (const c of CASES) {
    const p = await peer(c.respond);
    hapPeers.set(c.name, p);
    ourPeers.set(c.name, await peer(c.respond));
    const mode = c.lines.some((l) => l.includes('httpchk')) ? '  mode http\n' : '';
    const lines = c.lines.map((l) => `  ${l}\n`).join('');
    const srv = c.agent
      ? `  server s 127.0.0.1:${await closedPort()} agent-check agent-port ${p.port} agent-inter 2s ${c.server?.hap ?? ''}\n`
      : `  server s 127.0.0.1:${p.port} check inter 2s ${c.server?.hap ?? ''}\n`;
    cfg += `listen ${c.name.replace(/[^a-z0-9]+/g, '_')}\n  bind 127.0.0.1:${await closedPort()}\n${mode}${lines}${srv}`;
  }
  writeFileSync(path.join(dir, 'h.cfg'), cfg);
  haproxy = spawn(HAPROXY, ['-f', path.join(dir, 'h.cfg'), '-db'], { stdio: 'ignore' });
  await firstChecksDone(hapPeers.values());
}, 20_000);

afterAll(() => endOracle(haproxy, dir));

function configLines(lines: readonly string[]): ConfigLine[] {
  return lines.map((l, i) => ({ args: l.replace(/\\r\\n/g, '\r\n').split(' '), loc: { file: 'h.cfg', line: i + 1 } }));
}

describe('check bytes on the wire match haproxy 2.6', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const hap = hapPeers.get(c.name)!;
      const ours = ourPeers.get(c.name)!;
      expect(hap.closed.has(0), 'haproxy ran this check').toBe(true);
      expect(hap.received[0]!.length).toBeGreaterThan(0);
      const { config, diagnostics } = parseProxyChecks(configLines(c.lines));
      expect(diagnostics).toEqual([]);
      const params = { ...(c.agent ? { 'agent-check': [], 'agent-port': [String(ours.port)] } : { check: [] }), ...(c.server?.params ?? {}) };
      const { settings, errors } = parseServerChecks('s', params);
      expect(errors).toEqual([]);
      const targets = checkTargets('s', settings, { host: '127.0.0.1', port: ours.port }, { connect: 1000, check: 1000 });
      if (c.agent) await runTcpCheck(agentCheckRuleset(), targets.agent!, { agentSend: () => settings.agent!.send });
      else await runTcpCheck(config.ruleset, targets.check!);
      for (let i = 0; i < 200 && !ours.closed.has(0); i++) await new Promise((r) => setTimeout(r, 10));
      const mask = c.mask ?? ((b: Buffer) => b);
      expect(mask(ours.received[0]!).toString('latin1')).toBe(mask(hap.received[0]!).toString('latin1'));
    });
  }
});
