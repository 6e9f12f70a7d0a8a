// Gratuitous ARP without a process start: one long-lived `socat -u -b 60 STDIN INTERFACE:DEV` per
// interface (a PF_PACKET raw socket) is started ahead of time, and each announcement is a 60-byte
// Ethernet frame written to its stdin. Starting arping at takeover cost 15-25 ms on an idle host
// and hundreds of ms on a loaded one (fork/exec of a child of a large Node process), on the path of
// every failover. `-b 60` makes socat read one frame per read: every write is exactly 60 bytes and
// pipe writes that small are atomic, so frames never merge or split. IPv6 VIPs use a second pipe
// per interface with `-b 86`, for unsolicited neighbour advertisement frames (na-frame.ts).
//
// The frame is an ARP announcement (RFC 5227 §2.3, what `arping -U` sends): a broadcast request
// whose sender and target protocol addresses are both the VIP, target hardware address zero.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import { parseIp } from './ip-address.ts';

export const FRAME_LEN = 60; // the Ethernet minimum (without FCS): ARP's 42 bytes, zero-padded

/** Build the announcement frame for IPv4 `address` from `mac` (aa:bb:cc:dd:ee:ff). */
export function garpFrame(address: string, mac: string): Buffer {
  const ip = parseIp(address);
  if (!ip || ip.family !== 4) throw new TypeError(`not an IPv4 address: ${address}`);
  const hw = Buffer.from(mac.replaceAll(':', ''), 'hex');
  if (hw.length !== 6) throw new TypeError(`not a MAC address: ${mac}`);
  const f = Buffer.alloc(FRAME_LEN);
  f.fill(0xff, 0, 6); // destination: broadcast
  hw.copy(f, 6);
  f.writeUInt16BE(0x0806, 12); // EtherType ARP
  f.writeUInt16BE(1, 14); // hardware type Ethernet
  f.writeUInt16BE(0x0800, 16); // protocol IPv4
  f[18] = 6;
  f[19] = 4;
  f.writeUInt16BE(1, 20); // request
  hw.copy(f, 22); // sender hardware address
  Buffer.from(ip.bytes).copy(f, 28); // sender protocol address: the VIP
  Buffer.from(ip.bytes).copy(f, 38); // target protocol address: the VIP (THA at 32..37 stays zero)
  return f;
}

export class GarpPipe {
  readonly #dev: string;
  readonly #prefix: readonly string[];
  readonly #log: Logger;
  readonly #frameLen: number;
  #child?: ChildProcess;
  #broken = false;

  /** `prefix`: prepended to the command (tests: `ip netns exec NS`); every frame is `frameLen` bytes. */
  constructor(dev: string, log: Logger, prefix: readonly string[] = [], frameLen = FRAME_LEN) {
    this.#dev = dev;
    this.#log = log;
    this.#prefix = prefix;
    this.#frameLen = frameLen;
  }

  /** Start socat now, so that the first announcement does not wait for it. */
  start(): void {
    if (this.#broken || this.#child) return;
    const argv = [...this.#prefix, 'socat', '-u', '-b', String(this.#frameLen), 'STDIN', `INTERFACE:${this.#dev}`];
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => (stderr = (stderr + d).slice(-500)));
    child.stdin!.on('error', () => {});
    child.on('error', (err) => this.#fail(child, err.message));
    child.on('exit', (code, signal) => this.#fail(child, stderr.trim() || `exited (${code ?? signal})`));
    this.#child = child;
  }

  /** Write one frame; false when the pipe is not usable (the caller falls back to a process). */
  send(frame: Buffer): boolean {
    if (frame.length !== this.#frameLen) throw new RangeError(`frame of ${frame.length} bytes on a ${this.#frameLen}-byte pipe`);
    this.start();
    const child = this.#child;
    if (!child || this.#broken || !child.stdin!.writable) return false;
    child.stdin!.write(frame);
    return true;
  }

  close(): void {
    const child = this.#child;
    this.#child = undefined;
    this.#broken = true;
    child?.stdin?.end();
    child?.kill('SIGTERM');
  }

  /** A pipe that failed is not restarted (socat missing, no CAP_NET_RAW ...): a process per announcement takes over. */
  #fail(child: ChildProcess, why: string): void {
    if (this.#child !== child) return;
    this.#child = undefined;
    if (this.#broken) return;
    this.#broken = true;
    this.#log.warn({ dev: this.#dev, err: why }, this.#frameLen === FRAME_LEN ? 'GARP pipe (socat INTERFACE) failed: using arping' : 'NA pipe (socat INTERFACE) failed: using socat per announcement');
  }
}
