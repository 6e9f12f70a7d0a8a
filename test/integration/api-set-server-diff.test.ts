// Differential: the `set server` subcommands that change where checks and agents connect
// (check-addr, check-port, agent-addr, agent-port, agent-send), `fqdn` without resolvers, `addr`
// (also on a server `init-addr none` left without address), `ssl on|off`, `show peers` and the
// stick-table commands without tables, sent to HAProxy 2.6 and to hapair on the same config:
// same answer for every command, same `show servers state` afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiConfigHead, ask } from './api-harness.ts';
import { serversState, startHapairRuntime, startHaproxy, statColumns, tempDir, type ConfigText, type Oracle } from './server-state-file-harness.ts';

// Checks every 60s towards closed ports: the first runs at once, then nothing changes.
const cfg: ConfigText = (_dir, sock) => `${apiConfigHead(sock, 'admin', 'tcp')}backend be
    server s1 127.0.0.1:1
    server s4 127.0.0.1:4 check inter 60s
    server s6 127.0.0.1:6 check agent-check agent-port 7 inter 60s
    server s9 nonexistent.invalid:80 init-addr none
    server s7 127.0.0.1:8 ssl verify none
    server s8 127.0.0.1:9 check-ssl verify none
`;

const COMMANDS = [
  'set server be/s1 check-port 80',
  'set server be/s4 check-port 80',
  'set server be/s4 check-port x',
  'set server be/s4 check-port 70000',
  'set server be/s4 check-port',
  'set server be/s4 check-addr',
  'set server be/s4 check-addr 127.0.0.3 port 81',
  'set server be/s4 check-addr foo',
  'set server be/s6 agent-addr 127.0.0.2 port 17',
  'set server be/s6 agent-addr nope',
  'set server be/s6 agent-port 18',
  'set server be/s6 agent-port',
  'set server be/s6 agent-send hello',
  'set server be/s1 agent-send hello',
  'set server be/s1 agent-port 5',
  'set server be/s1 agent-addr 127.0.0.1',
  'set server be/s1 fqdn',
  'set server be/s1 fqdn www.example.org',
  'set server be/s1 addr 127.0.0.8 port 88',
  'set server be/s9 addr 127.0.0.1',
  'set server be/s1 bogus',
  'set server be/s1 ssl on',
  'set server be/s1 ssl',
  'set server be/s7 ssl',
  'set server be/s7 ssl foo',
  'set server be/s7 ssl off',
  'set server be/s8 ssl on',
  'show peers',
  'show peers nope',
  'show peers dict',
  // No stick table exists: HAProxy's answers for every table command.
  'show table',
  'show table foo',
  'show table foo data.gpc0 gt 0',
  'clear table',
  'clear table foo',
  'clear table foo key 1',
  'set table',
  'set table foo',
  'set table foo key 1 data.gpc0 1',
];

const dir = tempDir();
let theirs: Oracle;
let ours: Oracle;

beforeAll(async () => {
  theirs = await startHaproxy(dir.dir, 'ha', cfg);
  ours = await startHapairRuntime(dir.dir, 'hp', cfg);
}, 30_000);

afterAll(async () => {
  await theirs?.stop();
  await ours?.stop();
  dir.remove();
});

describe('set server check/agent targets against HAProxy 2.6', () => {
  it('answers every command with the same text', async () => {
    for (const c of COMMANDS) {
      const expected = await ask(theirs.sock, c);
      expect({ c, answer: await ask(ours.sock, c) }).toEqual({ c, answer: expected });
    }
  });

  it('leaves resolution maintenance on `set server addr` even without an address, as HAProxy does', async () => {
    const fields = ['status', 'addr'];
    expect(await statColumns(ours.sock, fields)).toEqual(await statColumns(theirs.sock, fields));
    expect(await statColumns(ours.sock, fields)).toContain('be/s9 status=no check addr=');
  });

  it('shows the new targets in show servers state', async () => {
    // Only the address/port columns: check results depend on when each side ran its first check.
    const cols = (lines: string[]) => lines.map((l) => l.split(' ').filter((_, i) => [3, 4, 17, 20, 21, 22, 23].includes(i)).join(' '));
    expect(cols(await serversState(ours.sock))).toEqual(cols(await serversState(theirs.sock)));
  });
});
