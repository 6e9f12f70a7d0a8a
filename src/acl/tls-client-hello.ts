// A TLS ClientHello in the bytes a client sent so far, read the way HAProxy 2.6's payload fetches
// read it (src/payload.c smp_fetch_ssl_hello_sni, smp_fetch_ssl_hello_alpn, smp_fetch_req_ssl_st_ext,
// smp_fetch_req_ssl_ec_ext, smp_fetch_ssl_hello_type, smp_fetch_req_ssl_ver; RFC 5246 §7.4.1.2,
// RFC 6066 §3, RFC 7301 §3.1): the bytes after the first 5-byte record header are taken as the
// handshake, whatever the record length says (a hello split over several records is not
// reassembled, as in HAProxy). Every reader returns TOO_SHORT while the bytes are a prefix of what
// it needs (HAProxy SMP_F_MAY_CHANGE: wait for more), NOT_HELLO when they can never give a value,
// and never reads past the bytes it was given.

/** More bytes may still give an answer. */
export const TOO_SHORT: unique symbol = Symbol('too short');
/** No answer from these bytes, whatever follows. */
export const NOT_HELLO: unique symbol = Symbol('not a hello');

export type HelloRead<T> = T | typeof TOO_SHORT | typeof NOT_HELLO;

/**
 * HAProxy 2.6's receive limit for one request buffer (tune.bufsize 16384 - tune.maxrewrite 1024):
 * `req.ssl_ver` does not wait for more of a record than fits there.
 */
export const RECV_LIMIT = 16384 - 1024;

const u16 = (d: Buffer, i: number): number => (d[i] << 8) | d[i + 1];
const u24 = (d: Buffer, i: number): number => (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];

/** Offsets of the extensions (after the list length) in a complete ClientHello. */
interface ExtensionList {
  readonly start: number;
  readonly end: number;
}

/** Record type 22, version >= 3.x, handshake type 1, client_version >= 3.1; the checks of payload.c. */
function extensionList(d: Buffer): HelloRead<ExtensionList> {
  const n = d.length;
  if (n < 1) return TOO_SHORT;
  if (d[0] !== 0x16) return NOT_HELLO;
  if (n < 3) return TOO_SHORT;
  if (d[1] < 3) return NOT_HELLO;
  if (n < 5) return TOO_SHORT;
  // Record long enough for a hello with one extension header.
  if (u16(d, 3) < 1 + 3 + 2 + 32 + 1 + 2 + 2 + 1 + 1 + 2 + 2) return NOT_HELLO;
  if (n < 6) return TOO_SHORT;
  if (d[5] !== 0x01) return NOT_HELLO;
  if (n < 9) return TOO_SHORT;
  let len = u24(d, 6);
  if (len < 2 + 32 + 1 + 2 + 2 + 1 + 1 + 2 + 2) return NOT_HELLO;
  // HAProxy waits for `len` bytes counted from the handshake header, 4 short of the body's end, and
  // may read those 4 bytes before they arrived; hapair waits for the whole body.
  if (n < 9 + len) return TOO_SHORT;
  let p = 9;
  if (d[p] < 0x03 || d[p + 1] < 0x01) return NOT_HELLO;
  const sessionId = d[p + 34];
  if (sessionId > 32 || sessionId > len - 35) return NOT_HELLO;
  len -= 35 + sessionId;
  p += 35 + sessionId;
  if (len < 4) return NOT_HELLO;
  const ciphers = u16(d, p);
  if (ciphers < 2 || ciphers > len) return NOT_HELLO;
  len -= 2 + ciphers;
  p += 2 + ciphers;
  if (len < 2) return NOT_HELLO;
  const compressions = d[p];
  if (compressions < 1 || compressions > len) return NOT_HELLO;
  len -= 1 + compressions;
  p += 1 + compressions;
  if (len < 2) return NOT_HELLO;
  const extLen = u16(d, p);
  if (extLen > len - 2) return NOT_HELLO;
  return { start: p + 2, end: p + 2 + extLen };
}

/**
 * Call `visit(type, at, rest)` for each extension (`at`: offset of its type field, `rest`: bytes
 * left in the list from there) until it returns a result; NOT_HELLO on an extension longer than
 * the list (payload.c stops there, even past a wanted one it has not reached), undefined at the end.
 */
function eachExtension<T>(d: Buffer, visit: (type: number, at: number, rest: number) => T | undefined): HelloRead<T> | undefined {
  const list = extensionList(d);
  if (list === TOO_SHORT || list === NOT_HELLO) return list;
  let p = list.start;
  let rest = list.end - list.start;
  while (rest >= 4) {
    const len = u16(d, p + 2);
    if (len > rest - 4) return NOT_HELLO;
    const r = visit(u16(d, p), p, rest);
    if (r !== undefined) return r;
    rest -= 4 + len;
    p += 4 + len;
  }
  return undefined;
}

/**
 * `req.ssl_sni`: the first name of the server_name extension when it is a host_name (type 0),
 * as raw bytes in a latin1 string. A name running past the bytes received is no sample (HAProxy
 * does not check the name length against anything and would read beyond the data).
 */
