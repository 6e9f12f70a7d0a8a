// The seed's advanced config, run through the real Runtime against three real OpenLDAP slapd
// over ldaps (issue #3): `option ldap-check` over `check-ssl`, traffic over `ssl` with a verified
// certificate, `on-marked-down shutdown-sessions`, backup takeover and give-back after `rise`.
// Short `inter`/`rise`/`fall` replace the seed's `rise 15`; the structure is the seed's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindThrough, SeedLdapFixture, type LdapClient } from './check-wiring-runtime.ts';
import { waitFor } from './proxy-harness.ts';

/** An LDAP bindResponse, success (RFC 4511 4.2.2): what slapd answers to LDAP_ANONYMOUS_BIND. */
const BIND_OK = /^300c02010161070a010004000400$/;

/** Bind anonymously through the proxy, and check slapd's answer came back intact. */
async function bindChecked(sock: string): Promise<LdapClient> {
  const c = await bindThrough(sock);
  expect(c.reply.toString('hex')).toMatch(BIND_OK);
  return c;
}

/** `p`, or a failure after `ms` (bounded waits only). */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('the seed config against real ldaps servers', () => {
  const fx = new SeedLdapFixture();
  const { servers, lines, clients } = fx;
  beforeAll(() => fx.start('hapair-wiring-'), 30_000);
  afterAll(() => fx.stop(), 30_000);

  const server = (name: string) => fx.server(name);
  const state = (name: string) => fx.state(name);
  const sock = () => fx.sock();
  const serverOfLastSession = () => [...fx.rt!.sessions()][0]?.server?.name;

  it('ldap-check over check-ssl passes on every server, and traffic is relayed over TLS byte for byte', async () => {
    for (const name of ['A', 'B', 'backup']) await waitFor(() => (state(name).check.status === 'L7OK' ? true : undefined), 10_000, `${name} L7OK`);
    expect(['A', 'B', 'backup'].map((n) => server(n).oper)).toEqual(['UP', 'UP', 'UP']);
    const c = await bindChecked(sock());
    clients.push(c.socket);
    expect(['A', 'B']).toContain(serverOfLastSession());
    c.socket.destroy();
    await c.closed;
  }, 20_000);

  it('a hung server is marked DOWN by its checks and its sessions are shut down', async () => {
    const c = await bindChecked(sock());
    clients.push(c.socket);
    const victim = serverOfLastSession()!;
    expect(['A', 'B']).toContain(victim);
    servers[victim === 'A' ? 0 : 1]!.pause();
    const hungAt = Date.now();
    await waitFor(() => (server(victim).oper === 'DOWN' ? true : undefined), 10_000, `${victim} DOWN`);
    // Each check now waits `timeout check` (500 ms): fall x (inter + timeout check), plus a margin.
    expect(Date.now() - hungAt).toBeLessThan(2 * (200 + 500) + 1500);
    // on-marked-down shutdown-sessions: the client through it is disconnected without the server closing.
    await within(c.closed, 10_000, 'the client through the DOWN server to be disconnected');
    expect(lines.some((l) => l.startsWith(`Server UT/${victim} is DOWN, reason: Layer`))).toBe(true);
    // A DOWN server gets no new traffic.
    for (let i = 0; i < 3; i++) {
      const n = await bindChecked(sock());
      clients.push(n.socket);
      expect(serverOfLastSession()).not.toBe(victim);
      n.socket.destroy();
      await n.closed;
    }
    await servers[victim === 'A' ? 0 : 1]!.stop();
  }, 30_000);

  it('with both actives down the backup takes over, and gives back after rise successes', async () => {
    const downIdx = server('A').oper === 'DOWN' ? 0 : 1;
    const other = downIdx === 0 ? 'B' : 'A';
    await servers[1 - downIdx]!.stop();
    await waitFor(() => (server(other).oper === 'DOWN' ? true : undefined), 10_000, `${other} DOWN`);
    const viaBackup = await bindChecked(sock());
    clients.push(viaBackup.socket);
    expect(serverOfLastSession()).toBe('backup');
    expect(lines.some((l) => l.startsWith(`Server UT/${other} is DOWN`) && l.includes('0 active and 1 backup servers left'))).toBe(true);
    // One active comes back: `rise 2` successful checks bring it UP and new traffic leaves the backup.
    await servers[downIdx]!.start();
    const back = downIdx === 0 ? 'A' : 'B';
    await waitFor(() => (server(back).oper === 'UP' ? true : undefined), 10_000, `${back} UP`);
    expect(state(back).check.health).toBeGreaterThanOrEqual(state(back).check.rise);
    expect(lines.some((l) => l.startsWith(`Server UT/${back} is UP, reason: Layer7 check passed`))).toBe(true);
    const again = await bindChecked(sock());
    clients.push(again.socket);
    expect(serverOfLastSession()).toBe(back);
    // The backup's own session was not touched (no shutdown-backup-sessions here).
    expect(viaBackup.socket.destroyed).toBe(false);
  }, 40_000);
});
