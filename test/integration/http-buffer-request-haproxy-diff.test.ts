// Differential test of `option http-buffer-request` against HAProxy 2.6: the same config (the
// option in `defaults`, taken back with `no option` where it must be off, and a backend that has
// it behind a frontend that does not) and the same client script on both proxies. Compared: whether
// the server had the request head (or the client an answer) before the client sent its last body
// part, the head and body bytes the server got, the client's response, and the log line (status,
// termination state, %B, %U, backend). The script waits on events (the server's head, the client's
// bytes, the log line), each bounded; a pause is only a bounded wait for something that must not
// come when the body is buffered.
import { once } from 'node:events';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { type OracleKind, oracleSides, starterOf } from './http-oracle-harness.ts';
import { type LoggedRun, logLineWith, startLoggedRun, stopLoggedRuns } from './logged-run.ts';

/** How long a client waits for the server to get the head before it sends its last part. */
const HEAD_WAIT = 400;
/** `timeout http-request` of the sections that buffer (the `fe` frontend's is far longer). */
const HTTP_REQUEST = 1500;

/** What one server connection got: its head, then its body bytes, in order. */
interface Received {
  head: string;
  body: string;
}

/**
 * A backend that records what it gets, answers `100 Continue` to `Expect: 100-continue` (as
 * servers do), and `200` once the body is complete (content-length, or a chunked `0` chunk).
 */
interface RecordingServer {
  readonly port: number;
  readonly got: Received[];
  close(): Promise<void>;
}

function bodyComplete(head: string, body: string): boolean {
  const cl = /\r\ncontent-length: *(\d+)/i.exec(head);
  if (cl !== null) return body.length >= Number(cl[1]);
  if (/\r\ntransfer-encoding: *chunked/i.test(head)) return /(^|\r\n)0\r\n(.*\r\n)*\r\n$/.test(body);
  return true;
}

