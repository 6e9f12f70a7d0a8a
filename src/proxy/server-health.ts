// Health of the servers at run time: one ServerState per configured server (src/backend/
// server-state.ts) bound to its runtime Server, the checks and agents scheduled by one
// CheckScheduler per process, `track`, and what a state change does to traffic: the balancer
// refreshes on the Server's 'state'/'weight' events, `on-marked-down shutdown-sessions` and
// `on-marked-up shutdown-backup-sessions` kill sessions, and the state machine's lines go to pino
// and to the backend's `log` targets, as HAProxy sends "Server X/Y is DOWN" (src/server.c).
import os from 'node:os';
import type { Logger } from 'pino';
import { createServerState, bindServerState } from '../backend/server-state-bind.ts';
import { ServerStateGroup } from '../backend/server-state-group.ts';
import { checkOverrides, effectiveTarget } from '../backend/check-overrides.ts';
import { serverStateHeader } from '../backend/server-state-view.ts';
import { ServerState } from '../backend/server-state.ts';
import { SRV_ADMF, SRV_ST, type LogLevel } from '../backend/server-state-types.ts';
import type { Server } from '../backend/server.ts';
import type { HanaStatus } from '../checks/check-status.ts';
import { checkTargets, parseServerChecks, type ServerCheckSettings } from '../checks/check-params.ts';
import { CheckScheduler } from '../checks/check-scheduler.ts';
import { agentCheckRuleset, parseProxyChecks } from '../checks/proxy-checks.ts';
import { runTcpCheck } from '../checks/tcpcheck-run.ts';
import type { Clock } from '../clock.ts';
import type { HapairConfig } from '../config/model.ts';
import { LOG_LEVEL } from '../log/syslog-levels.ts';
import { DEFAULT_LOG_TAG, resolveLogSendHostname, SyslogSender } from '../log/syslog.ts';
import type { ProxyBackend } from './proxy-backend.ts';
import { checkTlsContext } from './server-tls-connect.ts';

/** What the health wiring needs from the runtime. */
export interface HealthHost {
  /** Kill the live sessions on the servers `which` selects (termination cause D or U). */
  killSessions(which: (server: Server) => boolean, cause: 'D' | 'U'): void;
}

export interface HealthOptions {
  readonly clock: Clock;
  readonly logger?: Logger;
  readonly random?: () => number;
}

interface Member {
  readonly server: Server;
  readonly state: ServerState;
  readonly settings: ServerCheckSettings;
  readonly backend: ProxyBackend;
}

export class ServerHealth {
  readonly scheduler: CheckScheduler;
  readonly #members: Member[] = [];
  readonly #unbind: (() => void)[] = [];

  constructor(config: HapairConfig, backends: ReadonlyMap<string, ProxyBackend>, host: HealthHost, opts: HealthOptions) {
    this.scheduler = new CheckScheduler({ clock: opts.clock, ...(opts.random ? { random: opts.random } : {}) });
    for (const be of backends.values()) this.#addBackend(config, be, host, opts);
    this.#applyTracking();
  }

  /** The state machine of `server`, when it is one of ours. */
  stateOf(server: Server): ServerState | undefined {
    return this.#members.find((m) => m.server === server)?.state;
  }

  get states(): ServerState[] {
    return this.#members.map((m) => m.state);
  }

  start(): void {
    this.scheduler.start();
  }

