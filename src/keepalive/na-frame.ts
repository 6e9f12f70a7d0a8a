// IPv6 VIP announcements: the unsolicited Neighbor Advertisement (RFC 4861 §4.4, §7.2.6), as an
// ICMPv6 body for a raw ICMPv6 socket (the kernel adds the IPv6 header and the checksum, RFC 3542
// §3.1) and as a whole Ethernet frame for the long-lived PF_PACKET pipe (garp-pipe.ts), which
// starts no process per announcement. The frame carries its own IPv6 header (source = the VIP, to
// ff02::1, hop limit 255 as receivers require) and ICMPv6 checksum.
import { parseIp } from './ip-address.ts';

const NA_LEN = 32; // NA (24) + Target Link-Layer Address option (8)
export const NA_FRAME_LEN = 14 + 40 + NA_LEN;
const ALL_NODES = Buffer.from('ff020000000000000000000000000001', 'hex');

function macBytes(mac: string): Buffer {
  const hw = Buffer.from(mac.replaceAll(':', ''), 'hex');
  if (hw.length !== 6 || !/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(mac)) throw new TypeError(`not a MAC address: ${mac}`);
  return hw;
}

/** ICMPv6 Neighbor Advertisement, unsolicited: R=0, S=0, O=1, with TLLA; checksum left zero. */
export function buildUnsolicitedNa(address: string, mac: string): Buffer {
  const target = parseIp(address);
  if (!target || target.family !== 6) throw new TypeError(`not an IPv6 address: ${address}`);
  const buf = Buffer.alloc(NA_LEN);
  buf[0] = 136; // type: Neighbor Advertisement; code 0
  buf[4] = 0x20; // Override: the entry moves to this MAC even if the peer has another one
  Buffer.from(target.bytes).copy(buf, 8);
  buf[24] = 2; // option: Target Link-Layer Address
  buf[25] = 1; // length in units of 8 bytes
  macBytes(mac).copy(buf, 26);
  return buf;
}

/** RFC 1071 one's complement sum, folded, complemented. */
function checksum(parts: readonly Buffer[]): number {
  let sum = 0;
  for (const b of parts) {
    for (let i = 0; i < b.length; i += 2) sum += (b[i] << 8) | (i + 1 < b.length ? b[i + 1] : 0);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** The whole Ethernet frame: to 33:33:00:00:00:01 (ff02::1), IPv6 from the VIP, the NA. */
export function naFrame(address: string, mac: string): Buffer {
  const icmp = buildUnsolicitedNa(address, mac);
  const src = Buffer.from(parseIp(address)!.bytes);
  const pseudo = Buffer.alloc(40);
  src.copy(pseudo, 0);
  ALL_NODES.copy(pseudo, 16);
  pseudo.writeUInt32BE(NA_LEN, 32);
  pseudo[39] = 58; // next header: ICMPv6 (RFC 8200 §8.1 pseudo-header)
  icmp.writeUInt16BE(checksum([pseudo, icmp]), 2);
  const f = Buffer.alloc(NA_FRAME_LEN);
  Buffer.from('333300000001', 'hex').copy(f, 0); // RFC 2464 §7: 33:33 + the group's low 32 bits
  macBytes(mac).copy(f, 6);
  f.writeUInt16BE(0x86dd, 12);
  f.writeUInt32BE(0x60000000, 14); // version 6, traffic class 0, flow label 0
  f.writeUInt16BE(NA_LEN, 18);
  f[20] = 58;
  f[21] = 255; // hop limit: receivers drop an NA that crossed a router (RFC 4861 §7.1.2)
  src.copy(f, 22);
  ALL_NODES.copy(f, 38);
  icmp.copy(f, 54);
  return f;
}

/** True when the frame's ICMPv6 checksum verifies (tests). */
export function naChecksumOk(frame: Buffer): boolean {
  const pseudo = Buffer.alloc(40);
  frame.copy(pseudo, 0, 22, 54);
  pseudo.writeUInt32BE(frame.readUInt16BE(18), 32);
  pseudo[39] = frame[20];
  return checksum([pseudo, frame.subarray(54)]) === 0;
}
