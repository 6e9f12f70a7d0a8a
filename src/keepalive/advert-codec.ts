// The heartbeat datagram: one UDP packet per instance, link and interval, authenticated with a
// truncated HMAC-SHA256 trailer (model: keepalived `auth_hmac`, reference/ha.md §5.1-5.2).
// Layout, big-endian:
//   0  magic "HPKA"          4  version (1)      5  type (1 = advert)   6  vrid
//   7  state                 8  priority (0 = stepping down)            9  base priority
//   10 flags (1 handoff, 2 vips-up, 4 takeover-request)                 11 link index
//   12 advert interval ms u16                   14 reserved u16
//   16 sequence u64          24 timestamp (unix ms) u64
//   32 instance (u8 len + bytes), node (u8 len + bytes), handoff target (u8 len + bytes)
//      VIP count u8, each: family u8 (4|6), prefix u8, 4|16 address bytes
//   trailer: key id u8, HMAC-SHA256(key, everything before the HMAC) truncated to 16 bytes
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { KeyRing } from './auth-keys.ts';
import type { KeepaliveState } from './election.ts';
import { formatIp, parseIp } from './ip-address.ts';

export const MAGIC = 0x48504b41; // "HPKA"
export const VERSION = 1;
export const TYPE_ADVERT = 1;
export const HMAC_BYTES = 16;
export const TRAILER_BYTES = 1 + HMAC_BYTES;
const FIXED_BYTES = 32;
export const MAX_PACKET = 1400;

const STATES: readonly KeepaliveState[] = ['INIT', 'BACKUP', 'MASTER', 'FAULT', 'STOP'];
const FLAG_HANDOFF = 1;
const FLAG_VIPS_UP = 2;
const FLAG_TAKEOVER = 4;

export interface WireVip {
  readonly address: string;
  readonly prefix: number;
}

export interface WireAdvert {
  readonly vrid: number;
  readonly instance: string;
  readonly node: string;
  readonly link: number;
  readonly state: KeepaliveState;
  readonly priority: number;
  readonly basePriority: number;
  readonly advertInt: number;
  readonly handoffTo?: string;
  readonly vipsUp: boolean;
  readonly takeoverRequest: boolean;
  readonly seq: bigint;
  readonly timestamp: number;
  readonly vips: readonly WireVip[];
}

export type DecodeError = 'short' | 'bad-magic' | 'bad-version' | 'unknown-key' | 'bad-hmac' | 'malformed';

export type DecodeResult =
  | { readonly ok: true; readonly advert: WireAdvert; readonly keyId: number }
  | { readonly ok: false; readonly error: DecodeError };

export function encodeAdvert(a: WireAdvert, ring: KeyRing): Buffer {
  const key = ring.keys.get(ring.sendId)!;
  const parts: Buffer[] = [];
  const head = Buffer.alloc(FIXED_BYTES);
  head.writeUInt32BE(MAGIC, 0);
  head[4] = VERSION;
  head[5] = TYPE_ADVERT;
  head[6] = a.vrid;
  head[7] = STATES.indexOf(a.state);
  head[8] = a.priority;
  head[9] = a.basePriority;
  head[10] = (a.handoffTo ? FLAG_HANDOFF : 0) | (a.vipsUp ? FLAG_VIPS_UP : 0) | (a.takeoverRequest ? FLAG_TAKEOVER : 0);
  head[11] = a.link;
  head.writeUInt16BE(Math.min(0xffff, Math.round(a.advertInt)), 12);
  head.writeBigUInt64BE(a.seq, 16);
  head.writeBigUInt64BE(BigInt(Math.max(0, Math.trunc(a.timestamp))), 24);
  parts.push(head, shortString(a.instance), shortString(a.node), shortString(a.handoffTo ?? ''));
  parts.push(Buffer.from([a.vips.length]));
  for (const v of a.vips) {
    const ip = parseIp(v.address);
    if (!ip) throw new TypeError(`not an IP address: ${v.address}`);
    parts.push(Buffer.from([ip.family, v.prefix]), Buffer.from(ip.bytes));
  }
  parts.push(Buffer.from([ring.sendId]));
  const body = Buffer.concat(parts);
  return Buffer.concat([body, mac(key, body)]);
}

