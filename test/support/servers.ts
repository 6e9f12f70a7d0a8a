// Test support: small real servers on 127.0.0.1 (echo, UDP syslog collector).
import dgram from 'node:dgram';
import { once } from 'node:events';
import net from 'node:net';

export interface EchoServer {
  readonly server: net.Server;
  readonly port: number;
  readonly sockets: Set<net.Socket>;
  close(): Promise<void>;
}

/** TCP echo server with half-close: echoes, then ends its side when the client ends. */
export async function startEchoServer(): Promise<EchoServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
    s.pipe(s);
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
