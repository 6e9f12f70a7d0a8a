import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock.ts';
import type { CheckResult } from '../checks/check.ts';
import type { CheckStatus } from '../checks/check-status.ts';
import { ServerState } from './server-state.ts';
import { ServerStateGroup } from './server-state-group.ts';
import { SRV_ADMF, SRV_ST, type ServerStateOptions } from './server-state-types.ts';
import { checkCell, checkColumns, serverStateFields, statsStatus } from './server-state-view.ts';

function res(status: CheckStatus, info = '', code = 0, durationMs = 0): CheckResult {
  return { status, code, info, durationMs };
}
const REFUSED = res('L4CON', 'Connection refused');
const L4OK = res('L4OK');

interface Rig {
  clock: FakeClock;
  group: ServerStateGroup;
  logs: string[];
  add(name: string, opts?: Partial<ServerStateOptions>): ServerState;
}

function rig(proxy = 'be', proxyType: 'backend' | 'proxy' = 'backend'): Rig {
  const clock = new FakeClock();
  const group = new ServerStateGroup(proxy, proxyType);
  const logs: string[] = [];
  return {
    clock,
    group,
    logs,
    add(name, opts = {}) {
      const s = new ServerState({ proxy, name, clock, check: { rise: 2, fall: 3, inter: 2000 }, ...opts }, group);
      s.on('log', (l) => logs.push(`${l.level}: ${l.message}`));
      return s;
    },
  };
}

describe('health counter and log-health-checks (HAProxy check.c set_server_check_status)', () => {
  it('reproduces haproxy 2.6 output for an ldap-check that goes down and back up (rise 3, fall 2)', () => {
    // Captured from /usr/sbin/haproxy with `option ldap-check` and `option log-health-checks`.
    const r = rig('be', 'proxy');
    const s = r.add('s1', { check: { rise: 3, fall: 2, inter: 300 }, logHealthChecks: true });
    const ldapOk = (d: number): CheckResult => ({ ...res('L7OK', '', 0, d), earlier: [{ status: 'L7OK', code: 0, info: 'Success' }] });
    s.reportCheck(ldapOk(2));
    s.reportCheck(res('L4CON', 'Connection refused'));
    s.reportCheck(res('L4CON', 'Connection refused'));
    s.reportCheck(ldapOk(1));
    s.reportCheck(ldapOk(0));
    expect(r.logs).toEqual([
      'notice: Health check for server be/s1 succeeded, reason: Layer7 check passed, code: 0, info: "Success", check duration: 2ms, status: 2/2 UP.',
      'notice: Health check for server be/s1 failed, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms, status: 1/2 UP.',
      'notice: Health check for server be/s1 failed, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms, status: 0/3 DOWN.',
      'alert: Server be/s1 is DOWN. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
      'emerg: proxy be has no server available!',
      'notice: Health check for server be/s1 succeeded, reason: Layer7 check passed, code: 0, info: "Success", check duration: 1ms, status: 1/3 DOWN.',
      'notice: Health check for server be/s1 succeeded, reason: Layer7 check passed, code: 0, check duration: 1ms, status: 2/3 DOWN.',
      'notice: Health check for server be/s1 succeeded, reason: Layer7 check passed, code: 0, info: "Success", check duration: 0ms, status: 2/2 UP.',
      'notice: Server be/s1 is UP. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.',
    ]);
  });

  it('quotes the check in the DOWN line when log-health-checks is off, with counts of the backend', () => {
    const r = rig('UT');
    const a = r.add('A');
    r.add('B', { check: undefined });
    r.add('C', { check: undefined, backup: true });
    a.reportCheck(REFUSED);
    expect(r.logs).toEqual([
      'alert: Server UT/A is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 1 active and 1 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
    ]);
    expect(a.opState).toBe(SRV_ST.STOPPED);
  });

  it('says "backend X has no server available!" when the last server goes down, and Running on backup', () => {
    const r = rig('UT');
    const a = r.add('A');
    const c = r.add('C', { backup: true });
    a.reportCheck(REFUSED);
    expect(r.logs.at(-1)).toContain('0 active and 1 backup servers left. Running on backup. 0 sessions active');
    c.reportCheck(REFUSED);
    expect(r.logs.at(-2)).toMatch(/^alert: Backup Server UT\/C is DOWN, reason: Layer4 connection problem/);
    expect(r.logs.at(-1)).toBe('emerg: backend UT has no server available!');
  });

  it('starts "UP 1/3": one failure marks a fresh server down, fall failures mark a healthy one down', () => {
    const r = rig();
    const s = r.add('s1');
    expect(statsStatus(s)).toBe('UP 1/3');
    s.reportCheck(L4OK);
    expect(statsStatus(s)).toBe('UP');
    s.reportCheck(REFUSED);
    expect(statsStatus(s)).toBe('UP 2/3');
    s.reportCheck(REFUSED);
    expect(statsStatus(s)).toBe('UP 1/3');
    expect(s.opState).toBe(SRV_ST.RUNNING);
    s.reportCheck(REFUSED);
    expect(s.opState).toBe(SRV_ST.STOPPED);
    expect(statsStatus(s)).toBe('DOWN');
    s.reportCheck(L4OK);
    expect(statsStatus(s)).toBe('DOWN 1/2');
    s.reportCheck(L4OK);
    expect(statsStatus(s)).toBe('UP');
    expect(s.check.failedChecks).toBe(3);
    expect(s.downTransitions).toBe(1);
  });

  it('counts rise successes exactly and ignores neutral results', () => {
    const r = rig();
    const s = r.add('s1', { check: { rise: 3, fall: 1, inter: 1000 } });
    s.reportCheck(REFUSED);
    expect(s.check.health).toBe(0);
    s.reportCheck(L4OK);
    s.reportCheck(L4OK);
    expect(s.opState).toBe(SRV_ST.STOPPED);
    s.reportCheck(res('CHECKED'));
    expect(s.check.health).toBe(2);
    s.reportCheck(L4OK);
    expect(s.opState).toBe(SRV_ST.RUNNING);
    expect(s.check.health).toBe(3);
  });

  it('emits one change event per operation', () => {
    const r = rig();
    const s = r.add('s1');
    let n = 0;
    s.on('change', () => n++);
    s.reportCheck(REFUSED);
    expect(n).toBe(1);
    s.setAdminState('maint');
    expect(n).toBe(2);
  });
});