  async stop(): Promise<void> {
    await this.scheduler.stop();
    for (const u of this.#unbind) u();
    this.#unbind.length = 0;
    for (const m of this.#members) m.state.close();
  }

  #addBackend(config: HapairConfig, be: ProxyBackend, host: HealthHost, opts: HealthOptions): void {
    const spec = be.spec;
    const group = new ServerStateGroup(spec.name, spec.kind === 'listen' ? 'proxy' : 'backend', opts.clock.now());
    const pc = parseProxyChecks(spec.lines, spec.defaultsLines ?? [], spec.defaultsChain).config;
    const log = serverLog(config, be, opts.logger);
    const timeouts = {
      ...(spec.timeouts.connect !== undefined ? { connect: spec.timeouts.connect } : {}),
      ...((spec.timeouts.check ?? pc.timeoutCheck) !== undefined ? { check: (spec.timeouts.check ?? pc.timeoutCheck)! } : {}),
    };
    for (const server of be.servers) {
      const settings = parseServerChecks(server.name, server.spec.params, spec.mode === 'http' ? 'http' : 'tcp').settings;
      const state = createServerState(server.spec, spec, settings, { clock: opts.clock, logHealthChecks: pc.logHealthChecks, group });
      // `init-addr none` left the server without an address, in maintenance (server-addresses.ts):
      // HAProxy's resolution-driven maintenance flag (SRV_ADMF_RMAINT) keeps it there.
      if (server.admin.maint && !server.spec.disabled) state.setAdminFlag(SRV_ADMF.RMAINT);
      this.#unbind.push(bindServerState(server, state));
      state.on('log', (l) => log(l.level, l.message));
      // HAProxy srv_shutdown_streams(SF_ERR_DOWN) / srv_shutdown_backup_streams(SF_ERR_UP).
      state.on('shutdown-sessions', () => host.killSessions((s) => s === server, 'D'));
      state.on('shutdown-backup-sessions', () => host.killSessions((s) => s.backup && be.servers.includes(s), 'U'));
      be.observeWith(server, state);
      this.#members.push({ server, state, settings, backend: be });
      const targets = checkTargets(server.name, settings, { host: server.host, ...(server.port !== undefined ? { port: server.port } : {}) }, timeouts, pc.connectHasPort);
      const tlsContext = targets.check && (targets.check.ssl || pc.connectSsl) ? checkTlsContext(server.spec.params, config.global.sslServerVerify, pc.connectSsl) : undefined;
      const check = targets.check && tlsContext ? { ...targets.check, tlsContext } : targets.check;
      if (check) {
        const header = (): string => serverStateHeader(state, stateInfo(be, server), opts.clock.now());
        this.scheduler.add({
          state,
          which: 'check',
          run: () => runTcpCheck(pc.ruleset, effectiveTarget(check, server, 'check'), { serverIsUp: () => state.opState !== SRV_ST.STOPPED, serverStateHeader: header }, opts.clock),
        });
      }
      const agent = targets.agent;
      const agentSend = settings.agent?.send ?? '';
      // `set server ... agent-addr|agent-port|agent-send` and a server-state file may change them.
      const send = (): string => checkOverrides(server).agent.send ?? agentSend;
      if (agent) this.scheduler.add({ state, which: 'agent', run: () => runTcpCheck(agentCheckRuleset(), effectiveTarget(agent, server, 'agent'), { agentSend: send }, opts.clock) });
    }
  }

  /** `track [<backend>/]<server>` (validated at config time), then inherited admin states. */
  #applyTracking(): void {
    for (const m of this.#members) {
      const t = m.settings.track;
      if (!t) continue;
      const bname = t.backend ?? m.backend.name;
      const target = this.#members.find((o) => o.backend.name === bname && o.server.name === t.server);
      if (!target) continue;
      m.state.track(target.state);
    }
    ServerState.propagateAdminStates(this.states);
  }
}

/**
 * `observe layer7` (configuration.txt 5.2 "observe"): the verdict on one server response status,
 * as HAProxy's http_wait_for_response gives it. 501 and 505 answer what the client asked for, so
 * they do not count against the server; every other 5xx (and a status below 100) is an error.
 */
export function hanaOfHttpStatus(status: number): Extract<HanaStatus, 'HTTP_OK' | 'HTTP_STS'> {
  return status >= 100 && (status < 500 || status === 501 || status === 505) ? 'HTTP_OK' : 'HTTP_STS';
}

/**
 * What the HTTP session reports to `observe` (HAProxy health_adjust calls in http_ana.c): the
 * response's status once its head is parsed, or how the response failed. Layer-4 outcomes
 * (L4_OK / L4_ERR on connect) are reported by the connect path for both modes.
 */
export type HttpObservation =
  | { readonly status: number }
  /** HTTP_HDRRSP: the response head is invalid; HTTP_RSP: the response is invalid later on. */
  | { readonly failure: 'HTTP_HDRRSP' | 'HTTP_RSP' | 'HTTP_READ_ERROR' | 'HTTP_READ_TIMEOUT' | 'HTTP_BROKEN_PIPE' };

/** Feed one server response of an http session to its server's `observe` (no-op unless layer7/layer4 is set). */
export function observeHttpResponse(be: ProxyBackend, server: Server, what: HttpObservation): void {
  be.observe(server, 'status' in what ? hanaOfHttpStatus(what.status) : what.failure);
}

function stateInfo(be: ProxyBackend, server: Server) {
  let weight = 0;
  let sessions = 0;
  for (const s of be.servers) {
    weight += s.eweight;
    sessions += s.served;
  }
  return {
    address: server.host,
    port: String(server.port ?? 0),
    node: os.hostname(),
    backendWeight: weight,
    sessions: server.served,
    backendSessions: sessions,
    queued: server.queued,
  };
}

/** pino, plus the backend's `log` targets at the line's level (HAProxy send_log on the proxy). */
function serverLog(config: HapairConfig, be: ProxyBackend, logger: Logger | undefined): (level: LogLevel, msg: string) => void {
  let sender: SyslogSender | undefined;
  if (be.spec.logs.length > 0) {
    try {
      sender = new SyslogSender({
        targets: be.spec.logs,
        tag: config.global.logTag ?? DEFAULT_LOG_TAG,
        pid: process.pid,
        hostname: resolveLogSendHostname(config.global.logSendHostname),
      });
    } catch (err) {
      logger?.warn({ backend: be.name, err }, 'server state log targets unusable');
    }
  }
  const pino = logger?.child({ mod: 'health', backend: be.name });
  return (level, msg) => {
    sender?.send(LOG_LEVEL[level], msg);
    if (pino === undefined) return;
    if (level === 'emerg' || level === 'alert') pino.error(msg);
    else if (level === 'warning') pino.warn(msg);
    else pino.info(msg);
  };
}
