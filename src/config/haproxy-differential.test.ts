// Differential checks against the reference, HAProxy 2.6 (/usr/sbin/haproxy): the fixtures hapair
// accepts are valid for `haproxy -c`, both refuse the same broken configs, the lexer yields the words
// HAProxy yields (seen through `.notice`), and proxy/server ids match a running haproxy's `show stat`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDiagnostic, loadConfig, parseConfigText } from './config.ts';
import { lexLine, truncateAtEmpty } from './lexer.ts';

const HAPROXY = '/usr/sbin/haproxy';
const FIXTURES = new URL('../../test/fixtures/config/', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'hapair-haproxy-diff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `haproxy -c` with a controlled environment. */
function haproxyCheck(paths: string[], env: Record<string, string> = {}): { code: number | null; out: string } {
  const r = spawnSync(HAPROXY, ['-c', ...paths.flatMap((p) => ['-f', p])], { env: { PATH: '/usr/sbin:/usr/bin:/bin', ...env }, encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('valid fixtures: accepted by haproxy -c and by hapair', () => {
  it.each([['minimal.cfg'], ['full.cfg'], ['conf.d']])('%s', (fixture) => {
    const path = FIXTURES + fixture;
    const ref = haproxyCheck([path]);
    expect(ref.code, ref.out).toBe(0);
    const r = loadConfig([path], { env: {} });
    expect(r.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic)).toEqual([]);
    expect(r.config).toBeDefined();
  });
});

describe('invalid configs: refused by both', () => {
  const BE = 'backend B\n    server s 127.0.0.1:1\n';
  it.each([
    ['unknown keyword', `${BE}    balanse roundrobin\n`],
    ['unknown option', `${BE}    option ldap-chek\n`],
    ['unknown server keyword', 'backend B\n    server s 127.0.0.1:1 wieght 3\n'],
    ['weight out of range', 'backend B\n    server s 127.0.0.1:1 weight 300\n'],
    ['missing default_backend target', 'frontend F\n    bind 127.0.0.1:1\n    default_backend nope\n'],
    ['use_backend naming a frontend', 'frontend F\n    bind 127.0.0.1:1\n    use_backend G\nfrontend G\n    bind 127.0.0.1:2\n'],
    ['two backends with one name', `${BE}${BE}`],
    ['unmatched quote', 'global\n    log-tag "x\n'],
    ['unknown section-less keyword', 'maxconn 10\n'],
    ['keyword lines of a file continue no section of the previous one', `${BE}\n`],
    ['missing defaults', 'backend B from nope\n    server s 127.0.0.1:1\n'],
    ['duplicate proxy id', `${BE}    id 2\nbackend C\n    id 2\n    server s 127.0.0.1:1\n`],
    ['duplicate server name', 'backend B\n    server s 127.0.0.1:1\n    server s 127.0.0.1:2\n'],
    ['bad bind address', 'frontend F\n    bind 127.0.0.1\n'],
    ['http frontend to tcp backend', `frontend F\n    mode http\n    bind 127.0.0.1:1\n    default_backend B\n${BE}`],
    ['server in a frontend', 'frontend F\n    bind 127.0.0.1:1\n    server s 127.0.0.1:2\n'],
    ['invalid timeout', `${BE}    timeout server 5x\n`],
    ['unix datagram log target', 'global\n    log /dev/log local0\n    log 127.0.0.1 locl0\n'],
  ])('%s', (_name, text) => {
    const file = write('invalid.cfg', text);
    const paths = _name.startsWith('keyword lines') ? [file, write('second.cfg', '    mode tcp\n')] : [file];
    const ref = haproxyCheck(paths);
    expect(ref.code, ref.out).not.toBe(0);
    const r = loadConfig(paths, { env: {} });
    expect(r.config).toBeUndefined();
  });
});

describe('lexer: the same words as haproxy, seen through `.notice`', () => {
  const ENV = { X: 'hello', EMPTY: '', WORDS: 'a b' };
  const LINES = [
    '.notice plain', '.notice "${X}"', '.notice "$X"', '.notice "a${X}b"', '.notice ${X}', ".notice '${X}'",
    '.notice "${UNSET-def ault}"', '.notice "${EMPTY-def}"', '.notice "${UNSET}"', '.notice a\\ b', '.notice a#b',
    '.notice "a#b"', '.notice \\x41\\x7a', '.notice a"b c"d', '.notice "\\$X"', '.notice \\$X', '.notice "\\t|\\\\|\\"|\\\'|\\#|\\q"',
    '.notice "${.LINE}"', '.notice "$X_1"', '.notice "$X.a"', ".notice 'it''s'", '.notice "${UNSET-a}${X}"', '.notice "x${WORDS-q}y"',
    '.notice "unterminated', ".notice 'unterminated", '.notice "${X"', '.notice "$1"', '.notice \\x4z', '.notice "${.BAD}"',
    '.notice "${WORDS[x]}"',
  ];

  it('agrees on every line', () => {
    const file = write('lex.cfg', `${LINES.join('\n')}\n`);
    const ref = haproxyCheck([file], ENV);
    for (const [i, raw] of LINES.entries()) {
      const line = i + 1;
      const ours = lexLine(raw, ENV, { file, line, section: '' });
      const notice = new RegExp(`NOTICE.*parsing \\[${file}:${line}\\]: '(.*)'\\.$`, 'm').exec(ref.out);
      const alert = new RegExp(`ALERT.*parsing \\[${file}:${line}\\]: ([^\\n]*?)(?::|\\.)?$`, 'm').exec(ref.out);
      if (ours.ok) {
        expect(notice?.[1], `${raw}\n${ref.out}`).toBe(truncateAtEmpty(ours.words).words[1] ?? '');
      } else {
        expect(alert?.[1], `${raw}\n${ref.out}`).toBe(ours.error);
      }
    }
  });
});

/** Run haproxy in the foreground until its stats socket answers `show stat`; always stopped. */
async function showStat(cfgText: string): Promise<string[][]> {
  const sock = join(dir, 'stats.sock');
  const cfg = write('run.cfg', cfgText.replaceAll('@STATS@', sock).replaceAll('@DIR@', dir));
  const child = spawn(HAPROXY, ['-db', '-f', cfg], { env: { PATH: '/usr/sbin:/usr/bin:/bin' }, stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 50));
    const csv = await new Promise<string>((resolve, reject) => {
      const c = net.connect(sock);
      let out = '';
      c.setEncoding('utf8');
      c.on('data', (d) => (out += d));
      c.on('end', () => resolve(out));
      c.on('error', reject);
      c.setTimeout(10_000, () => c.destroy(new Error('show stat timed out')));
      c.write('show stat\n');
    });
    return csv.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(','));
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

describe('ids: as a running haproxy numbers them', () => {
  it('matches iid and sid of show stat, with the GLOBAL CLI proxy declared between proxies', async () => {
    const text = `frontend f0
    bind @DIR@/f0.sock
    timeout client 1s
    default_backend b1
global
    stats socket @STATS@ level admin
backend b1
    timeout connect 1s
    timeout server 1s
    default-server disabled
    server s1 127.0.0.1:9 id 3
    server s2 127.0.0.1:9 enabled
    server s3 127.0.0.1:9
    server s4 127.0.0.1:9
listen l2
    id 5
    bind @DIR@/l2.sock
    timeout client 1s
    timeout connect 1s
    timeout server 1s
    server x 127.0.0.1:9
backend b3
    timeout connect 1s
    timeout server 1s
    server y 127.0.0.1:9 id 2
    server z 127.0.0.1:9
backend b4
    id 1
    timeout connect 1s
    timeout server 1s
    server w 127.0.0.1:9
`;
    const rows = await showStat(text);
    const ref = rows.filter((r) => r[1] !== 'FRONTEND' && r[1] !== 'BACKEND').map((r) => `${r[0]}/${r[1]} iid=${r[27]} sid=${r[28]} ${r[17] === 'MAINT' ? 'MAINT' : 'UP'}`);
    const proxies = rows.filter((r) => r[1] === 'FRONTEND' || r[1] === 'BACKEND').map((r) => `${r[0]} iid=${r[27]}`);
    const ours = parseConfigText(text.replaceAll('@STATS@', '/tmp/x.sock').replaceAll('@DIR@', '/tmp'), 'ids.cfg', { env: {} });
    expect(ours.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const px = ours.config!.proxies;
    expect(px.flatMap((p) => p.servers.map((s) => `${p.name}/${s.name} iid=${p.id} sid=${s.id} ${s.disabled ? 'MAINT' : 'UP'}`))).toEqual(ref);
    expect([...new Set(proxies)]).toEqual(px.map((p) => `${p.name} iid=${p.id}`));
  });
});