describe('check intervals (server.c srv_getinter)', () => {
  it('uses inter when healthy, fastinter while changing, downinter when down', () => {
    const r = rig();
    const s = r.add('s1', { check: { rise: 2, fall: 3, inter: 2000, fastinter: 500, downinter: 10000 } });
    expect(s.checkInterval('check')).toBe(500);
    s.reportCheck(L4OK);
    expect(s.checkInterval('check')).toBe(2000);
    s.reportCheck(REFUSED);
    expect(s.checkInterval('check')).toBe(500);
    s.reportCheck(REFUSED);
    s.reportCheck(REFUSED);
    expect(s.checkInterval('check')).toBe(10000);
    s.reportCheck(L4OK);
    expect(s.checkInterval('check')).toBe(500);
  });

  it('falls back to inter when fastinter and downinter are not set', () => {
    const r = rig();
    const s = r.add('s1');
    s.reportCheck(REFUSED);
    expect(s.checkInterval('check')).toBe(2000);
  });
});

type Op = 'RUNNING' | 'STOPPING' | 'STOPPED';
type Adm = 'READY' | 'DRAIN' | 'MAINT';

/** Put a fresh server (check rise 2 fall 3, fully up) in a given operational and admin state. */
function prepared(op: Op, adm: Adm): { r: Rig; s: ServerState } {
  const r = rig();
  const s = r.add('s1');
  r.add('s2', { check: undefined });
  s.reportCheck(L4OK);
  if (op === 'STOPPING') s.setHealth('stopping');
  if (op === 'STOPPED') s.setHealth('down');
  if (adm === 'DRAIN') s.setAdminState('drain');
  if (adm === 'MAINT') s.setAdminState('maint');
  r.logs.length = 0;
  return { r, s };
}