/** Never throws: any input gives an advert or an error reason (bad packets are dropped and counted). */
export function decodeAdvert(buf: Buffer, ring: KeyRing): DecodeResult {
  if (buf.length < FIXED_BYTES + 4 + TRAILER_BYTES) return fail('short');
  if (buf.readUInt32BE(0) !== MAGIC) return fail('bad-magic');
  if (buf[4] !== VERSION) return fail('bad-version');
  const bodyEnd = buf.length - HMAC_BYTES;
  const keyId = buf[bodyEnd - 1];
  const key = ring.keys.get(keyId);
  if (!key) return fail('unknown-key');
  const body = buf.subarray(0, bodyEnd);
  if (!timingSafeEqual(mac(key, body), buf.subarray(bodyEnd))) return fail('bad-hmac');
  const advert = parseBody(buf, bodyEnd - 1);
  return advert ? { ok: true, advert, keyId } : fail('malformed');
}

function parseBody(buf: Buffer, end: number): WireAdvert | undefined {
  const state = STATES[buf[7]];
  if (buf[5] !== TYPE_ADVERT || state === undefined) return undefined;
  const flags = buf[10];
  const r = { off: FIXED_BYTES };
  const instance = readShortString(buf, r, end);
  const node = readShortString(buf, r, end);
  const target = readShortString(buf, r, end);
  if (instance === undefined || node === undefined || target === undefined || r.off >= end) return undefined;
  const count = buf[r.off++];
  const vips: WireVip[] = [];
  for (let i = 0; i < count; i++) {
    if (r.off + 2 > end) return undefined;
    const family = buf[r.off];
    const prefix = buf[r.off + 1];
    const len = family === 4 ? 4 : family === 6 ? 16 : -1;
    if (len < 0 || prefix > len * 8 || r.off + 2 + len > end) return undefined;
    vips.push({ address: formatIp(buf.subarray(r.off + 2, r.off + 2 + len)), prefix });
    r.off += 2 + len;
  }
  if (r.off !== end || ((flags & FLAG_HANDOFF) !== 0) !== (target !== '')) return undefined;
  return {
    vrid: buf[6],
    instance,
    node,
    link: buf[11],
    state,
    priority: buf[8],
    basePriority: buf[9],
    advertInt: buf.readUInt16BE(12),
    handoffTo: target || undefined,
    vipsUp: (flags & FLAG_VIPS_UP) !== 0,
    takeoverRequest: (flags & FLAG_TAKEOVER) !== 0,
    seq: buf.readBigUInt64BE(16),
    timestamp: Number(buf.readBigUInt64BE(24)),
    vips,
  };
}

function mac(key: Buffer, body: Buffer): Buffer {
  return createHmac('sha256', key).update(body).digest().subarray(0, HMAC_BYTES);
}

function shortString(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  if (b.length > 255) throw new TypeError(`name too long: ${s}`);
  return Buffer.concat([Buffer.from([b.length]), b]);
}

function readShortString(buf: Buffer, r: { off: number }, end: number): string | undefined {
  if (r.off >= end) return undefined;
  const len = buf[r.off];
  if (r.off + 1 + len > end) return undefined;
  const s = buf.toString('utf8', r.off + 1, r.off + 1 + len);
  r.off += 1 + len;
  return s;
}

function fail(error: DecodeError): DecodeResult {
  return { ok: false, error };
}

/** The instance name of a packet, read before authentication to pick the instance's key ring. */
export function peekInstance(buf: Buffer): string | undefined {
  if (buf.length < FIXED_BYTES + 1 + TRAILER_BYTES || buf.readUInt32BE(0) !== MAGIC) return undefined;
  const len = buf[FIXED_BYTES];
  if (FIXED_BYTES + 1 + len > buf.length - TRAILER_BYTES) return undefined;
  return buf.toString('utf8', FIXED_BYTES + 1, FIXED_BYTES + 1 + len);
}
