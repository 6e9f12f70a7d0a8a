// The seed config against real slapd over ldaps when a server process dies (kill -9), the
// acceptance case of issue #3 beside the hung-server one in check-wiring-ldap.test.ts: the
// killed server is marked DOWN within inter x fall (+ the check timeout) with a layer-4 status
// and HAProxy's log line, the session through it ends, new traffic avoids it, and it comes back
// after `rise` successes once restarted on the same port.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindThrough, SeedLdapFixture } from './check-wiring-runtime.ts';
import { waitFor } from './proxy-harness.ts';

describe('the seed config when a slapd is killed with SIGKILL', () => {
  const fx = new SeedLdapFixture();
  const { servers, lines, clients } = fx;
  beforeAll(() => fx.start('hapair-kill-'), 30_000);
  afterAll(() => fx.stop(), 30_000);

  const server = (name: string) => fx.server(name);
  const state = (name: string) => fx.state(name);
  const sock = () => fx.sock();

  it('marks the killed server DOWN with a layer-4 status, ends its session, sends new traffic elsewhere', async () => {
    for (const name of ['A', 'B', 'backup']) await waitFor(() => (state(name).check.status === 'L7OK' ? true : undefined), 10_000, `${name} L7OK`);
    const c = await bindThrough(sock());
    clients.push(c.socket);
    const victim = [...fx.rt!.sessions()][0]!.server!.name;
    expect(['A', 'B']).toContain(victim);
    await servers[victim === 'A' ? 0 : 1]!.stop(); // SIGKILL
    const killedAt = Date.now();
    await waitFor(() => (server(victim).oper === 'DOWN' ? true : undefined), 10_000, `${victim} DOWN`);
    // Within fall x (inter + timeout check) = 2 x (200 + 500) ms, plus a margin for a loaded machine.
    expect(Date.now() - killedAt).toBeLessThan(2 * (200 + 500) + 1500);
    // Nothing listens any more: the kernel refuses the connection (L4CON); L4TOUT if a SYN was lost.
    expect(['L4CON', 'L4TOUT']).toContain(state(victim).check.status);
    const down = lines.find((l) => l.startsWith(`Server UT/${victim} is DOWN`));
    expect(down).toMatch(/^Server UT\/[AB] is DOWN, reason: Layer4 (connection problem, info: "Connection refused"|timeout), check duration: \d+ms\. 1 active and 1 backup servers left\. \d+ sessions active, 0 requeued, 0 remaining in queue\.$/);
    await Promise.race([c.closed, new Promise((_, reject) => setTimeout(() => reject(new Error('session through the killed server still open')), 10_000))]);
    const other = victim === 'A' ? 'B' : 'A';
    for (let i = 0; i < 3; i++) {
      const n = await bindThrough(sock());
      clients.push(n.socket);
      expect([...fx.rt!.sessions()][0]!.server!.name).toBe(other);
      n.socket.destroy();
      await n.closed;
    }
    // Restarted on the same port: `rise 2` successes bring it back.
    await servers[victim === 'A' ? 0 : 1]!.start();
    await waitFor(() => (server(victim).oper === 'UP' ? true : undefined), 10_000, `${victim} UP again`);
    expect(lines.some((l) => l.startsWith(`Server UT/${victim} is UP, reason: Layer7 check passed`))).toBe(true);
  }, 60_000);
});