const LEFT1 = '1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue';
const ONLINE1 = '1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue';

describe('admin commands on every operational state (management.txt 9.3 "set server ... state")', () => {
  // [op, admin before, command, op after, admin after, stats status, log lines]
  const table: [Op, Adm, 'ready' | 'drain' | 'maint', number, number, string, string[]][] = [
    ['RUNNING', 'READY', 'ready', SRV_ST.RUNNING, 0, 'UP', []],
    ['RUNNING', 'READY', 'drain', SRV_ST.RUNNING, SRV_ADMF.FDRAIN, 'DRAIN', [`notice: Server be/s1 enters drain state. ${ONLINE1}.`]],
    ['RUNNING', 'READY', 'maint', SRV_ST.STOPPED, SRV_ADMF.FMAINT, 'MAINT', [`alert: Server be/s1 is going DOWN for maintenance. ${LEFT1}.`]],
    ['RUNNING', 'DRAIN', 'ready', SRV_ST.RUNNING, 0, 'UP', ['notice: Server be/s1 is UP (leaving forced drain).']],
    ['RUNNING', 'DRAIN', 'drain', SRV_ST.RUNNING, SRV_ADMF.FDRAIN, 'DRAIN', []],
    ['RUNNING', 'DRAIN', 'maint', SRV_ST.STOPPED, SRV_ADMF.FMAINT, 'MAINT', [`notice: Server be/s1 is going DOWN for maintenance. ${LEFT1}.`]],
    ['RUNNING', 'MAINT', 'ready', SRV_ST.RUNNING, 0, 'UP 1/3', ['notice: Server be/s1 is UP/READY (leaving forced maintenance).']],
    [
      'RUNNING',
      'MAINT',
      'drain',
      SRV_ST.RUNNING,
      SRV_ADMF.FDRAIN,
      'DRAIN 1/3',
      ['notice: Server be/s1 is UP/DRAIN (leaving forced maintenance).', 'notice: Server be/s1 remains in forced drain mode.'],
    ],
    ['RUNNING', 'MAINT', 'maint', SRV_ST.STOPPED, SRV_ADMF.FMAINT, 'MAINT', []],
    ['STOPPING', 'READY', 'ready', SRV_ST.STOPPING, 0, 'NOLB', []],
    ['STOPPING', 'READY', 'drain', SRV_ST.STOPPING, SRV_ADMF.FDRAIN, 'NOLB', [`notice: Server be/s1 enters drain state. ${ONLINE1}.`]],
    ['STOPPING', 'READY', 'maint', SRV_ST.STOPPED, SRV_ADMF.FMAINT, 'MAINT', [`notice: Server be/s1 is going DOWN for maintenance. ${LEFT1}.`]],
    ['STOPPING', 'DRAIN', 'ready', SRV_ST.STOPPING, 0, 'NOLB', ['notice: Server be/s1 is UP (leaving forced drain).']],
    ['STOPPING', 'DRAIN', 'maint', SRV_ST.STOPPED, SRV_ADMF.FMAINT, 'MAINT', [`notice: Server be/s1 is going DOWN for maintenance. ${LEFT1}.`]],
    ['STOPPED', 'READY', 'ready', SRV_ST.STOPPED, 0, 'DOWN', []],
    ['STOPPED', 'READY', 'drain', SRV_ST.STOPPED, SRV_ADMF.FDRAIN, 'DOWN', [`notice: Server be/s1 enters drain state. ${LEFT1}.`]],
    ['STOPPED', 'READY', 'maint', SRV_ST.STOPPED, SRV_ADMF.FMAINT, 'MAINT', ['notice: Server be/s1 was DOWN and now enters maintenance.']],
    ['STOPPED', 'DRAIN', 'ready', SRV_ST.STOPPED, 0, 'DOWN', ['notice: Server be/s1 is DOWN (leaving forced drain).']],
    ['STOPPED', 'DRAIN', 'maint', SRV_ST.STOPPED, SRV_ADMF.FMAINT, 'MAINT', ['notice: Server be/s1 was DOWN and now enters maintenance.']],
    ['STOPPED', 'MAINT', 'ready', SRV_ST.RUNNING, 0, 'UP 1/3', ['notice: Server be/s1 is UP/READY (leaving forced maintenance).']],
  ];
  for (const [op, adm, cmd, opAfter, admAfter, status, logs] of table) {
    it(`${op}/${adm} + state ${cmd} -> ${status}`, () => {
      const { r, s } = prepared(op, adm);
      s.setAdminState(cmd);
      expect(s.opState).toBe(opAfter);
      expect(s.adminState).toBe(admAfter);
      expect(statsStatus(s)).toBe(status);
      expect(r.logs).toEqual(logs);
      expect(s.isUsable()).toBe(admAfter === 0 && opAfter === SRV_ST.RUNNING);
    });
  }

  it('pauses the health check in maintenance and restarts it at rise when leaving', () => {
    const { s } = prepared('RUNNING', 'READY');
    s.setAdminState('maint');
    expect(s.check.active).toBe(false);
    expect(s.check.health).toBe(0);
    s.reportCheck(REFUSED);
    expect(s.opState).toBe(SRV_ST.STOPPED);
    s.setAdminState('ready');
    expect(s.check.active).toBe(true);
    expect(s.check.health).toBe(s.check.rise);
  });

  it('starts a `disabled` server in configuration maintenance (CMAINT|FMAINT)', () => {
    const r = rig();
    const s = r.add('s1', { disabled: true });
    expect(s.adminState).toBe(SRV_ADMF.CMAINT | SRV_ADMF.FMAINT);
    expect(s.opState).toBe(SRV_ST.STOPPED);
    expect(statsStatus(s)).toBe('MAINT');
    s.setAdminState('ready');
    expect(s.adminState).toBe(SRV_ADMF.CMAINT);
    expect(s.opState).toBe(SRV_ST.RUNNING);
  });

  it('stays down after leaving maintenance when the agent is down', () => {
    const r = rig();
    const s = r.add('s1', { agent: { inter: 2000 } });
    s.setAdminState('maint');
    s.setAgent('down');
    s.setAdminState('ready');
    expect(s.opState).toBe(SRV_ST.STOPPED);
    expect(r.logs.at(-1)).toBe('notice: Server be/s1 is DOWN/READY (leaving forced maintenance).');
    expect(statsStatus(s)).toBe('DOWN (agent)');
  });
});

