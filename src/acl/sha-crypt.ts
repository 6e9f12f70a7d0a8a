// SHA-256-crypt ($5$) and SHA-512-crypt ($6$) as glibc's crypt(3) computes them (Ulrich Drepper,
// "Unix crypt using SHA-256 and SHA-512"), for `userlist` `user ... password HASH` lines. These
// are the schemes `mkpasswd -m sha-512` and `openssl passwd -5/-6` produce; other crypt(3)
// schemes (DES, MD5 $1$, bcrypt, yescrypt) are refused at config load.
import { createHash, timingSafeEqual } from 'node:crypto';

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ROUNDS_DEFAULT = 5000;

const ORDER_512 = [0, 21, 42, 22, 43, 1, 44, 2, 23, 3, 24, 45, 25, 46, 4, 47, 5, 26, 6, 27, 48, 28, 49, 7, 50, 8, 29, 9, 30, 51,
  31, 52, 10, 53, 11, 32, 12, 33, 54, 34, 55, 13, 56, 14, 35, 15, 36, 57, 37, 58, 16, 59, 17, 38, 18, 39, 60, 40, 61, 19, 62, 20, 41];
const ORDER_256 = [0, 10, 20, 21, 1, 11, 12, 22, 2, 3, 13, 23, 24, 4, 14, 15, 25, 5, 6, 16, 26, 27, 7, 17, 18, 28, 8, 9, 19, 29];

export interface ShaCryptHash {
  readonly algorithm: 'sha256' | 'sha512';
  readonly rounds: number;
  readonly customRounds: boolean;
  readonly salt: string;
}

/** Parse `$5$[rounds=N$]salt$hash` / `$6$...`; undefined for any other format. */
export function parseShaCrypt(hash: string): ShaCryptHash | undefined {
  const m = /^\$([56])\$(?:rounds=(\d+)\$)?([^$]{0,16})[^$]*\$([./0-9A-Za-z]+)$/.exec(hash);
  if (!m) return undefined;
  const rounds = m[2] === undefined ? ROUNDS_DEFAULT : Math.min(999_999_999, Math.max(1000, Number(m[2])));
  return { algorithm: m[1] === '5' ? 'sha256' : 'sha512', rounds, customRounds: m[2] !== undefined, salt: m[3] };
}

function digest(alg: string, ...parts: Buffer[]): Buffer {
  const h = createHash(alg);
  for (const p of parts) h.update(p);
  return h.digest();
}

function repeatTo(block: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += block.length) block.copy(out, i, 0, Math.min(block.length, length - i));
  return out;
}

function encode(c: Buffer, order: readonly number[]): string {
  let out = '';
  const emit = (w: number, n: number): void => {
    for (let i = 0; i < n; i++, w >>>= 6) out += ITOA64[w & 0x3f];
  };
  for (let i = 0; i < order.length; i += 3) emit((c[order[i]] << 16) | (c[order[i + 1]] << 8) | c[order[i + 2]], 4);
  if (c.length === 64) emit(c[63], 2);
  else emit((c[31] << 8) | c[30], 3);
  return out;
}

/** crypt(3) of `password` with the parameters of `h`: the full `$N$...` string. */
export function shaCrypt(password: string, h: ShaCryptHash): string {
  const alg = h.algorithm;
  const size = alg === 'sha256' ? 32 : 64;
  const key = Buffer.from(password, 'utf8');
  const salt = Buffer.from(h.salt, 'utf8');
  const b = digest(alg, key, salt, key);
  const a = createHash(alg).update(key).update(salt);
  let i = key.length;
  for (; i > size; i -= size) a.update(b);
  a.update(b.subarray(0, i));
  for (i = key.length; i > 0; i >>= 1) a.update(i & 1 ? b : key);
  let c = a.digest();
  const p = repeatTo(digest(alg, ...new Array<Buffer>(key.length).fill(key)), key.length);
  const s = repeatTo(digest(alg, ...new Array<Buffer>(16 + c[0]).fill(salt)), salt.length);
  for (let r = 0; r < h.rounds; r++) {
    const x = createHash(alg);
    x.update(r & 1 ? p : c);
    if (r % 3) x.update(s);
    if (r % 7) x.update(p);
    x.update(r & 1 ? c : p);
    c = x.digest();
  }
  const prefix = `$${alg === 'sha256' ? 5 : 6}$${h.customRounds ? `rounds=${h.rounds}$` : ''}${h.salt}$`;
  return prefix + encode(c, alg === 'sha256' ? ORDER_256 : ORDER_512);
}

/** Constant-time check of `password` against a `$5$`/`$6$` hash. */
export function verifyShaCrypt(password: string, hash: string): boolean {
  const h = parseShaCrypt(hash);
  if (!h) return false;
  const got = Buffer.from(shaCrypt(password, h));
  const want = Buffer.from(hash);
  return got.length === want.length && timingSafeEqual(got, want);
}
