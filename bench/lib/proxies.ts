// The proxies under comparison and how each one starts from a config file. Both read the same
// HAProxy-syntax text (that is the product's promise); each runs in the foreground, one thread.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchError } from './bench-error.ts';
import type { ChildHandle } from './children.ts';
import { waitForAccept } from './net-wait.ts';
import type { BenchContext } from '../scenarios/scenario.ts';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
export const HAPROXY_BIN = '/usr/sbin/haproxy';
/** The pinned Node 24 (ARCHITECTURE.md decision 6), as the systemd units run it. */
export const PINNED_NODE = join(REPO_ROOT, 'node_modules', '.bin', 'node');
export const HAPAIR_ENTRY = join(REPO_ROOT, 'src', 'cli', 'hapair.ts');

export interface ProxyKind {
  readonly name: string;
  /** Why it cannot run here, or undefined when it can. */
  unavailable(): string | undefined;
  command(configFile: string): readonly [string, readonly string[]];
}

export const HAPROXY: ProxyKind = {
  name: 'haproxy',
  unavailable: () => (existsSync(HAPROXY_BIN) ? undefined : `${HAPROXY_BIN} not installed`),
  // -db: stay in the foreground, no daemon (HAProxy management.txt 3 "-db").
  command: (configFile) => [HAPROXY_BIN, ['-db', '-f', configFile]],
};

export const HAPAIR: ProxyKind = {
  name: 'hapair',
  unavailable: () => (existsSync(HAPAIR_ENTRY) ? undefined : `${HAPAIR_ENTRY} does not exist yet (try --only haproxy)`),
  command: (configFile) => [PINNED_NODE, [HAPAIR_ENTRY, 'proxy', '-f', configFile]],
};

export const NODE_FLOOR_ENTRY = join(REPO_ROOT, 'bench', 'floor', 'node-floor.ts');

/** Pseudo-contender: Node's own cost for the traffic, hapair's I/O without its HTTP work (../floor/node-floor.ts). */
export const NODE_FLOOR: ProxyKind = {
  name: 'node-floor',
  unavailable: () => undefined,
  command: (configFile) => [PINNED_NODE, [NODE_FLOOR_ENTRY, configFile]],
};

export const PROXY_KINDS: Readonly<Record<string, ProxyKind>> = { haproxy: HAPROXY, hapair: HAPAIR, 'node-floor': NODE_FLOOR };

export function proxyKind(name: string): ProxyKind {
  const kind = PROXY_KINDS[name];
  if (kind === undefined) throw new BenchError(`unknown proxy '${name}' (known: ${Object.keys(PROXY_KINDS).join(', ')})`);
  const why = kind.unavailable();
  if (why !== undefined) throw new BenchError(`${name}: ${why}`);
  return kind;
}

/**
 * Writes `configText` to the scenario's work dir, starts `kind` on it (pinned to the proxy CPU
 * when pinning is on) and resolves once `port` accepts.
 */
export async function startProxy(kind: ProxyKind, label: string, configText: string, port: number, ctx: BenchContext, cpus?: string): Promise<ChildHandle> {
  const configFile = join(ctx.workDir, `${label}.cfg`);
  writeFileSync(configFile, configText);
  const [command, args] = kind.command(configFile);
  const child = ctx.children.spawn(label, command, args, { cpus, cwd: REPO_ROOT });
  try {
    await waitForAccept(port, child);
  } catch (err) {
    await child.stop();
    throw err;
  }
  return child;
}
