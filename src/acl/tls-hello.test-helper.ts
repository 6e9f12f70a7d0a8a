// ClientHello bytes for unit tests: the real first flight of node:tls (OpenSSL) as a client.
import { Duplex } from 'node:stream';
import tls from 'node:tls';

/** The first bytes node:tls sends as a client: a real ClientHello (OpenSSL's). */
export async function realHello(opts: tls.ConnectionOptions): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let sent: () => void = () => undefined;
  const done = new Promise<void>((r) => (sent = r));
  const wire = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      sent();
      cb();
    },
  });
  const sock = tls.connect({ socket: wire, ...opts });
  sock.on('error', () => undefined);
  await done;
  sock.destroy();
  return Buffer.concat(chunks);
}
