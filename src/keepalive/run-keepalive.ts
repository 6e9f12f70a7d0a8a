// The keepalive process: loads keys, binds the heartbeat sockets, starts one KeepaliveInstance per
// `keepalive` section naming the local node, guards the VIPs against our own crash, serves the
// control socket, and stops cleanly on SIGTERM/SIGINT (hand off, release, priority 0).
import { readFile, writeFile } from 'node:fs/promises';
import pino, { type Logger } from 'pino';
import { realClock, type Clock } from '../clock.ts';
import type { ConfigDiagnostic, ExtraSection } from '../config/model.ts';
import { ConfigError } from '../errors.ts';
import { peekInstance } from './advert-codec.ts';
import { loadKeyFile, type KeyRing } from './auth-keys.ts';
import { runCommand, type RunCommand } from './commands.ts';
import { ControlServer, type ControlTarget } from './control-socket.ts';
import type { SwitchoverResult } from './election.ts';
import { KeepaliveInstance, type InstanceStatus } from './instance.ts';
import { checkKeepaliveSpecs, parseKeepaliveSection } from './parse-section.ts';
import { SequenceSource } from './replay-guard.ts';
import type { KeepaliveSpec, ProxyApiAddress } from './spec.ts';
import { endpointKey, HeartbeatTransport, type Endpoint } from './udp-transport.ts';
import { VipGuard } from './vip-guard.ts';
import { Farewell } from './farewell.ts';

export const DEFAULT_CONTROL_SOCKET = '/run/hapair/keepalive.sock';
const BIND_RETRY_MS = 1000;

export interface KeepaliveOptions {
  /** Parsed sections (parseKeepaliveSection); instances not naming `localNode` are skipped. */
  readonly specs: readonly KeepaliveSpec[];
  /** `-L NAME`: which node this is. */
  readonly localNode: string;
  /** Control socket path; null: none. Default /run/hapair/keepalive.sock. */
  readonly controlSocket?: string | null;
  /** Runtime API probed by `track-proxy` when the section names none (the proxy's stats socket). */
  readonly proxyApi?: ProxyApiAddress;
  readonly logger?: Logger;
  /** Start the VIP guard process (default true). */
  readonly vipGuard?: boolean;
  /** Set net.ipv4/ipv6 ip_nonlocal_bind=1 so the proxy can bind VIPs it does not hold (default true). */
  readonly nonlocalBind?: boolean;
  readonly run?: RunCommand;
  readonly clock?: Clock;
}

