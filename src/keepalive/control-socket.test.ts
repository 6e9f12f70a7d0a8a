import { describe, expect, it } from 'vitest';
import { CONTROL_HELP, executeCommand, type ControlTarget } from './control-socket.ts';
import type { InstanceStatus } from './instance.ts';

const status: InstanceStatus = {
  name: 'VI_1',
  vrid: 51,
  state: 'MASTER',
  priority: 150,
  basePriority: 150,
  master: 'lb1',
  since: 1000,
  lastReason: 'master-down',
  vips: ['10.0.0.100/24'],
  vipsUp: true,
  faults: [],
  trackers: [
    { name: 'interface eth0', kind: 'interface', weight: 0, ok: true, detail: 'eth0 up' },
    { name: 'proxy', kind: 'proxy', weight: -100, ok: undefined, detail: 'not checked yet' },
  ],
  peers: [{ name: 'lb2', state: 'BACKUP', priority: 100, basePriority: 100, advertInt: 100, lastSeen: 4900, alive: true }],
  counters: { rx: 10, accepted: 8, tx: 12, txErrors: 0, vipMismatch: 0, dropped: { 'bad-hmac': 2 }, notes: {} },
  txSeq: '42',
};

function target(): ControlTarget & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    node: 'lb1',
    startedAt: 0,
    now: () => 5000,
    statuses: () => [status],
    setPriority: (inst, p) => {
      calls.push(`prio ${inst} ${p}`);
      return inst === 'VI_1' ? undefined : `No such instance '${inst}'.`;
    },
    switchover: async (inst, node) => {
      calls.push(`switchover ${inst} ${node ?? '-'}`);
      return { ok: node !== 'bad', message: node === 'bad' ? 'nope' : 'handed off to lb2' };
    },
  };
}

describe('control commands', () => {
  it('show state, peers, trackers and counters as text tables', async () => {
    const t = target();
    expect(await executeCommand(t, 'show state')).toBe(
      '# instance vrid state priority base master since_ms vips faults reason\nVI_1 51 MASTER 150 150 lb1 4000 10.0.0.100/24 - master-down',
    );
    expect(await executeCommand(t, 'show peers')).toBe('# instance peer state priority base last_seen_ms alive\nVI_1 lb2 BACKUP 100 100 100 yes');
    expect(await executeCommand(t, 'show trackers')).toBe(
      '# instance tracker weight status detail\nVI_1 interface:eth0 0 ok eth0_up\nVI_1 proxy -100 unknown not_checked_yet',
    );
    expect(await executeCommand(t, 'show counters')).toBe(
      '# instance rx accepted tx tx_errors vip_mismatch dropped\nVI_1 10 8 12 0 0 bad-hmac=2',
    );
  });

  it('json variants carry the full status', async () => {
    const j = JSON.parse(await executeCommand(target(), 'show state json'));
    expect(j).toEqual({ node: 'lb1', instances: [status] });
    expect(JSON.parse(await executeCommand(target(), 'show info json'))).toMatchObject({ name: 'hapair-keepalive', node: 'lb1', instances: 1 });
  });

  it('show info in HAProxy key: value form', async () => {
    expect(await executeCommand(target(), 'show info')).toMatch(/^Name: hapair-keepalive\nNode: lb1\nPid: \d+\nUptime_ms: 5000\nInstances: 1$/);
  });

  it('set priority validates and applies', async () => {
    const t = target();
    expect(await executeCommand(t, 'set priority VI_1 120')).toBe('Done.');
    expect(await executeCommand(t, 'set priority VI_9 120')).toBe("No such instance 'VI_9'.");
    expect(await executeCommand(t, 'set priority VI_1 0')).toBe('Usage: set priority <instance> <1..254>');
    expect(await executeCommand(t, 'set priority VI_1 x')).toBe('Usage: set priority <instance> <1..254>');
    expect(t.calls).toEqual(['prio VI_1 120', 'prio VI_9 120']);
  });

  it('switchover reports the outcome', async () => {
    const t = target();
    expect(await executeCommand(t, 'switchover VI_1')).toBe('Done: handed off to lb2');
    expect(await executeCommand(t, 'switchover VI_1 bad')).toBe('Failed: nope');
    expect(t.calls).toEqual(['switchover VI_1 -', 'switchover VI_1 bad']);
  });

  it('help and unknown commands', async () => {
    expect(await executeCommand(target(), 'help')).toBe(CONTROL_HELP);
    expect(await executeCommand(target(), 'frobnicate')).toBe("Unknown command: 'frobnicate'. Try 'help'.");
    expect(await executeCommand(target(), 'switchover')).toBe("Unknown command: 'switchover'. Try 'help'.");
  });
});
