// `monitor-uri`, `monitor fail` and `nbsrv(BE)` config verdicts, `hapair check` against `haproxy -c`
// on the same file: the exit code, and every alert and warning HAProxy 2.6 prints (text and line)
// is one hapair prints too. Covered: the keywords in a backend (ignored, with a warning), in
// defaults (`monitor` refused, `monitor-uri` inherited), in mode tcp (ignored, with a warning, also
// when inherited), their argument errors, and the backend references of `nbsrv`. Nothing binds
// (`-c` / `check`), so the listening ports are arbitrary.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runHapair } from '../support/process.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'hapair-monitor-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `line: message` of each alert or warning (`-` for the ones HAProxy prints without a line), final dot dropped. */
type Findings = string[];

const NOISE = /^(Error\(s\) found|Fatal errors found|multiple argument resolution errors|haproxy version|path to executable)/;

function haproxyFindings(out: string): Findings {
  const found: Findings = [];
  for (const l of out.split('\n')) {
    const m = /(?:ALERT|WARNING)\]\s+\(\d+\) : config : (?:parsing \[[^\]]+:(\d+)\] ?: )?(.*)$/.exec(l) ?? /^\s+parsing \[[^\]]+:(\d+)\]: (.*)$/.exec(l);
    if (m === null || NOISE.test(m[2]!)) continue;
    found.push(`${m[1] ?? '-'}: ${m[2]!.replace(/\.$/, '')}`);
  }
  return found;
}

function hapairFindings(out: string): Findings {
  const found: Findings = [];
  for (const l of out.split('\n')) {
    const m = /^\[(?:ALERT|WARNING)\] [^:]+:(\d+): (?:defaults|(?:frontend|backend|listen) '[^']*'): (.*)$/.exec(l);
    if (m !== null) found.push(`${m[1]}: ${m[2]!.replace(/\.$/, '')}`);
  }
  return found;
}

async function both(name: string, text: string) {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  const hap = spawnSync('/usr/sbin/haproxy', ['-c', '-f', file], { encoding: 'utf8', timeout: 20_000 });
  const ours = await runHapair(['check', '-f', file]);
  return { hap: { code: hap.status, found: haproxyFindings(`${hap.stdout}${hap.stderr}`) }, ours: { code: ours.code, found: hapairFindings(ours.stderr) } };
}

/** Each HAProxy finding is one of ours: same text, same line (any line when HAProxy gives none). */
function expectSameFindings(hap: Findings, ours: Findings): void {
  for (const f of hap) {
    if (f.startsWith('-: ')) expect(ours.map((o) => o.replace(/^\d+: /, '')), f).toContain(f.slice(3));
    else expect(ours, f).toContain(f);
  }
}

const DEFAULTS = 'defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n';

describe('monitor-uri / monitor fail config verdicts match haproxy -c', () => {
  it('warnings only: backend, mode tcp (own and inherited), an empty condition, nbsrv of a tcp backend', async () => {
    const { hap, ours } = await both('warn.cfg', `${DEFAULTS}    monitor-uri /dmon
frontend fe_tcp
    mode tcp
    bind 127.0.0.1:10001
    monitor-uri /mon
    monitor fail if TRUE
    default_backend be_tcp
frontend fe_tcp2
    mode tcp
    bind 127.0.0.1:10002
    default_backend be_tcp
backend be
    monitor-uri /x
    monitor fail if TRUE
    server s1 127.0.0.1:1
backend be_tcp
    mode tcp
    server s1 127.0.0.1:1
frontend fe
    bind 127.0.0.1:10003
    monitor fail if
    monitor fail unless { nbsrv(be_tcp) ge 1 } || { nbsrv(be) lt 1 }
    default_backend be
listen li
    bind 127.0.0.1:10004
    monitor fail if { nbsrv lt 1 }
    server s1 127.0.0.1:1
`);
    expect(hap.code).toBe(0);
    expect(ours.code).toBe(0);
    expect(hap.found.length).toBe(4);
    expectSameFindings(hap.found, ours.found);
  }, 30_000);

  it('argument errors', async () => {
    const { hap, ours } = await both('args.cfg', `${DEFAULTS}frontend fe
    bind 127.0.0.1:10005
    monitor-uri
    monitor-uri /a /b
    monitor
    monitor pass
    monitor fail
    monitor fail foo
    monitor fail if nosuchacl
    default_backend be
backend be
    server s1 127.0.0.1:1
`);
    expect(hap.code).toBe(1);
    expect(ours.code).toBe(1);
    expect(hap.found.length).toBe(7);
    expectSameFindings(hap.found, ours.found);
  }, 30_000);

  it("'monitor' in defaults is refused", async () => {
    const { hap, ours } = await both('defaults.cfg', `${DEFAULTS}    monitor fail if TRUE\n`);
    expect(hap.code).toBe(1);
    expect(ours.code).toBe(1);
    expect(hap.found).toEqual(["6: 'monitor' not allowed in 'defaults' section"]);
    expectSameFindings(hap.found, ours.found);
  }, 30_000);

  it('nbsrv: an unknown backend, a frontend named, no argument in a frontend', async () => {
    const { hap, ours } = await both('nbsrv.cfg', `${DEFAULTS}frontend fe
    bind 127.0.0.1:10006
    monitor-uri /mon
    monitor fail if { nbsrv lt 1 }
    monitor fail if { nbsrv(nope) lt 1 }
    monitor fail if { nbsrv(fe) lt 1 }
    acl dead nbsrv(later) lt 1
    monitor fail if dead
    default_backend later
backend later
    server s1 127.0.0.1:1
`);
    expect(hap.code).toBe(1);
    expect(ours.code).toBe(1);
    expect(hap.found.length).toBe(3);
    expectSameFindings(hap.found, ours.found);
  }, 30_000);
});
