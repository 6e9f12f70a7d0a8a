// The `node-floor` bench contender: what Node itself costs for this traffic. A keep-alive byte
// relay (one server connection per client connection, no HTTP parsing, no rules, no timers)
// built on exactly the I/O primitives hapair's `mode http` uses: reads into user buffers
// (Node's `onread`; sockets accepted by src/net/listener.ts acceptWithOnread, as hapair's are), writes held until the
// end of the loop iteration and sent straight to the libuv handle (src/http/write-batch.ts).
// Whatever hapair does on top of this is its HTTP work; the floor's distance to HAProxy is the
// price of the runtime. Started as `node node-floor.ts CONFIG`, the same config text the other
// contenders get: the first `bind` and the first `server` line are all it reads.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { WriteBatch } from '../../src/http/write-batch.ts';
import { acceptWithOnread, type UserBufferReads } from '../../src/net/listener.ts';

const READ_SIZE = 16 * 1024;

interface Endpoint { readonly host: string; readonly port: number }

function endpoints(configText: string): { listen: Endpoint; server: Endpoint } {
  const bind = /^\s*bind\s+([\d.]+):(\d+)/m.exec(configText);
  const server = /^\s*server\s+\S+\s+([\d.]+):(\d+)/m.exec(configText);
  if (bind === null || server === null) throw new Error('node-floor: the config needs a `bind ADDR:PORT` and a `server NAME ADDR:PORT` line');
  return { listen: { host: bind[1]!, port: Number(bind[2]) }, server: { host: server[1]!, port: Number(server[2]) } };
}

/** The socket's relay partner and that partner's write batch. */
const PEER = Symbol('node-floor.peer');
interface FloorSocket extends net.Socket {
  [PEER]: [net.Socket, WriteBatch];
}

// One read buffer for every socket: each read is relayed (held in a batch, i.e. copied, or
// copied for the write) before the next one lands in it.
const readBuffer = Buffer.allocUnsafeSlow(READ_SIZE);

/** Relays what a socket reads to its peer: held in the peer's batch when it can, else written. */
const RELAY_READS: UserBufferReads = {
  buffer: () => readBuffer,
  callback(this: net.Socket, n: number, buf: Buffer): boolean {
    const [socket, batch] = (this as FloorSocket)[PEER];
    const data = buf.subarray(0, n);
    if (!batch.hold(data)) socket.write(Buffer.from(data));
    return true;
  },
};

function onClient(client: net.Socket, server: Endpoint): void {
  const upSocket = net.connect({ ...server, noDelay: true, onread: RELAY_READS } as net.NetConnectOpts);
  (client as FloorSocket)[PEER] = [upSocket, new WriteBatch(upSocket)];
  (upSocket as FloorSocket)[PEER] = [client, new WriteBatch(client)];
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
  // Accepted sockets read into user buffers, exactly as hapair's listeners make them.
  if (!acceptWithOnread(listener, RELAY_READS, (client) => onClient(client, server))) throw new Error('node-floor: this Node cannot accept with onread');
});
