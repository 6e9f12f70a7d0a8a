// The keepalive's I/O shells on loopback and local files (no namespaces needed): the proxy
// liveness probe (also against real HAProxy), script and interface trackers, notify hooks, the
// heartbeat transport, the control socket.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { realClock } from '../../src/clock.ts';
import { runCommand, type RunCommand } from '../../src/keepalive/commands.ts';
import { ControlServer, type ControlTarget } from '../../src/keepalive/control-socket.ts';
import { Notifier } from '../../src/keepalive/notify.ts';
import { interfaceTracker, readOperstate } from '../../src/keepalive/trackers/interface-tracker.ts';
import { probeRuntimeApi } from '../../src/keepalive/trackers/proxy-tracker.ts';
import { scriptTracker } from '../../src/keepalive/trackers/script-tracker.ts';
import type { PollingTracker } from '../../src/keepalive/trackers/tracker.ts';
import { HeartbeatTransport } from '../../src/keepalive/udp-transport.ts';
import { askUnix, sleep, waitFor } from './pair-lab.ts';

const log = pino({ level: 'silent' });
let dir: string;
const cleanups: (() => unknown)[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hapair-ka-shells-'));
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * A probe destroys its socket once it has the answer, so a peer's socket may see ECONNRESET: the
 * test peers ignore socket errors (unhandled, they would fail the whole file).
 */
function quietPeer(onConn: (s: import('node:net').Socket) => void): Server {
  return createServer((s) => {
    s.on('error', () => undefined);
    onConn(s);
  });
}

/** Until the kernel shows `pid` stopped (state T): SIGSTOP is delivered asynchronously. */
async function waitStopped(pid: number): Promise<void> {
  const state = async () => (await readFile(`/proc/${pid}/stat`, 'utf8')).replace(/^.*\) /s, '')[0];
  await waitFor(`process ${pid} stopped`, async () => (await state()) === 'T');
}

function serve(path: string, onConn: (s: import('node:net').Socket) => void): Promise<Server> {
  const server = quietPeer(onConn);
  cleanups.push(() => new Promise((r) => server.close(r)));
  return new Promise((resolve) => server.listen(path, () => resolve(server)));
}

