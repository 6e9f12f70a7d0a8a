// The stats applet over a real proxy Runtime: page layout, admin form, POST actions and their
// `;st=` codes, CSV/JSON/typed outputs, display flags, scope filtering and access rules.
import net from 'node:net';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAT_FIELDS } from '../../src/stats/stat-fields.ts';
import { startEchoServer, type EchoServer } from '../support/servers.ts';
import { waitFor } from '../support/process.ts';
import { call, cond, csvStatus, request, startStatsRig, type StatsRig } from './http-stats-harness.ts';

const TRUE = { condition: cond('if TRUE'), loc: { file: 't', line: 1 } };
const ACTION_LABELS = [
  'Set state to READY', 'Set state to DRAIN', 'Set state to MAINT',
  'Health: disable checks', 'Health: enable checks', 'Health: force UP', 'Health: force NOLB', 'Health: force DOWN',
  'Agent: disable checks', 'Agent: enable checks', 'Agent: force UP', 'Agent: force DOWN', 'Kill Sessions',
];

let rig: StatsRig;
let echo: EchoServer;

beforeAll(async () => {
  echo = await startEchoServer();
  const closed = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  rig = await startStatsRig((port) => `
listen app
  bind 127.0.0.1:${port}
  server s1 127.0.0.1:${echo.port} check inter 60s
  server s2 127.0.0.1:${echo.port}
  server s3 127.0.0.1:${closed} agent-check agent-port ${closed} agent-inter 600s backup
backend other
  server o1 127.0.0.1:${echo.port}
`);
  const s1 = rig.target.backends.get('app')!.servers[0];
  await waitFor(() => rig.target.serverState(rig.target.backends.get('app')!, s1).check.status === 'L4OK', 10_000, 's1 first check');
});

afterAll(async () => {
  await rig?.stop();
  await echo?.close();
});

function status(): Map<string, string> {
  const a = rig.applet();
  const r = a.applet(request('GET', '/stats;csv'));
  return csvStatus(String((r as { body: string }).body));
}

async function post(body: string, admin = true): Promise<string | undefined> {
  const r = await call(rig.applet(admin ? { admin: [TRUE] } : {}), request('POST', '/stats', { body }));
  expect(r.status).toBe(303);
  return r.header('location');
}

