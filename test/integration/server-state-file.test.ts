// Differential: a state file written by HAProxy 2.6's `show servers state` is loaded by HAProxy
// and by hapair on the same config (`load-server-state-from-file global` and `local`); both must
// then show the same `show servers state` and `show stat` states. The reverse: a file written by
// hapair is loaded by HAProxy with the same result.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ask } from './api-harness.ts';
import { run, serversState, startHapairRuntime, startHaproxy, statColumns, tempDir, type ConfigText } from './server-state-file-harness.ts';

const cfg: ConfigText = (dir, sock) => `global
    stats socket ${sock} level admin
    server-state-base ${dir}
    server-state-file state
defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    load-server-state-from-file global
backend be
    balance roundrobin
    server s1 127.0.0.1:1
    server s2 127.0.0.1:2 weight 3
    server s3 127.0.0.1:3 backup
    server s4 127.0.0.1:4 check inter 60s
    server s5 localhost:5
    server s6 127.0.0.1:6 check agent-check agent-port 7 inter 60s
    server s7 127.0.0.1:8 disabled
    server s8 127.0.0.1:9 id 20 weight 10
backend st
    balance static-rr
    server t1 127.0.0.1:10 weight 5
    server t2 127.0.0.1:11
backend loc
    load-server-state-from-file local
    server-state-file-name loc.state
    server l1 127.0.0.1:12
    server l2 127.0.0.1:13 weight 4
backend off
    load-server-state-from-file none
    server o1 127.0.0.1:14
`;

/** What an operator does before a restart: states, weights, addresses, disabled checks. */
const COMMANDS = [
  'set server be/s1 state maint',
  'set server be/s2 state drain',
  'set server be/s2 weight 7',
  'set server be/s3 addr 127.0.0.9 port 99',
  'set server be/s5 addr 127.0.0.5 port 55',
  'disable health be/s4',
  'disable health be/s6',
  'disable agent be/s6',
  'set server be/s7 state ready',
  'set server be/s8 weight 50%',
  'set server st/t1 weight 0%',
  'set server loc/l1 state maint',
  'set server loc/l2 weight 9',
  'set server off/o1 state maint',
];

const STAT_FIELDS = ['status', 'weight', 'act', 'bck', 'check_status', 'agent_status', 'addr', 'chkdown'];

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Save what `sock` answers, as an operator's `show servers state > FILE` does. */
async function save(sock: string, dir: string): Promise<void> {
  writeFileSync(join(dir, 'state'), await ask(sock, 'show servers state'));
  writeFileSync(join(dir, 'loc.state'), await ask(sock, 'show servers state loc'));
}

async function haproxy(dir: string, name: string) {
  const h = await startHaproxy(dir, name, cfg);
  cleanups.push(() => h.stop());
  return h;
}

async function hapair(dir: string, name: string) {
  const p = await startHapairRuntime(dir, name, cfg);
  cleanups.push(() => p.stop());
  return p;
}

function tmp(): string {
  const t = tempDir();
  cleanups.push(() => t.remove());
  return t.dir;
}

describe('server-state-file against HAProxy 2.6', () => {
  it("applies HAProxy's own state file as HAProxy does", async () => {
    const dir = tmp();
    const writer = await haproxy(dir, 'writer');
    await run(writer.sock, COMMANDS);
    await save(writer.sock, dir);
    await writer.stop();

    const theirs = await haproxy(dir, 'ha');
    const ours = await hapair(dir, 'hp');
    expect(await serversState(ours.sock)).toEqual(await serversState(theirs.sock));
    expect(await statColumns(ours.sock, STAT_FIELDS)).toEqual(await statColumns(theirs.sock, STAT_FIELDS));
    // The warning HAProxy prints for be/s6 (agent disabled but its port saved) is not a failure.
    expect(theirs.stderr()).toContain("server-state partially applied for server 'be/s6', agent checks are not enabled on this server");
  }, 30_000);

  it("writes a state file HAProxy loads into the same states as hapair's", async () => {
    const dir = tmp();
    const writer = await hapair(dir, 'writer');
    await run(writer.sock, COMMANDS);
    await save(writer.sock, dir);
    const saved = await serversState(writer.sock);
    await writer.stop();

    const theirs = await haproxy(dir, 'ha');
    const ours = await hapair(dir, 'hp');
    const loaded = await serversState(ours.sock);
    expect(loaded).toEqual(await serversState(theirs.sock));
    // Health counters differ from the saved ones (HAProxy resets them); states and weights do not,
    // except where HAProxy does not restore: the address of a server written as an IP (only its
    // port) and the backend loading nothing (`none`).
    const states = (lines: string[]) => lines.map((l) => l.split(' ').slice(0, 8).join(' '));
    const expected = states(saved).map((l) =>
      l.replace(/^(2 be 3 s3) 127\.0\.0\.9/, '$1 127.0.0.1').replace(/^(5 off 1 o1 127\.0\.0\.1) 0 1/, '$1 2 0'),
    );
    expect(states(loaded)).toEqual(expected);
    expect(loaded.find((l) => l.startsWith('2 be 3 s3'))?.split(' ')[17]).toBe('99');
  }, 30_000);
});

describe('server-state-file across a hapair restart', () => {
  it('keeps MAINT, DRAIN and a weight set through the API', async () => {
    const dir = tmp();
    const first = await hapair(dir, 'first');
    await run(first.sock, ['set server be/s1 state maint', 'set server be/s8 weight 33', 'set server be/s2 state drain']);
    await save(first.sock, dir);
    await first.stop();

    const second = await hapair(dir, 'second');
    expect(await ask(second.sock, 'get weight be/s8')).toBe('33 (initial 10)\n\n');
    const stat = await statColumns(second.sock, ['status', 'weight']);
    expect(stat).toContain('be/s1 status=MAINT weight=1');
    expect(stat).toContain('be/s2 status=DRAIN weight=3');
    const be = second.runtime.backends.get('be')!;
    expect(be.servers.find((s) => s.name === 's1')!.isUsable()).toBe(false);
  }, 30_000);

  it('starts as configured when the file is missing, empty or corrupted', async () => {
    const dir = tmp();
    for (const content of [undefined, '', '1\n# header\n2 be 1 s1 127.0.0.1 0 1\n', 'x\n']) {
      if (content !== undefined) writeFileSync(join(dir, 'state'), content);
      const p = await startHapairRuntime(dir, 'p', cfg);
      try {
        const stat = await statColumns(p.sock, ['status']);
        expect({ content, row: stat[0] }).toEqual({ content, row: 'be/s1 status=no check' });
      } finally {
        await p.stop();
      }
    }
  }, 30_000);
});
