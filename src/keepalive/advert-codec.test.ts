import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { decodeAdvert, encodeAdvert, HMAC_BYTES, peekInstance, type WireAdvert } from './advert-codec.ts';
import type { KeyRing } from './auth-keys.ts';

const key1 = Buffer.alloc(32, 1);
const key2 = Buffer.alloc(32, 2);
const ring: KeyRing = { sendId: 1, keys: new Map([[1, key1]]) };
const rotated: KeyRing = { sendId: 2, keys: new Map([[2, key2], [1, key1]]) };
const other: KeyRing = { sendId: 1, keys: new Map([[1, key2]]) };

const advert: WireAdvert = {
  vrid: 51,
  instance: 'VI_1',
  node: 'lb1',
  link: 0,
  state: 'MASTER',
  priority: 150,
  basePriority: 150,
  advertInt: 100,
  vipsUp: true,
  takeoverRequest: false,
  seq: 1_700_000_000_000_000n,
  timestamp: 1_700_000_000_000,
  vips: [
    { address: '10.0.0.100', prefix: 24 },
    { address: 'fd00::100', prefix: 64 },
  ],
};

describe('advert codec', () => {
  it('round-trips every field', () => {
    const r = decodeAdvert(encodeAdvert(advert, ring), ring);
    expect(r).toEqual({ ok: true, advert: { ...advert, handoffTo: undefined }, keyId: 1 });
    const h = { ...advert, handoffTo: 'lb2', vipsUp: false, takeoverRequest: true, state: 'BACKUP' as const };
    expect(decodeAdvert(encodeAdvert(h, ring), ring)).toMatchObject({ ok: true, advert: h });
  });

  it('accepts any key of the ring: make-before-break rotation', () => {
    expect(decodeAdvert(encodeAdvert(advert, ring), rotated).ok).toBe(true);
    expect(decodeAdvert(encodeAdvert(advert, rotated), rotated)).toMatchObject({ ok: true, keyId: 2 });
    expect(decodeAdvert(encodeAdvert(advert, rotated), ring)).toEqual({ ok: false, error: 'unknown-key' });
  });

  it('rejects a wrong key and any altered byte', () => {
    const buf = encodeAdvert(advert, ring);
    expect(decodeAdvert(buf, other)).toEqual({ ok: false, error: 'bad-hmac' });
    for (let i = 5; i < buf.length; i++) {
      if (i === buf.length - HMAC_BYTES - 1) continue; // the key id byte: unknown-key instead
      const bad = Buffer.from(buf);
      bad[i] ^= 0x01;
      const r = decodeAdvert(bad, ring);
      expect(r.ok, `byte ${i}`).toBe(false);
    }
  });

  it('rejects short, foreign and future-version packets', () => {
    expect(decodeAdvert(Buffer.alloc(10), ring)).toEqual({ ok: false, error: 'short' });
    expect(decodeAdvert(Buffer.alloc(100), ring)).toEqual({ ok: false, error: 'bad-magic' });
    const v2 = encodeAdvert(advert, ring);
    v2[4] = 2;
    expect(decodeAdvert(v2, ring)).toEqual({ ok: false, error: 'bad-version' });
  });

  it('reports a well-signed but inconsistent body as malformed', () => {
    // Sign a body whose VIP count runs past the end: only a key holder could produce this.
    const buf = encodeAdvert({ ...advert, vips: [] }, ring);
    const body = Buffer.from(buf.subarray(0, buf.length - HMAC_BYTES));
    body[body.length - 2] = 3; // VIP count
    const mac = createHmac('sha256', key1).update(body).digest().subarray(0, HMAC_BYTES);
    expect(decodeAdvert(Buffer.concat([body, mac]), ring)).toEqual({ ok: false, error: 'malformed' });
  });

  it('never throws on arbitrary bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const r = decodeAdvert(Buffer.from(bytes), ring);
        expect(r.ok).toBe(false);
        peekInstance(Buffer.from(bytes));
      }),
    );
  });

  it('peeks the instance name before authentication', () => {
    expect(peekInstance(encodeAdvert(advert, other))).toBe('VI_1');
    expect(peekInstance(Buffer.from('HPKA'))).toBeUndefined();
    expect(peekInstance(Buffer.alloc(80))).toBeUndefined();
  });

  it('round-trips arbitrary adverts (property)', () => {
    const arb = fc.record({
      vrid: fc.integer({ min: 1, max: 255 }),
      instance: fc.string({ minLength: 1, maxLength: 40 }),
      node: fc.string({ minLength: 1, maxLength: 40 }),
      link: fc.integer({ min: 0, max: 7 }),
      state: fc.constantFrom('INIT', 'BACKUP', 'MASTER', 'FAULT', 'STOP') as fc.Arbitrary<WireAdvert['state']>,
      priority: fc.integer({ min: 0, max: 255 }),
      basePriority: fc.integer({ min: 1, max: 254 }),
      advertInt: fc.integer({ min: 10, max: 40950 }),
      handoffTo: fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }),
      vipsUp: fc.boolean(),
      takeoverRequest: fc.boolean(),
      seq: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      timestamp: fc.integer({ min: 0, max: 2 ** 48 }),
      vips: fc.array(
        fc.oneof(
          fc.record({ address: fc.ipV4(), prefix: fc.integer({ min: 0, max: 32 }) }),
          fc.record({ address: fc.ipV6(), prefix: fc.integer({ min: 0, max: 128 }) }),
        ),
        { maxLength: 8 },
      ),
    });
    fc.assert(
      fc.property(arb, (a) => {
        const r = decodeAdvert(encodeAdvert(a, ring), ring);
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect({ ...r.advert, vips: [] }).toEqual({ ...a, vips: [] });
        expect(r.advert.vips.map((v) => v.prefix)).toEqual(a.vips.map((v) => v.prefix));
      }),
    );
  });
});
