// The `node-floor` bench contender: what Node itself costs for this traffic. A keep-alive byte
// relay (one server connection per client connection, no HTTP parsing, no rules, no timers)
// built on exactly the I/O primitives hapair's `mode http` uses: reads into user buffers
// (Node's `onread`, accepted sockets as src/net/listener.ts makes them), writes held until the
// end of the loop iteration and sent straight to the libuv handle (src/http/write-batch.ts).
// Whatever hapair does on top of this is its HTTP work; the floor's distance to HAProxy is the
// price of the runtime. Started as `node node-floor.ts CONFIG`, the same config text the other
// contenders get: the first `bind` and the first `server` line are all it reads.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { WriteBatch } from '../../src/http/write-batch.ts';

const READ_SIZE = 16 * 1024;

interface Endpoint { readonly host: string; readonly port: number }

function endpoints(configText: string): { listen: Endpoint; server: Endpoint } {
  const bind = /^\s*bind\s+([\d.]+):(\d+)/m.exec(configText);
  const server = /^\s*server\s+\S+\s+([\d.]+):(\d+)/m.exec(configText);
  if (bind === null || server === null) throw new Error('node-floor: the config needs a `bind ADDR:PORT` and a `server NAME ADDR:PORT` line');
  return { listen: { host: bind[1]!, port: Number(bind[2]) }, server: { host: server[1]!, port: Number(server[2]) } };
}

/** Relays what `from` reads to `to`: held in the batch when it can, else written (copied: the read buffer is reused). */
function relayReads(to: () => [net.Socket, WriteBatch]): { buffer: Buffer; callback: (n: number, buf: Buffer) => boolean } {
  return {
    buffer: Buffer.allocUnsafeSlow(READ_SIZE),
    callback: (n, buf) => {
      const [socket, batch] = to();
      const data = buf.subarray(0, n);
      if (!batch.hold(data)) socket.write(Buffer.from(data));
      return true;
    },
  };
}

function onClient(handle: unknown, server: Endpoint): void {
  let up: [net.Socket, WriteBatch] | undefined;
  const client = new net.Socket({
    handle, allowHalfOpen: true, readable: true, writable: true, pauseOnCreate: true,
    onread: relayReads(() => up!),
  } as unknown as net.SocketConstructorOpts);
  client.setNoDelay(true);
  const down: [net.Socket, WriteBatch] = [client, new WriteBatch(client)];
  const upSocket = net.connect({ ...server, noDelay: true, onread: relayReads(() => down) } as net.NetConnectOpts);
  up = [upSocket, new WriteBatch(upSocket)];
  client.on('error', () => upSocket.destroy());
  upSocket.on('error', () => client.destroy());
  client.on('end', () => upSocket.end());
  upSocket.on('end', () => client.end());
  client.on('close', () => upSocket.destroy());
  upSocket.on('close', () => client.destroy());
  client.resume();
}

const { listen, server } = endpoints(readFileSync(process.argv[2] ?? '', 'utf8'));
const listener = net.createServer();
listener.listen(listen.port, listen.host, () => {
  // As src/net/listener.ts acceptWithUserBuffers: accepted sockets get `onread` user buffers.
  const handle = (listener as unknown as { _handle: { onconnection: (err: number, h: unknown) => void } })._handle;
  handle.onconnection = (err, clientHandle) => {
    if (err === 0 && clientHandle !== undefined) onClient(clientHandle, server);
  };
});
