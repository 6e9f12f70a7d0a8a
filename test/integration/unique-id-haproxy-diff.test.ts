// `unique-id-format`, `unique-id-header`, %ID, %rt and the `unique-id` fetch, differential against
// HAProxy 2.6: the same config (ports aside) and the same requests, in the same order, under
// haproxy and `hapair proxy`. Compared: the request head each backend gets (header order, the
// added header after the rules' ones and before x-forwarded-for), the log line's %ID, the id a
// `set-header X %[unique-id]` rule sees, all exactly for the deterministic parts; the parts that
// differ between the processes (client and frontend ports, %Ts, %pid) are checked for shape
// and against the values they stand for, then replaced by placeholders and compared too.
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runHapair } from '../support/process.ts';
import { HAPROXY, type NameServer, type OracleKind, oracleSides, starterOf, startNameServer } from './http-oracle-harness.ts';
import { type LoggedRun, startLoggedRun, stopLoggedRuns } from './logged-run.ts';

const NAMES = ['common', 'exact', 'cut', 'plain', 'tcp'] as const;
type Section = (typeof NAMES)[number];
const LONG = 'U'.repeat(118);

const SECTIONS: Record<Section, string[]> = {
  // The common form of configuration.txt 4.2 "unique-id-format".
  common: [
    'unique-id-format %{+X}o\\ %ci:%cp_%fi:%fp_%Ts_%rt:%pid',
    'unique-id-header X-Unique-ID',
    'log-format "common id=%ID q=%{+Q}ID s=%[unique-id] rt=%rt xrt=%{+X}rt ts=%Ts pid=%pid cp=%cp %HU"',
    'option forwardfor',
    'http-request set-header X-Rule %[unique-id]',
    'http-request add-header X-After after',
    'http-request add-header X-Var id=%ID',
    'http-request deny if { path /deny }',
  ],
  // Only parts both processes print alike; empty fields print nothing (no '-' as in log-format).
  exact: [
    'unique-id-format "id_%rt_%{+X}rt_%ci_%{+X}ci_%HM_%HU_%HP_%HQ_%b_%s_%ST_%B_%f_%{+Q}HV_%ts_%si_%sp_%bi_%bp_%sslv_%sslc_%lc_%{+X}lc"',
    'unique-id-header X-Req-Id',
    'log-format "exact %ID %rt %lc"',
    'http-request set-header X-Early "[%ID]"',
    'http-request set-header X-Rule %[unique-id]',
    'http-request set-header X-Late "[%ID]"',
  ],
  // The id is at most 127 characters: text is cut where the buffer ends.
  cut: [
    `unique-id-format ${LONG}_%rt_%ci`,
    'unique-id-header X-Cut',
    'log-format "cut %ID"',
  ],
  // No unique-id-format: %ID is '-', nothing is added.
  plain: [
    'unique-id-header X-None',
    'log-format "plain %ID %[unique-id] %rt"',
    'http-request set-header X-Rule "[%[unique-id]]"',
  ],
  // mode tcp: the id is generated for the log line.
  tcp: [
    'mode tcp',
    'unique-id-format %rt_%{+X}o\\ %ci',
    'log-format "tcp %ID %{+Q}[unique-id] %rt"',
  ],
};

interface Side {
  readonly run: LoggedRun;
  readonly backend: NameServer;
}

async function startSide(kind: OracleKind): Promise<Side> {
  const backend = await startNameServer(kind);
  const run = await startLoggedRun(starterOf(kind), NAMES.length, (logPort, ports) => `global
    nbthread 1
defaults
    mode http
    timeout client 5s
    timeout connect 5s
    timeout server 5s
    log 127.0.0.1:${logPort} format raw local0
${NAMES.map((name, i) => `listen ${name}
    bind 127.0.0.1:${ports[i]}
${SECTIONS[name].map((l) => `    ${l}\n`).join('')}    server s1 127.0.0.1:${backend.port}
`).join('')}`);
  // The start-up probes (one empty connection per port) are logged and take a %rt each, in both.
  await until(() => run.lines.length >= NAMES.length);
  return { run, backend };
}

async function until(cond: () => boolean, ms = 3000): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (let i = 0; i < 300 && Date.now() < deadline; i++) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

const sides = oracleSides(startSide, async (s) => {
  await stopLoggedRuns([s.run]);
  await s.backend.close();
});

interface Exchange {
  /** The client's local port (the proxy's %cp). */
  readonly clientPort: number;
  /** Status lines received, in order. */
  readonly statuses: string[];
  /** Request heads the backend got, log lines sent, for this exchange. */
  readonly heads: string[];
  readonly logs: string[];
}

