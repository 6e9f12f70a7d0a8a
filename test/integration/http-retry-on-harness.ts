// Harness of the `retry-on` differential tests: scripted HTTP backends (each request consumes the
// next action of a script: a status, a close without answer, junk, silence), a raw client, and
// readers for the fields the retry decision shows in an access-log line.
import { once } from 'node:events';
import net from 'node:net';

/** What a backend does with one request (after the script: `200`). */
export type Action =
  | number // answer this status, its body the server's name and the status
  | 'close' // FIN without a byte of response (empty-response)
  | 'reset' // RST without a byte of response (empty-response too)
  | 'junk' // bytes that are no HTTP response (junk-response)
  | 'partial' // the start of a response head, then FIN
  | 'silent'; // nothing, the connection stays open (response-timeout)

export interface ScriptedServer {
  readonly name: string;
  readonly port: number;
  /** What each received request got, in order ('200' for the default answer). */
  readonly served: string[];
  /** Request bodies received, in order. */
  readonly bodies: string[];
  script(actions: readonly Action[]): void;
  close(): Promise<void>;
}

const REASONS: Readonly<Record<number, string>> = { 200: 'OK', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 408: 'Request Timeout', 425: 'Too Early', 500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };

function act(s: net.Socket, name: string, a: Action): void {
  if (typeof a === 'number') {
    const body = `${name}:${a}`;
    s.end(`HTTP/1.1 ${a} ${REASONS[a] ?? 'X'}\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
  } else if (a === 'close') s.end();
  else if (a === 'reset') s.resetAndDestroy();
  else if (a === 'junk') s.end('SSH-2.0-OpenSSH_9.2\r\n\r\n');
  else if (a === 'partial') s.end('HTTP/1.1 200 OK\r\ncontent-length: 10\r\nx-half');
}

/** A backend answering each request (head plus content-length body) with the next scripted action. */
export async function startScriptedServer(name: string): Promise<ScriptedServer> {
  const sockets = new Set<net.Socket>();
  let script: Action[] = [];
  const served: string[] = [];
  const bodies: string[] = [];
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.slice(0, end);
      if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
        if (!buf.endsWith('\r\n0\r\n\r\n')) return;
        bodies.push(dechunk(buf.slice(end + 4)));
      } else {
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        bodies.push(buf.slice(end + 4, end + 4 + length));
      }
      buf = '';
      const a = script.shift() ?? 200;
      served.push(String(a));
      act(s, name, a);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    name,
    port: (server.address() as net.AddressInfo).port,
    served,
    bodies,
    script(actions) {
      script = [...actions];
      served.length = 0;
      bodies.length = 0;
    },
    async close() {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/**
 * The data of a chunked body. Decoded: HAProxy 2.6 sends a body buffered whole as one chunk (its
 * HTX data blocks merge), hapair chunk by chunk (docs/http.md, known differences).
 */
function dechunk(text: string): string {
  let out = '';
  for (let at = 0; ;) {
    const eol = text.indexOf('\r\n', at);
    const size = parseInt(text.slice(at, eol), 16);
    if (!(size > 0)) return out;
    out += text.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
}

/** Status line and body the client got ('closed' when the proxy closed without answering). */
export interface ClientResult {
  readonly status: string;
  readonly body: string;
}

/**
 * One request on a new connection; `later`: body bytes sent this many ms after the head (the
 * request is then not complete when the proxy connects to the server). A head with
 * `transfer-encoding: chunked` gets `body` as written (chunks), no content-length.
 */
export async function request(port: number, head: string, body = '', later = 0): Promise<ClientResult> {
  const sock = net.connect({ port, host: '127.0.0.1' });
  const chunks: Buffer[] = [];
  sock.on('data', (d) => chunks.push(d));
  sock.on('error', () => undefined);
  const timer = setTimeout(() => sock.destroy(), 8000);
  await once(sock, 'connect');
  const cl = body !== '' && !/transfer-encoding: chunked/i.test(head) ? `content-length: ${body.length}\r\n` : '';
  const text = `${head}\r\nhost: x\r\n${cl}connection: close\r\n\r\n`;
  if (later > 0) {
    sock.write(text);
    setTimeout(() => sock.write(body), later);
  } else sock.write(text + body);
  await once(sock, 'close');
  clearTimeout(timer);
  const raw = Buffer.concat(chunks).toString('latin1');
  const split = raw.indexOf('\r\n\r\n');
  if (split < 0) return { status: raw === '' ? 'closed' : `junk ${JSON.stringify(raw)}`, body: '' };
  return { status: raw.slice(0, raw.indexOf('\r\n')), body: raw.slice(split + 4) };
}

/** Two GETs on one keep-alive client connection, the second once the first is answered. */
export async function requestTwice(port: number): Promise<ClientResult> {
  const sock = net.connect({ port, host: '127.0.0.1' });
  let raw = '';
  sock.on('data', (d) => (raw += d.toString('latin1')));
  sock.on('error', () => undefined);
  const timer = setTimeout(() => sock.destroy(), 8000);
  await once(sock, 'connect');
  sock.write('GET /1 HTTP/1.1\r\nhost: x\r\n\r\n');
  for (let i = 0; i < 500 && !/\r\n\r\n[^]*\S/.test(raw); i++) await new Promise((r) => setTimeout(r, 10));
  sock.write('GET /2 HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
  await once(sock, 'close');
  clearTimeout(timer);
  const statuses = raw.match(/HTTP\/1\.1 \d{3}[^\r]*/g) ?? [];
  return { status: statuses.join(' | '), body: raw.split('\r\n\r\n').slice(1).map((b) => b.replace(/HTTP\/1\.1 [^]*$/, '')).join(' | ') };
}

/**
 * From an httplog or tcplog line: `backend/server status termination retries`. The retries are
 * `%rc` of `%ac/%fc/%bc/%sc/%rc` (a leading `+` when the request was redispatched).
 */
export function retryFields(line: string): string {
  const http = / (\S+\/\S+) -?\d+\/-?\d+\/-?\d+\/-?\d+\/\+?-?\d+ (-?\d+) \d+ \S+ \S+ (\S{4}) \d+\/\d+\/\d+\/\d+\/(\+?\d+) /.exec(line);
  if (http !== null) return `${http[1]} ${http[2]} ${http[3]} ${http[4]}`;
  const tcp = / (\S+\/\S+) -?\d+\/-?\d+\/\+?-?\d+ \d+ (\S{2}) \d+\/\d+\/\d+\/\d+\/(\+?\d+) /.exec(line);
  if (tcp !== null) return `${tcp[1]} - ${tcp[2]} ${tcp[3]}`;
  return `unparsed: ${line}`;
}
