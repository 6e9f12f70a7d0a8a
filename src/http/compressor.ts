// The body encoders of `compression algo` (HAProxy 2.6 compression.c comp_algos): gzip (RFC 1952),
// deflate (RFC 1950, the zlib format), raw-deflate (RFC 1951) and identity. Synchronous and
// incremental: each block of input is compressed and flushed at once (HAProxy flushes at the end
// of every data block it is given, flt_http_comp.c comp_http_payload), so the client gets what
// the server sent so far. Every block is deflated on its own with node:zlib (deflateRawSync with
// Z_SYNC_FLUSH: non-final blocks ending on a byte boundary), as libslz, the encoder of Debian's
// haproxy 2.6 build, encodes each call without the previous one's history; the framing (headers,
// the final empty block, CRC-32 / Adler-32 and length trailers) is written here.
import zlib from 'node:zlib';
import type { CompressionAlgo } from '../config/model.ts';

/** tune.comp.maxlevel's default (1): HAProxy starts every stream at this level. */
const LEVEL = 1;
/** HAProxy's zlib settings: tune.zlib.memlevel 8, tune.zlib.windowsize 15 (MAX_WBITS). */
const OPTIONS: zlib.ZlibOptions = { level: LEVEL, memLevel: 8, windowBits: 15, finishFlush: zlib.constants.Z_SYNC_FLUSH };

/** gzip member header: deflate, no flags, no mtime, XFL 4 (fastest), OS 3 (Unix). */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x03]);
/** zlib header for a 32K window at the fastest level (RFC 1950 §2.2: CMF 0x78, FLEVEL 0). */
const ZLIB_HEADER = Buffer.from([0x78, 0x01]);
/** A final fixed-Huffman block holding only its end-of-block code (RFC 1951 §3.2.6). */
const FINAL_BLOCK = Buffer.from([0x03, 0x00]);
const EMPTY = Buffer.alloc(0);

/** The Content-Encoding token of each algorithm (compression.c ua_name). */
export const CONTENT_CODING: Readonly<Record<CompressionAlgo, string>> = {
  identity: 'identity', gzip: 'gzip', deflate: 'deflate', 'raw-deflate': 'deflate',
};

/** RFC 1950 §8.2 Adler-32, continued from `adler`. */
function adler32(adler: number, data: Buffer): number {
  let a = adler & 0xffff;
  let b = adler >>> 16;
  let i = 0;
  while (i < data.length) {
    // 5552 bytes keep the sums below 2^32 before the modulo (zlib's NMAX).
    const stop = Math.min(data.length, i + 5552);
    for (; i < stop; i++) {
      a += data[i];
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

export class ResponseCompressor {
  readonly algo: CompressionAlgo;
  #started = false;
  /** CRC-32 (gzip) or Adler-32 (deflate) of the input so far, and its length. */
  #check: number;
  #length = 0;

  constructor(algo: CompressionAlgo) {
    this.algo = algo;
    this.#check = algo === 'deflate' ? 1 : 0;
  }

  /** The algorithm compresses (HAProxy counts comp_in/comp_out), rather than copying (comp_byp). */
  get compresses(): boolean {
    return this.algo !== 'identity';
  }

  /** Encoded bytes for `data`, flushed (empty for empty data). */
  push(data: Buffer): Buffer {
    if (this.algo === 'identity' || data.length === 0) return data;
    this.#sum(data);
    const deflated = zlib.deflateRawSync(data, OPTIONS);
    return this.#withHeader(deflated);
  }

  /** The end of the stream: the final block and the trailer (nothing for identity). */
  finish(): Buffer {
    const algo = this.algo;
    if (algo === 'identity') return EMPTY;
    if (algo === 'raw-deflate') return this.#withHeader(FINAL_BLOCK);
    const trailer = Buffer.alloc(algo === 'gzip' ? 8 : 4);
    if (algo === 'gzip') {
      trailer.writeUInt32LE(this.#check, 0);
      trailer.writeUInt32LE(this.#length % 2 ** 32, 4);
    } else {
      trailer.writeUInt32BE(this.#check, 0);
    }
    return Buffer.concat([this.#withHeader(FINAL_BLOCK), trailer]);
  }

  #sum(data: Buffer): void {
    this.#length += data.length;
    if (this.algo === 'gzip') this.#check = zlib.crc32(data, this.#check);
    else if (this.algo === 'deflate') this.#check = adler32(this.#check, data);
  }

  /** The format's header goes before the first bytes out. */
  #withHeader(bytes: Buffer): Buffer {
    if (this.#started) return bytes;
    this.#started = true;
    const header = this.algo === 'gzip' ? GZIP_HEADER : this.algo === 'deflate' ? ZLIB_HEADER : EMPTY;
    return header.length === 0 ? bytes : Buffer.concat([header, bytes]);
  }
}