/** Write `bytes` on one connection to `name`, read until the proxy closes (5 s at most), wait for `logs` lines. */
async function exchange(side: Side, name: Section, bytes: string, logs: number): Promise<Exchange> {
  const from = { heads: side.backend.heads.length, logs: side.run.lines.length };
  const sock = net.connect({ port: side.run.ports[NAMES.indexOf(name)]!, host: '127.0.0.1' });
  let received = '';
  sock.on('data', (d: Buffer) => (received += d.toString('latin1')));
  sock.on('error', () => undefined);
  const timer = setTimeout(() => sock.destroy(), 5000);
  try {
    await once(sock, 'connect');
    const clientPort = sock.localPort!;
    // Not half-closed: every exchange ends with the proxy closing (a last `connection: close`
    // request, an HTTP/1.0 one, an error or the server's close in mode tcp).
    sock.write(bytes.replaceAll('\n', '\r\n'));
    await once(sock, 'close');
    await until(() => side.run.lines.length - from.logs >= logs);
    return {
      clientPort,
      statuses: received.split('\r\n').filter((l) => l.startsWith('HTTP/')),
      heads: side.backend.heads.slice(from.heads),
      logs: side.run.lines.slice(from.logs),
    };
  } finally {
    clearTimeout(timer);
    sock.destroy();
  }
}

const hex4 = (n: number): string => n.toString(16).toUpperCase().padStart(4, '0');

/** The request head's fields as [name, value] (the request line first, as a field of its own). */
function fields(head: string): [string, string][] {
  const [line, ...rest] = head.split('\r\n');
  return [['', line!], ...rest.map((l): [string, string] => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()])];
}

const COMMON_ID = /^7F000001:([0-9A-F]{4})_7F000001:([0-9A-F]{4})_([0-9A-F]{8})_([0-9A-F]{4,}):([0-9A-F]{4,})$/;

/**
 * A `common` id checked against what its parts stand for (client port, frontend port, the log
 * line's %Ts and %pid), then with those replaced by placeholders; the request counter stays.
 */
function normalizeCommon(id: string, side: Side, x: Exchange, log: string): string {
  const m = COMMON_ID.exec(id);
  expect(m, id).not.toBeNull();
  const ts = Number(/ ts=(\d+) /.exec(log)![1]);
  const pid = Number(/ pid=(\d+) /.exec(log)![1]);
  expect(m![1]).toBe(hex4(x.clientPort));
  expect(m![2]).toBe(hex4(side.run.ports[NAMES.indexOf('common')]!));
  expect(m![3]).toBe(ts.toString(16).toUpperCase());
  expect(m![5]).toBe(pid.toString(16).toUpperCase().padStart(4, '0'));
  return `7F000001:<cp>_7F000001:<fp>_<Ts>_${m![4]}:<pid>`;
}

/** Both sides, HAProxy first, the same exchange each. */
async function both<T>(run: (side: Side) => Promise<T>): Promise<T[]> {
  return [await run(sides.haproxy), await run(sides.hapair)];
}

