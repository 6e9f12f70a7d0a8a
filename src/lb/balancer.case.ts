// Contract suite every balancer's test runs (hono style): eligibility, backups, full servers,
// null cases and `avoid`. Also the fixtures to build servers without a config file.
import { describe, expect, it } from 'vitest';
import { Server } from '../backend/server.ts';
import type { ServerSpec } from '../config/model.ts';
import type { Balancer, BalancerOptions } from './balancer.ts';

export interface ServerInit {
  name: string;
  id?: number;
  weight?: number;
  backup?: boolean;
  maxconn?: number;
  maxqueue?: number;
  disabled?: boolean;
}

/** A ServerSpec as the config would build it; ids default to the position from 1. */
export function serverSpecOf(init: ServerInit, i: number, portBase = 8000, line = i + 1): ServerSpec {
  return {
    name: init.name,
    id: init.id ?? i + 1,
    host: '127.0.0.1',
    port: portBase + i,
    weight: init.weight ?? 1,
    backup: init.backup ?? false,
    maxconn: init.maxconn ?? 0,
    minconn: 0,
    maxqueue: init.maxqueue ?? 0,
    disabled: init.disabled ?? false,
    params: {},
    loc: { file: 'test.cfg', line },
  };
}

/** A Server as the config would build it; ids default to the position from 1. */
export function makeServers(inits: readonly ServerInit[], backend = 'be'): Server[] {
  return inits.map((init, i) => {
    const spec = serverSpecOf(init, i);
    return new Server(spec, backend);
  });
}

/** Varied client addresses so that hashing balancers spread too. */
export function clientAddress(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

/**
 * Names of the servers picked over `count` short sessions with varied keys (each one ends before
 * the next starts, so loads stay as set up); null picks are counted as 'null'.
 */
export function pickNames(b: Balancer, count: number, avoid?: Server): Map<string, number> {
  const seen = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const s = b.pick({ src: clientAddress(i * 7919 + 1) }, avoid);
    if (s !== null) {
      s.served++;
      b.onServedChange(s);
      s.served--;
      b.onServedChange(s);
    }
    const name = s?.name ?? 'null';
    seen.set(name, (seen.get(name) ?? 0) + 1);
  }
  return seen;
}

/**
 * Open long sessions (varied keys) until the balancer has no room left: returns the servers that
 * got at least one, sorted by name. Works for every algorithm when servers have a maxconn: even
 * `first` and `leastconn` reach every eligible server once the earlier ones are full. A full
 * server returned by a hashing balancer is skipped (the backend would queue on it).
 */
export function fillFarm(b: Balancer, avoid?: Server, attempts = 3000): string[] {
  const used = new Set<string>();
  for (let i = 0; i < attempts; i++) {
    const s = b.pick({ src: clientAddress(i * 7919 + 1) }, avoid);
    if (s === null) break;
    if (s.isFull()) continue;
    s.served++;
    b.onServedChange(s);
    used.add(s.name);
  }
  return [...used].sort();
}

/** End every session (between phases of a test). */
export function emptyFarm(b: Balancer, servers: readonly Server[]): void {
  for (const s of servers) {
    s.served = 0;
    b.onServedChange(s);
  }
}

export type MakeBalancer = (servers: Server[], opts: BalancerOptions) => Balancer;

export interface ContractTraits {
  /** The key designates the server: a full one is still returned (HAProxy then queues on it). */
  readonly returnsFullServer?: boolean;
  /** Map-based hashing ignores `avoid` (HAProxy lb_map.c). */
  readonly ignoresAvoid?: boolean;
}

/** Contract servers hold at most this many sessions, so that fillFarm() ends. */
const MAXCONN = 3;