describe('forced health and agent states (set server ... health|agent)', () => {
  it('forces down, stopping and up with "changed from CLI"', () => {
    const { r, s } = prepared('RUNNING', 'READY');
    expect(s.setHealth('down')).toBeNull();
    expect(r.logs).toEqual([`alert: Server be/s1 is DOWN, changed from CLI. ${LEFT1}.`]);
    s.setHealth('up');
    expect(r.logs.at(-1)).toBe('notice: Server be/s1 is UP, changed from CLI. 2 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.');
    s.setHealth('stopping');
    expect(r.logs.at(-1)).toBe(`notice: Server be/s1 is stopping, changed from CLI. ${ONLINE1}.`);
    expect(statsStatus(s)).toBe('NOLB');
    s.setHealth('down');
    expect(r.logs.at(-1)).toBe(`notice: Server be/s1 is DOWN, changed from CLI. ${LEFT1}.`);
  });

  it('names the stats page as "Web interface" when its admin actions force health or agent', () => {
    const { r, s } = prepared('RUNNING', 'READY');
    s.setHealth('down', 'Web interface');
    expect(r.logs).toEqual([`alert: Server be/s1 is DOWN, changed from Web interface. ${LEFT1}.`]);
  });

  it('keeps a maintenance server down when health is forced up', () => {
    const { s } = prepared('RUNNING', 'MAINT');
    s.setHealth('up');
    expect(s.opState).toBe(SRV_ST.STOPPED);
    expect(statsStatus(s)).toBe('MAINT');
  });

  it('refuses health changes on a tracking server and agent changes without an agent', () => {
    const r = rig();
    const a = r.add('a');
    const b = r.add('b', { check: undefined });
    expect(b.track(a)).toBeNull();
    expect(b.setHealth('up')).toBe('cannot change health on a tracking server.\n');
    expect(a.setAgent('up')).toBe('agent checks are not enabled on this server.\n');
  });

  it('forces the agent down and up', () => {
    const r = rig();
    const s = r.add('s1', { agent: { inter: 2000 } });
    s.setAgent('down');
    expect(s.opState).toBe(SRV_ST.STOPPED);
    expect(statsStatus(s)).toBe('DOWN (agent)');
    s.setAgent('up');
    expect(s.opState).toBe(SRV_ST.RUNNING);
  });

  it('shows "no check" when checks are disabled and refuses to enable an unconfigured one', () => {
    const { s } = prepared('RUNNING', 'READY');
    s.disableCheck('check');
    expect(statsStatus(s)).toBe('no check');
    expect(s.enableCheck('agent')).toBe('Agent was not configured on this server, cannot enable.\n');
    expect(s.enableCheck('check')).toBeNull();
    expect(statsStatus(s)).toBe('UP');
  });

  it('lets a down server with disabled checks come up only by force', () => {
    const { s } = prepared('STOPPED', 'READY');
    s.disableCheck('check');
    expect(statsStatus(s)).toBe('DOWN');
    s.setHealth('up');
    expect(statsStatus(s)).toBe('no check');
  });
});

