// Dates carried in a persistence cookie value with `cookie ... maxidle|maxlife`
// (`NAME=SRV|<lastseen>|<firstseen>`, configuration.txt 4.2 "cookie"): a UNIX date in 4-second
// units, 30 bits written as 5 unpadded base64 characters, most significant first (HAProxy
// base64.c s30tob64/b64tos30).

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The 5 characters of the low 30 bits of `value`. */
export function s30ToBase64(value: number): string {
  let out = '';
  for (let shift = 24; shift >= 0; shift -= 6) out += ALPHABET[(value >>> shift) & 0x3f];
  return out;
}

/** The 30-bit value of the 5 characters at s[at], -1 when one is not a base64 digit. */
export function base64ToS30(s: string, at: number): number {
  let out = 0;
  for (let i = at; i < at + 5; i++) {
    const digit = i < s.length ? ALPHABET.indexOf(s[i]) : -1;
    if (digit < 0) return -1;
    out = out * 64 + digit;
  }
  return out;
}

/** The date a cookie carries for `nowSec`: rounded up to the next 4-second step, in those steps. */
export function cookieDateOf(nowSec: number): string {
  return s30ToBase64(Math.floor((nowSec + 3) / 4));
}
