// Character classes of HTTP/1 heads (RFC 9110 §5.6.2 tchar; HAProxy's HTTP_IS_TOKEN,
// HTTP_IS_VER_TOKEN and HTTP_IS_LWS from include/haproxy/http.h), as lookup tables.

/** tchar: "!#$%&'*+-.^_`|~" DIGIT ALPHA. */
export const TOKEN = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TOKEN[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TOKEN[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN[c] = TOKEN[c + 32] = 1;

/** Header-name characters: 1 for a lower-case tchar, 2 for an upper-case letter (lower-cased on the way in). */
export const NAME = new Uint8Array(256);
for (let c = 0; c < 256; c++) NAME[c] = TOKEN[c];
for (let c = 0x41; c <= 0x5a; c++) NAME[c] = 2;

/** What an HTTP version may contain ("HTTP/1.1"): letters, digits, '/' and '.'. */
export const VER_TOKEN = new Uint8Array(256);
for (let c = 0x30; c <= 0x39; c++) VER_TOKEN[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) VER_TOKEN[c] = VER_TOKEN[c + 32] = 1;
VER_TOKEN[0x2f] = VER_TOKEN[0x2e] = 1;

export const SP = 0x20;
export const HT = 0x09;
export const CR = 0x0d;
export const LF = 0x0a;

export function isSpHt(c: number): boolean {
  return c === SP || c === HT;
}
