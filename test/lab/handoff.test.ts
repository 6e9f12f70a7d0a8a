// Lab: planned moves (issue #5 acceptance): `switchover` and a clean stop hand the VIP over with at
// most one failed client probe at 10 ms probing; a restarted old master honours preempt-delay;
// nopreempt keeps the current master.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PairLab, sleep, waitFor, type ProbeResult } from './pair-lab.ts';

const lab = new PairLab('hpk5c', 53);
const T = 90_000;

beforeAll(() => lab.create(), 60_000);
afterEach(() => lab.resetRun(), 60_000);
afterAll(() => lab.destroy(), 60_000);

/**
 * Probes while `move` runs: failures, and the sequence of answering nodes (flapping shows).
 *
 * "10 ms probing" (issue #5): a new connection to the VIP every 10 ms, each a full round trip
 * through an lb's `hapair proxy` to a backend. A probe fails when it gets no answer: refused, reset,
 * or nothing within 250 ms. Why 250 ms and not the 10 ms slot: a handoff gap does not show up as a
 * slow answer but as a lost SYN (sent to a node that no longer, or not yet, holds the VIP, or to a
 * stale MAC), which the client retransmits only after 1 s (TCP's initial RTO, RFC 6298): such a
 * probe fails whatever the wait, as long as it is under 1 s. A 10 ms wait would count the proxy's
 * scheduling delay on a busy host (a proxy and a backend, both Node processes) as failures, measuring load
 * instead of the handoff.
 */
async function probeDuring(move: () => Promise<void>): Promise<{ failed: ProbeResult[]; nodes: string[]; total: number }> {
  const probe = await lab.startProbe(10, 250);
  await sleep(300);
  const from = Date.now();
  await move();
  await sleep(700);
  // Probes before the move are not the handoff's (a busy host delays some answers anyway), except
  // that the last answer before it names the node the move starts from: a handoff can complete
  // before the first probe after `from` (it takes a few ms), and the sequence still shows it.
  const all = await probe.stop();
  const results = all.filter((r) => r.t >= from);
  const before = all.filter((r) => r.ok && r.t < from).at(-1);
  const nodes: string[] = before ? [before.node!] : [];
  for (const r of results) if (r.ok && r.node !== nodes[nodes.length - 1]) nodes.push(r.node!);
  return { failed: results.filter((r) => !r.ok), nodes, total: results.length };
}

describe('keepalive lab: handoff', () => {
  it(
    'switchover on the master hands the VIP to lb2 with at most one failed probe, and back from the backup',
    async () => {
      const { k1, k2 } = await lab.startPair(lab.config());
      const notified = (await lab.notifyLines(k2)).length;
      const there = await probeDuring(async () => {
        expect(await lab.control(k1, 'switchover VI_1')).toBe('Done: handed off to lb2\n\n');
      });
      expect(there.total).toBeGreaterThan(20); // probing ran through the move (70 on an idle host)
      expect(there.failed.length).toBeLessThanOrEqual(1);
      expect(there.nodes).toEqual(['lb1', 'lb2']);
      expect(await lab.owners()).toEqual(['lb2']);
      // lb1 has the higher priority and preempt, yet it does not take the VIP back after an
      // operator's switchover.
      await sleep(1500);
      expect(await lab.owners()).toEqual(['lb2']);

      // Asked on the backup (lb1): the master (lb2) hands off to it.
      const back = await probeDuring(async () => {
        expect(await lab.control(k1, 'switchover VI_1')).toBe('Done: took over\n\n');
      });
      expect(back.failed.length).toBeLessThanOrEqual(1);
      expect(back.nodes).toEqual(['lb2', 'lb1']);
      expect((await lab.state(k2)).state).toBe('BACKUP');
      expect((await lab.notifyLines(k2)).slice(notified)).toEqual([
        expect.stringMatching(/BACKUP -> MASTER .*\(handoff\)/),
        expect.stringMatching(/MASTER -> BACKUP .*\(switchover to lb1\)/),
      ]);
    },
    T,
  );

  it(
    'clean stop of the master hands off with at most one failed probe; the stopped node exits 0',
    async () => {
      const { k1, k2 } = await lab.startPair(lab.config());
      const r = await probeDuring(async () => {
        expect(await lab.stopKeepalive(k1)).toBe(0);
      });
      expect(r.failed.length).toBeLessThanOrEqual(1);
      expect(r.nodes).toEqual(['lb1', 'lb2']);
      expect(await lab.owners()).toEqual(['lb2']);
      expect((await lab.state(k2)).state).toBe('MASTER');
      expect((await lab.notifyLines(k1)).at(-1)).toMatch(/MASTER -> STOP priority 150/);
    },
    T,
  );

  it(
    'restart of the old master: preempt-delay is honoured before it takes over',
    async () => {
      const config = lab.config(['preempt-delay 2s']);
      const { k1, k2 } = await lab.startPair(config);
      expect(await lab.stopKeepalive(k1)).toBe(0);
      await waitFor('lb2 master', async () => (await lab.owners()).join() === 'lb2');

      const k1b = await lab.startKeepalive('lb1', config);
      await waitFor('lb1 master again', async () => (await lab.owners()).join() === 'lb1', 20_000);
      const lines = await lab.notifyLines(k1b);
      expect(lines.map((l) => /-> (\w+)/.exec(l)![1])).toEqual(['BACKUP', 'MASTER']);
      const at = lines.map((l) => Date.parse(l.split(' ')[0]));
      // A lower bound, not a speed claim: lb1 waited at least preempt-delay since it first saw lb2.
      expect(at[1] - at[0]).toBeGreaterThanOrEqual(2000);
      expect(lines[1]).toMatch(/\(preempt\)/);
      expect((await lab.state(k2)).state).toBe('BACKUP');
    },
    T,
  );

  it(
    'nopreempt: the restarted old master stays backup',
    async () => {
      const config = lab.config(['nopreempt']);
      const { k1, k2 } = await lab.startPair(config);
      expect(await lab.stopKeepalive(k1)).toBe(0);
      await waitFor('lb2 master', async () => (await lab.owners()).join() === 'lb2');
      const k1b = await lab.startKeepalive('lb1', config);
      await waitFor('lb1 to see lb2 as master', async () => (await lab.state(k1b)).master === 'lb2');
      const sampler = lab.startOwnerSampler(20);
      await sleep(3000);
      const samples = await sampler.stop();
      expect(samples.filter(([, o]) => o.join() !== 'lb2')).toEqual([]);
      expect((await lab.state(k1b)).state).toBe('BACKUP');
      expect((await lab.state(k2)).state).toBe('MASTER');
    },
    T,
  );
});