describe('conditional pass (L7OKC, http-check disable-on-404) gives NOLB', () => {
  it('goes to stopping and back up', () => {
    const r = rig();
    const s = r.add('s1');
    r.add('s2', { check: undefined });
    s.reportCheck(L4OK);
    s.reportCheck(res('L7OKC', '', 404, 1));
    expect(s.opState).toBe(SRV_ST.STOPPING);
    expect(r.logs).toEqual([
      `notice: Server be/s1 is stopping, reason: Layer7 check conditionally passed, code: 404, check duration: 1ms. ${ONLINE1}.`,
    ]);
    expect(statsStatus(s)).toBe('NOLB');
    s.reportCheck(res('L7OK', '', 200, 1));
    expect(s.opState).toBe(SRV_ST.RUNNING);
  });
});

describe('tracking (server "track" keyword)', () => {
  function pair(): { r: Rig; a: ServerState; b: ServerState } {
    const r = rig();
    const a = r.add('a');
    const b = r.add('b', { check: undefined });
    expect(b.track(a)).toBeNull();
    r.logs.length = 0;
    return { r, a, b };
  }

  it('follows the tracked server down and up', () => {
    const { r, a, b } = pair();
    a.reportCheck(REFUSED);
    expect(b.opState).toBe(SRV_ST.STOPPED);
    expect(r.logs).toEqual([
      'alert: Server be/a is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
      'alert: Server be/b is DOWN via be/a. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
      'emerg: backend be has no server available!',
    ]);
    expect(statsStatus(b)).toBe('DOWN');
    a.reportCheck(L4OK);
    a.reportCheck(L4OK);
    expect(b.opState).toBe(SRV_ST.RUNNING);
    expect(r.logs.at(-1)).toBe('notice: Server be/b is UP via be/a. 2 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.');
  });

  it('inherits maintenance and drain (IMAINT, IDRAIN)', () => {
    const { r, a, b } = pair();
    a.setAdminState('maint');
    expect(b.adminState).toBe(SRV_ADMF.IMAINT);
    expect(statsStatus(b)).toBe('MAINT (via be/a)');
    expect(r.logs.slice(-2)).toEqual([
      'alert: Server be/b is going DOWN for maintenance via be/a. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
      'emerg: backend be has no server available!',
    ]);
    a.setAdminState('drain');
    expect(b.adminState).toBe(SRV_ADMF.IDRAIN);
    expect(r.logs.at(-1)).toBe('notice: Server be/b is leaving forced drain but remains in drain mode via be/a.');
    a.setAdminState('ready');
    expect(b.adminState).toBe(0);
    expect(r.logs.at(-1)).toBe('notice: Server be/b is UP (leaving forced drain).');
  });

  it('keeps a forced maintenance of the tracker when the tracked one leaves maintenance', () => {
    const { r, a, b } = pair();
    a.setAdminState('maint');
    b.setAdminState('maint');
    a.setAdminState('ready');
    expect(b.adminState).toBe(SRV_ADMF.FMAINT);
    expect(r.logs.at(-1)).toBe('notice: Server be/b remains in forced maintenance.');
    b.setAdminState('ready');
    expect(b.opState).toBe(SRV_ST.RUNNING);
  });

  it('propagates config maintenance at startup and rejects loops and unchecked targets', () => {
    const r = rig();
    const a = r.add('a', { disabled: true });
    const b = r.add('b', { check: undefined });
    const c = r.add('c', { check: undefined });
    expect(b.track(a)).toBeNull();
    ServerState.propagateAdminStates(r.group.members);
    expect(b.adminState & SRV_ADMF.IMAINT).toBeTruthy();
    expect(a.track(b)).toBe('unable to track be/b as it belongs to a tracking chain looping back to be/a.');
    expect(b.track(c)).toBe('unable to use be/c for tracking as it does not have any check nor agent enabled.');
  });
});

