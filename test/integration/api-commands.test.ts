// Runtime API commands against a real proxy relaying to real servers on 127.0.0.1: server state,
// weights, addresses, maxconn, frontends, sessions, tables (HAProxy 2.6 management.txt 9.3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchange, freePort, holdServer, nameServer, TestClient, waitFor, type TestServer } from './proxy-harness.ts';
import { ask, startApiProxy, type ApiProxy } from './api-harness.ts';

let px: ApiProxy;
let a: TestServer;
let b: TestServer;
let c: TestServer;
let hold: TestServer;
let fePort: number;
let holdPort: number;
const clients: TestClient[] = [];

beforeAll(async () => {
  a = await nameServer('A');
  b = await nameServer('B');
  c = await nameServer('C');
  hold = await holdServer();
  fePort = await freePort();
  holdPort = await freePort();
  px = await startApiProxy(
    (dir) => `global
    stats socket ${dir}/api.sock level admin
defaults
    mode tcp
    timeout connect 1s
    timeout client 10s
    timeout server 10s
frontend fe
    bind 127.0.0.1:${fePort}
    default_backend be
backend be
    server s1 127.0.0.1:${a.port}
    server s2 127.0.0.1:${b.port}
listen held
    bind 127.0.0.1:${holdPort}
    server h1 127.0.0.1:${hold.port}
`,
  );
});

afterAll(async () => {
  for (const cl of clients) cl.destroy();
  await px?.stop();
  for (const s of [a, b, c, hold]) await s?.close();
});

const api = (cmd: string) => ask(px.sock('api.sock'), cmd);

async function served(n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push((await exchange(fePort, '', { end: false })).toString());
  return out;
}

