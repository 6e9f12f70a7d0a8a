// Wiring of the server state machine to the runtime Server (src/backend/server.ts) that balancers,
// queues and stats read: build a ServerState from the config, mirror its committed state, weights
// and maxconn onto the Server, and let it see the Server's sessions and queue for its log lines.
import type { Clock } from '../clock.ts';
import type { ServerCheckSettings } from '../checks/check-params.ts';
import type { ProxySpec, ServerSpec } from '../config/model.ts';
import type { OperState, Server } from './server.ts';
import { ServerState } from './server-state.ts';
import type { ServerStateGroup } from './server-state-group.ts';
import { SRV_ST, type ServerStateHooks, type SrvOpState } from './server-state-types.ts';

/** Balancers whose weights change live (HAProxy BE_LB_PROP_DYN); the others take only 0% / 100%. */
export function isDynamicBalance(proxy: ProxySpec): boolean {
  const algo = proxy.balance.algorithm;
  if (algo === 'roundrobin' || algo === 'leastconn' || algo === 'first' || algo === 'random') return true;
  if (algo === 'static-rr') return false;
  return proxy.balance.hashType === 'consistent';
}

/** A ServerState for one configured server of `proxy` (a listen section logs as "proxy"). */
export function createServerState(
  spec: ServerSpec,
  proxy: ProxySpec,
  checks: ServerCheckSettings,
  opts: { readonly clock: Clock; readonly logHealthChecks: boolean; readonly group?: ServerStateGroup },
): ServerState {
  return new ServerState(
    {
      proxy: proxy.name,
      proxyType: proxy.kind === 'listen' ? 'proxy' : 'backend',
      name: spec.name,
      backup: spec.backup,
      weight: spec.weight,
      maxconn: spec.maxconn,
      minconn: spec.minconn,
      disabled: spec.disabled,
      ...(checks.check ? { check: { rise: checks.rise, fall: checks.fall, inter: checks.inter, ...timing(checks) } } : {}),
      ...(checks.agent ? { agent: { inter: checks.agent.inter } } : {}),
      slowstart: checks.slowstart,
      logHealthChecks: opts.logHealthChecks,
      dynamicWeights: isDynamicBalance(proxy),
      observe: checks.observe,
      errorLimit: checks.errorLimit,
      onError: checks.onError,
      ...(checks.onMarkedDown ? { onMarkedDown: checks.onMarkedDown } : {}),
      ...(checks.onMarkedUp ? { onMarkedUp: checks.onMarkedUp } : {}),
      clock: opts.clock,
    },
    opts.group,
  );
}

function timing(c: ServerCheckSettings): { fastinter?: number; downinter?: number } {
  return { ...(c.fastinter !== undefined ? { fastinter: c.fastinter } : {}), ...(c.downinter !== undefined ? { downinter: c.downinter } : {}) };
}

const OPER: Readonly<Record<SrvOpState, OperState>> = {
  [SRV_ST.STOPPED]: 'DOWN',
  [SRV_ST.STARTING]: 'STARTING',
  [SRV_ST.RUNNING]: 'UP',
  [SRV_ST.STOPPING]: 'STOPPING',
};

/**
 * Keep `server` in step with `state`: oper/admin (event 'state'), uweight/eweight (event 'weight')
 * and maxconn. The state machine reads the server's sessions and queue for its log lines.
 * `hooks` adds the backend's requeue functions. Returns a function that unbinds.
 */
export function bindServerState(server: Server, state: ServerState, hooks: Partial<ServerStateHooks> = {}): () => void {
  state.hooks = {
    load: () => ({ sessions: server.served, queued: server.queued }),
    redistribute: hooks.redistribute ?? (() => 0),
    grabFromBackend: hooks.grabFromBackend ?? (() => 0),
  };
  const sync = (): void => {
    const oper = OPER[state.opState];
    const maint = state.inMaintenance;
    const drain = state.draining;
    const stateChanged = server.oper !== oper || server.admin.maint !== maint || server.admin.drain !== drain;
    const weightChanged = server.uweight !== state.uweight || server.eweight !== state.eweight;
    server.oper = oper;
    server.admin.maint = maint;
    server.admin.drain = drain;
    server.uweight = state.uweight;
    server.eweight = state.eweight;
    server.maxconn = state.maxconn;
    if (stateChanged) server.emit('state', server);
    if (weightChanged) server.emit('weight', server);
  };
  sync();
  state.on('change', sync);
  return () => state.off('change', sync);
}