describe('proxy liveness probe (runtime API `show info`)', () => {
  it('passes when the answer is non-empty and ends with an empty line', async () => {
    const path = join(dir, 'ok.sock');
    await serve(path, (s) => s.once('data', () => s.end('Name: x\nPid: 1\n\n')));
    expect(await probeRuntimeApi({ kind: 'unix', path }, 1000)).toEqual({ ok: true, detail: `${path}: answered` });
  });

  it('fails on a proxy that accepts but never answers (hung), within the deadline', async () => {
    const path = join(dir, 'hung.sock');
    const held: import('node:net').Socket[] = [];
    await serve(path, (s) => held.push(s));
    cleanups.push(() => held.forEach((s) => s.destroy()));
    expect(await probeRuntimeApi({ kind: 'unix', path }, 200)).toEqual({ ok: false, detail: `${path}: no answer within 200ms` });
  });

  it('fails on an answer without the final empty line, and on a missing socket', async () => {
    const path = join(dir, 'short.sock');
    await serve(path, (s) => s.once('data', () => s.end('Name: x\n')));
    expect((await probeRuntimeApi({ kind: 'unix', path }, 1000)).ok).toBe(false);
    const missing = await probeRuntimeApi({ kind: 'unix', path: join(dir, 'none.sock') }, 1000);
    expect(missing.ok).toBe(false);
    expect(missing.detail).toMatch(/ENOENT/);
  });

  it('probes a TCP runtime API too', async () => {
    const server = quietPeer((s) => s.once('data', () => s.end('Name: x\n\n')));
    cleanups.push(() => new Promise((r) => server.close(r)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as import('node:net').AddressInfo).port;
    expect((await probeRuntimeApi({ kind: 'tcp', host: '127.0.0.1', port }, 1000)).ok).toBe(true);
  });

  it('against real HAProxy: ok while it runs, failing while it is stopped (SIGSTOP)', async () => {
    const sock = join(dir, 'haproxy.sock');
    const cfg = join(dir, 'haproxy.cfg');
    await writeFile(cfg, `global\n    stats socket ${sock} mode 600 level admin\ndefaults\n    mode tcp\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n`);
    const hap: ChildProcess = spawn('/usr/sbin/haproxy', ['-db', '-f', cfg], { stdio: 'ignore' });
    cleanups.push(() => {
      hap.kill('SIGCONT');
      hap.kill('SIGKILL');
    });
    await waitFor('haproxy stats socket', async () => (await probeRuntimeApi({ kind: 'unix', path: sock }, 500)).ok);
    hap.kill('SIGSTOP');
    await waitStopped(hap.pid!);
    const stopped = await probeRuntimeApi({ kind: 'unix', path: sock }, 300);
    expect(stopped).toEqual({ ok: false, detail: `${sock}: no answer within 300ms` });
    hap.kill('SIGCONT');
    await waitFor('haproxy answering again', async () => (await probeRuntimeApi({ kind: 'unix', path: sock }, 500)).ok);
  });
});

function track(t: PollingTracker): PollingTracker {
  cleanups.push(() => t.stop());
  const changes: (boolean | undefined)[] = [];
  t.start(() => changes.push(t.ok));
  return t;
}

describe('script tracker', () => {
  it('follows the exit status through rise/fall, and fails a script past its timeout', async () => {
    const flag = join(dir, 'healthy');
    await writeFile(flag, '');
    const t = track(
      scriptTracker({ command: `test -e ${flag}`, interval: 20, timeout: 1000, rise: 2, fall: 2, weight: -20, loc: { file: 'x', line: 1 } }, runCommand, realClock),
    );
    await t.firstResult;
    expect(t.ok).toBe(true);
    await rm(flag);
    await waitFor('failing', async () => t.ok === false, 5000, 10);
    expect(t.detail).toBe('exit 1');
    await writeFile(flag, '');
    await waitFor('ok again', async () => t.ok === true, 5000, 10);

    const slow = track(
      scriptTracker({ command: 'sleep 5', interval: 1000, timeout: 100, rise: 1, fall: 1, weight: 0, loc: { file: 'x', line: 2 } }, runCommand, realClock),
    );
    await slow.firstResult;
    expect(slow.ok).toBe(false);
    expect(slow.detail).toBe('timed out after 100ms');
  });
});

describe('interface tracker', () => {
  it('reads operstate: up and unknown are up; down and missing are down', async () => {
    const sysfs = join(dir, 'sys');
    for (const [dev, state] of [
      ['eth0', 'up'],
      ['dummy0', 'unknown'],
      ['eth1', 'down'],
      ['veth2', 'lowerlayerdown'],
    ]) {
      await mkdir(join(sysfs, dev), { recursive: true });
      await writeFile(join(sysfs, dev, 'operstate'), `${state}\n`);
    }
    expect(await readOperstate('eth0', sysfs)).toEqual({ ok: true, detail: 'eth0 up' });
    expect((await readOperstate('dummy0', sysfs)).ok).toBe(true);
    expect((await readOperstate('eth1', sysfs)).ok).toBe(false);
    expect((await readOperstate('veth2', sysfs)).ok).toBe(false);
    expect(await readOperstate('nope', sysfs)).toEqual({ ok: false, detail: 'nope missing' });

    const t = track(interfaceTracker('eth0', -60, realClock, sysfs));
    await t.firstResult;
    expect(t.ok).toBe(true);
    await writeFile(join(sysfs, 'eth0', 'operstate'), 'down\n');
    await waitFor('eth0 down', async () => t.ok === false, 5000, 10);
  });
});

describe('notify hooks', () => {
  it('runs `notify` and the state script in transition order, with arguments and environment', async () => {
    const out = join(dir, 'notify.out');
    const script = join(dir, 'hook.sh');
    // The first hook is slow: order must still hold.
    await writeFile(script, `#!/bin/sh\n[ "$2" = BACKUP ] && sleep 0.2\necho "$0 $1 $2 $3 $HAPAIR_PREVIOUS_STATE $HAPAIR_NODE $HAPAIR_REASON" >> ${out}\n`);
    await chmod(script, 0o755);
    const master = join(dir, 'master.sh');
    await writeFile(master, `#!/bin/sh\necho "master-hook $1 $2 $3" >> ${out}\n`);
    await chmod(master, 0o755);
    const n = new Notifier({ all: script, master, timeout: 5000 }, { node: 'lb1' }, runCommand, log);
    n.notify({ instance: 'VI_1', from: 'INIT', to: 'BACKUP', reason: 'startup', priority: 150 });
    n.notify({ instance: 'VI_1', from: 'BACKUP', to: 'MASTER', reason: 'master-down', priority: 150 });
    expect(n.pending).toBe(3);
    await n.idle();
    expect((await readFile(out, 'utf8')).split('\n').filter(Boolean)).toEqual([
      `${script} VI_1 BACKUP 150 INIT lb1 startup`,
      `${script} VI_1 MASTER 150 BACKUP lb1 master-down`,
      'master-hook VI_1 MASTER 150',
    ]);
    expect(n.pending).toBe(0);
  });

  // A takeover's hooks forked while its `ip addr` and GARP were still out cost 20-60 ms before
  // the GARP on a loaded host (failover benchmark): hooks wait for the instance's VIP work.
  it('starts hooks only once `settled` resolves (the VIP work queued before them), in order', async () => {
    const ran: string[] = [];
    const run: RunCommand = async (_file, args) => {
      ran.push(args.join(' '));
      return { exitCode: 0, stdout: '', stderr: '', timedOut: false, failed: false, message: '' };
    };
    let release!: () => void;
    const vipWork = new Promise<void>((r) => (release = r));
    const n = new Notifier({ all: '/hook', timeout: 1000 }, { node: 'lb2' }, run, log, () => vipWork);
    n.notify({ instance: 'VI_1', from: 'BACKUP', to: 'MASTER', reason: 'master-down', priority: 100 });
    n.notify({ instance: 'VI_1', from: 'MASTER', to: 'BACKUP', reason: 'x', priority: 100 });
    await sleep(50);
    expect(ran).toEqual([]);
    release();
    await n.idle();
    expect(ran).toEqual(['VI_1 MASTER 100', 'VI_1 BACKUP 100']);
  });

  it('kills a hook past notify-timeout and goes on', async () => {
    const out = join(dir, 'notify2.out');
    const slow = join(dir, 'slow.sh');
    await writeFile(slow, `#!/bin/sh\n[ "$2" = BACKUP ] && exec sleep 10\necho "$2" >> ${out}\n`);
    await chmod(slow, 0o755);
    const n = new Notifier({ all: slow, timeout: 200 }, { node: 'lb1' }, runCommand, log);
    n.notify({ instance: 'VI_1', from: 'INIT', to: 'BACKUP', reason: 'startup', priority: 1 });
    n.notify({ instance: 'VI_1', from: 'BACKUP', to: 'FAULT', reason: 'x', priority: 1 });
    await n.idle();
    expect(await readFile(out, 'utf8')).toBe('FAULT\n');
  });
});

describe('heartbeat transport (UDP on loopback)', () => {
  it('delivers datagrams with the normalized source and the local endpoint; refuses a foreign address', async () => {
    const got: [string, string, number, string][] = [];
    const a = new HeartbeatTransport(() => {});
    const b = new HeartbeatTransport((msg, from, local) => got.push([msg.toString(), from.address, from.port, local.address]));
    cleanups.push(() => a.close(), () => b.close());
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const ea = { address: '127.0.0.2', port };
    const eb = { address: '127.0.0.3', port };
    await a.bind(ea);
    await b.bind(eb);
    await a.bind(ea); // idempotent
    expect(a.isBound(ea)).toBe(true);
    expect(await a.send(ea, eb, Buffer.from('hello'))).toBe(true);
    await waitFor('datagram', async () => got.length > 0, 5000, 10);
    expect(got).toEqual([['hello', '127.0.0.2', port, '127.0.0.3']]);
    expect(await a.send({ address: '127.0.0.9', port }, eb, Buffer.from('x'))).toBe(false);
    await expect(a.bind({ address: '192.0.2.77', port })).rejects.toThrow(/EADDRNOTAVAIL/);
  });
});

describe('control socket server', () => {
  const target: ControlTarget = {
    node: 'lb1',
    startedAt: 0,
    now: () => 1,
    statuses: () => [],
    setPriority: () => undefined,
    switchover: async () => ({ ok: true, message: 'x' }),
  };

  it('answers one command per connection, ending with an empty line; socket mode 0600', async () => {
    const path = join(dir, 'control.sock');
    const s = new ControlServer(target, log);
    cleanups.push(() => s.close());
    await s.listen(path);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await askUnix(path, 'show info\n')).toMatch(/^Name: hapair-keepalive\nNode: lb1\n.*\n\n$/s);
    expect(await askUnix(path, 'bogus\n')).toBe("Unknown command: 'bogus'. Try 'help'.\n\n");
  });

  it('replaces a stale socket file but refuses one a live daemon answers on', async () => {
    const path = join(dir, 'stale.sock');
    await writeFile(path, '');
    const s1 = new ControlServer(target, log);
    cleanups.push(() => s1.close());
    await s1.listen(path);
    const s2 = new ControlServer(target, log);
    await expect(s2.listen(path)).rejects.toThrow(/in use/);
    await s1.close();
    await sleep(10);
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
  });
});
