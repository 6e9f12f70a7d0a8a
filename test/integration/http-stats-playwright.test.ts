// Acceptance: Debian's chromium (driven by playwright-core) opens the stats page served by the
// proxy, checks servers, applies each of the 13 actions of the admin form and the test verifies
// the resulting state in the page, in the CSV export and through the runtime API. A screenshot is
// saved under test-artifacts/. Both CSVs (the page's ;csv and `show stat`) go through a strict CSV parser.
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAT_FIELDS } from '../../src/stats/stat-fields.ts';
import { freePort, REPO, waitFor } from '../support/process.ts';
import { startEchoServer, type EchoServer } from '../support/servers.ts';
import { ask, startApiProxy, type ApiProxy } from './api-harness.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(REPO, 'test-artifacts');

let px: ApiProxy;
let echo: EchoServer;
let hold: net.Server;
const held = new Set<net.Socket>();
let browser: Browser;
let page: Page;
let base: string;
let webPort: number;

beforeAll(async () => {
  echo = await startEchoServer();
  // A server that accepts and never answers: its sessions stay open until killed.
  hold = net.createServer((s) => {
    held.add(s);
    s.resume();
    s.on('error', () => {});
    s.on('close', () => held.delete(s));
  });
  await new Promise<void>((r) => hold.listen(0, '127.0.0.1', r));
  const holdPort = (hold.address() as net.AddressInfo).port;
  const closed = await freePort();
  const statsPort = await freePort();
  webPort = await freePort();
  px = await startApiProxy((dir) => `
global
  stats socket ${dir}/api.sock level admin
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
listen stats
  bind 127.0.0.1:${statsPort}
  stats uri /stats
  stats admin if LOCALHOST
  stats show-legends
frontend web
  bind 127.0.0.1:${webPort}
  default_backend slow
backend app
  server s1 127.0.0.1:${echo.port} check inter 60s
  server s2 127.0.0.1:${echo.port}
  server s3 127.0.0.1:${closed} agent-check agent-port ${closed} agent-inter 600s backup
backend slow
  server h1 127.0.0.1:${holdPort}
`);
  base = `http://127.0.0.1:${statsPort}`;
  const be = px.runtime.backends.get('app')!;
  await waitFor(() => px.runtime.health!.stateOf(be.servers[0])!.check.status === 'L4OK', 10_000, 's1 first check');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await px?.stop();
  await echo?.close();
  for (const s of held) s.destroy();
  await new Promise((r) => (hold ? hold.close(r) : r(undefined)));
});

/** Check `server`'s box in its backend's form, choose the action by its label, Apply. */
async function apply(backend: string, server: string, label: string): Promise<void> {
  await page.goto(`${base}/stats`);
  const form = page.locator('form', { has: page.locator(`a[name="${backend}"]`) });
  await form.locator(`input[name="s"][value="${server}"]`).check();
  await form.locator('select[name="action"]').selectOption({ label });
  await Promise.all([page.waitForURL(/;st=/), form.locator('input[type="submit"][value="Apply"]').click()]);
  expect(page.url()).toBe(`${base}/stats;st=DONE`);
  await expect.poll(() => page.locator('div.active_up').textContent()).toContain('Action processed successfully.');
}

async function pageRow(backend: string, server: string): Promise<{ cls: string; text: string }> {
  const row = page.locator('tr', { has: page.locator(`a[name="${backend}/${server}"]`) });
  return { cls: (await row.getAttribute('class')) ?? '', text: (await row.innerText()).replace(/\s+/g, ' ') };
}

