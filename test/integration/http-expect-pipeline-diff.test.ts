// `Expect: 100-continue` and pipelined requests, differential against HAProxy 2.6: the same client
// bytes go through haproxy and hapair to the same kind of keep-alive backend; the client must get
// the same responses (interim 100 included, in order) and the backend the same requests.
import { once } from 'node:events';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distinctFreePorts, startHapairProxy, startHaproxy, type HaproxyRun } from './http-oracle-harness.ts';

interface Backend {
  readonly port: number;
  /** Request heads and bodies received, in order. */
  readonly got: string[];
  close(): Promise<void>;
}

/**
 * A keep-alive backend: answers each request with `200` and `path:body`; to `Expect:
 * 100-continue` it first sends `100 Continue`, unless the path starts with /no-continue (it then
 * waits for the body anyway) or /reject (417 at once, body unread, connection closed). A 417 is
 * not compared: HAProxy 2.6 then sends the late body on a new connection as a second request,
 * depending on timing.
 */
async function startBackend(): Promise<Backend> {
  const got: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
    let buf = '';
    let need = -1;
    let head = '';
    const pump = (): void => {
      for (;;) {
        if (need < 0) {
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0) return;
          head = buf.slice(0, end);
          buf = buf.slice(end + 4);
          need = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
          const path = head.split(' ')[1] ?? '';
          if (/\r\nexpect: *100-continue/i.test(head)) {
            if (path.startsWith('/reject')) {
              got.push(`${head}\n--`);
              s.end('HTTP/1.1 417 Expectation Failed\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
              return;
            }
            if (!path.startsWith('/no-continue')) s.write('HTTP/1.1 100 Continue\r\n\r\n');
          }
        }
        if (buf.length < need) return;
        const body = buf.slice(0, need);
        buf = buf.slice(need);
        need = -1;
        got.push(`${head}\n--\n${body}`);
        const text = `${head.split(' ')[1]}:${body}`;
        s.write(`HTTP/1.1 200 OK\r\ncontent-length: ${text.length}\r\n\r\n${text}`);
      }
    };
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      pump();
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

let backend: Backend;
const procs: HaproxyRun[] = [];
let ports: number[] = [];

const config = (port: number, server: number): string =>
  `global\n  nbthread 1\ndefaults\n  mode http\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\n` +
  `listen web\n  bind 127.0.0.1:${port}\n  server s1 127.0.0.1:${server}\n`;

beforeAll(async () => {
  backend = await startBackend();
  ports = await distinctFreePorts(2);
  procs.push(await startHaproxy(config(ports[0], backend.port), [ports[0]]));
  procs.push(await startHapairProxy(config(ports[1], backend.port), [ports[1]]));
}, 30_000);

afterAll(async () => {
  for (const p of procs) await p.stop();
  await backend?.close();
});

/** Writes `steps` (a number waits that many ms; `?100` waits for a 100 Continue first), then reads until the proxy closes or 1.5 s pass. */
async function exchange(port: number, steps: (string | number)[]): Promise<{ client: string; backend: string[] }> {
  const before = backend.got.length;
  const s = net.connect(port, '127.0.0.1');
  s.on('error', () => undefined);
  let got = '';
  s.on('data', (d: Buffer) => (got += d.toString('latin1')));
  await once(s, 'connect');
  for (const step of steps) {
    if (typeof step === 'number') await new Promise((r) => setTimeout(r, step));
    else if (step === '?100') {
      for (let i = 0; i < 100 && !got.includes(' 100 '); i++) await new Promise((r) => setTimeout(r, 10));
    } else s.write(Buffer.from(step, 'latin1'));
  }
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, 1500);
    s.on('close', () => {
      clearTimeout(t);
      resolve();
    });
  });
  s.destroy();
  // Header names are compared in lower case (haproxy and hapair both lower-case them).
  const fields = (h: string): string => h.replace(/^[^:\r\n]+:/gm, (n) => n.toLowerCase());
  return { client: got, backend: backend.got.slice(before).map(fields) };
}

const put = (path: string, body: string): string => `PUT ${path} HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: ${body.length}\r\n\r\n`;

const CASES: [string, (string | number)[]][] = [
  ['100-continue: the body after the interim response', [put('/up', 'data'), '?100', 'data', 200, 'GET /after HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n']],
  ['100-continue: the body sent at once with the head', [put('/up2', 'abcd') + 'abcd']],
  ['100-continue: a server that never sends 100', [put('/no-continue', 'late'), 300, 'late']],
  ['pipelined GETs in one write', ['GET /p1 HTTP/1.1\r\nHost: a\r\n\r\nGET /p2 HTTP/1.1\r\nHost: a\r\n\r\nGET /p3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n']],
  ['pipelined POST then GET', ['POST /p1 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcGET /p2 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n']],
  ['pipelined requests split across writes', ['GET /s1 HTTP/1.1\r\nHost: a\r\n\r\nGET /s', 50, '2 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n']],
];

describe('Expect: 100-continue and pipelining like HAProxy 2.6', () => {
  it.each(CASES)('%s', async (_name, steps) => {
    const ref = await exchange(ports[0], steps);
    const ours = await exchange(ports[1], steps);
    expect(ref.client).toMatch(/^HTTP\/1\.1 /);
    expect(ours).toEqual(ref);
  }, 15_000);
});
