// `log-format` in a config file, differential against HAProxy 2.6: the same config text (ports
// aside) runs under haproxy and under `hapair proxy`, both log over UDP in `format raw`, and the
// lines for the same requests must be equal once the fields that differ by nature (client
// ports, the listening port) are masked. Lines are matched by a unique request path, so the
// harness's port probes (logged as <BADREQ>) never get compared.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHapair } from '../support/process.ts';
import {
  rawRequest, startHapairProxy, startHaproxy, startNameServer, type NameServer,
} from './http-oracle-harness.ts';
import { logLineWith, startLoggedRun, stopLoggedRuns, type LoggedRun } from './logged-run.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Fields that do not depend on timing: client address, frontend/backend/server, status, the
// request line's parts (as received: a rule rewrites the path of /lf-rw), termination state,
// addresses (ports masked where they differ by nature), connection counts and a literal %%.
// (%B and %U are left out: HAProxy counts its internal HTX size, hapair the bytes on the wire;
// docs/http.md.)
const HTTP_FORMAT = '%ci %f %b/%s %ST %HM %HU %HV %HP %HPO %HQ %{+Q}HQ %ts %tsc %{+Q}r %fi %si:%sp %bi %ac/%fc/%bc/%sc/%rc %sq/%bq %CC %CS %H %ft 100%%';
const TCP_FORMAT = '%ci %f %b/%s %ts %fi';

interface Run extends LoggedRun {
  readonly http: number;
  readonly tcp: number;
}

let backend: NameServer;
const runs: Run[] = [];

function config(logPort: number, http: number, tcp: number, server: number): string {
  return [
    'global', '  nbthread 1',
    'defaults', '  mode http', '  timeout connect 1s', '  timeout client 5s', '  timeout server 5s',
    `  log 127.0.0.1:${logPort} format raw local0`,
    '  option httplog',
    `listen web`, `  bind 127.0.0.1:${http}`, `  log-format "${HTTP_FORMAT}"`, '  http-request set-path /rewritten%[path] if { path_beg /lf-rw }',
    `  server s1 127.0.0.1:${server}`,
    `listen raw`, '  mode tcp', `  bind 127.0.0.1:${tcp}`, `  log-format "${TCP_FORMAT}"`, `  server s1 127.0.0.1:${server}`,
    '',
  ].join('\n');
}

async function startRun(start: typeof startHaproxy): Promise<Run> {
  const run = await startLoggedRun(start, 2, (log, [http, tcp]) => config(log, http!, tcp!, backend.port));
  return { ...run, http: run.ports[0]!, tcp: run.ports[1]! };
}

/** The line with `marker`, the listening ports masked (they differ between the two runs). */
async function lineFor(run: Run, marker: string): Promise<string> {
  const line = await logLineWith(run, marker);
  return line.replaceAll(String(run.http), 'PORT').replaceAll(String(run.tcp), 'PORT');
}

beforeAll(async () => {
  backend = await startNameServer('b1');
  runs.push(await startRun(startHaproxy), await startRun(startHapairProxy));
}, 30_000);

afterAll(async () => {
  await stopLoggedRuns(runs);
  await backend?.close();
});

describe('log-format like HAProxy 2.6', () => {
  it('renders an http request line for line', async () => {
    const out: string[] = [];
    for (const r of runs) {
      await rawRequest(r.http, 'GET /lf-one?q="x" HTTP/1.1\r\nhost: a');
      out.push(await lineFor(r, '/lf-one'));
    }
    expect(out[1]).toBe(out[0]);
    expect(out[0]).toMatch(/^127\.0\.0\.1 web web\/s1 200 GET \/lf-one\?q=\S+ HTTP\/1\.1 \/lf-one \/lf-one \?q=\S+ "\?q=\S+" -- ---- "GET \/lf-one.* HTTP\/1\.1" 127\.0\.0\.1 127\.0\.0\.1:\d+ 127\.0\.0\.1 1\/1\/0\/0\/0 0\/0 - - \S+ web 100%$/);
  });

  it('renders a POST over HTTP/1.0 the same way', async () => {
    const out: string[] = [];
    for (const r of runs) {
      await rawRequest(r.http, 'POST /lf-two HTTP/1.0\r\nhost: b', 'abc');
      out.push(await lineFor(r, '/lf-two'));
    }
    expect(out[1]).toBe(out[0]);
  });

  it('renders an absolute-form target and a rewritten one as received', async () => {
    for (const [head, marker] of [['GET http://a/lf-abs/x?y=1 HTTP/1.1\r\nhost: a', '/lf-abs'], ['GET /lf-rw/p?k=v HTTP/1.1\r\nhost: a', '/lf-rw']]) {
      const out: string[] = [];
      for (const r of runs) {
        await rawRequest(r.http, head);
        out.push(await lineFor(r, marker));
      }
      expect(out[1]).toBe(out[0]);
    }
  });

  it('renders a mode tcp session', async () => {
    const out: string[] = [];
    for (const r of runs) {
      const before = r.lines.length;
      await rawRequest(r.tcp, 'GET /lf-tcp HTTP/1.1\r\nhost: c');
      for (let i = 0; i < 100 && !r.lines.slice(before).some((l) => l.includes(' raw ')); i++) await new Promise((res) => setTimeout(res, 20));
      const line = r.lines.slice(before).find((l) => l.includes(' raw '));
      out.push(String(line));
    }
    expect(out[1]).toBe(out[0]);
    expect(out[0]).toBe('127.0.0.1 raw raw/s1 -- 127.0.0.1');
  });
});

describe('log-format keyword errors like haproxy -c', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hapair-lf-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['unquoted spaces', 'log-format %ci %ST', "log-format expects only one argument, don't forget to escape spaces!"],
    ['no argument', 'log-format', 'log-format expects an argument.'],
    ['unknown variable', 'log-format "%zz"', "failed to parse log-format : no such format variable 'zz'"],
    ['http variable in tcp mode', 'mode tcp\n  log-format "%r"', "failed to parse log-format : format variable 'r' is reserved for HTTP mode."],
  ])('%s', async (_name, lines, message) => {
    const file = join(dir, `${_name.replaceAll(' ', '-')}.cfg`);
    writeFileSync(file, `defaults\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\nfrontend f\n  bind 127.0.0.1:1\n  log 127.0.0.1:514 local0\n  mode http\n  ${lines}\n  default_backend b\nbackend b\n  server s 127.0.0.1:2\n`);
    const ours = await runHapair(['check', '-f', file]);
    const theirs = await new Promise<string>((resolve) => {
      import('node:child_process').then(({ execFile }) => execFile('/usr/sbin/haproxy', ['-c', '-f', file], (_e, so, se) => resolve(so + se)));
    });
    expect(ours.code).toBe(1);
    expect(theirs).toContain(message);
    expect(ours.stderr).toContain(message);
  });

  it("warns when 'option httplog' replaces a log-format in defaults, as haproxy does", async () => {
    const file = join(dir, 'override.cfg');
    writeFileSync(file, 'defaults\n  mode http\n  log-format "%ci"\n  option httplog\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\nbackend b\n  server s 127.0.0.1:2\n');
    const ours = await runHapair(['check', '-f', file]);
    expect(ours.code).toBe(0);
    expect(ours.stderr + ours.stdout).toContain("'option httplog' overrides previous 'log-format' in 'defaults' section.");
  });
});