export class KeepaliveDaemon implements ControlTarget {
  readonly node: string;
  readonly startedAt: number;
  readonly instances: readonly KeepaliveInstance[];
  readonly #byName: ReadonlyMap<string, KeepaliveInstance>;
  readonly #transport: HeartbeatTransport;
  readonly #guard?: VipGuard;
  readonly #farewell?: Farewell;
  readonly #control?: ControlServer;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #unknown = { count: 0 };
  #bindTimer?: NodeJS.Timeout;
  #stopping?: Promise<void>;
  #resolveStopped!: () => void;
  /** Resolves once stop() has completed. */
  readonly stopped = new Promise<void>((resolve) => (this.#resolveStopped = resolve));

  /** Use startKeepalive(). */
  constructor(parts: {
    node: string;
    instances: KeepaliveInstance[];
    transport: HeartbeatTransport;
    guard?: VipGuard;
    farewell?: Farewell;
    controlPath?: string;
    clock: Clock;
    log: Logger;
  }) {
    this.node = parts.node;
    this.instances = parts.instances;
    this.#byName = new Map(parts.instances.map((i) => [i.name, i]));
    this.#transport = parts.transport;
    this.#guard = parts.guard;
    this.#farewell = parts.farewell;
    this.#clock = parts.clock;
    this.#log = parts.log;
    this.startedAt = parts.clock.now();
    if (parts.controlPath) this.#control = new ControlServer(this, parts.log.child({ mod: 'control' }));
  }

  now(): number {
    return this.#clock.now();
  }

  /** Datagrams not matching any instance (foreign or garbage). */
  get unroutedPackets(): number {
    return this.#unknown.count;
  }

  route(buf: Buffer, from: Endpoint, local: Endpoint): void {
    const inst = this.#byName.get(peekInstance(buf) ?? '');
    if (inst) return inst.receive(buf, from, local);
    this.#unknown.count++;
  }

  /** Internal: bind sockets (retrying those whose address is missing), start everything. */
  async _start(controlPath: string | undefined): Promise<void> {
    await this.#bindAll();
    await this.#farewell?.start();
    this.#guard?.start();
    await Promise.all(this.instances.map((i) => i.start()));
    if (controlPath) await this.#control!.listen(controlPath);
    this.#log.info({ node: this.node, instances: this.instances.map((i) => i.name) }, 'keepalive started');
  }

  statuses(): InstanceStatus[] {
    return this.instances.map((i) => i.status());
  }

  setPriority(instance: string, priority: number): string | undefined {
    const i = this.#byName.get(instance);
    if (!i) return `No such instance '${instance}'.`;
    i.setPriority(priority);
    this.#log.info({ instance, priority }, 'priority set by operator');
    return undefined;
  }

  async switchover(instance: string, node: string | undefined): Promise<SwitchoverResult> {
    const i = this.#byName.get(instance);
    if (!i) return { ok: false, message: `no such instance '${instance}'` };
    const r = await i.switchover(node);
    this.#log.info({ instance, node, ...r }, 'switchover requested by operator');
    return r;
  }

  /** Clean stop (idempotent): every instance hands off / releases / says priority 0, then close. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      clearTimeout(this.#bindTimer);
      await this.#control?.close();
      await Promise.all(this.instances.map((i) => i.stop()));
      await this.#transport.close();
      await this.#farewell?.close();
      await this.#guard?.close();
      this.#log.info('keepalive stopped');
      this.#resolveStopped();
    })();
    return this.#stopping;
  }

  async #bindAll(): Promise<void> {
    const wanted = new Map<string, Endpoint>();
    for (const i of this.instances) for (const e of i.endpoints) wanted.set(endpointKey(e), e);
    const missing: Endpoint[] = [];
    for (const e of wanted.values()) {
      try {
        await this.#transport.bind(e);
      } catch (err) {
        missing.push(e);
        this.#log.error({ address: e.address, port: e.port, err: (err as Error).message }, 'cannot bind heartbeat socket: retrying');
      }
    }
    if (missing.length > 0 && !this.#stopping) {
      this.#bindTimer = setTimeout(() => void this.#bindAll(), BIND_RETRY_MS);
      this.#bindTimer.unref();
    }
  }
}

/** Parse raw `keepalive` sections (as the config parser keeps them) and check them together. */
export function parseKeepaliveSections(sections: readonly ExtraSection[]): {
  specs: KeepaliveSpec[];
  diagnostics: ConfigDiagnostic[];
} {
  const specs: KeepaliveSpec[] = [];
  const diagnostics: ConfigDiagnostic[] = [];
  for (const s of sections.filter((x) => x.type === 'keepalive')) {
    const r = parseKeepaliveSection(s);
    diagnostics.push(...r.diagnostics);
    if (r.spec) specs.push(r.spec);
  }
  diagnostics.push(...checkKeepaliveSpecs(specs));
  return { specs, diagnostics };
}

/** Start keepalive for `localNode`; rejects with ConfigError on bad keys or a missing node. */
export async function startKeepalive(o: KeepaliveOptions): Promise<KeepaliveDaemon> {
  const log = o.logger ?? pino({ base: { mod: 'keepalive' } });
  const clock = o.clock ?? realClock;
  const run = o.run ?? runCommand;
  const errors = checkKeepaliveSpecs(o.specs).map(formatDiagnostic);
  const mine = o.specs.filter((s) => s.nodes.some((n) => n.name === o.localNode));
  if (mine.length === 0) errors.push(`no keepalive section names node '${o.localNode}' (-L)`);
  for (const s of mine) {
    if (s.trackProxy && !s.trackProxy.address && !o.proxyApi) {
      errors.push(formatDiagnostic({ severity: 'error', loc: s.trackProxy.loc ?? s.loc, section: `keepalive '${s.name}'`, message: "track-proxy needs 'socket PATH' or 'addr IP:PORT' (no stats socket known)" }));
    }
  }
  const rings = new Map<string, KeyRing>();
  for (const file of new Set(mine.map((s) => s.authKeyFile))) {
    const k = await loadKeyFile(file);
    errors.push(...k.errors);
    for (const w of k.warnings) log.warn(w);
    if (k.ring) rings.set(file, k.ring);
  }
  if (errors.length > 0) throw new ConfigError(errors);
  if (o.nonlocalBind ?? true) await enableNonlocalBind(log);

  let daemon: KeepaliveDaemon | undefined;
  const transport = new HeartbeatTransport((buf, from, local) => daemon?.route(buf, from, local));
  const sequence = new SequenceSource();
  const instances = mine.map(
    (spec) =>
      new KeepaliveInstance({ spec, localNode: o.localNode, ring: rings.get(spec.authKeyFile)!, transport, sequence, run, clock, log, proxyApi: o.proxyApi }),
  );
  let guard: VipGuard | undefined;
  let farewell: Farewell | undefined;
  if (o.vipGuard ?? true) {
    farewell = new Farewell(instances, log.child({ mod: 'farewell' }));
    await farewell.open();
    guard = new VipGuard(instances.flatMap((i) => [...i.vips.vips]), log.child({ mod: 'vip-guard' }), farewell.targets());
  }
  const controlPath = o.controlSocket === null ? undefined : (o.controlSocket ?? DEFAULT_CONTROL_SOCKET);
  daemon = new KeepaliveDaemon({ node: o.localNode, instances, transport, guard, farewell, controlPath, clock, log });
  try {
    await daemon._start(controlPath);
  } catch (err) {
    await daemon.stop();
    throw err;
  }
  return daemon;
}

/**
 * `hapair keepalive`: start, then run until SIGTERM/SIGINT and stop cleanly. Resolves with the exit
 * code: 0 after a clean stop, 1 on a configuration error, 2 when it could not start.
 */
export async function runKeepalive(o: KeepaliveOptions): Promise<number> {
  const log = o.logger ?? pino({ base: { mod: 'keepalive' } });
  let daemon: KeepaliveDaemon;
  try {
    daemon = await startKeepalive({ ...o, logger: log });
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const line of err.lines) log.error(line);
      return 1;
    }
    log.error({ err }, 'keepalive could not start');
    return 2;
  }
  // The handlers stay installed until the stop is complete: a second signal must not kill us halfway
  // through a handoff (and with no listener left, libraries such as signal-exit re-raise it).
  const onSignal = (signal: NodeJS.Signals) => {
    log.info({ signal }, 'stopping');
    void daemon.stop();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  await daemon.stopped;
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  return 0;
}

function formatDiagnostic(d: ConfigDiagnostic): string {
  const where = d.loc ? `${d.loc.file}:${d.loc.line}: ` : '';
  return `${where}${d.section ? `${d.section}: ` : ''}${d.message}`;
}

async function enableNonlocalBind(log: Logger): Promise<void> {
  for (const fam of ['ipv4', 'ipv6']) {
    const file = `/proc/sys/net/${fam}/ip_nonlocal_bind`;
    try {
      if ((await readFile(file, 'utf8')).trim() === '1') continue;
      await writeFile(file, '1\n');
      log.info({ sysctl: `net.${fam}.ip_nonlocal_bind` }, 'enabled non-local bind for the proxy');
    } catch (err) {
      log.warn({ file, err: (err as Error).message }, 'cannot enable non-local bind: the proxy may fail to bind VIPs on the backup');
    }
  }
}
