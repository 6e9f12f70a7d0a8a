// `compression algo|type|offload` (HAProxy configuration.txt 4.2 "compression", flt_http_comp.c):
// the same requests go through HAProxy 2.6 and hapair in front of one kind of backend. Compared:
// the response head (status line, header fields in order), the body once decoded (by the
// content-encoding the proxy announced; the compressed bytes differ: Debian's haproxy encodes with
// libslz, hapair with zlib), whether the client connection serves a next request, the
// Accept-Encoding the server got (offload), that a compressed body is flushed read by read (the
// client decodes what the server sent so far before the server sends the rest), and the
// comp_in / comp_byp / comp_rsp counters (comp_out: each side's own compressed bytes).
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { startTcpServer, type TestTcpServer } from '../support/servers.ts';
import { showStatRows } from './api-harness.ts';
import { distinctFreePorts, type HaproxyRun, type OracleKind, oracleSides, starterOf } from './http-oracle-harness.ts';

const ENTRIES = ['fe_gd', 'fe_rd', 'fe_id', 'fe_off', 'fe_be', 'ls_def'] as const;
type Entry = (typeof ENTRIES)[number];

const dir = mkdtempSync(join(tmpdir(), 'hapair-comp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TEXT = Buffer.from(Array.from({ length: 400 }, (_, i) => `line ${i}: the quick brown fox jumps over the lazy dog\n`).join(''), 'latin1');
const BIG = Buffer.concat(Array.from({ length: 12 }, () => TEXT));
const GZ_HELLO = zlib.gzipSync(Buffer.from('hello, already compressed'));

interface Reply {
  /** Status line and header lines (CRLF each), without the blank line. */
  readonly head: string;
  /** Body parts, written one by one (a pause between them); chunked ones framed here. */
  readonly parts: readonly Buffer[];
  readonly framing: 'length' | 'chunked' | 'close' | 'none';
  readonly trailers?: string;
}

const cl = (status: string, headers: string, body: Buffer, parts = 1): Reply => ({
  head: `HTTP/1.1 ${status}\r\n${headers}content-length: ${body.length}\r\n`,
  parts: Array.from({ length: parts }, (_, i) => body.subarray(Math.floor((i * body.length) / parts), Math.floor(((i + 1) * body.length) / parts))),
  framing: 'length',
});

/** What the backend answers for /r/NAME. */
const REPLIES: Record<string, Reply> = {
  text: cl('200 OK', 'content-type: text/plain\r\n', TEXT),
  big: cl('200 OK', 'content-type: text/html; charset=utf-8\r\n', BIG, 5),
  chunked: { head: 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n', parts: [TEXT.subarray(0, 100), TEXT.subarray(100, 9000), TEXT.subarray(9000)], framing: 'chunked' },
  trailers: { head: 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n', parts: [TEXT], framing: 'chunked', trailers: 'x-sum: 42\r\n' },
  close: { head: 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n', parts: [TEXT], framing: 'close' },
  s201: cl('201 Created', 'content-type: text/plain\r\n', TEXT),
  s203: cl('203 Non-Authoritative Information', 'content-type: text/plain\r\n', TEXT),
  s206: cl('206 Partial Content', 'content-type: text/plain\r\ncontent-range: bytes 0-99/1000\r\n', TEXT.subarray(0, 100)),
  s304: { head: 'HTTP/1.1 304 Not Modified\r\netag: "x"\r\n', parts: [], framing: 'none' },
  s404: cl('404 Not Found', 'content-type: text/plain\r\n', TEXT),
  cl0: cl('200 OK', 'content-type: text/plain\r\n', Buffer.alloc(0)),
  tiny: cl('200 OK', 'content-type: text/plain\r\n', Buffer.from('x')),
  encoded: cl('200 OK', 'content-type: text/plain\r\ncontent-encoding: gzip\r\n', GZ_HELLO),
  notransform: cl('200 OK', 'content-type: text/plain\r\ncache-control: public, no-transform\r\n', TEXT),
  cachecontrol: cl('200 OK', 'content-type: text/plain\r\ncache-control: max-age=60\r\n', TEXT),
  strong: cl('200 OK', 'content-type: text/plain\r\netag: "v1"\r\n', TEXT),
  weak: cl('200 OK', 'content-type: text/plain\r\netag: W/"v1"\r\n', TEXT),
  badetag: cl('200 OK', 'content-type: text/plain\r\netag: v1\r\n', TEXT),
  twoetags: cl('200 OK', 'content-type: text/plain\r\netag: "a"\r\netag: "b"\r\n', TEXT),
  vary: cl('200 OK', 'content-type: text/plain\r\nvary: Cookie\r\n', TEXT),
  multipart: cl('200 OK', 'content-type: multipart/mixed; boundary=x\r\n', TEXT),
  image: cl('200 OK', 'content-type: image/png\r\n', TEXT),
  json: cl('200 OK', 'content-type: Application/JSON\r\n', TEXT),
  untyped: cl('200 OK', '', TEXT),
  http10: { ...cl('200 OK', 'content-type: text/plain\r\n', TEXT), head: `HTTP/1.0 200 OK\r\ncontent-type: text/plain\r\ncontent-length: ${TEXT.length}\r\n` },
};

/** The request heads the backend got, newest last, and the held-back halves of /hold/ replies. */
interface Backend {
  readonly web: TestTcpServer;
  readonly heads: string[];
  release: (() => void) | null;
}

function chunk(b: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n')]);
}

async function serve(s: net.Socket, be: Backend, reply: Reply, hold: boolean): Promise<void> {
  const end = reply.framing === 'close' ? '' : '\r\n';
  s.write(reply.head + (reply.framing === 'close' ? '\r\n' : end));
  for (let i = 0; i < reply.parts.length; i++) {
    if (hold && i === 1) await new Promise<void>((r) => (be.release = r));
    else if (i > 0) await new Promise((r) => setTimeout(r, 20));
    s.write(reply.framing === 'chunked' ? chunk(reply.parts[i]) : reply.parts[i]);
  }
  if (reply.framing === 'chunked') s.write(`0\r\n${reply.trailers ?? ''}\r\n`);
  if (reply.framing === 'close') s.end();
}

async function startBackend(): Promise<Backend> {
  const be: Backend = { web: undefined as unknown as TestTcpServer, heads: [], release: null };
  const web = await startTcpServer((s) => {
    let buf = '';
    let busy = Promise.resolve();
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      for (let at = buf.indexOf('\r\n\r\n'); at >= 0; at = buf.indexOf('\r\n\r\n')) {
        const head = buf.slice(0, at);
        buf = buf.slice(at + 4);
        be.heads.push(head);
        const path = head.split(' ')[1] ?? '';
        const name = path.replace(/^\/(r|hold)\/(del\/)?/, '');
        const reply = REPLIES[name] ?? cl('200 OK', 'content-type: text/plain\r\n', Buffer.from('?'));
        const method = head.split(' ')[0];
        const r = method === 'HEAD' ? { ...reply, parts: [], framing: 'none' as const } : reply;
        busy = busy.then(() => serve(s, be, r, path.startsWith('/hold/')));
      }
    });
  });
  (be as { web: TestTcpServer }).web = web;
  return be;
}

interface Side {
  readonly run: HaproxyRun;
  readonly ports: readonly number[];
  readonly sock: string;
  readonly be: Backend;
}

async function startSide(kind: OracleKind): Promise<Side> {
  const be = await startBackend();
  const ports = await distinctFreePorts(ENTRIES.length);
  const sock = join(dir, `${kind}.sock`);
  const srv = `    server s 127.0.0.1:${be.web.port}\n`;
  const cfg = `global
    nbthread 1
    stats socket ${sock} level admin
defaults
    mode http
    timeout client 5s
    timeout connect 2s
    timeout server 5s
frontend fe_gd
    bind 127.0.0.1:${ports[0]}
    compression algo gzip deflate
    default_backend be_plain
frontend fe_rd
    bind 127.0.0.1:${ports[1]}
    compression algo raw-deflate
    compression type text/ application/json
    default_backend be_plain2
frontend fe_id
    bind 127.0.0.1:${ports[2]}
    compression algo gzip identity
    default_backend be_plain3
frontend fe_off
    bind 127.0.0.1:${ports[3]}
    compression algo gzip
    compression offload
    default_backend be_plain4
frontend fe_be
    bind 127.0.0.1:${ports[4]}
    compression algo deflate
    compression type text/html
    default_backend be_comp
backend be_plain
${srv}backend be_plain2
${srv}backend be_plain3
${srv}backend be_plain4
${srv}backend be_comp
    compression algo gzip
${srv}defaults
    mode http
    timeout client 5s
    timeout connect 2s
    timeout server 5s
    compression algo gzip
    compression type text/plain
listen ls_def
    bind 127.0.0.1:${ports[5]}
    compression algo deflate
    compression type text/html
    compression offload
    http-request del-header accept-encoding if { path_beg /r/del }
    http-response set-header x-seen "%[res.hdr_cnt(content-encoding)] %[res.hdr_cnt(content-length)]"
${srv}`;
  const run = await starterOf(kind)(cfg, ports);
  return { run, ports, sock, be };
}

const sides = oracleSides(startSide, async (s) => {
  await s.run.stop();
  await s.be.web.close();
});

/** An incremental reader of HTTP/1.1 responses on one connection. */
class Reader {
  buf = Buffer.alloc(0);
  closed = false;
  constructor(socket: net.Socket) {
    socket.on('data', (d: Buffer) => (this.buf = Buffer.concat([this.buf, d])));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
  }

  /** A complete response to a `method` request at the front of the buffer: its head, wire body and decoded body. */
  take(method: string): { head: string; body: Buffer; rest: number } | null {
    const at = this.buf.indexOf('\r\n\r\n');
    if (at < 0) return null;
    const head = this.buf.subarray(0, at).toString('latin1');
    let p = at + 4;
    const status = Number(head.split(' ')[1]);
    const te = /\r\ntransfer-encoding: *chunked/i.test(head);
    const len = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (method === 'HEAD' || status === 304 || status === 204) return { head, body: Buffer.alloc(0), rest: p };
    if (te) {
      const parts: Buffer[] = [];
      for (;;) {
        const eol = this.buf.indexOf('\r\n', p);
        if (eol < 0) return null;
        const size = parseInt(this.buf.subarray(p, eol).toString('latin1'), 16);
        p = eol + 2;
        if (size === 0) {
          const end = this.buf.indexOf('\r\n\r\n', p - 2);
          if (end < 0) return null;
          return { head: head + '\r\n[trailers]' + this.buf.subarray(p, end + 2).toString('latin1'), body: Buffer.concat(parts), rest: end + 4 };
        }
        if (this.buf.length < p + size + 2) return null;
        parts.push(this.buf.subarray(p, p + size));
        p += size + 2;
      }
    }
    if (len !== null) {
      const n = Number(len[1]);
      return this.buf.length < p + n ? null : { head, body: this.buf.subarray(p, p + n), rest: p + n };
    }
    return this.closed ? { head, body: this.buf.subarray(p), rest: this.buf.length } : null;
  }
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 250; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function decode(head: string, body: Buffer): Buffer {
  const ce = /\r\ncontent-encoding: *([^\r]*)/i.exec(head)?.[1];
  if (ce === 'gzip') return zlib.gunzipSync(body);
  if (ce === 'deflate') {
    try {
      return zlib.inflateSync(body);
    } catch {
      return zlib.inflateRawSync(body);
    }
  }
  return body;
}

interface Outcome {
  readonly head: string;
  /** The decoded body equals what the server sent. */
  readonly body: 'as sent' | string;
  readonly kept: boolean;
  /** The Accept-Encoding fields the server got. */
  readonly serverAe: string[];
}

/** Wire body bytes of the responses the proxy compressed (its comp_out). */
const encodedBytes: Record<OracleKind, number> = { haproxy: 0, hapair: 0 };

/** One request on a new connection (`extra`: header lines), then /r/tiny on it when it stays open. */
async function exchange(kind: OracleKind, entry: Entry, path: string, extra: string[] = [], method = 'GET', version = 'HTTP/1.1'): Promise<Outcome> {
  const side = sides[kind];
  const socket = net.connect(side.ports[ENTRIES.indexOf(entry)], '127.0.0.1');
  const r = new Reader(socket);
  try {
    const before = side.be.heads.length;
    socket.write(`${method} ${path} ${version}\r\nhost: x\r\n${extra.map((l) => l + '\r\n').join('')}\r\n`);
    let got: ReturnType<Reader['take']> = null;
    await until(() => (got = r.take(method)) !== null || (r.closed && r.buf.length === 0), `the answer to ${path}`);
    if (got === null) throw new Error(`no answer to ${path}`);
    const res = got as { head: string; body: Buffer; rest: number };
    const name = path.replace(/^\/(r|hold)\/(del\/)?/, '');
    const reply = REPLIES[name];
    const sent = method === 'HEAD' || reply === undefined ? Buffer.alloc(0) : reply.head.includes('content-encoding') ? GZ_HELLO : Buffer.concat(reply.parts);
    const decoded = decode(res.head, res.body);
    if (/\r\ncontent-encoding/i.test(res.head) && !reply?.head.includes('content-encoding')) {
      // comp_out also counts what HAProxy's filter passes on after a chunked body: each trailer's
      // name and value, and 1 for the end of trailers.
      const trailers = (reply?.trailers ?? '').split('\r\n').filter((l) => l !== '').reduce((n, l) => n + l.replace(': ', '').length, 0);
      encodedBytes[kind] += res.body.length + (reply?.framing === 'chunked' ? trailers + 1 : 0);
    }
    r.buf = r.buf.subarray(res.rest);
    const serverHead = side.be.heads[before] ?? '';
    const serverAe = serverHead.split('\r\n').filter((l) => /^accept-encoding:/i.test(l));
    let kept = false;
    if (!r.closed) {
      socket.write('GET /r/tiny HTTP/1.1\r\nhost: x\r\n\r\n');
      await until(() => r.take('GET') !== null || r.closed, `the answer to /r/tiny after ${path}`);
      kept = r.take('GET') !== null;
    }
    return { head: res.head, body: decoded.equals(sent) ? 'as sent' : `${decoded.length} bytes differing`, kept, serverAe };
  } finally {
    socket.destroy();
  }
}

async function both(entry: Entry, path: string, extra: string[] = [], method = 'GET', version = 'HTTP/1.1'): Promise<{ haproxy: Outcome; hapair: Outcome }> {
  const haproxy = await exchange('haproxy', entry, path, extra, method, version);
  const hapair = await exchange('hapair', entry, path, extra, method, version);
  return { haproxy, hapair };
}

const AE_VALUES = [
  'gzip', 'deflate', 'gzip;q=0', 'GZip', 'x-gzip', 'br', 'identity', '*', '*;q=0', 'gzip;q=0, *',
  'deflate, gzip', 'gzip, deflate', 'gzip;q=0.5, deflate;q=0.8', 'deflate;q=0.5,gzip;q=0.5', 'gzip ; q=1', 'gzip;level=1;q=0.001',
  'br;q=1, gzip;q=0.9', 'gzip;q=1.5',
];

describe('compression against HAProxy 2.6', () => {
  it('picks the algorithm from Accept-Encoding: highest q-value, the first of equals, `*` the last algo configured', async () => {
    for (const ae of AE_VALUES) {
      for (const entry of ['fe_gd', 'fe_rd', 'fe_id'] as const) {
        const r = await both(entry, '/r/text', [`accept-encoding: ${ae}`]);
        expect({ entry, ae, ...r.hapair }).toEqual({ entry, ae, ...r.haproxy });
      }
    }
    const two = await both('fe_gd', '/r/text', ['accept-encoding: br', 'accept-encoding: deflate;q=0.2, gzip;q=0.1']);
    expect(two.hapair).toEqual(two.haproxy);
    const none = await both('fe_id', '/r/text');
    expect(none.hapair).toEqual(none.haproxy);
  });

  it('compresses only 200-203 responses with a known length, a body, no content-encoding, no no-transform, a valid single ETag', async () => {
    for (const name of Object.keys(REPLIES)) {
      for (const entry of ['fe_gd', 'fe_rd', 'fe_id', 'fe_be'] as const) {
        const r = await both(entry, `/r/${name}`, ['accept-encoding: gzip, deflate']);
        expect({ entry, name, ...r.hapair }).toEqual({ entry, name, ...r.haproxy });
      }
    }
  });

  it('leaves HTTP/1.0 requests, HEAD, old Mozilla/4 agents and a request no-transform as HAProxy does', async () => {
    const cases: [string, string[], string, string][] = [
      ['/r/text', ['accept-encoding: gzip'], 'GET', 'HTTP/1.0'],
      ['/r/text', ['accept-encoding: gzip'], 'HEAD', 'HTTP/1.1'],
      ['/r/text', ['accept-encoding: gzip', 'cache-control: no-transform'], 'GET', 'HTTP/1.1'],
      ['/r/text', ['accept-encoding: gzip', 'user-agent: Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)'], 'GET', 'HTTP/1.1'],
      ['/r/text', ['accept-encoding: gzip', 'user-agent: Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1)'], 'GET', 'HTTP/1.1'],
      ['/r/text', ['accept-encoding: gzip', 'user-agent: Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.0)'], 'GET', 'HTTP/1.1'],
      ['/r/text', ['accept-encoding: gzip', 'user-agent: Mozilla/4.08 [en] (X11; Linux)'], 'GET', 'HTTP/1.1'],
      ['/r/text', ['accept-encoding: gzip', 'user-agent: Mozilla/5.0 (X11; Linux x86_64)'], 'GET', 'HTTP/1.1'],
    ];
    for (const [path, extra, method, version] of cases) {
      for (const entry of ['fe_gd', 'fe_id'] as const) {
        const r = await both(entry, path, extra, method, version);
        expect({ entry, extra, method, version, ...r.hapair }).toEqual({ entry, extra, method, version, ...r.haproxy });
      }
    }
  });

  it('a listen inherits the defaults algos and types and adds its own; rules run before the request choice and see the head before the rewrite', async () => {
    for (const ae of ['gzip', 'deflate', '*', 'gzip, deflate', 'br']) {
      for (const path of ['/r/text', '/r/big', '/r/json', '/r/del/text', '/r/untyped']) {
        const r = await both('ls_def', path, [`accept-encoding: ${ae}`]);
        expect({ ae, path, ...r.hapair }).toEqual({ ae, path, ...r.haproxy });
      }
    }
  });

  it('compression offload removes Accept-Encoding from the request when an algorithm was chosen', async () => {
    for (const ae of [['accept-encoding: gzip'], ['accept-encoding: br'], ['accept-encoding: br', 'accept-encoding: gzip;q=0.5'], []]) {
      for (const name of ['text', 'encoded', 'image']) {
        const r = await both('fe_off', `/r/${name}`, ae);
        expect({ ae, name, ...r.hapair }).toEqual({ ae, name, ...r.haproxy });
      }
    }
  });

  it('flushes each read: the client decodes what the server sent before the rest comes', async () => {
    const prefix: Record<OracleKind, number> = { haproxy: 0, hapair: 0 };
    for (const kind of ['haproxy', 'hapair'] as const) {
      const side = sides[kind];
      const socket = net.connect(side.ports[0], '127.0.0.1');
      const r = new Reader(socket);
      try {
        socket.write('GET /hold/big HTTP/1.1\r\nhost: x\r\naccept-encoding: gzip\r\n\r\n');
        const firstPart = REPLIES.big.parts[0];
        const decodedSoFar = (): number => {
          const at = r.buf.indexOf('\r\n\r\n');
          if (at < 0) return 0;
          const parts: Buffer[] = [];
          let p = at + 4;
          for (;;) {
            const eol = r.buf.indexOf('\r\n', p);
            if (eol < 0) break;
            const size = parseInt(r.buf.subarray(p, eol).toString('latin1'), 16);
            if (!(size > 0) || r.buf.length < eol + 2 + size + 2) break;
            parts.push(r.buf.subarray(eol + 2, eol + 2 + size));
            p = eol + 4 + size;
          }
          if (parts.length === 0) return 0;
          return zlib.gunzipSync(Buffer.concat(parts), { finishFlush: zlib.constants.Z_SYNC_FLUSH }).length;
        };
        // Bounded: until the whole first part decodes, or 5 s (then the prefix seen is compared).
        await until(() => side.be.release !== null && decodedSoFar() >= firstPart.length - 16, 'the first part').catch(() => undefined);
        prefix[kind] = decodedSoFar() >= firstPart.length - 16 ? 1 : 0;
        expect(side.be.release).not.toBeNull();
        side.be.release!();
        side.be.release = null;
        await until(() => r.take('GET') !== null, 'the whole answer');
        const res = r.take('GET')!;
        expect(zlib.gunzipSync(res.body).equals(BIG)).toBe(true);
        encodedBytes[kind] += res.body.length;
      } finally {
        socket.destroy();
      }
    }
    expect(prefix.hapair).toBe(prefix.haproxy);
    expect(prefix.hapair).toBe(1);
  });

  it('counts comp_in, comp_byp, comp_rsp as HAProxy does, comp_out as the compressed bytes sent', async () => {
    const rows = { haproxy: await showStatRows(sides.haproxy.sock), hapair: await showStatRows(sides.hapair.sock) };
    const pick = (kind: OracleKind) => [...rows[kind]].filter(([k]) => k.endsWith('/FRONTEND') || k.endsWith('/BACKEND'))
      .map(([k, v]) => [k, v.get('comp_in'), v.get('comp_byp'), v.get('comp_rsp')]);
    expect(pick('hapair')).toEqual(pick('haproxy'));
    const out = (kind: OracleKind) => [...rows[kind]].filter(([k]) => k.endsWith('/FRONTEND')).reduce((n, [, v]) => n + Number(v.get('comp_out')), 0);
    expect(Number(rows.hapair.get('fe_gd/FRONTEND')!.get('comp_rsp'))).toBeGreaterThan(10);
    expect([out('haproxy'), out('hapair')]).toEqual([encodedBytes.haproxy, encodedBytes.hapair]);
  });
});