describe('agent replies (configuration.txt 5.2 "agent-check")', () => {
  function agentRig(opts: Partial<ServerStateOptions> = {}): { r: Rig; s: ServerState } {
    const r = rig('a', 'proxy');
    const s = r.add('s1', { check: undefined, agent: { inter: 400 }, weight: 10, logHealthChecks: true, ...opts });
    r.add('s2', { check: undefined });
    return { r, s };
  }
  const reply = (line: Partial<NonNullable<CheckResult['agent']>>): CheckResult => ({
    ...res('CHECKED', '', 0, 2),
    agent: { description: '', ...line },
  });

  it('logs "via agent : up" as haproxy does', () => {
    const { r, s } = agentRig();
    s.reportAgent(reply({ health: 'up', healthWord: 'up' }));
    expect(r.logs).toEqual([
      'notice: Agent check for server a/s1 succeeded, reason: Layer7 check passed, code: 0, info: "via agent : up", check duration: 2ms, status: 1/1 UP.',
    ]);
  });

  it('marks down on "stopped # bye" with the description', () => {
    const { r, s } = agentRig();
    s.reportAgent(reply({ health: 'stopped', healthWord: 'stopped', description: 'bye' }));
    expect(s.opState).toBe(SRV_ST.STOPPED);
    expect(r.logs).toEqual([
      'notice: Agent check for server a/s1 failed, reason: Layer7 wrong status, code: 0, info: "via agent : stopped (bye)", check duration: 2ms, status: 0/1 DOWN.',
      'alert: Server a/s1 is DOWN. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
    ]);
  });

  it('drains, sets maintenance, changes weight and maxconn', () => {
    const { r, s } = agentRig();
    s.reportAgent(reply({ admin: 'drain' }));
    expect(r.logs).toEqual(['notice: Server a/s1 enters drain state. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.']);
    expect(statsStatus(s)).toBe('DRAIN (agent)');
    s.reportAgent(reply({ admin: 'ready', weight: '50%', maxconn: '30' }));
    expect(s.uweight).toBe(5);
    expect(s.eweight).toBe(5);
    expect(s.maxconn).toBe(30);
    s.reportAgent(reply({ admin: 'maint' }));
    expect(r.logs.at(-1)).toBe('alert: Server a/s1 is going DOWN for maintenance. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.');
  });

  it('logs "remains in forced drain mode" on each weight change while drained (haproxy quirk)', () => {
    const { r, s } = agentRig();
    s.reportAgent(reply({ admin: 'drain', weight: '50%' }));
    s.reportAgent(reply({ admin: 'drain', weight: '50%' }));
    expect(r.logs).toEqual([
      'notice: Server a/s1 enters drain state. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.',
      'notice: Server a/s1 remains in forced drain mode.',
      'notice: Server a/s1 remains in forced drain mode.',
    ]);
  });

  it('reports unknown words and static-balancer weight refusals without a health change', () => {
    const { s } = agentRig({ dynamicWeights: false });
    s.reportAgent(reply({ error: 'foo' }));
    expect(s.agent.status).toBe('CHECKED');
    expect(s.agent.desc).toBe('agent reports an error : foo');
    s.reportAgent(reply({ weight: '50%' }));
    expect(s.agent.desc).toBe("agent warns : Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.\n");
    s.reportAgent(reply({ health: 'up', healthWord: 'UP', error: 'bar' }));
    expect(s.agent.desc).toBe('via agent : UP (bar)');
  });

  it('does not fail the server when the agent cannot be reached', () => {
    const { s } = agentRig();
    s.reportAgent(res('L4CON', 'Connection refused'));
    s.reportAgent(res('L7TOUT'));
    expect(s.opState).toBe(SRV_ST.RUNNING);
    expect(s.agent.health).toBe(1);
  });

  it('ignores a reply that arrives after the agent was disabled', () => {
    const { s } = agentRig();
    s.disableCheck('agent');
    s.reportAgent(reply({ health: 'down', healthWord: 'down' }));
    expect(s.opState).toBe(SRV_ST.RUNNING);
  });
});

