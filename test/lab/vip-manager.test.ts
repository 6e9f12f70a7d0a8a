// VipManager against the real tools in two network namespaces joined by a veth pair: the ip
// batch, the GARP and NA pipes, claim (add then announce, IPv4 and IPv6, after a MAC change),
// `ip addr` add / list / release (twice: a VIP already gone is no error), and the LAN probe
// (arping) that vetoes a takeover, seen from the other namespace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { Writable } from 'node:stream';
import { runCommand, type RunCommand } from '../../src/keepalive/commands.ts';
import { GarpPipe, garpFrame } from '../../src/keepalive/garp-pipe.ts';
import { IpBatch } from '../../src/keepalive/ip-batch.ts';
import { NA_FRAME_LEN, naFrame } from '../../src/keepalive/na-frame.ts';
import { VipManager, type VipTarget } from '../../src/keepalive/vip-manager.ts';
import { sh } from './pair-lab.ts';

const NS = { a: 'hpk5v-a', b: 'hpk5v-b' } as const;
const VIP: VipTarget = { address: '10.199.60.100', prefix: 24, family: 4, dev: 'eth0' };
const VIP6: VipTarget = { address: 'fd00:199:60::100', prefix: 64, family: 6, dev: 'eth0' };

/** Run the tools inside `ns`, as keepalive does when it runs there. */
function inNs(ns: string): RunCommand {
  return (file, args, options) => runCommand('ip', ['netns', 'exec', ns, file, ...args], options);
}

async function removeNamespaces(): Promise<void> {
  for (const ns of Object.values(NS)) await sh(['ip', 'netns', 'del', ns]);
}

async function must(args: string[]): Promise<void> {
  const r = await sh(args);
  if (r.failed) throw new Error(`${args.join(' ')}: ${r.stderr.trim() || r.message}`);
}