export function runBalancerContract(name: string, make: MakeBalancer, traits: ContractTraits = {}): void {
  const opts = { allbackups: false };
  const farm = (inits: ServerInit[]): Server[] => makeServers(inits.map((i) => ({ maxconn: MAXCONN, ...i })));

  describe(`${name}: balancer contract`, () => {
    it('never picks a down, maintenance, draining or weight-0 server', () => {
      const servers = farm([{ name: 'up1' }, { name: 'down' }, { name: 'maint', disabled: true }, { name: 'drain' }, { name: 'w0' }, { name: 'up2' }]);
      servers[1].oper = 'DOWN';
      servers[3].admin.drain = true;
      servers[4].setWeight(0);
      const b = make(servers, opts);
      expect(fillFarm(b)).toEqual(['up1', 'up2']);
      expect(servers.map((s) => s.served)).toEqual([MAXCONN, 0, 0, 0, 0, MAXCONN]);
    });

    it('skips a server that went down once refreshed, and takes it back when it returns', () => {
      const servers = farm([{ name: 'a' }, { name: 'b' }]);
      const b = make(servers, opts);
      servers[0].oper = 'DOWN';
      b.refresh();
      expect(fillFarm(b)).toEqual(['b']);
      emptyFarm(b, servers);
      servers[0].oper = 'UP';
      b.refresh();
      expect(fillFarm(b)).toEqual(['a', 'b']);
    });

    it('uses backups only when no active server is usable, the lowest id first', () => {
      const servers = farm([
        { name: 'act' },
        { name: 'bk9', id: 9, backup: true },
        { name: 'bk3', id: 3, backup: true },
      ]);
      const b = make(servers, opts);
      expect(fillFarm(b)).toEqual(['act']);
      emptyFarm(b, servers);
      servers[0].admin.maint = true;
      b.refresh();
      expect(fillFarm(b)).toEqual(['bk3']);
      emptyFarm(b, servers);
      servers[2].oper = 'DOWN';
      b.refresh();
      expect(fillFarm(b)).toEqual(['bk9']);
      emptyFarm(b, servers);
      servers[0].admin.maint = false;
      b.refresh();
      expect(fillFarm(b)).toEqual(['act']);
    });

    it('balances over every usable backup with option allbackups', () => {
      const servers = farm([{ name: 'act' }, { name: 'bk1', backup: true }, { name: 'bk2', backup: true }, { name: 'bk3', backup: true }]);
      servers[0].oper = 'DOWN';
      servers[3].oper = 'DOWN';
      const b = make(servers, { allbackups: true });
      expect(fillFarm(b)).toEqual(['bk1', 'bk2']);
    });

    it('tells "no usable server" from "all full" with hasCandidates()', () => {
      const servers = farm([{ name: 'a' }, { name: 'b' }]);
      const b = make(servers, opts);
      expect(b.hasCandidates()).toBe(true);
      servers[0].served = MAXCONN;
      servers[1].served = MAXCONN;
      const full = b.pick({ src: '10.0.0.1' });
      if (traits.returnsFullServer) expect(full?.isFull()).toBe(true);
      else expect(full).toBeNull();
      expect(b.hasCandidates()).toBe(true);
      servers[0].oper = 'DOWN';
      servers[1].admin.maint = true;
      b.refresh();
      expect(b.pick({ src: '10.0.0.1' })).toBeNull();
      expect(b.hasCandidates()).toBe(false);
    });

    it('returns null for a backend without servers', () => {
      const b = make([], opts);
      expect(b.pick({ src: '10.0.0.1' })).toBeNull();
      expect(b.hasCandidates()).toBe(false);
    });

    if (!traits.returnsFullServer) {
      it('skips full servers (served at maxconn, or someone already queued on them)', () => {
        const servers = farm([{ name: 'full' }, { name: 'queued' }, { name: 'free' }]);
        servers[0].served = MAXCONN;
        servers[1].queued = 1;
        const b = make(servers, opts);
        expect(fillFarm(b)).toEqual(['free']);
        expect(servers.map((s) => s.served)).toEqual([MAXCONN, 0, MAXCONN]);
        expect(b.pick({ src: '10.0.0.1' })).toBeNull();
      });
    }

    if (!traits.ignoresAvoid) {
      it('avoids the given server while another one can take the session', () => {
        const servers = farm([{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
        const b = make(servers, opts);
        // Until a and c are full, b is never chosen; a hashing balancer keeps avoiding it after.
        const picks = traits.returnsFullServer ? 200 : 2 * MAXCONN;
        for (let i = 0; i < picks; i++) {
          const s = b.pick({ src: clientAddress(i * 31 + 5) }, servers[1])!;
          expect(s.name).not.toBe('b');
          if (s.isFull()) continue;
          s.served++;
          b.onServedChange(s);
        }
        expect(servers.map((s) => s.served)).toEqual([MAXCONN, 0, MAXCONN]);
        if (!traits.returnsFullServer) expect(b.pick({ src: '10.0.0.1' }, servers[1])).toBe(servers[1]);
      });
    }

    it('returns the avoided server when it is the only usable one', () => {
      const servers = farm([{ name: 'a' }, { name: 'b' }]);
      servers[0].oper = 'DOWN';
      const b = make(servers, opts);
      expect(b.pick({ src: '10.0.0.1' }, servers[1])).toBe(servers[1]);
    });

    it('stops picking a server whose weight drops to 0 and resumes when it is restored', () => {
      const servers = farm([{ name: 'a' }, { name: 'b' }]);
      const b = make(servers, opts);
      servers[0].setWeight(0);
      b.refresh();
      expect(fillFarm(b)).toEqual(['b']);
      emptyFarm(b, servers);
      servers[0].setWeight(1);
      b.refresh();
      expect(fillFarm(b)).toEqual(['a', 'b']);
    });
  });
}
