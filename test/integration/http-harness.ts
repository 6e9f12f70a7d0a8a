// Test harness for the `mode http` engine: hand-built http proxy specs, a recording HTTP
// backend (raw sockets: it sees exactly the bytes hapair sends), and a raw keep-alive client
// that reads responses one by one (content-length, chunked or close framing).
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { afterEach } from 'vitest';
import type { ConfigLine, ProxySpec } from '../../src/config/model.ts';
import { proxySpec, TestServer, type ProxyInput, type TestProxy } from './proxy-harness.ts';

const LOC = { file: 'test.cfg', line: 1 };

/** A `mode http` proxy; `lines` are raw keyword lines (`option forwardfor`, `http-reuse never`...). */
export function httpSpec(p: ProxyInput & { lines?: string[][] }): ProxySpec {
  const lines: ConfigLine[] = (p.lines ?? []).map((args) => ({ args, loc: LOC }));
  // What the parser does with `option X` lines: the flag in `options`, the line kept.
  const options: Record<string, boolean> = { ...p.options };
  for (const l of p.lines ?? []) if (l[0] === 'option') options[l[1]] = true;
  // And with `errorfile CODE FILE` lines: the page read now.
  const errorEntries = (p.lines ?? []).filter((l) => l[0] === 'errorfile').map((l) => ({ code: Number(l[1]), page: readFileSync(l[2]) }));
  return { ...proxySpec({ ...p, options }), mode: 'http', lines, ...(errorEntries.length > 0 ? { errorEntries } : {}) };
}

export interface Recorded {
  /** Request heads as received, in order. */
  readonly heads: string[];
  /** Request bodies (raw bytes after each head, as framed). */
  readonly bodies: string[];
}

export type Responder = (head: string, body: string, socket: net.Socket) => void;