export function helloSni(d: Buffer): HelloRead<string> {
  const r = eachExtension(d, (type, at, rest): HelloRead<string> | undefined => {
    if (type !== 0) return undefined;
    if (u16(d, at + 2) < 2) return NOT_HELLO;
    const listLen = u16(d, at + 4);
    if (listLen < 4 || listLen > rest - 6) return NOT_HELLO;
    if (d[at + 6] !== 0) return undefined;
    const end = at + 9 + u16(d, at + 7);
    return end > d.length ? NOT_HELLO : d.toString('latin1', at + 9, end);
  });
  return r ?? NOT_HELLO;
}

/**
 * `req.ssl_alpn`: the protocol names of the ALPN extension in the client's order, up to the first
 * one that does not fit in the extension (payload.c ends its iteration there; the list length
 * field is not read).
 */
export function helloAlpn(d: Buffer): HelloRead<string[]> {
  const r = eachExtension(d, (type, at): HelloRead<string[]> | undefined => {
    if (type !== 16) return undefined;
    const extLen = u16(d, at + 2);
    if (extLen < 3) return NOT_HELLO;
    const names: string[] = [];
    for (let off = 6; ;) {
      const nameLen = d[at + off];
      if (nameLen + off - 3 > extLen) break;
      names.push(d.toString('latin1', at + off + 1, at + off + 1 + nameLen));
      if (nameLen + off - 3 >= extLen) break;
      off += nameLen + 1;
    }
    return names.length === 0 ? NOT_HELLO : names;
  });
  return r ?? NOT_HELLO;
}

/** `req.ssl_st_ext`: 0 without a SessionTicket extension, 1 with an empty one, 2 with a ticket. */
export function helloSessionTicket(d: Buffer): HelloRead<number> {
  const r = eachExtension(d, (type, at) => (type === 35 ? (u16(d, at + 2) > 0 ? 2 : 1) : undefined));
  return r ?? 0;
}

/** `req.ssl_ec_ext`: true when the hello has the supported_groups (elliptic curves) extension. */
export function helloEcExtension(d: Buffer): HelloRead<boolean> {
  return eachExtension(d, (type) => (type === 10 ? true : undefined)) ?? NOT_HELLO;
}

const isSsl3Record = (b: number): boolean => (b >= 0x14 && b <= 0x17) || b === 0xff;

/** `req.ssl_hello_type`: the handshake type of a record with an SSLv3+ header, once the whole message is there. */
export function helloType(d: Buffer): HelloRead<number> {
  const n = d.length;
  if (n < 1) return TOO_SHORT;
  if (!isSsl3Record(d[0])) return NOT_HELLO;
  if (n < 9) return TOO_SHORT;
  if (d[1] < 3) return NOT_HELLO;
  if (u16(d, 3) < 4) return NOT_HELLO;
  if (n < 9 + u24(d, 6)) return TOO_SHORT;
  return d[5];
}

/**
 * `req.ssl_ver`: (major << 16) | minor of the ClientHello's client_version behind an SSLv3+ record
 * header, or of an SSLv2 CLIENT-HELLO, once the whole record (up to `limit` bytes) is there.
 */
export function helloVersion(d: Buffer, limit = RECV_LIMIT): HelloRead<number> {
  const n = d.length;
  if (n < 1) return TOO_SHORT;
  let version: number;
  let msgLen: number;
  let left: number;
  if (isSsl3Record(d[0])) {
    if (n < 11) return TOO_SHORT;
    msgLen = u16(d, 3);
    if (d[1] < 3) return NOT_HELLO;
    if (msgLen < 6 || msgLen > (1 << 14) + 2048) return NOT_HELLO;
    left = n - 5;
    version = (d[9] << 16) | d[10];
  } else {
    const short = (d[0] & 0x80) !== 0;
    if (n < (short ? 3 : 4)) return TOO_SHORT;
    const recLen = ((d[0] & (short ? 0x7f : 0x3f)) << 8) | d[1];
    const padLen = short ? 0 : d[2];
    let p = short ? 2 : 3;
    if (d[p] !== 0x01) return NOT_HELLO;
    p++;
    if (n - p < 8) return TOO_SHORT;
    version = (d[p] << 16) | d[p + 1];
    const cipherLen = u16(d, p + 2);
    const sessionIdLen = u16(d, p + 4);
    const challengeLen = u16(d, p + 6);
    left = n - p - 8;
    if (cipherLen % 3 !== 0) return NOT_HELLO;
    if (sessionIdLen !== 0 && sessionIdLen !== 16) return NOT_HELLO;
    if (challengeLen < 16 || challengeLen > 32) return NOT_HELLO;
    if (recLen !== 9 + cipherLen + sessionIdLen + challengeLen) return NOT_HELLO;
    msgLen = cipherLen + sessionIdLen + challengeLen + padLen;
  }
  if (left < Math.min(msgLen, limit)) return TOO_SHORT;
  return version;
}
