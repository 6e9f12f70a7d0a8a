// Test support: small real servers on 127.0.0.1 (echo, UDP syslog collector).
import dgram from 'node:dgram';
import { once } from 'node:events';
import net from 'node:net';

export interface TestTcpServer {
  readonly server: net.Server;
  readonly port: number;
  readonly sockets: Set<net.Socket>;
  /** Destroys the open connections, then closes the listener. */
  close(): Promise<void>;
}

export type EchoServer = TestTcpServer;

/**
 * A TCP server on 127.0.0.1 (port 0) that keeps track of its connections so close() can end
 * them; `onSocket` runs for each (socket errors just destroy it).
 */
export async function startTcpServer(onSocket: (s: net.Socket) => void, options: net.ServerOpts = {}): Promise<TestTcpServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer(options, (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
    onSocket(s);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  return {
    server,
    port,
    sockets,
    async close() {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/**
 * Answers each HTTP/1.1 request head read on `s` (the tests using it send no bodies) with what
 * `respond` returns for it, in order; undefined: no answer (`respond` may also act on `s` itself).
 */
export function answerHeads(s: net.Socket, respond: (head: string, s: net.Socket) => string | undefined): void {
  let buf = '';
  s.on('data', (d: Buffer) => {
    buf += d.toString('latin1');
    for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
      const head = buf.slice(0, end);
      buf = buf.slice(end + 4);
      const answer = respond(head, s);
      if (answer !== undefined) s.write(answer);
    }
  });
}

/** A keep-alive HTTP server on 127.0.0.1 answering with `respond` (see answerHeads). */
export function startHttpResponder(respond: (head: string, s: net.Socket) => string | undefined): Promise<TestTcpServer> {
  return startTcpServer((s) => answerHeads(s, respond));
}

/** TCP echo server with half-close: echoes, then ends its side when the client ends. */
export function startEchoServer(): Promise<EchoServer> {
  return startTcpServer((s) => s.pipe(s), { allowHalfOpen: true });
}

export interface UdpCollector {
  readonly port: number;
  readonly messages: string[];
  close(): void;
}

export async function startUdpCollector(): Promise<UdpCollector> {
  const sock = dgram.createSocket('udp4');
  const messages: string[] = [];
  sock.on('message', (m) => messages.push(m.toString('utf8')));
  sock.bind(0, '127.0.0.1');
  await once(sock, 'listening');
  return { port: sock.address().port, messages, close: () => sock.close() };
}