async function recordingServer(): Promise<RecordingServer> {
  const got: Received[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
    let buf = '';
    let rec: Received | null = null;
    s.on('data', (d: Buffer) => {
      if (rec === null) {
        buf += d.toString('latin1');
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        rec = { head: buf.slice(0, end), body: buf.slice(end + 4) };
        got.push(rec);
        if (/\r\nexpect: *100-continue/i.test(rec.head)) s.write('HTTP/1.1 100 Continue\r\n\r\n');
      } else rec.body += d.toString('latin1');
      if (bodyComplete(rec.head, rec.body)) s.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    got,
    close: async () => {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

const SECTIONS = ['on', 'off', 'fe', 'idle'] as const;
type Section = (typeof SECTIONS)[number];

interface Side {
  readonly run: LoggedRun;
  readonly server: RecordingServer;
}

function config(logPort: number, ports: readonly number[], server: number): string {
  return `global
    nbthread 1
defaults
    mode http
    option http-buffer-request
    timeout client 5s
    timeout connect 5s
    timeout server 5s
    timeout http-request ${HTTP_REQUEST}ms
    log 127.0.0.1:${logPort} format raw local0
    log-format "%{+Q}r %ST %ts %B %U %b"
listen on
    bind 127.0.0.1:${ports[0]}
    server s 127.0.0.1:${server}
listen off
    bind 127.0.0.1:${ports[1]}
    no option http-buffer-request
    server s 127.0.0.1:${server}
frontend fe
    bind 127.0.0.1:${ports[2]}
    no option http-buffer-request
    timeout http-request 10s
    default_backend buffered
backend buffered
    http-request deny if { path_beg /deny }
    server s 127.0.0.1:${server}
listen idle
    bind 127.0.0.1:${ports[3]}
    timeout http-request 0
    timeout client ${HTTP_REQUEST}ms
    server s 127.0.0.1:${server}
`;
}

async function startSide(kind: OracleKind): Promise<Side> {
  const server = await recordingServer();
  const run = await startLoggedRun(starterOf(kind), SECTIONS.length, (logPort, ports) => config(logPort, ports, server.port));
  return { run, server };
}

const sides = oracleSides(startSide, async (s) => {
  await stopLoggedRuns([s.run]);
  await s.server.close();
});

/** Poll (bounded) until `cond` holds; false if it did not within `ms`. */
async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (let i = 0; i < 1000 && Date.now() < deadline; i++) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return cond();
}

/**
 * A client script: `parts[0]` (head and maybe a first body part) at once; before each further
 * part it waits (bounded) for the server to get the head or the client an answer, and notes
 * which had happened; `end` / `destroy` leave instead of a last part; `continue` waits for the
 * client to receive `100 Continue` before the next part.
 */
type Step = string | 'END' | 'DESTROY' | 'CONTINUE';

interface Outcome {
  /** Before each later part: the server had the head / the client had bytes of an answer. */
  readonly before: { server: boolean; client: boolean }[];
  readonly server: { head: string; body: string }[];
  readonly client: string;
  readonly log: string;
}

const shorten = (s: string): string => (s.length <= 200 ? s : `${s.slice(0, 40)}...(${s.length} bytes)...${s.slice(-40)}`);

async function play(side: Side, section: Section, steps: readonly Step[], marker: string): Promise<Outcome> {
  const from = side.server.got.length;
  const socket = net.connect({ port: side.run.ports[SECTIONS.indexOf(section)]!, host: '127.0.0.1', allowHalfOpen: true });
  let received = '';
  let closed = false;
  socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
  socket.on('error', () => undefined);
  // Half-open allowed (a client may half-close): the proxy's FIN is the end of its answer.
  socket.on('end', () => (closed = true));
  socket.on('close', () => (closed = true));
  await once(socket, 'connect');
  const before: Outcome['before'] = [];
  const serverHas = (): boolean => side.server.got.length > from;
  for (const [i, step] of steps.entries()) {
    if (step === 'CONTINUE') {
      await until(() => received.includes('100 Continue\r\n\r\n'), 3000);
      continue;
    }
    if (i > 0 && steps[i - 1] !== 'CONTINUE') {
      await until(() => serverHas() || received !== '', HEAD_WAIT);
      before.push({ server: serverHas(), client: received !== '' });
    }
    if (step === 'END') socket.end();
    else if (step === 'DESTROY') socket.destroy();
    else socket.write(Buffer.from(step, 'latin1'));
  }
  const log = await logLineWith(side.run, marker);
  // A kept-alive connection is done with its response ('ok'), another one when it closes.
  await until(() => closed || received.endsWith('\r\n\r\nok'), 3000);
  socket.destroy();
  const server = side.server.got.slice(from).map((r) => ({ head: r.head, body: shorten(r.body) }));
  return { before, server, client: shorten(received), log };
}

const post = (path: string, framing: string, extra = ''): string =>
  `POST ${path} HTTP/1.1\r\nhost: t\r\n${extra}${framing}\r\nconnection: close\r\n\r\n`;
/** A kept-alive request: its head is exactly the fields `full` counts. */
const postKept = (path: string, length: number): string => `POST ${path} HTTP/1.1\r\nhost: t\r\ncontent-length: ${length}\r\n\r\n`;
/**
 * Body bytes that fill HAProxy 2.6's request buffer after postKept(path)'s head, as measured with
 * haproxy: HTX head (8 per block: start line, 2 fields, end of headers; the strings) + 16 + body
 * reaching 16384 - 1024 - 69.
 */
const full = (path: string): number => 16384 - 1024 - 69 - 16 - (8 * 4 + 'POST'.length + path.length + 'HTTP/1.1'.length + 'host'.length + 1 + 'content-length'.length + 5);
const cl = (n: number): string => `content-length: ${n}`;
const CHUNKED = 'transfer-encoding: chunked';

interface Case {
  readonly name: string;
  readonly section: Section;
  readonly steps: (path: string) => Step[];
}

const CASES: Case[] = [
  // The control: without the option the server has the head before the body is complete.
  { name: 'content-length in two parts, option off', section: 'off', steps: (p) => [post(p, cl(10)) + '12345', '67890'] },
  { name: 'content-length in two parts', section: 'on', steps: (p) => [post(p, cl(10)) + '12345', '67890'] },
  { name: 'chunked in three parts, option off', section: 'off', steps: (p) => [post(p, CHUNKED) + '5\r\nhello\r\n', '3\r\nabc\r\n', '0\r\n\r\n'] },
  { name: 'chunked in three parts (sent as one chunk)', section: 'on', steps: (p) => [post(p, CHUNKED) + '5\r\nhello\r\n', '3\r\nabc\r\n', '0\r\nx-t: 1\r\n\r\n'] },
  { name: 'body not complete within timeout http-request (408)', section: 'on', steps: (p) => [post(p, cl(10)) + '123'] },
  { name: 'no body byte within timeout http-request (408)', section: 'on', steps: (p) => [post(p, cl(10))] },
  { name: 'without timeout http-request, timeout client between reads (408)', section: 'idle', steps: (p) => [post(p, cl(10)) + '123', '45'] },
  { name: 'client half-closes mid-body', section: 'on', steps: (p) => [post(p, cl(10)) + '123', 'END'] },
  { name: 'client resets mid-body', section: 'on', steps: (p) => [post(p, cl(10)) + '123', 'DESTROY'] },
  { name: 'Expect: 100-continue answered by the proxy', section: 'on', steps: (p) => [post(p, cl(10), 'expect: 100-continue\r\n'), 'CONTINUE', '1234567890'] },
  { name: 'Expect: 100-continue, option off (the server answers it)', section: 'off', steps: (p) => [post(p, cl(10), 'expect: 100-continue\r\n'), 'CONTINUE', '1234567890'] },
  { name: 'body larger than the buffer: forwarded once it is full', section: 'on', steps: (p) => [post(p, cl(40000)) + 'a'.repeat(20000), 'b'.repeat(20000)] },
  { name: 'exactly a full buffer: forwarded before the rest', section: 'on', steps: (p) => [postKept(p, 20000) + 'a'.repeat(full(p)), 'b'.repeat(20000 - full(p))] },
  { name: 'one byte short of a full buffer: still waited for', section: 'on', steps: (p) => [postKept(p, 20000) + 'a'.repeat(full(p) - 1), 'b'.repeat(20001 - full(p))] },
  { name: "backend's option: waited for before the backend's rules", section: 'fe', steps: (p) => [post(p, cl(10)) + '12345', '67890'] },
  { name: "backend's option: its deny answers once the body is in", section: 'fe', steps: (p) => [post(`/deny${p}`, cl(10)) + '12345', '67890'] },
  { name: "backend's option: the backend's timeout http-request (408)", section: 'fe', steps: (p) => [post(p, cl(10)) + '123'] },
];

describe('option http-buffer-request: as HAProxy 2.6', () => {
  it.each(CASES.map((c, i) => [c.name, c, i] as const))('%s', async (_name, c, i) => {
    const path = `/case${i}`;
    const ref = await play(sides.haproxy, c.section, c.steps(path), `${path} `);
    const ours = await play(sides.hapair, c.section, c.steps(path), `${path} `);
    expect(ours).toEqual(ref);
  }, 30_000);
});