describe('weights (set server weight, server_parse_weight_change_request)', () => {
  it('accepts absolute and relative weights and rejects bad ones with haproxy texts', () => {
    const r = rig();
    const s = r.add('s1', { weight: 20 });
    expect(s.setWeight('10')).toBeNull();
    expect(s.uweight).toBe(10);
    expect(s.setWeight('200%')).toBeNull();
    expect(s.uweight).toBe(40);
    expect(s.setWeight('300')).toBe('Absolute weight can only be between 0 and 256 inclusive.\n');
    expect(s.setWeight('x')).toBe('Empty weight string empty or preceded by garbage');
    expect(s.setWeight('1x')).toBe('Trailing garbage in weight string');
    expect(s.setWeight('')).toBe('Require <weight> or <weight%>.\n');
    expect(s.setWeight('-5%')).toBe('Relative weight must be positive.\n');
    expect(s.setMaxconn('12a')).toBe('Trailing garbage in maxconn string');
  });

  it('takes a server out of load balancing at weight 0 and shows DRAIN in log-health-checks', () => {
    const r = rig();
    const s = r.add('s1', { logHealthChecks: true });
    s.setWeight('0');
    expect(s.isUsable()).toBe(false);
    s.reportCheck(L4OK);
    expect(r.logs.at(-1)).toMatch(/status: 3\/3 DRAIN\.$/);
  });
});

describe('slow start (server "slowstart")', () => {
  it('ramps the effective weight while STARTING, then logs UP again when RUNNING (haproxy 2.6 behaviour)', () => {
    const r = rig();
    const s = r.add('s1', { slowstart: 10_000, weight: 100 });
    r.add('s2', { check: undefined });
    s.reportCheck(REFUSED);
    r.clock.advance(5000);
    s.reportCheck(L4OK);
    s.reportCheck(L4OK);
    expect(s.opState).toBe(SRV_ST.STARTING);
    expect(s.eweight).toBe(7); // (16*0 + ss)/ss = 1/16 of 100
    expect(s.isUsable()).toBe(true);
    r.clock.advance(5000);
    expect(s.opState).toBe(SRV_ST.STARTING);
    expect(s.eweight).toBeGreaterThan(40);
    expect(s.eweight).toBeLessThan(100);
    expect(s.throttle).toBeLessThan(100);
    r.clock.advance(6000);
    expect(s.opState).toBe(SRV_ST.RUNNING);
    expect(s.eweight).toBe(100);
    expect(r.logs.filter((l) => l.includes('is UP'))).toHaveLength(2);
    expect(s.downTimeMs).toBe(5000);
    s.close();
  });
});

