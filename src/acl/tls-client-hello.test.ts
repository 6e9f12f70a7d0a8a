import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { realHello } from './tls-hello.test-helper.ts';
import { helloAlpn, helloEcExtension, helloSessionTicket, helloSni, helloType, helloVersion, NOT_HELLO, TOO_SHORT } from './tls-client-hello.ts';

const u16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];
const u24 = (n: number): number[] => [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];

function ext(type: number, data: number[]): number[] {
  return [...u16(type), ...u16(data.length), ...data];
}

function sniExt(name: string, nameType = 0): number[] {
  const n = [...Buffer.from(name, 'latin1')];
  return ext(0, [...u16(n.length + 3), nameType, ...u16(n.length), ...n]);
}

function alpnExt(names: string[]): number[] {
  const list = names.flatMap((s) => [s.length, ...Buffer.from(s)]);
  return ext(16, [...u16(list.length), ...list]);
}

/** A TLS 1.2-style ClientHello in one record with the given extensions. */
function hello(exts: number[][], opts: { sessionId?: number; clientVersion?: [number, number] } = {}): Buffer {
  const sid = Array.from({ length: opts.sessionId ?? 32 }, (_, i) => i);
  const extBytes = exts.flat();
  const body = [
    ...(opts.clientVersion ?? [3, 3]), ...Array.from({ length: 32 }, (_, i) => 0xa0 + i),
    sid.length, ...sid, ...u16(4), 0x13, 0x01, 0xc0, 0x2f, 1, 0, ...u16(extBytes.length), ...extBytes,
  ];
  const hs = [1, ...u24(body.length), ...body];
  return Buffer.from([0x16, 3, 1, ...u16(hs.length), ...hs]);
}

const READERS = { helloSni, helloAlpn, helloSessionTicket, helloEcExtension, helloType, helloVersion: (d: Buffer) => helloVersion(d) };