describe('unique-id-format and unique-id-header as HAProxy 2.6', () => {
  it('common format: header after the rules, before x-forwarded-for; same id in the rule, the header and the log', async () => {
    const results = await both(async (side) => {
      const x = await exchange(side, 'common', 'GET /k1 HTTP/1.1\nhost: h\nx-unique-id: from-client\n\nGET /k2?q=1 HTTP/1.1\nhost: h\nconnection: close\n\n', 2);
      expect(x.heads).toHaveLength(2);
      expect(x.logs).toHaveLength(2);
      return x.heads.map((head, i) => {
        const log = x.logs[i]!;
        const id = /id=(\S+) /.exec(log)![1]!;
        const f = fields(head);
        // Every id the request shows is the one id.
        for (const [name, value] of f) if (name === 'x-rule' || (name === 'x-unique-id' && value !== 'from-client')) expect(value).toBe(id);
        expect(f).toContainEqual(['x-var', `id=${id}`]);
        expect(log).toContain(`q="${id}" s=${id} `);
        const n = normalizeCommon(id, side, x, log);
        return {
          head: f.map(([name, value]) => [name, value.replace(id, '<id>')]),
          log: log.replaceAll(id, '<id>').replace(/ ts=\d+ pid=\d+ cp=\d+/, ''),
          id: n,
        };
      });
    });
    expect(results[1]).toEqual(results[0]);
  });

  it('%rt is one process-wide counter: every listen, keep-alive request and refused request takes the next', async () => {
    const results = await both(async (side) => {
      const out: string[] = [];
      for (const [name, bytes] of [
        ['exact', 'GET /e1 HTTP/1.1\nconnection: close\n\n'],
        ['plain', 'GET /p1 HTTP/1.1\nconnection: close\n\n'],
        ['exact', 'GARBAGE\n\n'],
        ['common', 'GET /deny HTTP/1.1\nconnection: close\n\n'],
        ['exact', 'HEAD /e2?a=b HTTP/1.0\n\n'],
      ] as const) {
        const x = await exchange(side, name, bytes, 1);
        out.push(...x.statuses, ...x.logs.map((l) => l.replace(/ ts=\d+ pid=\d+ cp=\d+/, '').replace(/id=\S+ q="[^"]*" s=\S+/, (s) => (s.includes('7F000001:') ? 'id=<common>' : s))));
        out.push(...x.heads.map((h) => fields(h).map(([n, v]) => `${n}: ${v}`).join('|')));
      }
      return out;
    });
    expect(results[1]).toEqual(results[0]);
    // A refused request has no id but a counter; the others count on from it.
    expect(results[0]!.some((l) => /^exact - \d+ \d+$/.test(l))).toBe(true);
    expect(results[0]!.some((l) => /^plain - - \d+$/.test(l))).toBe(true);
  });

  it('an id longer than 127 characters is cut as HAProxy cuts it', async () => {
    const results = await both(async (side) => {
      const x = await exchange(side, 'cut', 'GET /cut HTTP/1.1\nconnection: close\n\n', 1);
      const header = fields(x.heads[0]!).find(([n]) => n === 'x-cut')?.[1];
      return { header, log: x.logs[0] };
    });
    expect(results[0]!.header).toHaveLength(127);
    expect(results[1]).toEqual(results[0]);
  });

  it('without unique-id-format: %ID is "-" and unique-id-header adds nothing', async () => {
    const results = await both(async (side) => {
      const x = await exchange(side, 'plain', 'GET /none HTTP/1.1\nconnection: close\n\n', 1);
      return { head: x.heads[0], log: x.logs[0]!.replace(/\d+$/, '<rt>') };
    });
    expect(results[0]!.log).toBe('plain - - <rt>');
    expect(results[0]!.head).toContain('x-rule: []');
    expect(results[1]).toEqual(results[0]);
  });

  it('mode tcp: the id is generated for the log line', async () => {
    const results = await both(async (side) => {
      const x = await exchange(side, 'tcp', 'GET /tcp HTTP/1.0\n\n', 1);
      return { head: x.heads[0], log: x.logs[0] };
    });
    expect(results[0]!.log).toMatch(/^tcp (\d+_ 7F000001) "\1" \d+$/);
    expect(results[1]).toEqual(results[0]);
  });
});

const dir = mkdtempSync(join(tmpdir(), 'hapair-uid-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CHECK_HEAD = 'defaults\n    timeout client 1s\n    timeout server 1s\n    timeout connect 1s\n';
const fe = (mode: string, body: string) => `frontend f\n    mode ${mode}\n    bind 127.0.0.1:1\n    default_backend b\n${body}backend b\n    mode ${mode}\n    server s 127.0.0.1:2\n`;

describe('config verdicts as haproxy -c', () => {
  it.each([
    ['accepted in defaults, frontend and listen', `${CHECK_HEAD}    mode http\n    unique-id-format %rt\n    unique-id-header X-A\n${fe('http', '    unique-id-format %{+X}o\\ %ci:%cp_%fi:%fp_%Ts_%rt:%pid\n')}listen l\n    mode http\n    bind 127.0.0.1:3\n    unique-id-header X-L\n    server s 127.0.0.1:2\n`, 0, undefined],
    ['accepted in mode tcp, with %ID in log-format', `${CHECK_HEAD}${fe('tcp', '    unique-id-format %ci_%rt\n    unique-id-header X-ID\n    log-format %ID\n')}`, 0, undefined],
    ['a backend accepts them', `${CHECK_HEAD}${fe('http', '')}    unique-id-format %rt\n    unique-id-header X-ID\n`, 0, undefined],
    ['an HTTP variable in mode tcp', `${CHECK_HEAD}${fe('tcp', '    unique-id-format %ci_%HM\n')}`, 1, "failed to parse unique-id : format variable 'HM' is reserved for HTTP mode."],
    ['an unknown variable', `${CHECK_HEAD}${fe('http', '    unique-id-format %zz\n')}`, 1, "failed to parse unique-id : no such format variable 'zz'."],
    ['two arguments', `${CHECK_HEAD}${fe('http', '    unique-id-format %ci %cp\n')}`, 1, "unique-id-format expects only one argument, don't forget to escape spaces!"],
    ['a header without name', `${CHECK_HEAD}${fe('http', '    unique-id-header\n')}`, 1, 'unique-id-header expects an argument.'],
  ] as const)('%s', async (name, cfg, code, message) => {
    const file = join(dir, `${name.replaceAll(' ', '-')}.cfg`);
    writeFileSync(file, cfg);
    const ref = spawnSync(HAPROXY, ['-c', '-f', file], { encoding: 'utf8', timeout: 20_000 });
    const ours = await runHapair(['check', '-f', file]);
    expect(ref.status, ref.stderr).toBe(code);
    expect(ours.code, ours.stderr).toBe(code);
    if (message !== undefined) {
      expect(ref.stderr).toContain(message);
      expect(ours.stderr).toContain(message);
    }
  }, 30_000);
});
