// Lab: several keepalive sections are independent instances sharing the heartbeat socket; with
// mirrored priorities each node masters one VIP (active/active), and one node takes both when
// the other goes (issue #5).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NOTIFY_SCRIPT, PairLab, waitFor } from './pair-lab.ts';

const lab = new PairLab('hpk5d', 54);
const T = 90_000;

beforeAll(() => lab.create(), 60_000);
afterEach(() => lab.resetRun(), 60_000);
afterAll(() => lab.destroy(), 60_000);

function section(name: string, vrid: number, vip: string, p1: number, p2: number): string[] {
  return [
    `keepalive ${name}`,
    '    interface eth0',
    `    vrid ${vrid}`,
    '    advert-int 100ms',
    `    node lb1 ${lab.ip('lb1')} priority ${p1}`,
    `    node lb2 ${lab.ip('lb2')} priority ${p2}`,
    `    virtual-ip ${vip}/24`,
    `    auth-key-file ${lab.keyFile}`,
    '    track-interface eth0',
    '    no track-proxy',
    `    notify ${NOTIFY_SCRIPT}`,
  ];
}

describe('keepalive lab: active/active', () => {
  it(
    'each node masters its own VIP; one node holds both when the other stops',
    async () => {
      const config = [...section('VI_1', 54, lab.vip, 150, 100), ...section('VI_2', 55, lab.vip2, 100, 150), ''].join('\n');
      const k1 = await lab.startKeepalive('lb1', config);
      const k2 = await lab.startKeepalive('lb2', config);
      await waitFor('each VIP on its master', async () => (await lab.owners(lab.vip)).join() === 'lb1' && (await lab.owners(lab.vip2)).join() === 'lb2');
      const states = JSON.parse(await lab.control(k1, 'show state json')) as { instances: { name: string; state: string; peers: { alive: boolean }[] }[] };
      expect(states.instances.map((i) => [i.name, i.state, i.peers[0].alive])).toEqual([
        ['VI_1', 'MASTER', true],
        ['VI_2', 'BACKUP', true],
      ]);

      expect(await lab.stopKeepalive(k2)).toBe(0);
      await waitFor('lb1 holding both', async () => (await lab.owners(lab.vip)).join() === 'lb1' && (await lab.owners(lab.vip2)).join() === 'lb1');
      expect(await lab.notifyLines(k1)).toEqual(expect.arrayContaining([expect.stringMatching(/lb1 VI_2 BACKUP -> MASTER priority 100/)]));
    },
    T,
  );
});
