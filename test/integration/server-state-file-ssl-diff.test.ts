// Differential: srv_use_ssl in a server-state file, loaded by HAProxy 2.6 and by hapair at start
// (server_state.c: srv_set_ssl only for a server with TLS settings, the value read by strtol).
// A TLS server saved with 0 starts plain, a plain server saved with 1 stays plain, a garbage value
// reads as 0; `show servers state` must agree.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiConfigHead } from './api-harness.ts';
import { serversState, startHapairRuntime, startHaproxy, tempDir, type ConfigText, type Oracle } from './server-state-file-harness.ts';

const cfg: ConfigText = (dir, sock) => `${apiConfigHead(sock, 'admin', 'tcp').replace('global\n', `global\n    server-state-file ${dir}/state\n`)}    load-server-state-from-file global
backend be
    server s1 127.0.0.1:1 ssl verify none
    server s2 127.0.0.1:2
    server s3 127.0.0.1:3 ssl verify none
    server s4 127.0.0.1:4 ssl verify none
`;

/** srv_use_ssl per server: s1 off, s2 on (no TLS settings), s3 garbage, s4 kept on. */
const STATE = `1
# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port
3 be 1 s1 127.0.0.1 2 0 1 1 5 1 0 2 0 0 0 0 - 1 - 0 0 - - 0
3 be 2 s2 127.0.0.1 2 0 1 1 5 1 0 2 0 0 0 0 - 2 - 1 0 - - 0
3 be 3 s3 127.0.0.1 2 0 1 1 5 1 0 2 0 0 0 0 - 3 - x 0 - - 0
3 be 4 s4 127.0.0.1 2 0 1 1 5 1 0 2 0 0 0 0 - 4 - 1 0 - - 0
`;

const dir = tempDir();
let theirs: Oracle;
let ours: Oracle;

beforeAll(async () => {
  writeFileSync(join(dir.dir, 'state'), STATE);
  theirs = await startHaproxy(dir.dir, 'ha', cfg);
  ours = await startHapairRuntime(dir.dir, 'hp', cfg);
}, 30_000);

afterAll(async () => {
  await theirs?.stop();
  await ours?.stop();
  dir.remove();
});

describe('srv_use_ssl from a server-state file against HAProxy 2.6', () => {
  it('switches TLS as HAProxy does', async () => {
    // srv_name and srv_use_ssl (column 20 before column 9 is dropped by serversState).
    const cols = (lines: string[]) => lines.filter((l) => !l.startsWith('#') && l.includes(' ')).map((l) => l.split(' ').filter((_, i) => i === 3 || i === 19).join(' '));
    const expected = cols(await serversState(theirs.sock));
    expect(cols(await serversState(ours.sock))).toEqual(expected);
    expect(expected).toEqual(['s1 0', 's2 0', 's3 0', 's4 1']);
  });
});