beforeAll(async () => {
  await removeNamespaces();
  for (const ns of Object.values(NS)) await must(['ip', 'netns', 'add', ns]);
  await must(['ip', '-n', NS.a, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', NS.b]);
  const own = { a: '10.199.60.11/24', b: '10.199.60.12/24' } as const;
  for (const k of ['a', 'b'] as const) {
    await must(['ip', '-n', NS[k], 'link', 'set', 'lo', 'up']);
    await must(['ip', '-n', NS[k], 'link', 'set', 'eth0', 'up']);
    await must(['ip', '-n', NS[k], 'addr', 'add', own[k], 'dev', 'eth0']);
  }
}, 60_000);

afterAll(() => removeNamespaces(), 60_000);

async function neighMac(ns: string, address: string): Promise<string | undefined> {
  const r = await sh(['ip', '-n', ns, 'neigh', 'show', address, 'dev', 'eth0']);
  return /lladdr ([0-9a-f:]+)/.exec(r.stdout)?.[1];
}

const STALE_MAC = '02:00:00:00:00:99';
const NEW_MAC = '02:00:00:00:00:42';

/** Poll (bounded) until the peer's neighbour entry for `address` is `mac`; the last one seen. */
async function peerEntryBecomes(address: string, mac: string): Promise<string | undefined> {
  let seen: string | undefined;
  for (let i = 0; i < 50 && seen !== mac; i++) {
    seen = await neighMac(NS.b, address);
    if (seen !== mac) await new Promise((r) => setTimeout(r, 20));
  }
  return seen;
}

function warnings(): { log: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const log = pino(
    { level: 'warn' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    }),
  );
  return { log, lines };
}

describe('VipManager (netns)', () => {
  it('the ip batch runs commands in order, reports a failed one with its error and goes on', async () => {
    const batch = new IpBatch(pino({ level: 'silent' }), 5000, ['ip', 'netns', 'exec', NS.a]);
    try {
      batch.start();
      const vip = `${VIP.address}/${VIP.prefix}`;
      expect(await batch.run(['addr', 'replace', vip, 'dev', 'eth0'])).toEqual({ ok: true, stderr: '' });
      expect((await sh(['ip', '-n', NS.a, '-o', 'addr', 'show', 'dev', 'eth0'])).stdout).toContain(` ${vip} `);
      expect(await batch.run(['addr', 'del', vip, 'dev', 'eth0'])).toEqual({ ok: true, stderr: '' });
      const again = await batch.run(['addr', 'del', vip, 'dev', 'eth0']);
      expect(again?.ok).toBe(false);
      expect(again?.stderr).toMatch(/address not found/i);
      expect(await batch.run(['addr', 'replace', vip, 'dev', 'eth0'])).toEqual({ ok: true, stderr: '' });
      expect(await batch.run(['addr', 'del', vip, 'dev', 'eth0'])).toEqual({ ok: true, stderr: '' });
    } finally {
      batch.close();
    }
    expect(await batch.run(['addr', 'show'])).toBeUndefined(); // closed: the caller spawns ip
  });

  it('the GARP pipe (socat INTERFACE) sends an announcement frame the peer takes', async () => {
    const pipe = new GarpPipe('eth0', pino({ level: 'silent' }), ['ip', 'netns', 'exec', NS.a]);
    try {
      await must(['ip', '-n', NS.b, 'neigh', 'replace', VIP.address, 'lladdr', STALE_MAC, 'dev', 'eth0', 'nud', 'stale']);
      await must(['ip', '-n', NS.a, 'addr', 'add', `${VIP.address}/${VIP.prefix}`, 'dev', 'eth0']);
      const macA = (await sh(['ip', 'netns', 'exec', NS.a, 'cat', '/sys/class/net/eth0/address'])).stdout.trim();
      pipe.start();
      await new Promise((r) => setTimeout(r, 300)); // socat up (a send before that is buffered anyway)
      expect(pipe.send(garpFrame(VIP.address, macA))).toBe(true);
      let seen: string | undefined;
      for (let i = 0; i < 50 && seen !== macA; i++) {
        seen = await neighMac(NS.b, VIP.address);
        if (seen !== macA) await new Promise((r) => setTimeout(r, 20));
      }
      expect(seen).toBe(macA);
    } finally {
      pipe.close();
      await sh(['ip', '-n', NS.a, 'addr', 'del', `${VIP.address}/${VIP.prefix}`, 'dev', 'eth0']);
    }
  });

  it('the NA pipe (socat INTERFACE, 86-byte frames) sends an unsolicited NA the peer takes', async () => {
    const pipe = new GarpPipe('eth0', pino({ level: 'silent' }), ['ip', 'netns', 'exec', NS.a], NA_FRAME_LEN);
    try {
      await must(['ip', '-n', NS.b, 'neigh', 'replace', VIP6.address, 'lladdr', STALE_MAC, 'dev', 'eth0', 'nud', 'stale']);
      const macA = (await sh(['ip', 'netns', 'exec', NS.a, 'cat', '/sys/class/net/eth0/address'])).stdout.trim();
      pipe.start();
      expect(pipe.send(naFrame(VIP6.address, macA))).toBe(true);
      expect(await peerEntryBecomes(VIP6.address, macA)).toBe(macA);
    } finally {
      pipe.close();
      await sh(['ip', '-n', NS.b, 'neigh', 'del', VIP6.address, 'dev', 'eth0']);
    }
  });

  it('claim of an IPv6 VIP announces it through the NA pipe: the peer\'s entry moves here, no fallback', async () => {
    const { log, lines } = warnings();
    const a = new VipManager([VIP6], inNs(NS.a), log, ['ip', 'netns', 'exec', NS.a]);
    try {
      await a.prepare();
      await must(['ip', '-n', NS.b, 'neigh', 'replace', VIP6.address, 'lladdr', STALE_MAC, 'dev', 'eth0', 'nud', 'stale']);
      expect(await a.claim()).toBe(true);
      const macA = (await sh(['ip', 'netns', 'exec', NS.a, 'cat', '/sys/class/net/eth0/address'])).stdout.trim();
      expect(await peerEntryBecomes(VIP6.address, macA)).toBe(macA);
      expect(lines).toEqual([]); // the pipe did not fail over to socat per announcement
    } finally {
      await a.releaseAll();
      await a.drain();
      await sh(['ip', '-n', NS.b, 'neigh', 'del', VIP6.address, 'dev', 'eth0']);
    }
  });

  it('a MAC changed after start is re-read: the takeover\'s GARP and NA carry the new one', async () => {
    const a = new VipManager([VIP, VIP6], inNs(NS.a), pino({ level: 'silent' }), ['ip', 'netns', 'exec', NS.a]);
    const macA = (await sh(['ip', 'netns', 'exec', NS.a, 'cat', '/sys/class/net/eth0/address'])).stdout.trim();
    try {
      await a.prepare();
      await must(['ip', '-n', NS.a, 'link', 'set', 'dev', 'eth0', 'address', NEW_MAC]);
      for (const v of [VIP, VIP6]) {
        await must(['ip', '-n', NS.b, 'neigh', 'replace', v.address, 'lladdr', STALE_MAC, 'dev', 'eth0', 'nud', 'stale']);
      }
      expect(await a.claim()).toBe(true);
      expect(await peerEntryBecomes(VIP.address, NEW_MAC)).toBe(NEW_MAC);
      expect(await peerEntryBecomes(VIP6.address, NEW_MAC)).toBe(NEW_MAC);
    } finally {
      await a.releaseAll();
      await a.drain();
      await sh(['ip', '-n', NS.a, 'link', 'set', 'dev', 'eth0', 'address', macA]);
      for (const v of [VIP, VIP6]) await sh(['ip', '-n', NS.b, 'neigh', 'del', v.address, 'dev', 'eth0']);
    }
  });

  it('claim adds the VIP, then its gratuitous ARP moves the peer\'s neighbour entry here', async () => {
    const a = new VipManager([VIP], inNs(NS.a), pino({ level: 'silent' }), ['ip', 'netns', 'exec', NS.a]);
    try {
      await a.prepare();
      await must(['ip', '-n', NS.b, 'neigh', 'replace', VIP.address, 'lladdr', STALE_MAC, 'dev', 'eth0', 'nud', 'stale']);
      expect(await a.claim()).toBe(true);
      expect(await a.held()).toEqual([VIP.address]);
      const macA = (await sh(['ip', 'netns', 'exec', NS.a, 'cat', '/sys/class/net/eth0/address'])).stdout.trim();
      // claim resolves once arping has printed its header; the frame follows within milliseconds.
      let seen: string | undefined;
      for (let i = 0; i < 50 && seen !== macA; i++) {
        seen = await neighMac(NS.b, VIP.address);
        if (seen !== macA) await new Promise((r) => setTimeout(r, 20));
      }
      expect(seen).toBe(macA);
    } finally {
      await a.releaseAll();
      await a.drain();
    }
  });

  it('claim sends no gratuitous ARP when the claim is no longer wanted once the VIP is added', async () => {
    const a = new VipManager([VIP], inNs(NS.a), pino({ level: 'silent' }), ['ip', 'netns', 'exec', NS.a]);
    try {
      await a.prepare();
      await must(['ip', '-n', NS.b, 'neigh', 'replace', VIP.address, 'lladdr', STALE_MAC, 'dev', 'eth0', 'nud', 'stale']);
      expect(await a.claim(() => false)).toBe(true);
      await new Promise((r) => setTimeout(r, 300));
      expect(await neighMac(NS.b, VIP.address)).toBe(STALE_MAC);
    } finally {
      await a.releaseAll();
      await a.drain();
      await sh(['ip', '-n', NS.b, 'neigh', 'del', VIP.address, 'dev', 'eth0']);
    }
  });


  it('adds, lists and releases the VIP; a second release is quiet; the peer probe follows', async () => {
    const { log, lines: errors } = warnings();
    const a = new VipManager([VIP], inNs(NS.a), log, ['ip', 'netns', 'exec', NS.a]);
    const b = new VipManager([VIP], inNs(NS.b), log, ['ip', 'netns', 'exec', NS.b]);

    expect(await a.addAll()).toBe(true);
    expect(await a.held()).toEqual([VIP.address]);
    // From the other node: someone answers ARP for the VIP (a takeover would be vetoed).
    expect(await b.probeInUse(300)).toBe(true);

    await a.releaseAll();
    expect(await a.held()).toEqual([]);
    await a.releaseAll();
    expect(errors).toEqual([]);
    expect(await b.probeInUse(300)).toBe(false);
  });
});
