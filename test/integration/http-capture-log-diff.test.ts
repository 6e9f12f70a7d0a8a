// `capture request|response header NAME len N` in the access log, differential against HAProxy
// 2.6: the same config (ports aside) under haproxy and `hapair proxy`, logs over UDP in `format
// raw`; the `%hr %hs %hrl %hsl` fields of log-format and the `{...}` blocks of `option httplog`
// must be equal for the same requests: truncation to len, the last occurrence, absent headers,
// quoting and encoding, and values taken as received (before the http-request / http-response
// rules edit them).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, startHapairProxy, startHaproxy, startNameServer, type NameServer } from './http-oracle-harness.ts';
import { logLineWith, startLoggedRun, stopLoggedRuns, type LoggedRun } from './logged-run.ts';

const FORMAT = '%{+Q}r hr=%hr hs=%hs qhr=%{+Q}hr hrl=%hrl hsl=%hsl qhrl=%{+Q}hrl';

interface Run extends LoggedRun {
  readonly lf: number;
  readonly hl: number;
}

let backend: NameServer;
const runs: Run[] = [];

function config(logPort: number, lf: number, hl: number, server: number): string {
  const common = [
    '  capture request header Host len 8',
    '  capture request header X-A len 20',
    '  capture request header X-Del len 10',
    '  capture response header X-R len 4',
    '  capture response header X-Gone len 10',
    '  http-request del-header X-Del',
    '  http-request set-header X-A rewritten',
    '  http-response set-header X-R changed',
    '  http-response del-header X-Gone',
    `  server s1 127.0.0.1:${server}`,
  ];
  return [
    'global', '  nbthread 1',
    'defaults', '  mode http', '  timeout connect 1s', '  timeout client 5s', '  timeout server 5s',
    `  log 127.0.0.1:${logPort} format raw local0`,
    'listen lf', `  bind 127.0.0.1:${lf}`, `  log-format "${FORMAT}"`, ...common,
    'listen hl', `  bind 127.0.0.1:${hl}`, '  option httplog', ...common,
    '',
  ].join('\n');
}

async function startRun(start: typeof startHaproxy): Promise<Run> {
  const run = await startLoggedRun(start, 2, (log, [lf, hl]) => config(log, lf!, hl!, backend.port));
  return { ...run, lf: run.ports[0]!, hl: run.ports[1]! };
}

const lineFor = logLineWith;

/** The httplog line from the captures on: `{req} {res} "request line"` (timers and ports precede them). */
const fromCaptures = (line: string): string => line.slice(line.indexOf(' {'));

beforeAll(async () => {
  backend = await startNameServer('b1');
  runs.push(await startRun(startHaproxy), await startRun(startHapairProxy));
}, 30_000);

afterAll(async () => {
  await stopLoggedRuns(runs);
  await backend?.close();
});

const CASES: [string, string[], string[]][] = [
  ['plain', ['Host: short'], ['X-R: abc']],
  ['truncated', ['Host: a-very-long-host.example', 'X-A: 0123456789012345678901234', 'X-Del: deleted-by-a-rule'], ['X-R: abcdefgh', 'X-Gone: gone-by-rule']],
  ['absent', [], []],
  ['last occurrence', ['Host: h', 'X-A: first', 'X-A: second, third'], ['X-R: one', 'X-R: two']],
  ['quotes and specials', ['Host: h', 'X-A: a"b {c} |d| \\e #f'], ['X-R: "q"']],
  ['empty values', ['Host: h', 'X-A:', 'X-Del: '], ['X-R:']],
  ['8-bit bytes', ['Host: h', 'X-A: caf\xe9 \x7f'], []],
];

describe('captures in the log like HAProxy 2.6', () => {
  it.each(CASES.map((c, i) => [i, ...c] as const))('%i %s', async (i, _name, reqHeaders, resHeaders) => {
    const lf: string[] = [];
    const hl: string[] = [];
    for (const r of runs) {
      backend.responseHeaders = resHeaders;
      const head = [`GET /cap-${i}?x HTTP/1.1`, ...reqHeaders].join('\r\n');
      await rawRequest(r.lf, head);
      await rawRequest(r.hl, head.replace(`/cap-${i}?`, `/caphl-${i}?`));
      lf.push(await lineFor(r, `/cap-${i}?`));
      hl.push(fromCaptures(await lineFor(r, `/caphl-${i}?`)));
    }
    expect(lf[1]).toBe(lf[0]);
    expect(hl[1]).toBe(hl[0]);
  });
});