describe('page', () => {
  it('shows one table per proxy with the grouped columns and frontend, server and backend rows', async () => {
    const r = await call(rig.applet(), request('GET', '/stats'));
    expect(r.status).toBe(200);
    expect(r.header('content-type')).toBe('text/html');
    expect(r.header('refresh')).toBeUndefined();
    for (const g of ['Queue', 'Session rate', 'Sessions', 'Bytes', 'Denied', 'Errors', 'Warnings', 'Server']) {
      expect(r.text).toContain(`>${g}</th>`);
    }
    expect(r.text.match(/<th class="pxname"/g)).toHaveLength(2);
    expect(r.text).toContain('<a name="app/Frontend">');
    expect(r.text).toContain('<tr class="active_up"><td class=ac><a name="app/s1">');
    expect(r.text).toContain('<tr class="active_no_check"><td class=ac><a name="app/s2">');
    expect(r.text).toContain('<a name="other/Backend">');
    expect(r.text).not.toMatch(/<script|<link rel="stylesheet"|src="http/);
    expect(r.text).not.toContain('<form method="post">');
  });

  it('with admin rights, has a checkbox per server and exactly the 13 actions', async () => {
    const r = await call(rig.applet({ admin: [TRUE] }), request('GET', '/stats'));
    expect(r.text.match(/<form method="post">/g)).toHaveLength(2);
    expect(r.text).toContain(`<input class='app-checkbox' type="checkbox" name="s" value="s3">`);
    const labels = [...r.text.matchAll(/<option value="([a-z]*)">([^<]*)<\/option>/g)].filter((m) => m[1] !== '').map((m) => m[2]);
    expect(labels.slice(0, 13)).toEqual(ACTION_LABELS);
    const spec = rig.target.config.proxies.find((p) => p.name === 'app')!;
    expect(r.text).toContain(`<input type="hidden" name="b" value="#${spec.id}">`);
  });

  it('sends Refresh unless ;norefresh, and keeps the options in the links', async () => {
    const a = rig.applet({ refresh: 7 });
    expect((await call(a, request('GET', '/stats'))).header('refresh')).toBe('7');
    const r = await call(a, request('GET', '/stats;norefresh'));
    expect(r.header('refresh')).toBeUndefined();
    expect(r.text).toContain('<a href="/stats">Enable refresh</a>');
    expect(r.text).toContain('<a href="/stats;csv;norefresh">CSV export</a>');
  });

  it('shows the result banner of ;st=', async () => {
    const r = await call(rig.applet(), request('GET', '/stats;st=DONE'));
    expect(r.text).toContain('Action processed successfully.');
    expect((await call(rig.applet(), request('GET', '/stats;st=ZZZZ'))).text).toContain('Unexpected result.');
  });

  it('hides the version with stats hide-version and shows node and description', async () => {
    expect((await call(rig.applet(), request('GET', '/stats'))).text).toContain('hapair version 0.1.0');
    const r = await call(rig.applet({ hideVersion: true, showNode: 'lb1', showDesc: 'edge pair' }), request('GET', '/stats'));
    expect(r.text).not.toContain('version 0.1.0');
    expect(r.text).toContain('Statistics Report for pid');
    expect(r.text).toContain(' on lb1: edge pair</h2>');
  });

});

describe('outputs', () => {
  it(';csv parses strictly and has HAProxy 2.6 header, one row per object', async () => {
    const r = await call(rig.applet(), request('GET', '/stats;csv'));
    expect(r.header('content-type')).toBe('text/plain');
    const rows = parse(r.text.replace(/^# /, ''), { columns: true, relax_column_count: false, relax_quotes: false }) as Record<string, string>[];
    expect(Object.keys(rows[0])).toEqual([...STAT_FIELDS, '']);
    expect(rows.map((x) => `${x.pxname}/${x.svname}`)).toEqual(['app/FRONTEND', 'app/s1', 'app/s2', 'app/s3', 'app/BACKEND', 'other/o1', 'other/BACKEND']);
  });

  it(';json is show stat json and ;typed is show stat typed', async () => {
    const j = await call(rig.applet(), request('GET', '/stats;json'));
    expect(j.header('content-type')).toBe('application/json');
    const parsed = JSON.parse(j.text) as Array<Array<{ field: { name: string }; value: { value: unknown } }>>;
    expect(parsed).toHaveLength(7);
    expect(parsed[1].find((f) => f.field.name === 'svname')?.value.value).toBe('s1');
    const t = await call(rig.applet(), request('GET', '/stats;typed'));
    expect(t.text).toMatch(/^F\.\d+\.0\.0\.pxname\.1:KNS:str:app$/m);
  });

  it('filters by scope= (substring, any case) and by stats scope', async () => {
    const byQuery = await call(rig.applet(), request('GET', '/stats;csv?scope=OTH'));
    expect([...csvStatus(byQuery.text).keys()]).toEqual(['other/o1', 'other/BACKEND']);
    const byConfig = await call(rig.applet({ scope: ['app'] }), request('GET', '/stats;csv'));
    expect([...csvStatus(byConfig.text).keys()].every((k) => k.startsWith('app/'))).toBe(true);
    const page = await call(rig.applet(), request('GET', '/stats?scope=app'));
    expect(page.text).toContain('<input value="app" name="scope"');
    expect(page.text).not.toContain('<a name="other">');
  });
});

describe('admin POST', () => {
  it('refuses without admin rights (DENY) and bad methods never reach the applet', async () => {
    expect(await post('s=s1&action=maint&b=app', false)).toBe('/stats;st=DENY');
    expect(status().get('app/s1')).toBe('UP');
    expect(rig.applet().matches({ method: 'PUT', uri: '/stats' })).toBe(false);
    expect(rig.applet().matches({ method: 'GET', uri: '/statsx' })).toBe(true);
    expect(rig.applet().matches({ method: 'GET', uri: '/other' })).toBe(false);
  });

  it('answers the codes of HAProxy 2.6 for each kind of form', async () => {
    const id = rig.target.config.proxies.find((p) => p.name === 'app')!.id;
    const cases: Array<[string, string]> = [
      [`s=s2&action=maint&b=%23${id}`, 'DONE'],
      ['s=s2&action=ready&b=app', 'DONE'],
      [`s=s2&s=zz&action=ready&b=%23${id}`, 'PART'],
      [`action=maint&b=%23${id}`, 'NONE'],
      ['', 'NONE'],
      ['s=zz&action=maint&b=app', 'ERRP'],
      ['s=s2&action=foo&b=app', 'ERRP'],
      ['s=s2&action=maint&b=%2399', 'ERRP'],
      ['s=s2&action=arunn&b=app', 'NONE'],
      ['s=s2&action=ehlth&b=app', 'NONE'],
      [`b=%23${id}&action=ready&s=s2`, 'DONE'],
    ];
    for (const [body, code] of cases) expect([body, await post(body)]).toEqual([body, `/stats;st=${code}`]);
  });

  it('keeps ;up, ;norefresh and the scope in the redirect', async () => {
    const a = rig.applet({ admin: [TRUE], refresh: 5 });
    const r = await call(a, request('POST', '/stats;up;norefresh?scope=app', { body: 's=s2&action=ready&b=app' }));
    expect(r.header('location')).toBe('/stats;st=DONE;up;norefresh?scope=app');
  });

  it('applies each of the 13 actions through the server state machine', async () => {
    const be = rig.target.backends.get('app')!;
    const st = (name: string) => rig.target.serverState(be, be.servers.find((s) => s.name === name)!);
    const steps: Array<[string, string, () => void]> = [
      ['maint', 's1', () => expect(status().get('app/s1')).toBe('MAINT')],
      // Leaving MAINT, a checked server restarts at the bottom of its UP range, as HAProxy's "UP 1/3".
      ['ready', 's1', () => expect(status().get('app/s1')).toMatch(/^UP/)],
      ['drain', 's1', () => expect(status().get('app/s1')).toMatch(/^DRAIN/)],
      ['ready', 's1', () => expect(status().get('app/s1')).toMatch(/^UP/)],
      ['dhlth', 's1', () => expect(status().get('app/s1')).toBe('no check')],
      ['ehlth', 's1', () => expect(status().get('app/s1')).toMatch(/^UP/)],
      ['hdown', 's1', () => expect(status().get('app/s1')).toBe('DOWN')],
      ['hnolb', 's1', () => expect(status().get('app/s1')).toBe('NOLB')],
      ['hrunn', 's1', () => expect(status().get('app/s1')).toBe('UP')],
      ['adown', 's3', () => expect(status().get('app/s3')).toBe('DOWN (agent)')],
      ['arunn', 's3', () => expect(st('s3').agent.health).toBe(st('s3').agent.maxHealth)],
      ['dagent', 's3', () => expect(st('s3').agent.enabled).toBe(false)],
      ['eagent', 's3', () => expect(st('s3').agent.enabled).toBe(true)],
    ];
    for (const [action, server, verify] of steps) {
      expect([action, await post(`s=${server}&action=${action}&b=app`)]).toEqual([action, '/stats;st=DONE']);
      verify();
    }
  });

  it('Kill Sessions closes the sessions of the checked server only', async () => {
    const port = rig.target.config.proxies[0].binds[0].addresses[0];
    if (port.kind !== 'tcp') throw new Error('tcp bind expected');
    const client = net.connect(port.port, '127.0.0.1');
    await new Promise((r) => client.once('connect', r));
    const closed = new Promise((r) => client.once('close', r));
    client.on('error', () => {});
    await waitFor(() => [...rig.target.sessions()].some((s) => s.server !== null), 5000, 'a session on a server');
    const server = [...rig.target.sessions()].find((s) => s.server !== null)!.server!.name;
    expect(await post(`s=${server}&action=shutdown&b=app`)).toBe('/stats;st=DONE');
    await closed;
    expect([...rig.target.sessions()].filter((s) => s.server !== null)).toHaveLength(0);
  });

  it('answers EXCD for a body over the buffer size', async () => {
    expect(await post(`s=${'x'.repeat(20000)}&action=maint&b=app`)).toBe('/stats;st=EXCD');
  });
});

describe('access', () => {
  it('asks for basic auth with the realm, and accepts a configured account', async () => {
    const a = rig.applet({ auth: [{ user: 'admin', password: 's3cret' }], realm: 'LB stats' });
    const r = await call(a, request('GET', '/stats'));
    expect(r.status).toBe(401);
    expect(r.header('www-authenticate')).toBe('Basic realm="LB stats"');
    const bad = await call(a, request('GET', '/stats', { headers: { authorization: `Basic ${Buffer.from('admin:nope').toString('base64')}` } }));
    expect(bad.status).toBe(401);
    const ok = await call(a, request('GET', '/stats', { headers: { authorization: `Basic ${Buffer.from('admin:s3cret').toString('base64')}` } }));
    expect(ok.status).toBe(200);
    expect((await call(rig.applet({ auth: [{ user: 'a', password: 'b' }] }), request('GET', '/stats'))).header('www-authenticate')).toBe('Basic realm="HAProxy Statistics"');
  });

  it('runs stats http-request rules in order and stats admin conditions', async () => {
    const a = rig.applet({
      httpRequest: [{ action: 'deny', condition: cond('unless LOCALHOST'), loc: TRUE.loc }],
      admin: [{ condition: cond('if { src 127.0.0.0/8 }'), loc: TRUE.loc }],
    });
    expect((await call(a, request('GET', '/stats', { src: '10.1.2.3' }))).status).toBe(403);
    const page = await call(a, request('GET', '/stats'));
    expect(page.status).toBe(200);
    expect(page.text).toContain('<form method="post">');
    const notAdmin = rig.applet({ admin: [{ condition: cond('unless { src 127.0.0.0/8 }'), loc: TRUE.loc }] });
    expect((await call(notAdmin, request('GET', '/stats'))).text).not.toContain('<form method="post">');
  });
});
