// Lab (network namespaces, real ip/arping/socat/ndisc6): failover when lb1 is lost, its keepalive
// is killed, its proxy hangs, or its interface goes down (issue #5 acceptance).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PairLab, sleep, waitFor } from './pair-lab.ts';

const lab = new PairLab('hpk5a', 51);
const T = 90_000;

beforeAll(() => lab.create(), 60_000);
afterEach(() => lab.resetRun(), 60_000);
afterAll(() => lab.destroy(), 60_000);

describe('keepalive lab: failover', () => {
  it(
    "node loss: lb2 owns the VIP and the client's ARP and ND entries point at lb2",
    async () => {
      const { k1, k2 } = await lab.startPair(lab.config());
      // The client talks to both VIPs through lb1, so it has neighbour entries to be corrected.
      expect(await lab.request(`[${lab.vip6}]:8080`)).toBe('lb1');
      const [mac1, mac2] = [await lab.mac('lb1'), await lab.mac('lb2')];
      expect(await lab.clientNeigh(lab.vip)).toBe(mac1);
      expect(await lab.clientNeigh(lab.vip6)).toBe(mac1);

      await lab.lanLink('lb1', false);

      await waitFor('lb2 serving', async () => (await lab.request()) === 'lb2');
      expect(await lab.owners()).toEqual(['lb2']);
      // lb1's tracked eth0 lost its carrier: FAULT, VIP released, even cut off from everyone.
      expect((await lab.state(k1)).state).toBe('FAULT');
      expect((await lab.state(k2)).state).toBe('MASTER');
      expect(await lab.clientNeigh(lab.vip)).toBe(mac2);
      await waitFor('the IPv6 neighbour entry to follow (unsolicited NA)', async () => (await lab.clientNeigh(lab.vip6)) === mac2);
      expect(await lab.request(`[${lab.vip6}]:8080`)).toBe('lb2');
      expect(await lab.notifyLines(k2)).toEqual(
        expect.arrayContaining([expect.stringMatching(/lb2 VI_1 BACKUP -> MASTER priority 100/)]),
      );

      // lb1 comes back: it preempts, and exactly one node holds the VIP.
      await lab.lanLink('lb1', true);
      await waitFor('lb1 master again', async () => (await lab.owners()).join() === 'lb1' && (await lab.request()) === 'lb1');
      expect((await lab.state(k2)).state).toBe('BACKUP');
      // lb2's second GARP burst (garp-delay 2 s after its takeover) can land just after lb1's
      // takeover burst, before lb2 hears lb1's advert; Linux then ignores lb1's next GARPs for its
      // neighbour locktime (1 s). lb1's own second burst puts the entry right: wait for it
      // (bounded by garp-delay plus margin), as a client would see it.
      await waitFor('the client ARP entry back on lb1', async () => (await lab.clientNeigh(lab.vip)) === mac1, 5_000);
    },
    T,
  );

  it(
    'process kill: the VIP leaves lb1 before lb2 takes it (never two owners), lb2 takes over at once; lb1 takes back when restarted, make-before-break',
    async () => {
      const config = lab.config();
      const { k1, k2 } = await lab.startPair(config);
      const monitor = await lab.startOwnerMonitor();
      lab.signalPid(k1.pid, 'SIGKILL');
      await waitFor('lb2 serving', async () => (await lab.owners()).join() === 'lb2' && (await lab.request()) === 'lb2');
      const afterKill = await monitor.stop();
      // The guard removed lb1's VIP before lb2's master-down timer could fire: never both.
      expect(afterKill.filter(([, o]) => o.length > 1)).toEqual([]);
      expect(afterKill.some(([, o]) => o.length === 0)).toBe(true); // the FAULT path: lb1 released first
      expect((await lab.state(k2)).state).toBe('MASTER');
      // The guard then sent lb1's farewell (priority 0): lb2 took over at once, not after its
      // master-down timer.
      const takeover = await waitFor('lb2 notify hook for its takeover', async () => (await lab.notifyLines(k2)).find((l) => l.includes('BACKUP -> MASTER')));
      expect(takeover).toMatch(/\(master-stepped-down\)/);

      const monitor2 = await lab.startOwnerMonitor();
      const k1b = await lab.startKeepalive('lb1', config);
      await waitFor('lb1 master again', async () => (await lab.owners()).join() === 'lb1' && (await lab.request()) === 'lb1');
      await sleep(300);
      const afterRestart = await monitor2.stop();
      expect(afterRestart.at(-1)?.[1]).toEqual(['lb1']);
      // Preemption is make-before-break: lb2 keeps the VIP until lb1 holds and has announced it
      // (never no owner), then releases it. The overlap is lb1's announcement time (tens of ms; a
      // loaded host stretches it), a planned one, not a split brain: lb1 is the elected master.
      expect(afterRestart.filter(([, o]) => o.length === 0)).toEqual([]);
      expect(afterRestart.map(([, o]) => o.join('+'))).toEqual(['lb2', 'lb1+lb2', 'lb1']);
      expect((await lab.state(k1b)).state).toBe('MASTER');
      expect((await lab.state(k2)).state).toBe('BACKUP');
    },
    T,
  );

  // Bug: the farewell's sequence number was "last + 10^6" while a restart starts from its start
  // time, so a keepalive restarted soon after a SIGKILL of a short-lived one had its first adverts
  // dropped by the peer as replays of the farewell (replay-guard.ts SequenceSource.farewell).
  it(
    'restart right after a SIGKILL: the peer takes the new process\'s adverts (no replay drops from the farewell)',
    async () => {
      const config = lab.config();
      const { k1, k2, p1 } = await lab.startPair(config);
      const lb1Seen = async (state: (s: string) => boolean) =>
        waitFor('lb2 to see lb1', async () => state((await lab.state(k2)).peers.find((p) => p.name === 'lb1')?.state ?? ''));
      // The VIP guard has sent the farewell and exited: only lb1's proxy is left in its namespace.
      const guardDone = () => waitFor('the VIP guard to finish', async () => (await lab.nsPids('lb1')).every((pid) => pid === p1.pid));
      lab.signalPid(k1.pid, 'SIGKILL');
      await lb1Seen((s) => s === 'STOP'); // the guard's farewell arrived
      await guardDone();
      // A short-lived process, killed as soon as it is up: its farewell is signed in its first second.
      const k1b = await lab.startKeepalive('lb1', config);
      lab.signalPid(k1b.pid, 'SIGKILL');
      await guardDone();
      const k1c = await lab.startKeepalive('lb1', config);
      await waitFor('lb1 master again', async () => (await lab.owners()).join() === 'lb1' && (await lab.request()) === 'lb1');
      expect((await lab.state(k2)).counters.dropped.replay ?? 0).toBe(0);
      expect((await lab.state(k1c)).state).toBe('MASTER');
    },
    T,
  );

  it(
    "proxy hang: SIGSTOP of lb1's proxy hands the VIP to lb2; SIGCONT brings it back",
    async () => {
      const { k1, k2, p1 } = await lab.startPair(lab.config());
      lab.signalPid(p1.pid!, 'SIGSTOP');
      await waitFor('lb2 serving', async () => (await lab.owners()).join() === 'lb2' && (await lab.request()) === 'lb2');
      const s1 = await lab.state(k1);
      expect(s1.state).toBe('BACKUP');
      expect(s1.priority).toBe(50); // 150 - 100: the proxy tracker failed
      expect((await lab.state(k2)).state).toBe('MASTER');

      lab.signalPid(p1.pid!, 'SIGCONT');
      await waitFor('lb1 master again', async () => (await lab.owners()).join() === 'lb1' && (await lab.request()) === 'lb1');
    },
    T,
  );

  it(
    "interface down: lb1's eth0 down fails over to lb2",
    async () => {
      const { k1, k2 } = await lab.startPair(lab.config());
      await lab.ifState('lb1', false);
      await waitFor('lb2 serving', async () => (await lab.owners()).join() === 'lb2' && (await lab.request()) === 'lb2');
      expect((await lab.state(k1)).state).toBe('FAULT');
      expect((await lab.state(k2)).state).toBe('MASTER');
      await lab.ifState('lb1', true);
      await waitFor('lb1 master again', async () => (await lab.owners()).join() === 'lb1' && (await lab.request()) === 'lb1');
    },
    T,
  );
});
