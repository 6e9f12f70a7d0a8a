// The wire pieces of a compressed response body: HAProxy sends a compressed response chunked
// (flt_http_comp.c set_compression_response_header), one chunk per block of input it encoded.
import type { ResponseCompressor } from './compressor.ts';

export interface CompressedPieces {
  /** Chunk size line, encoded bytes and CRLF; at the end the last chunk and the trailers. */
  readonly pieces: (Buffer | string)[];
  /** Encoded bytes in this read (comp_out). */
  readonly encoded: number;
}

const EMPTY = Buffer.alloc(0);

/**
 * The data bytes of a ChunkedScanner's canonical pieces (its strings are framing and trailer
 * lines), as one buffer.
 */
export function chunkData(pieces: readonly (Buffer | string)[]): Buffer {
  let one: Buffer | null = null;
  let n = 0;
  for (const p of pieces) {
    if (typeof p === 'string' || p.length === 0) continue;
    one = one === null ? p : EMPTY;
    n += p.length;
  }
  if (one !== null && one !== EMPTY) return one;
  if (n === 0) return EMPTY;
  return Buffer.concat(pieces.filter((p): p is Buffer => typeof p !== 'string'), n);
}

/**
 * Encode `data` (flushed) and, when `done`, end the stream. `scanned`: the chunked scanner's
 * pieces of this read, whose trailer lines (`name: value`) follow the last chunk.
 */
export function compressedPieces(comp: ResponseCompressor, data: Buffer, scanned: readonly (Buffer | string)[], done: boolean): CompressedPieces {
  const encoded = comp.push(data);
  const tail = done ? comp.finish() : EMPTY;
  const size = encoded.length + tail.length;
  const pieces: (Buffer | string)[] = [];
  if (size > 0) {
    pieces.push(size.toString(16) + '\r\n');
    if (encoded.length > 0) pieces.push(encoded);
    if (tail.length > 0) pieces.push(tail);
    pieces.push('\r\n');
  }
  if (done) {
    let last = '0\r\n';
    for (const p of scanned) if (typeof p === 'string' && p.includes(':')) last += p;
    pieces.push(last + '\r\n');
  }
  return { pieces, encoded: size };
}