describe('ClientHello readers', () => {
  it('read a real ClientHello of node:tls', async () => {
    const d = await realHello({ servername: 'ldap.example.com', ALPNProtocols: ['h2', 'http/1.1'] });
    expect(helloSni(d)).toBe('ldap.example.com');
    expect(helloType(d)).toBe(1);
    expect(helloVersion(d)).toBe(0x30003);
    expect(helloEcExtension(d)).toBe(true);
    expect(helloAlpn(d)).toEqual(['h2', 'http/1.1']);
    expect(helloSessionTicket(d)).toBe(1);
  });

  it('answer "too short" for every proper prefix of a hello, and the value once complete', async () => {
    const d = await realHello({ servername: 'web.example.com' });
    for (let k = 0; k < d.length; k++) {
      const part = d.subarray(0, k);
      expect([k, helloSni(part)]).toEqual([k, TOO_SHORT]);
      expect([k, helloType(part)]).toEqual([k, TOO_SHORT]);
      expect([k, helloVersion(part)]).toEqual([k, TOO_SHORT]);
    }
    // The prefix bytes joined again (several reads) give the same answer; data after the hello is ignored.
    const joined = Buffer.concat([d.subarray(0, 7), d.subarray(7, 100), d.subarray(100), Buffer.from([0x14, 3, 3, 0, 1, 1])]);
    expect(helloSni(joined)).toBe('web.example.com');
    expect(helloType(joined)).toBe(1);
  });

  it('find no SNI in a hello without one, but the other fields', async () => {
    const d = await realHello({});
    expect(helloSni(d)).toBe(NOT_HELLO);
    expect(helloType(d)).toBe(1);
    expect(helloSni(hello([ext(10, [0, 2, 0, 29])]))).toBe(NOT_HELLO);
    expect(helloEcExtension(hello([sniExt('a.b')]))).toBe(NOT_HELLO);
    expect(helloSessionTicket(hello([sniExt('a.b')]))).toBe(0);
    expect(helloAlpn(hello([sniExt('a.b')]))).toBe(NOT_HELLO);
  });

  it('read SNI, ALPN, session ticket and curves extensions of a built hello', () => {
    const d = hello([ext(35, [1, 2, 3]), ext(10, [0, 2, 0, 29]), alpnExt(['imap', 'x']), sniExt('Mail.Example.COM')]);
    expect(helloSni(d)).toBe('Mail.Example.COM');
    expect(helloSessionTicket(d)).toBe(2);
    expect(helloEcExtension(d)).toBe(true);
    expect(helloAlpn(d)).toEqual(['imap', 'x']);
    expect(helloSni(hello([sniExt('')]))).toBe(NOT_HELLO); // a list shorter than 4 bytes
  });

  it('skip a server_name extension whose first name is not a host_name, as HAProxy', () => {
    expect(helloSni(hello([sniExt('x.y', 1), sniExt('a.example')]))).toBe('a.example');
    expect(helloSni(hello([sniExt('x.y', 1)]))).toBe(NOT_HELLO);
  });

  it('refuse lengths that do not fit: extension, extension list, SNI name, session id', () => {
    const long = hello([sniExt('a.example')]);
    const extAt = long.length - sniExt('a.example').length;
    const bad1 = Buffer.from(long);
    bad1.writeUInt16BE(0xffff, extAt + 2); // extension length
    expect(helloSni(bad1)).toBe(NOT_HELLO);
    const bad2 = Buffer.from(long);
    bad2.writeUInt16BE(0xffff, extAt - 2); // extension list length
    expect(helloSni(bad2)).toBe(NOT_HELLO);
    const bad3 = Buffer.from(long);
    bad3.writeUInt16BE(0xffff, extAt + 7); // name length past the data
    expect(helloSni(bad3)).toBe(NOT_HELLO);
    expect(helloSni(hello([sniExt('a.example')], { sessionId: 33 }))).toBe(NOT_HELLO);
    expect(helloSni(hello([sniExt('a.example')], { clientVersion: [3, 0] }))).toBe(NOT_HELLO);
    // A huge declared handshake length: wait (until the inspection ends).
    const huge = Buffer.from(long);
    huge.writeUIntBE(0xffffff, 6, 3);
    expect(helloSni(huge)).toBe(TOO_SHORT);
    expect(helloType(huge)).toBe(TOO_SHORT);
    // An extension longer than the list before the wanted one ends the walk.
    const early = hello([ext(5, [1, 2]), sniExt('a.example')]);
    early.writeUInt16BE(0x00ff, early.length - sniExt('a.example').length - 4);
    expect(helloSni(early)).toBe(NOT_HELLO);
  });

  it('read an SSLv2-compatible hello: a version, no SNI and no hello type (HAProxy handles it in req.ssl_ver only)', () => {
    const ciphers = [0x00, 0x00, 0x04, 0x01, 0x00, 0x80];
    const challenge = Array.from({ length: 16 }, (_, i) => i);
    const msg = [0x01, 0x03, 0x01, ...u16(ciphers.length), ...u16(0), ...u16(challenge.length), ...ciphers, ...challenge];
    const d = Buffer.from([0x80 | (msg.length >> 8), msg.length & 0xff, ...msg]);
    expect(helloVersion(d)).toBe(0x30001);
    for (let k = 0; k < d.length; k++) expect(helloVersion(d.subarray(0, k))).toBe(TOO_SHORT);
    expect(helloSni(d)).toBe(NOT_HELLO);
    expect(helloType(d)).toBe(NOT_HELLO);
    const wrong = Buffer.from(d);
    wrong[1]++; // record length disagrees with the fields
    expect(helloVersion(wrong)).toBe(NOT_HELLO);
  });

  it('give nothing for plain text at once, and wait on its first bytes only where HAProxy does', () => {
    const get = Buffer.from('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
    for (const read of Object.values(READERS)) expect(read(get)).toBe(NOT_HELLO);
    expect(helloSni(Buffer.from('G'))).toBe(NOT_HELLO);
    expect(helloType(Buffer.from('G'))).toBe(NOT_HELLO);
    // req.ssl_ver takes any first byte outside the SSLv3 record types as an SSLv2 header.
    expect(helloVersion(Buffer.from('GET'))).toBe(TOO_SHORT);
  });

  it('never throw on garbage, and answer with a value of the fetch type or a status', () => {
    const prefix = fc.constantFrom([], [0x16], [0x16, 3], [0x16, 3, 1], [0x16, 3, 1, 0, 0x40, 1], [0x80]);
    fc.assert(fc.property(prefix, fc.uint8Array({ maxLength: 300 }), (p, rest) => {
      const d = Buffer.from([...p, ...rest]);
      for (const read of Object.values(READERS)) {
        const r = read(d);
        expect(r === TOO_SHORT || r === NOT_HELLO || ['string', 'number', 'boolean', 'object'].includes(typeof r)).toBe(true);
      }
    }), { numRuns: 3000 });
  });

  it('survive every single-byte corruption of a real hello', async () => {
    const d = await realHello({ servername: 'x.example.com', ALPNProtocols: ['h2'] });
    for (let i = 0; i < d.length; i++) {
      for (const v of [0x00, 0xff]) {
        const c = Buffer.from(d);
        c[i] = v;
        for (const read of Object.values(READERS)) read(c);
      }
    }
    expect(helloSni(d)).toBe('x.example.com');
  });
});