describe('observe layer4 + on-error (check.c __health_adjust)', () => {
  it('mark-down: error-limit consecutive errors mark the server down at once', () => {
    const r = rig();
    const s = r.add('s1', { observe: 'layer4', errorLimit: 2, onError: 'mark-down' });
    s.reportCheck(L4OK);
    s.observe('L4_ERR');
    expect(s.opState).toBe(SRV_ST.RUNNING);
    s.observe('L4_ERR');
    expect(s.opState).toBe(SRV_ST.STOPPED);
    expect(r.logs[0]).toBe(
      'alert: Server be/s1 is DOWN, reason: Health analyze, info: "Detected 2 consecutive errors, last one was: L4 unsuccessful connection". 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
    );
    expect(s.failedHana).toBe(1);
  });

  it('a success resets the error count; fail-check counts as one failed check', () => {
    const r = rig();
    const s = r.add('s1', { observe: 'layer4', errorLimit: 2 });
    s.reportCheck(L4OK);
    s.observe('L4_ERR');
    s.observe('L4_OK');
    s.observe('L4_ERR');
    expect(s.check.health).toBe(4);
    s.observe('L4_ERR');
    expect(s.check.health).toBe(3);
    expect(s.check.status).toBe('HANA');
  });

  it('sudden-death leaves one check before down; fastinter only asks for a faster check', () => {
    const r = rig();
    const s = r.add('s1', { observe: 'layer7', errorLimit: 1, onError: 'sudden-death' });
    s.reportCheck(L4OK);
    s.observe('HTTP_STS');
    expect(s.check.health).toBe(2);
    expect(s.opState).toBe(SRV_ST.RUNNING);
    s.reportCheck(REFUSED);
    expect(s.opState).toBe(SRV_ST.STOPPED);
    const f = r.add('f', { observe: 'layer4', errorLimit: 1, onError: 'fastinter', check: { rise: 2, fall: 3, inter: 2000, fastinter: 100 } });
    let asked = 0;
    f.on('fastinter', () => asked++);
    f.observe('HTTP_STS'); // ignored in layer4 mode
    f.observe('L4_ERR');
    expect(asked).toBe(1);
    expect(f.check.health).toBe(2);
  });
});

describe('on-marked-down / on-marked-up', () => {
  it('asks to shut sessions down when marked down, and backup sessions when an active one comes up', () => {
    const r = rig();
    const s = r.add('s1', { onMarkedDown: 'shutdown-sessions', onMarkedUp: 'shutdown-backup-sessions' });
    const events: string[] = [];
    s.on('shutdown-sessions', () => events.push('down'));
    s.on('shutdown-backup-sessions', () => events.push('up'));
    s.reportCheck(REFUSED);
    s.reportCheck(L4OK);
    s.reportCheck(L4OK);
    s.setAdminState('maint');
    expect(events).toEqual(['down', 'up', 'down']);
  });
});

describe('views: stats check cell and show servers state fields', () => {
  it('shows "L7OK/200 in 2ms", "* " while running, and nothing for a disabled check', () => {
    const r = rig();
    const s = r.add('s1');
    s.reportCheck(res('L7OK', '', 200, 2));
    expect(checkCell(checkColumns(s).check)).toBe('L7OK/200 in 2ms');
    s.reportCheck(REFUSED);
    expect(checkCell(checkColumns(s).check)).toBe('L4CON in 0ms');
    s.checkStarted('check');
    expect(checkColumns(s).check.status).toBe('* L4CON');
    expect(checkColumns(s).check).toMatchObject({ desc: 'Layer4 connection problem', last: 'Connection refused', rise: 2, fall: 3, health: 3 });
    s.disableCheck('check');
    expect(checkCell(checkColumns(s).check)).toBe('');
  });

  it('gives srv_op_state, srv_admin_state and check fields as numbers', () => {
    const r = rig();
    const s = r.add('s1');
    s.reportCheck(REFUSED);
    r.clock.advance(5500);
    s.setAdminState('drain');
    expect(serverStateFields(s, r.clock.now())).toEqual({
      opState: 0,
      adminState: SRV_ADMF.FDRAIN,
      uweight: 1,
      iweight: 1,
      secondsSinceLastChange: 0,
      checkStatus: 8,
      checkResult: 2,
      checkHealth: 0,
      checkState: 0x06,
      // No agent configured: HAProxy dumps 0, not the AGENT bit alone.
      agentState: 0,
    });
  });
});
