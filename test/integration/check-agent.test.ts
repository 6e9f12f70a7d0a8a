// Agent checks end to end: a loopback agent, the scheduler on the real clock, and the server
// state machine applying the replies (configuration.txt 5.2 "agent-check").
import { afterEach, describe, expect, it } from 'vitest';
import { ServerState } from '../../src/backend/server-state.ts';
import { ServerStateGroup } from '../../src/backend/server-state-group.ts';
import { SRV_ST } from '../../src/backend/server-state-types.ts';
import { statsStatus } from '../../src/backend/server-state-view.ts';
import { realClock } from '../../src/clock.ts';
import { agentCheckRuleset } from '../../src/checks/agent-check.ts';
import { CheckScheduler } from '../../src/checks/check-scheduler.ts';
import { PLAIN_CONNECT } from '../../src/checks/proxy-checks.ts';
import { runTcpCheck } from '../../src/checks/tcpcheck-run.ts';
import { closeAll, closedPort, peer, replyOnce, target, track } from './check-peers.ts';

afterEach(closeAll);

async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('agent check runs', () => {
  it('sends agent-send and parses the reply line', async () => {
    const p = await peer(replyOnce('75% drain maxconn:12 # hot\n'));
    const r = await runTcpCheck(agentCheckRuleset(), target(p.port), { agentSend: () => 'hello\n' });
    expect(p.received[0]!.toString()).toBe('hello\n');
    expect(r).toMatchObject({ status: 'CHECKED', agent: { weight: '75%', admin: 'drain', maxconn: '12', description: 'hot' } });
  });

  it('sends nothing without agent-send, reports an empty reply and a refused agent', async () => {
    const p = await peer((s) => setTimeout(() => s.end(), 20));
    const r = await runTcpCheck(agentCheckRuleset(), target(p.port));
    expect(r).toMatchObject({ status: 'L7RSP', info: 'TCPCHK got an empty response at step 2' });
    expect(p.received[0]!.length).toBe(0);
    expect(await runTcpCheck(agentCheckRuleset(), target(await closedPort()))).toMatchObject({ status: 'L4CON', info: 'Connection refused' });
  });

  it('reports a line cut by the end of the stream as a timeout', async () => {
    const p = await peer((s) => s.end('up'));
    expect(await runTcpCheck(agentCheckRuleset(), target(p.port))).toMatchObject({ status: 'L7TOUT', info: '' });
  });
});

describe('scheduler + state machine with a real agent', () => {
  it('drains, marks down and brings back a server as the agent says', async () => {
    const service = await peer(() => {});
    let reply = 'up\n';
    const agent = await peer((s) => s.end(reply));
    const group = new ServerStateGroup('be');
    const logs: string[] = [];
    const state = new ServerState(
      { proxy: 'be', name: 'web1', clock: realClock, check: { rise: 2, fall: 3, inter: 50 }, agent: { inter: 50 }, weight: 10 },
      group,
    );
    new ServerState({ proxy: 'be', name: 'web2', clock: realClock }, group);
    state.on('log', (l) => logs.push(l.message));
    const sched = new CheckScheduler({ clock: realClock });
    track({ close: () => sched.stop() });
    sched.add({ state, which: 'check', run: () => runTcpCheck(PLAIN_CONNECT, target(service.port, { timeout: { inter: 50 } })) });
    sched.add({ state, which: 'agent', run: () => runTcpCheck(agentCheckRuleset(), target(agent.port, { timeout: { inter: 50 } })) });
    sched.start();

    await until('a healthy check', () => state.check.status === 'L4OK' && state.agent.status === 'L7OK');
    expect(statsStatus(state)).toBe('UP');
    reply = 'drain 50%\n';
    await until('drain', () => state.draining);
    await until('weight', () => state.uweight === 5);
    expect(statsStatus(state)).toBe('DRAIN (agent)');
    reply = 'ready down # disk full\n';
    await until('down', () => state.opState === SRV_ST.STOPPED);
    expect(statsStatus(state)).toBe('DOWN (agent)');
    expect(state.agent.desc).toBe('via agent : down (disk full)');
    reply = 'up 100%\n';
    await until('up again', () => state.opState === SRV_ST.RUNNING);
    await sched.stop();
    expect(logs).toContain('Server be/web1 enters drain state. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.');
    expect(logs.some((l) => l.startsWith('Server be/web1 is DOWN, reason: Layer7 wrong status, code: 0, info: "via agent : down (disk full)"'))).toBe(true);
    expect(logs.at(-1)).toMatch(/^Server be\/web1 is UP, reason: Layer7 check passed, code: 0, info: "via agent : up", check duration: \d+ms\. 2 active and 0 backup servers online/);
  });
});