function statField(csv: string, px_: string, sv: string, field: string): string {
  const lines = csv.split('\n');
  const header = lines[0].replace(/^# /, '').split(',');
  const row = lines.find((l) => l.startsWith(`${px_},${sv},`));
  if (row === undefined) throw new Error(`no row ${px_}/${sv}`);
  return row.split(',')[header.indexOf(field)];
}

describe('set server state', () => {
  it('a server set to MAINT gets no traffic, and gets it back once ready', async () => {
    expect(new Set(await served(4))).toEqual(new Set(['A', 'B']));
    expect(await api('set server be/s1 state maint')).toBe('\n');
    expect(statField(await api('show stat'), 'be', 's1', 'status')).toBe('MAINT');
    expect(await served(6)).toEqual(['B', 'B', 'B', 'B', 'B', 'B']);
    expect((await api('show servers state be')).split('\n')[2].split(' ').slice(3, 7)).toEqual(['s1', '127.0.0.1', '0', '1']);
    expect(await api('set server be/s1 state ready')).toBe('\n');
    expect(statField(await api('show stat'), 'be', 's1', 'status')).toBe('no check');
    expect(new Set(await served(4))).toEqual(new Set(['A', 'B']));
  });

  it('drain keeps new traffic away and shows DRAIN', async () => {
    expect(await api('set server be/s2 state drain')).toBe('\n');
    expect(statField(await api('show stat'), 'be', 's2', 'status')).toBe('DRAIN');
    expect(await served(4)).toEqual(['A', 'A', 'A', 'A']);
    await api('set server be/s2 state ready');
  });

  it('disable/enable server toggle maintenance', async () => {
    expect(await api('disable server be/s2')).toBe('\n');
    expect(await served(3)).toEqual(['A', 'A', 'A']);
    expect(await api('enable server be/s2')).toBe('\n');
    expect(new Set(await served(4))).toEqual(new Set(['A', 'B']));
  });

  it('rejects a bad state word with HAProxy\'s text', async () => {
    expect(await api('set server be/s1 state foo')).toBe("'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n\n");
    expect(await api('set server be/s1')).toMatch(/^usage: set server <backend>\/<server> addr \| agent/);
  });
});

describe('health and agent', () => {
  it('health down takes a server out, health up brings it back', async () => {
    expect(await api('set server be/s1 health down')).toBe('\n');
    expect(statField(await api('show stat'), 'be', 's1', 'status')).toBe('DOWN');
    expect(await served(3)).toEqual(['B', 'B', 'B']);
    expect(await api('set server be/s1 health up')).toBe('\n');
    expect(new Set(await served(4))).toEqual(new Set(['A', 'B']));
    expect(await api('set server be/s1 health foo')).toBe("'set server <srv> health' expects 'up', 'stopping', or 'down'.\n\n");
  });

  it('answers as HAProxy for checks and agents that are not configured', async () => {
    expect(await api('set server be/s1 agent up')).toBe('agent checks are not enabled on this server.\n\n');
    expect(await api('enable health be/s1')).toBe('Health check was not configured on this server, cannot enable.\n\n');
    expect(await api('enable agent be/s1')).toBe('Agent was not configured on this server, cannot enable.\n\n');
    expect(await api('disable health be/s1')).toBe('\n');
    expect(await api('disable agent be/s1')).toBe('\n');
  });
});

describe('weights', () => {
  it('get weight / set weight / set server weight, with HAProxy\'s errors', async () => {
    expect(await api('get weight be/s1')).toBe('1 (initial 1)\n\n');
    expect(await api('set server be/s1 weight 0')).toBe('\n');
    expect(await api('get weight be/s1')).toBe('0 (initial 1)\n\n');
    expect(await served(3)).toEqual(['B', 'B', 'B']);
    expect(await api('set weight be/s1 100%')).toBe('\n');
    expect(await api('get weight be/s1')).toBe('1 (initial 1)\n\n');
    expect(await api('set weight be/s1 300')).toBe('Absolute weight can only be between 0 and 256 inclusive.\n\n');
    expect(await api('set weight be/s1 x')).toBe('Empty weight string empty or preceded by garbage\n');
  });

  it('reports unknown backends and servers as HAProxy does', async () => {
    expect(await api('get weight be/zz')).toBe('No such server.\n\n');
    expect(await api('get weight xx/s1')).toBe('No such backend.\n\n');
    expect(await api('get weight be')).toBe("Require 'backend/server'.\n\n");
    expect(await api('set server zz state maint')).toBe("Require 'backend/server'.\n\n");
  });
});

describe('set server addr', () => {
  it('moves a server to another address and port', async () => {
    expect(await api('set server be/s1 addr 127.0.0.1 port ' + c.port)).toBe(
      `no need to change the addr, port changed from '${a.port}' to '${c.port}' by 'stats socket command'\n\n`,
    );
    await api('set server be/s2 state maint');
    expect(await served(2)).toEqual(['C', 'C']);
    expect(await api('set server be/s1 addr 127.0.0.1 port ' + a.port)).toMatch(/port changed from/);
    await api('set server be/s2 state ready');
    expect(await api('set server be/s1 addr foo')).toBe("Invalid addr 'foo' by 'stats socket command'\n\n");
    expect(await api('set server be/s1 addr')).toBe('set server <b>/<s> addr requires an address and optionally a port.\n\n');
  });
});

describe('maxconn', () => {
  it('set maxconn server / frontend / global', async () => {
    expect(await api('set maxconn server be/s1 7')).toBe('\n');
    expect(statField(await api('show stat'), 'be', 's1', 'slim')).toBe('7');
    expect(await api('set maxconn frontend fe 55')).toBe('\n');
    expect(statField(await api('show stat'), 'fe', 'FRONTEND', 'slim')).toBe('55');
    expect(await api('set maxconn frontend zz 5')).toBe('No such frontend.\n\n');
    expect(await api('set maxconn global 300')).toBe('\n');
    expect(await api('show info')).toMatch(/\nMaxconn: 300\n/);
    expect(await api(`set maxconn global ${px.runtime.config.global.maxconn + 1}`)).toBe('Value out of range.\n\n');
    expect(await api('set maxconn global')).toBe('Expects an integer value.\n\n');
  });
});

describe('frontends', () => {
  it('disable frontend holds new connections until enable frontend', async () => {
    expect(await api('disable frontend fe')).toBe('\n');
    expect(await api('disable frontend fe')).toBe('All sockets are already disabled.\n\n');
    expect(statField(await api('show stat'), 'fe', 'FRONTEND', 'status')).toBe('PAUSED');
    const cl = new TestClient(fePort);
    clients.push(cl);
    await cl.connected();
    await waitFor(() => (px.runtime.parked === 1 ? true : undefined), 5000, 'a parked connection');
    expect(cl.text).toBe('');
    expect(await api('enable frontend fe')).toBe('\n');
    await cl.closed;
    expect(['A', 'B']).toContain(cl.text);
    expect(await api('enable frontend fe')).toBe('All sockets are already enabled.\n\n');
    expect(await api('disable frontend')).toBe('A frontend name is expected.\n\n');
  });
});

describe('sessions', () => {
  it('show sess lists live sessions; shutdown session and shutdown sessions server kill them', async () => {
    const c1 = new TestClient(holdPort);
    const c2 = new TestClient(holdPort);
    clients.push(c1, c2);
    await waitFor(() => (hold.sockets.size === 2 ? true : undefined), 5000, 'two held sessions');
    const sess = await api('show sess');
    const lines = sess.split('\n').filter((l) => l.includes('fe=held'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^0x[0-9a-f]+: proto=tcpv4 src=127\.0\.0\.1:\d+ fe=held be=held srv=h1 age=\d+s$/);
    const id = lines[0].split(':')[0];
    expect(await api(`shutdown session ${id}`)).toBe('\n');
    await waitFor(() => (px.runtime.actconn === 1 ? true : undefined), 5000, 'one session left');
    expect(await api(`shutdown session ${id}`)).toBe("No such session (use 'show sess').\n\n");
    expect(await api('shutdown session')).toBe("Session pointer expected (use 'show sess').\n\n");
    expect(await api('shutdown sessions server held/h1')).toBe('\n');
    await Promise.all([c1.closed, c2.closed]);
    expect(px.runtime.actconn).toBe(0);
  });
});

describe('stick tables (none exist yet)', () => {
  it('answers as HAProxy does without tables', async () => {
    expect(await api('show table')).toBe('\n');
    expect(await api('show table foo')).toBe('No such table\n\n');
    expect(await api('clear table foo')).toBe('No such table\n\n');
    expect(await api('set table foo key 1 data.gpc0 1')).toBe('No such table\n\n');
  });
});

describe('show commands', () => {
  it('show backend, show stat json/typed, show info typed', async () => {
    expect(await api('show backend')).toBe('# name\nbe\nheld\n\n');
    const json = JSON.parse(await api('show stat json')) as { objType: string; field: { name: string }; value: { value: unknown } }[][];
    expect(json.map((row) => `${row[0].value.value}/${row[1].value.value}`)).toEqual(['fe/FRONTEND', 'be/s1', 'be/s2', 'be/BACKEND', 'held/FRONTEND', 'held/h1', 'held/BACKEND']);
    expect(await api('show stat typed')).toMatch(/^F\.2\.0\.0\.pxname\.1:KNS:str:fe\n/);
    expect(await api('show info typed')).toMatch(/^0\.Name\.1:POS:str:hapair\n1\.Version\.1:POS:str:/);
    expect(await api('show servers state nope')).toBe("Can't find backend.\n\n");
    const info = await api('show info');
    expect(info).toMatch(/\nCumConns: \d+\n/);
    expect(info).toMatch(/\nCurrConns: 0\n/);
  });
});