/** Default answer: 200 with the server's name as body. */
export function okResponder(name: string): Responder {
  return (_head, _body, socket) => {
    socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${name.length}\r\n\r\n${name}`);
  };
}

/**
 * An HTTP/1.1 backend on 127.0.0.1 parsing requests with content-length or chunked bodies
 * (the parsing is simple on purpose: tests send well-formed requests to it).
 */
export class HttpBackend extends TestServer implements Recorded {
  readonly heads: string[] = [];
  readonly bodies: string[] = [];
  responder: Responder;

  constructor(responder: Responder) {
    // Not half-open: a client's FIN closes the backend's side too.
    super((s, self) => (self as HttpBackend).#parse(s), {});
    this.responder = responder;
  }

  /** Socket bookkeeping is TestServer's; this reads requests and hands each to the responder. */
  #parse(s: net.Socket): void {
    let buf = '';
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.slice(0, end + 4);
        const body = bodyOf(head, buf.slice(end + 4));
        if (body === undefined) return;
        buf = buf.slice(end + 4 + body.length);
        this.heads.push(head);
        this.bodies.push(body);
        this.responder(head, body, s);
      }
    });
  }
}

/** The raw body bytes following `head` in `rest`, undefined while incomplete. */
function bodyOf(head: string, rest: string): string | undefined {
  const cl = /\r\ncontent-length: *(\d+)/i.exec(head);
  if (cl !== null) {
    const n = Number(cl[1]);
    return rest.length >= n ? rest.slice(0, n) : undefined;
  }
  if (/\r\ntransfer-encoding:[^\r]*chunked/i.test(head)) return chunkedLength(rest);
  return '';
}

/** The raw chunked body at the start of `rest` (any chunk sizes, LF or CRLF, trailers). */
function chunkedLength(rest: string): string | undefined {
  let i = 0;
  for (;;) {
    const eol = rest.indexOf('\n', i);
    if (eol < 0) return undefined;
    const size = parseInt(rest.slice(i, eol).split(';')[0], 16);
    i = eol + 1;
    if (size === 0) {
      // Trailers up to an empty line.
      for (;;) {
        const e = rest.indexOf('\n', i);
        if (e < 0) return undefined;
        const line = rest.slice(i, e);
        i = e + 1;
        if (line === '' || line === '\r') return rest.slice(0, i);
      }
    }
    if (rest.length < i + size + 1) return undefined;
    i += size + (rest[i + size] === '\r' ? 2 : 1);
  }
}

export async function httpBackend(responder: Responder | string): Promise<HttpBackend> {
  return new HttpBackend(typeof responder === 'string' ? okResponder(responder) : responder).listen();
}

export interface ParsedResponse {
  readonly status: number;
  readonly head: string;
  readonly headers: Map<string, string>;
  readonly body: string;
}

/** A raw client on one connection: write bytes, read whole responses in order. */
export class HttpClient {
  readonly socket: net.Socket;
  #buf = '';
  #closed = false;
  #waiters: (() => void)[] = [];

  constructor(port: number) {
    this.socket = net.connect({ port, host: '127.0.0.1' });
    this.socket.on('data', (d: Buffer) => {
      this.#buf += d.toString('latin1');
      this.#wake();
    });
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => {
      this.#closed = true;
      this.#wake();
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Bytes received and not consumed by read(). */
  get pending(): string {
    return this.#buf;
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  send(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** The next complete response (bounded by `ms`); `head`: the request was HEAD (no body). */
  async read(ms = 5000, head = false): Promise<ParsedResponse> {
    const deadline = Date.now() + ms;
    for (;;) {
      const r = this.#take(head);
      if (r !== undefined) return r;
      if (this.#closed) throw new Error(`connection closed; pending: ${JSON.stringify(this.#buf)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no complete response; pending: ${JSON.stringify(this.#buf)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Wait for the server to close (bounded). */
  async waitClosed(ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.#closed) {
      if (Date.now() > deadline) throw new Error('connection still open');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  #take(noBody: boolean): ParsedResponse | undefined {
    const end = this.#buf.indexOf('\r\n\r\n');
    if (end < 0) return undefined;
    const head = this.#buf.slice(0, end + 4);
    const lines = head.split('\r\n');
    const status = Number(lines[0].split(' ')[1]);
    const headers = new Map<string, string>();
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':');
      if (i > 0) headers.set(l.slice(0, i).toLowerCase(), l.slice(i + 1).trim());
    }
    const rest = this.#buf.slice(end + 4);
    let body: string | undefined;
    if (noBody || status === 204 || status === 304 || status < 200) body = '';
    else if (headers.has('content-length')) {
      const n = Number(headers.get('content-length'));
      body = rest.length >= n ? rest.slice(0, n) : undefined;
    } else if (headers.get('transfer-encoding')?.includes('chunked')) {
      const e = rest.indexOf('0\r\n\r\n');
      body = e < 0 ? undefined : rest.slice(0, e + 5);
    } else {
      body = this.#closed ? rest : undefined;
    }
    if (body === undefined) return undefined;
    this.#buf = rest.slice(body.length);
    return { status, head, headers, body };
  }

  close(): void {
    this.socket.destroy();
  }
}

export async function httpClient(port: number): Promise<HttpClient> {
  const c = new HttpClient(port);
  await once(c.socket, 'connect');
  return c;
}

/** afterEach of the http tests: close the clients, stop the proxy, close the backends (the lists are emptied). */
export async function endHttpTest(clients: HttpClient[], proxy: TestProxy | undefined, backends: HttpBackend[]): Promise<void> {
  for (const c of clients.splice(0)) c.close();
  await proxy?.runtime.stop();
  for (const b of backends.splice(0)) await b.close();
}

/** What one http test opened. */
export interface HttpTest {
  proxy: TestProxy | undefined;
  readonly backends: HttpBackend[];
  readonly clients: HttpClient[];
}

/** The state of a file's http tests, closed by endHttpTest after each test. */
export function useHttpTest(): HttpTest {
  const t: HttpTest = { proxy: undefined, backends: [], clients: [] };
  afterEach(async () => {
    await endHttpTest(t.clients, t.proxy, t.backends);
    t.proxy = undefined;
  });
  return t;
}
