import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock.ts';
import { parseServerChecks } from '../checks/check-params.ts';
import type { ProxySpec, ServerSpec } from '../config/model.ts';
import { Server } from './server.ts';
import { bindServerState, createServerState, isDynamicBalance } from './server-state-bind.ts';
import { ServerStateGroup } from './server-state-group.ts';

const loc = { file: 'h.cfg', line: 1 };
function spec(over: Partial<ServerSpec> = {}): ServerSpec {
  return { name: 's1', id: 1, host: '127.0.0.1', port: 80, weight: 10, backup: false, maxconn: 0, minconn: 0, maxqueue: 0, disabled: false, params: {}, loc, ...over };
}
// Only the fields the binding reads.
function proxy(kind: ProxySpec['kind'], algorithm: ProxySpec['balance']['algorithm'], hashType: 'map-based' | 'consistent' = 'map-based'): ProxySpec {
  return { kind, name: 'be', balance: { algorithm, args: [], hashType, hashFunction: 'sdbm' } } as unknown as ProxySpec;
}

describe('binding the state machine to the runtime Server', () => {
  it('knows which balancers take live weights', () => {
    expect(isDynamicBalance(proxy('backend', 'roundrobin'))).toBe(true);
    expect(isDynamicBalance(proxy('backend', 'static-rr'))).toBe(false);
    expect(isDynamicBalance(proxy('backend', 'source'))).toBe(false);
    expect(isDynamicBalance(proxy('backend', 'source', 'consistent'))).toBe(true);
  });

  it('mirrors state, admin flags and weights onto the Server with its events', () => {
    const clock = new FakeClock();
    const group = new ServerStateGroup('be', 'proxy');
    const sp = spec({ params: { check: [], rise: ['1'], fall: ['1'] } });
    const { settings } = parseServerChecks('s1', sp.params);
    const state = createServerState(sp, proxy('listen', 'roundrobin'), settings, { clock, logHealthChecks: false, group });
    const server = new Server(sp, 'be');
    const events: string[] = [];
    server.on('state', () => events.push(`state:${server.oper}/${server.admin.maint ? 'M' : ''}${server.admin.drain ? 'D' : ''}`));
    server.on('weight', () => events.push(`weight:${server.eweight}`));
    server.served = 3;
    const logs: string[] = [];
    state.on('log', (l) => logs.push(l.message));
    const unbind = bindServerState(server, state);
    state.reportCheck({ status: 'L4CON', code: 0, info: 'Connection refused', durationMs: 1 });
    state.setAdminState('drain');
    state.setAdminState('ready');
    state.reportCheck({ status: 'L4OK', code: 0, info: '', durationMs: 1 });
    state.setWeight('50%');
    expect(events).toEqual(['state:DOWN/', 'state:DOWN/D', 'state:DOWN/', 'state:UP/', 'weight:5']);
    expect(server.isUsable()).toBe(true);
    expect(logs[0]).toContain('3 sessions active');
    expect(logs[1]).toBe('proxy be has no server available!');
    unbind();
    state.setAdminState('maint');
    expect(server.admin.maint).toBe(false);
  });
});
