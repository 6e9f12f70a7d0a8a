// Lab: split-brain protection and heartbeat authentication (issue #5 acceptance): a cut heartbeat
// link with both nodes reaching the tie-breaker, a node isolated from the tie-breaker, and forged,
// replayed, stale and wrong-key adverts.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeAdvert, type WireAdvert } from '../../src/keepalive/advert-codec.ts';
import { parseKeyFile, type KeyRing } from '../../src/keepalive/auth-keys.ts';
import { PairLab, sleep, waitFor } from './pair-lab.ts';

const lab = new PairLab('hpk5b', 52);
const T = 90_000;

beforeAll(() => lab.create(), 60_000);
afterEach(() => lab.resetRun(), 60_000);
afterAll(() => lab.destroy(), 60_000);

describe('keepalive lab: split brain', () => {
  it(
    'heartbeat cable cut while both reach the tie-breaker: lb1 stays the only master (the VIP probe vetoes)',
    async () => {
      const { k1, k2 } = await lab.startPair(lab.config([], { hbLinkOnly: true }));
      await lab.hbCable(false);
      await waitFor('lb2 to lose lb1', async () => (await lab.state(k2)).peers[0].alive === false || undefined);
      // Every change of the VIP's owners (kernel events) over 3 s: none, lb1 alone throughout.
      const monitor = await lab.startOwnerMonitor();
      await sleep(3000);
      const timeline = await monitor.stop();
      expect(timeline.map(([, o]) => o.join('+'))).toEqual(['lb1']);
      const s2 = await lab.state(k2);
      expect(s2.state).toBe('BACKUP');
      expect(s2.counters.notes['takeover-vetoed']).toBeGreaterThan(0);
      expect((await lab.state(k1)).state).toBe('MASTER');
      expect(await lab.request()).toBe('lb1');

      await lab.hbCable(true);
      await waitFor('lb2 to hear lb1 again', async () => (await lab.state(k2)).peers[0].alive === true || undefined);
      expect(await lab.owners()).toEqual(['lb1']);
    },
    T,
  );

  it(
    'heartbeats on the LAN and the cable: losing the cable changes nothing',
    async () => {
      const { k1, k2 } = await lab.startPair(lab.config([], { lanAndHb: true }));
      const before = [(await lab.notifyLines(k1)).length, (await lab.notifyLines(k2)).length];
      await lab.hbCable(false);
      await sleep(2000);
      const s2 = await lab.state(k2);
      expect(s2.state).toBe('BACKUP');
      expect(s2.peers[0]).toMatchObject({ name: 'lb1', state: 'MASTER', alive: true });
      expect(s2.counters.notes['takeover-vetoed']).toBeUndefined();
      expect([(await lab.notifyLines(k1)).length, (await lab.notifyLines(k2)).length]).toEqual(before);
      expect(await lab.owners()).toEqual(['lb1']);
    },
    T,
  );

  it(
    'tie-breaker lost by lb1: lb1 goes to FAULT and never masters, even alone',
    async () => {
      const { k1, k2 } = await lab.startPair(lab.config());
      await lab.isolate(['lb1', 'gw'], true); // lb1 and the gateway can no longer reach each other
      await waitFor('lb2 serving', async () => (await lab.owners()).join() === 'lb2' && (await lab.request()) === 'lb2');
      const s1 = await lab.state(k1);
      expect(s1.state).toBe('FAULT');
      expect(s1).toMatchObject({ faults: ['tiebreaker'] });

      // Even with lb2 gone, an isolated lb1 does not take the VIP.
      expect(await lab.stopKeepalive(k2)).toBe(0);
      const sampler = lab.startOwnerSampler(20);
      await sleep(2000);
      const samples = await sampler.stop();
      expect(samples.filter(([, o]) => o.includes('lb1'))).toEqual([]);
      expect((await lab.state(k1)).state).toBe('FAULT');

      await lab.isolate(['lb1', 'gw'], false);
      await waitFor('lb1 master once it reaches the gateway', async () => (await lab.owners()).join() === 'lb1');
      expect(await lab.notifyLines(k1)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/MASTER -> FAULT/),
          expect.stringMatching(/FAULT -> BACKUP/),
          expect.stringMatching(/BACKUP -> MASTER/),
        ]),
      );
    },
    T,
  );

  it(
    'spoofed, replayed, stale and wrong-key adverts are dropped and counted; a genuine one is obeyed',
    async () => {
      const { k1, k2 } = await lab.startPair(lab.config());
      const ring = parseKeyFile(await readFile(lab.keyFile, 'utf8'), lab.keyFile).ring!;
      const wrongKey: KeyRing = { sendId: 1, keys: new Map([[1, randomBytes(32)]]) };
      const unknownId: KeyRing = { sendId: 9, keys: new Map([[9, randomBytes(32)]]) };
      // The cli namespace sends from lb1's address (IP spoofing on the LAN) or its own.
      const lb1 = lab.ip('lb1');
      const lb2 = lab.ip('lb2');
      // "lb1 stops": if accepted, lb2 takes over at once.
      const stop = (over: Partial<WireAdvert> = {}): WireAdvert => ({
        vrid: 52,
        instance: 'VI_1',
        node: 'lb1',
        link: 0,
        state: 'STOP',
        priority: 0,
        basePriority: 150,
        advertInt: 100,
        vipsUp: false,
        takeoverRequest: false,
        seq: BigInt(Date.now()) * 1000n + 1_000_000_000n,
        timestamp: Date.now(),
        vips: [
          { address: lab.vip, prefix: 24 },
          { address: lab.vip6, prefix: 64 },
        ],
        ...over,
      });

      await lab.sendUdp('cli', lb1, lb2, 5405, encodeAdvert(stop(), wrongKey)); // bad-hmac
      await lab.sendUdp('cli', lb1, lb2, 5405, encodeAdvert(stop(), unknownId)); // unknown-key
      await lab.sendUdp('cli', lab.ip('cli'), lb2, 5405, encodeAdvert(stop(), ring)); // bad-source
      await lab.sendUdp('cli', lb1, lb2, 5405, encodeAdvert(stop({ seq: 1n }), ring)); // replay
      await lab.sendUdp('cli', lb1, lb2, 5405, encodeAdvert(stop({ timestamp: Date.now() - 60_000 }), ring)); // stale
      await lab.sendUdp('cli', lb1, lb2, 5405, Buffer.from('not a heartbeat at all, just bytes')); // unrouted

      await waitFor('all drops counted', async () => Object.keys((await lab.state(k2)).counters.dropped).length >= 5);
      await sleep(500);
      const s2 = await lab.state(k2);
      expect(s2.counters.dropped).toEqual({ 'bad-hmac': 1, 'unknown-key': 1, 'bad-source': 1, replay: 1, stale: 1 });
      expect(s2.state).toBe('BACKUP');
      expect((await lab.state(k1)).state).toBe('MASTER');
      expect(await lab.owners()).toEqual(['lb1']);

      // Control: the same advert, genuine (right key, source, fresh, new sequence), is obeyed: lb2
      // takes over, then yields again to the real lb1 (dual-master resolution).
      // Just above lb1's own sequence, so lb1's next adverts stay inside lb2's replay window.
      const txSeq = BigInt((await lab.state(k1)).txSeq);
      await lab.sendUdp('cli', lb1, lb2, 5405, encodeAdvert(stop({ seq: txSeq + 30n }), ring));
      await waitFor('lb2 to act on the genuine advert', async () =>
        (await lab.notifyLines(k2)).some((l) => /BACKUP -> MASTER .*master-stepped-down/.test(l)),
      );
      await waitFor('lb1 the only master again', async () => (await lab.owners()).join() === 'lb1' && (await lab.state(k2)).state === 'BACKUP');
    },
    T,
  );
});
