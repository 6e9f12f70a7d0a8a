// Differential against HAProxy 2.6: `show servers state` and `show stat` for servers given by
// host name, with and without an address (`init-addr none` / `last,none` / `libc`), port-less and
// IPv6 servers, before and after `set server ... addr`: srv_addr is "-" without an address and
// srv_fqdn keeps the configured host name (proxy.c dump_servers_state), show stat's addr is
// sa2str's "[v6]:port" / ":0" form.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiConfigHead, ask, startApiProxy, type ApiProxy } from './api-harness.ts';
import { startHaproxyApi, type HaproxyApi } from './haproxy-api-oracle.ts';

const cfg = (dir: string): string => `${apiConfigHead(`${dir}/api.sock`, 'admin', 'tcp')}backend be
    server n1 nosuchhost.invalid:80 init-addr none
    server n2 localhost:81 init-addr none
    server n3 localhost:82
    server n4 127.0.0.1:83 init-addr none
    server n5 nosuchhost.invalid:84 init-addr last,none
    server n6 nosuchhost.invalid:85 init-addr none check
    server n7 nosuchhost.invalid init-addr none
    server n8 localhost init-addr libc
    server n9 ::1:86
backend other
    default-server init-addr none
    server o1 nosuchhost.invalid:87
    server o2 127.0.0.2:88 id 20
`;

let ha: HaproxyApi | undefined;
let px: ApiProxy | undefined;

beforeAll(async () => {
  ha = await startHaproxyApi('hapair-fqdn-ha-', cfg);
  px = await startApiProxy(cfg);
}, 30_000);

afterAll(async () => {
  await ha?.stop();
  await px?.stop();
});

/** Both answers to `cmd`, `mask` applied to each line. */
async function both(cmd: string, mask: (line: string) => string): Promise<{ ours: string[]; theirs: string[] }> {
  const lines = (t: string) => t.split('\n').map(mask);
  return { theirs: lines(await ask(ha!.sock('api.sock'), cmd)), ours: lines(await ask(px!.sock('api.sock'), cmd)) };
}

/** srv_time_since_last_change (column 9) depends on when each process started. */
const dropTime = (l: string): string => l.split(' ').filter((_, i) => i !== 9).join(' ');
/** pxname, svname, status and addr of `show stat`. */
const statCols = (l: string): string => {
  const c = l.split(',');
  return [c[0], c[1], c[17], c[73]].join(',');
};

describe('servers without an address, against HAProxy 2.6', () => {
  it('show servers state prints "-" as srv_addr and the host name as srv_fqdn', async () => {
    const { ours, theirs } = await both('show servers state', dropTime);
    expect(theirs.some((l) => / n1 - .* nosuchhost\.invalid 80 /.test(l)), 'haproxy oracle shape').toBe(true);
    expect(ours).toEqual(theirs);
  });

  it('show stat has the same status and addr columns', async () => {
    const { ours, theirs } = await both('show stat', statCols);
    expect(ours).toEqual(theirs);
  });

  it('set server addr gives the same answers and the same state afterwards', async () => {
    for (const cmd of ['set server be/n1 addr 127.0.0.2 port 90', 'set server be/n7 addr 127.0.0.3', 'set server other/o2 addr 127.0.0.4 port 91']) {
      const { ours, theirs } = await both(cmd, (l) => l);
      expect({ cmd, ours }).toEqual({ cmd, ours: theirs });
    }
    for (const cmd of ['show servers state be', 'show servers state other']) {
      const { ours, theirs } = await both(cmd, dropTime);
      expect({ cmd, ours }).toEqual({ cmd, ours: theirs });
    }
    const { ours, theirs } = await both('show stat', statCols);
    expect(ours).toEqual(theirs);
  });
});