/** A CSV export read by a strict parser (quotes, field count): one object's field by name. */
function fieldOf(csv: string, backend: string, server: string, field: string): string {
  const rows = parse(csv.replace(/^# /, ''), { columns: true, relax_column_count: false, relax_quotes: false }) as Record<string, string>[];
  expect(Object.keys(rows[0]!).slice(0, STAT_FIELDS.length)).toEqual([...STAT_FIELDS]);
  const row = rows.find((r) => r.pxname === backend && r.svname === server);
  if (row === undefined) throw new Error(`no ${backend}/${server} row`);
  return row[field]!;
}

/** One field of a server's row in the CSV export, fetched by the browser. */
async function csvField(backend: string, server: string, field: string): Promise<string> {
  const r = await page.request.get(`${base}/stats;csv`);
  return fieldOf(await r.text(), backend, server, field);
}

async function apiField(backend: string, server: string, field: string): Promise<string> {
  const out = await ask(px.sock('api.sock'), 'show stat');
  // The CLI's end-of-answer empty line is not part of the CSV.
  expect(out.endsWith('\n\n')).toBe(true);
  return fieldOf(out.slice(0, -1), backend, server, field);
}

interface Step {
  readonly label: string;
  readonly server: string;
  /** Expected `status`, in the page row and both CSVs (a prefix when it ends with '*'). */
  readonly status: string;
  readonly rowClass: string;
  /** Extra checks (agent enabled or not). */
  readonly agentActive?: boolean;
}

const STEPS: readonly Step[] = [
  { label: 'Set state to MAINT', server: 's1', status: 'MAINT', rowClass: 'maintain' },
  { label: 'Set state to READY', server: 's1', status: 'UP*', rowClass: 'active_' },
  { label: 'Set state to DRAIN', server: 's1', status: 'DRAIN*', rowClass: 'active_' },
  { label: 'Set state to READY', server: 's1', status: 'UP*', rowClass: 'active_' },
  { label: 'Health: disable checks', server: 's1', status: 'no check', rowClass: 'active_no_check' },
  { label: 'Health: enable checks', server: 's1', status: 'UP*', rowClass: 'active_' },
  { label: 'Health: force DOWN', server: 's1', status: 'DOWN', rowClass: 'active_down' },
  { label: 'Health: force NOLB', server: 's1', status: 'NOLB', rowClass: 'active_nolb' },
  { label: 'Health: force UP', server: 's1', status: 'UP', rowClass: 'active_up' },
  { label: 'Agent: force DOWN', server: 's3', status: 'DOWN (agent)', rowClass: 'backup_down' },
  { label: 'Agent: force UP', server: 's3', status: 'no check', rowClass: 'backup_no_check', agentActive: true },
  { label: 'Agent: disable checks', server: 's3', status: 'no check', rowClass: 'backup_no_check', agentActive: false },
  { label: 'Agent: enable checks', server: 's3', status: 'no check', rowClass: 'backup_no_check', agentActive: true },
];

function matches(actual: string, expected: string): boolean {
  return expected.endsWith('*') ? actual.startsWith(expected.slice(0, -1)) : actual === expected;
}

describe('stats page in a browser', () => {
  it('applies each of the 13 actions and shows the result in the page, the CSV and the API', async () => {
    await page.goto(`${base}/stats`);
    const labels = await page.locator('form', { has: page.locator('a[name="app"]') }).locator('select[name="action"] option').allInnerTexts();
    expect(labels.filter((l) => l !== '')).toEqual([
      'Set state to READY', 'Set state to DRAIN', 'Set state to MAINT',
      'Health: disable checks', 'Health: enable checks', 'Health: force UP', 'Health: force NOLB', 'Health: force DOWN',
      'Agent: disable checks', 'Agent: enable checks', 'Agent: force UP', 'Agent: force DOWN', 'Kill Sessions',
    ]);
    const seen = new Set<string>();
    for (const step of STEPS) {
      await apply('app', step.server, step.label);
      seen.add(step.label);
      const row = await pageRow('app', step.server);
      const ctx = `${step.label} on ${step.server}`;
      expect(row.cls.startsWith(step.rowClass), `${ctx}: row class ${row.cls}`).toBe(true);
      const shown = step.status.replace('*', '');
      expect(row.text.includes(shown), `${ctx}: page row ${row.text}`).toBe(true);
      const fromCsv = await csvField('app', step.server, 'status');
      const fromApi = await apiField('app', step.server, 'status');
      expect(matches(fromCsv, step.status), `${ctx}: CSV ${fromCsv}`).toBe(true);
      expect(fromApi, `${ctx}: API`).toBe(fromCsv);
      if (step.agentActive !== undefined) {
        expect((await csvField('app', step.server, 'agent_status')) !== '', `${ctx}: agent in CSV`).toBe(step.agentActive);
        expect((await apiField('app', step.server, 'agent_status')) !== '', `${ctx}: agent in API`).toBe(step.agentActive);
      }
    }
    await apply('app', 's1', 'Set state to READY');
    expect(await apiField('app', 's1', 'status')).toBe('UP');

    // Kill Sessions: a request held by the server is cut.
    const client = net.connect(webPort, '127.0.0.1');
    client.on('error', () => {});
    const cut = new Promise((r) => client.once('close', r));
    client.write('GET /wait HTTP/1.1\r\nhost: lb\r\n\r\n');
    await waitFor(() => held.size === 1, 10_000, 'the held request');
    expect(await apiField('slow', 'h1', 'scur')).toBe('1');
    await apply('slow', 'h1', 'Kill Sessions');
    seen.add('Kill Sessions');
    await cut;
    await waitFor(() => held.size === 0, 10_000, 'the server side closed too');
    expect(await apiField('slow', 'h1', 'scur')).toBe('0');
    expect(await csvField('slow', 'h1', 'scur')).toBe('0');
    expect(seen.size).toBe(13);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.goto(`${base}/stats`);
    await page.screenshot({ path: join(ARTIFACTS, 'stats-page.png'), fullPage: true });
  }, 120_000);

  it('shows the page without JavaScript and posts the form as a plain HTML form', async () => {
    const ctx = await browser.newContext({ javaScriptEnabled: false });
    try {
      const p = await ctx.newPage();
      await p.goto(`${base}/stats`);
      const form = p.locator('form', { has: p.locator('a[name="app"]') });
      await form.locator('input[name="s"][value="s2"]').check();
      await form.locator('select[name="action"]').selectOption({ label: 'Set state to MAINT' });
      await Promise.all([p.waitForURL(/;st=/), form.locator('input[type="submit"]').click()]);
      expect(p.url()).toBe(`${base}/stats;st=DONE`);
      expect(await apiField('app', 's2', 'status')).toBe('MAINT');
      expect(await p.locator('tr', { has: p.locator('a[name="app/s2"]') }).getAttribute('class')).toBe('maintain');
      await ask(px.sock('api.sock'), 'set server app/s2 state ready');
    } finally {
      await ctx.close();
    }
  }, 60_000);
});
