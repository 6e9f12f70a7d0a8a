// The keepalive control socket (unix stream, mode 0600): one command a connection, HAProxy CLI
// style (management.txt 9.3: the answer ends with an empty line, then the connection closes).
// Commands: show info | show state | show peers | show trackers | show counters (each with an
// optional `json`), set priority INSTANCE N, switchover INSTANCE [NODE], help.
import { chmod, unlink } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { SwitchoverResult } from './election.ts';
import type { InstanceStatus } from './instance.ts';

export interface ControlTarget {
  readonly node: string;
  readonly startedAt: number;
  statuses(): readonly InstanceStatus[];
  /** An error message, or undefined when done. */
  setPriority(instance: string, priority: number): string | undefined;
  switchover(instance: string, node: string | undefined): Promise<SwitchoverResult>;
  now(): number;
}

const MAX_LINE = 4096;
const IDLE_TIMEOUT = 10_000;

export const CONTROL_HELP = [
  'help                               : this message',
  'show info [json]                   : process information',
  'show state [json]                  : state, priority and master of each instance',
  'show peers [json]                  : what each peer last advertised',
  'show trackers [json]               : tracker results',
  'show counters [json]               : heartbeat counters and drops',
  'set priority <instance> <1..254>   : change the base priority',
  'switchover <instance> [<node>]     : graceful handoff (on the master: to node or the best backup;',
  '                                     on a backup: ask the master to hand off to this node)',
].join('\n');

/** Answer one command line (without the final empty line). */
export async function executeCommand(t: ControlTarget, line: string): Promise<string> {
  const args = line.trim().split(/\s+/).filter(Boolean);
  const json = args[args.length - 1] === 'json';
  const words = json ? args.slice(0, -1) : args;
  const cmd = words.slice(0, 2).join(' ');
  switch (cmd) {
    case 'show info':
      return showInfo(t, json);
    case 'show state':
      return show(t, json, 'state');
    case 'show peers':
      return show(t, json, 'peers');
    case 'show trackers':
      return show(t, json, 'trackers');
    case 'show counters':
      return show(t, json, 'counters');
    case 'set priority': {
      const [, , inst, prio] = words;
      const n = Number(prio);
      if (!inst || !/^\d+$/.test(prio ?? '') || n < 1 || n > 254) return 'Usage: set priority <instance> <1..254>';
      return t.setPriority(inst, n) ?? 'Done.';
    }
  }
  if (words[0] === 'switchover' && words.length >= 2 && words.length <= 3) {
    const r = await t.switchover(words[1], words[2]);
    return r.ok ? `Done: ${r.message}` : `Failed: ${r.message}`;
  }
  if (words[0] === 'help' || words.length === 0) return CONTROL_HELP;
  return `Unknown command: '${line.trim()}'. Try 'help'.`;
}

function showInfo(t: ControlTarget, json: boolean): string {
  const info = {
    name: 'hapair-keepalive',
    node: t.node,
    pid: process.pid,
    uptime_ms: Math.round(t.now() - t.startedAt),
    instances: t.statuses().length,
  };
  if (json) return JSON.stringify(info);
  return `Name: ${info.name}\nNode: ${info.node}\nPid: ${info.pid}\nUptime_ms: ${info.uptime_ms}\nInstances: ${info.instances}`;
}

function show(t: ControlTarget, json: boolean, what: 'state' | 'peers' | 'trackers' | 'counters'): string {
  const all = t.statuses();
  const now = t.now();
  if (json) return JSON.stringify({ node: t.node, instances: all });
  const rows: string[][] = [];
  if (what === 'state') {
    rows.push(['instance', 'vrid', 'state', 'priority', 'base', 'master', 'since_ms', 'vips', 'faults', 'reason']);
    for (const s of all) {
      rows.push([
        s.name,
        String(s.vrid),
        s.state,
        String(s.priority),
        String(s.basePriority),
        s.master ?? '-',
        String(Math.round(now - s.since)),
        s.vips.join(','),
        s.faults.join(',') || '-',
        s.lastReason.replaceAll(' ', '_'),
      ]);
    }
  } else if (what === 'peers') {
    rows.push(['instance', 'peer', 'state', 'priority', 'base', 'last_seen_ms', 'alive']);
    for (const s of all) {
      for (const p of s.peers) {
        const seen = p.lastSeen < 0 ? '-' : String(Math.round(now - p.lastSeen));
        rows.push([s.name, p.name, p.state, String(p.priority), String(p.basePriority), seen, p.alive ? 'yes' : 'no']);
      }
    }
  } else if (what === 'trackers') {
    rows.push(['instance', 'tracker', 'weight', 'status', 'detail']);
    for (const s of all) {
      for (const tr of s.trackers) {
        const status = tr.ok === undefined ? 'unknown' : tr.ok ? 'ok' : 'failed';
        rows.push([s.name, tr.name.replaceAll(' ', ':'), String(tr.weight), status, tr.detail.replaceAll(' ', '_')]);
      }
    }
  } else {
    rows.push(['instance', 'rx', 'accepted', 'tx', 'tx_errors', 'vip_mismatch', 'dropped']);
    for (const s of all) {
      const c = s.counters;
      const dropped = Object.entries(c.dropped).map(([k, v]) => `${k}=${v}`).join(',') || '-';
      rows.push([s.name, String(c.rx), String(c.accepted), String(c.tx), String(c.txErrors), String(c.vipMismatch), dropped]);
    }
  }
  return rows.map((r, i) => (i === 0 ? `# ${r.join(' ')}` : r.join(' '))).join('\n');
}

export class ControlServer {
  readonly #target: ControlTarget;
  readonly #log: Logger;
  #server?: Server;
  #path?: string;

  constructor(target: ControlTarget, log: Logger) {
    this.#target = target;
    this.#log = log;
  }

  async listen(path: string): Promise<void> {
    await removeStaleSocket(path);
    const server = createServer((sock) => this.#session(sock));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.#log.error({ err }, 'control socket error'));
    await chmod(path, 0o600);
    this.#server = server;
    this.#path = path;
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await unlink(this.#path!).catch(() => {});
  }

  #session(sock: Socket): void {
    let buf = '';
    sock.setEncoding('utf8');
    sock.setTimeout(IDLE_TIMEOUT, () => sock.destroy());
    sock.on('error', () => sock.destroy());
    sock.on('data', (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl < 0) {
        if (buf.length > MAX_LINE) sock.destroy();
        return;
      }
      sock.pause();
      void executeCommand(this.#target, buf.slice(0, nl))
        .catch((err: unknown) => `Error: ${(err as Error).message}`)
        .then((answer) => sock.end(`${answer}\n\n`));
    });
  }
}

/** A socket file left by a crashed run is removed; one that still answers means a live daemon. */
async function removeStaleSocket(path: string): Promise<void> {
  const alive = await new Promise<boolean>((resolve) => {
    const s = connect({ path });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
  if (alive) throw new Error(`control socket ${path} is in use: is another keepalive running?`);
  await unlink(path).catch(() => {});
}
