// Heartbeat transport: unicast UDP between the nodes' configured addresses (reference/ha.md §5.3).
// One socket per local address and port, shared by the instances that use them; TTL 255 on send
// (receivers cannot read it from Node, so the HMAC is the real protection). Sends never throw.
import DgramAsPromised, { type SocketAsPromised } from 'dgram-as-promised';
import { isIPv6 } from 'node:net';
import { normalizeSource } from './ip-address.ts';

export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

export type PacketHandler = (msg: Buffer, from: Endpoint, local: Endpoint) => void;

export function endpointKey(e: Endpoint): string {
  return `${e.address}|${e.port}`;
}

export class HeartbeatTransport {
  readonly #onPacket: PacketHandler;
  readonly #sockets = new Map<string, SocketAsPromised>();
  #closed = false;

  constructor(onPacket: PacketHandler) {
    this.#onPacket = onPacket;
  }

  isBound(local: Endpoint): boolean {
    return this.#sockets.has(endpointKey(local));
  }

  /** Bind `local` (idempotent). Rejects when the address is not configured (EADDRNOTAVAIL). */
  async bind(local: Endpoint): Promise<void> {
    const key = endpointKey(local);
    if (this.#closed || this.#sockets.has(key)) return;
    const type = isIPv6(local.address) ? 'udp6' : 'udp4';
    const sock = DgramAsPromised.createSocket({ type, reuseAddr: false }, (msg, rinfo) => {
      this.#onPacket(msg, { address: normalizeSource(rinfo.address), port: rinfo.port }, local);
    });
    sock.socket.on('error', () => {}); // a socket error ends nothing: sends report their own failures
    try {
      await sock.bind(local.port, local.address);
    } catch (err) {
      sock.destroy();
      throw err;
    }
    sock.setTTL(255);
    if (this.#closed) {
      await sock.close();
      return;
    }
    this.#sockets.set(key, sock);
  }

  /** Send from `local` to `to`; false when not bound or the kernel refused. */
  async send(local: Endpoint, to: Endpoint, buf: Buffer): Promise<boolean> {
    const sock = this.#sockets.get(endpointKey(local));
    if (!sock) return false;
    try {
      await sock.send(buf, to.port, to.address);
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const socks = [...this.#sockets.values()];
    this.#sockets.clear();
    await Promise.allSettled(socks.map((s) => s.close()));
  }
}
