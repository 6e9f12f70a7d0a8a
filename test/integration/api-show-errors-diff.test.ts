// Differential: `show errors` on HAProxy 2.6 and on hapair after the same refused requests and the
// same refused server response: the event total, the proxies, the header lines (backend/frontend,
// server, event number, buffer sizes, error position) and the text dump of the bytes must match;
// dates and client ports are masked, and HAProxy's H1-mux block (its internal flags) is dropped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchange, freePort, TestServer } from './proxy-harness.ts';
import { ask, startApiProxy, type ApiProxy } from './api-harness.ts';
import { startHaproxyApi, type HaproxyApi } from './haproxy-api-oracle.ts';

/** A server whose response head has a space in a header name: both proxies refuse it (502). */
let badServer: TestServer;

/**
 * The proxies listen on a loopback address of their own: other test files point servers at ports
 * of 127.0.0.1 they found closed, and a stray request reaching one of these frontends would be
 * another captured event.
 */
const HOST = '127.0.0.91';

const cfg = (dir: string, fe: number, lb: number): string => `global
    stats socket ${dir}/api.sock level admin
    stats socket ${dir}/user.sock level user
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind ${HOST}:${fe}
    default_backend be
listen lb
    bind ${HOST}:${lb}
    server l1 127.0.0.1:${badServer.port}
backend be
    server s1 127.0.0.1:${badServer.port}
`;

interface Side {
  readonly sock: (name: string) => string;
  readonly fe: number;
  readonly lb: number;
}

let ha: HaproxyApi | undefined;
let px: ApiProxy | undefined;
let theirs: Side;
let ours: Side;

beforeAll(async () => {
  badServer = await new TestServer((s) => {
    s.once('data', () => s.end('HTTP/1.1 200 OK\r\nbad hdr: x\r\ncontent-length: 0\r\n\r\n'));
  }).listen();
  const [haFe, haLb, fe, lb] = [await freePort(), await freePort(), await freePort(), await freePort()];
  ha = await startHaproxyApi('hapair-errors-ha-', (dir) => cfg(dir, haFe, haLb));
  theirs = { sock: ha.sock, fe: haFe, lb: haLb };
  px = await startApiProxy((dir) => cfg(dir, fe, lb));
  ours = { sock: px.sock, fe, lb };
}, 30_000);

afterAll(async () => {
  await ha?.stop();
  await px?.stop();
  await badServer?.close();
});

/** Dates and client ports differ between the two runs; the H1 block is HAProxy's mux internals. */
function normalise(text: string): string {
  return text
    .replace(/\[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d\.\d{3}\]/g, '[DATE]')
    .replace(/src 127\.0\.0\.1:\d+/g, 'src 127.0.0.1:PORT')
    .split('\n')
    .filter((l) => !l.startsWith('  H1 '))
    .join('\n');
}

const QUERIES = ['show errors', 'show errors fe', 'show errors lb request', 'show errors lb response', 'show errors be', 'show errors #2', 'show errors 4 response', 'show errors 99', 'show errors nope', 'show errors 0'];

async function sameAnswers(what: string): Promise<void> {
  for (const q of QUERIES) {
    const expected = normalise(await ask(theirs.sock('api.sock'), q));
    expect({ what, q, answer: normalise(await ask(ours.sock('api.sock'), q)) }).toEqual({ what, q, answer: expected });
  }
}

/** The same bytes to the same frontend of both; both must refuse them with `status`. */
async function sendBoth(to: 'fe' | 'lb', bytes: string, status: string): Promise<void> {
  for (const side of [theirs, ours]) {
    const reply = (await exchange(side[to], Buffer.from(bytes, 'latin1'), { end: false, host: HOST, localAddress: '127.0.0.1' })).toString('latin1');
    expect(reply.split('\r\n')[0]).toBe(`HTTP/1.1 ${status}`);
  }
}

describe('show errors against HAProxy 2.6', () => {
  it('reports no event before any error, and refuses level user', async () => {
    expect(normalise(await ask(ours.sock('api.sock'), 'show errors'))).toBe('Total events captured on [DATE] : 0\n\n');
    await sameAnswers('no error yet');
    expect(await ask(ours.sock('user.sock'), 'show errors')).toBe(await ask(theirs.sock('user.sock'), 'show errors'));
    expect(await ask(ours.sock('user.sock'), 'show errors')).toBe('Permission denied\n\n');
  });

  it('captures the last invalid request of each frontend with its error position and a dump of its bytes', async () => {
    await sendBoth('fe', 'GET / HTTP/1.1\r\nho st: x\r\nfoo: bar\r\n\r\n', '400 Bad request');
    await sameAnswers('a space in a header name');
    await sendBoth('lb', 'GET /a\x01b HTTP/1.1\r\nhost: x\r\n\r\n', '400 Bad request');
    await sameAnswers('a control character in the URI');
    // A line longer than the dump's 80 columns continues on '+' lines; a backslash is escaped.
    await sendBoth('fe', `GET /${'a\\'.repeat(60)} HTTP/1.1\r\nhost: x\r\nx-t\x7fst: 1\r\n\r\n`, '400 Bad request');
    await sameAnswers('a long request line and a DEL in a header name');
    const ourDump = await ask(ours.sock('api.sock'), 'show errors fe');
    expect(ourDump).toContain(' frontend fe (#2): invalid request\n  backend <NONE> (#-1), server <NONE> (#-1), event #2, src 127.0.0.1:');
    expect(ourDump).toMatch(/\n {2}00048\+ /);
  });

  it('captures an invalid server response in its backend, with the frontend and server', async () => {
    await sendBoth('fe', 'GET /r HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n', '502 Bad Gateway');
    await sameAnswers('an invalid response');
    const ourDump = await ask(ours.sock('api.sock'), 'show errors be response');
    expect(ourDump).toContain(' backend be (#4): invalid response\n  frontend fe (#2), server s1 (#1), event #3, src 127.0.0.1:');
    expect(ourDump).toContain('  00017  bad hdr: x\\r\\n\n');
  });
});
