// Incremental scanner of a chunked body (RFC 9112 §7.1) that finds where the message ends and,
// when asked, re-encodes it canonically as HAProxy does (its HTX layer re-chunks): size lines
// in lower-case hex without extensions, CRLF everywhere, trailer names in lower case. Chunk data
// is passed on as slices of the received buffers (no copy). Strict as HAProxy 2.6
// (include/haproxy/h1.h h1_parse_chunk_size, h1_skip_chunk_crlf, trailers parsed as headers):
// hex digits below 2^52, optional blanks, `;` extensions, CRLF or LF; data followed by CRLF or LF.
import { CR, HT, LF, SP, TOKEN } from './h1-chars.ts';

const SIZE_FIRST = 0;
const SIZE = 1;
const SIZE_BLANK = 2;
const EXT = 3;
const SIZE_LF = 4;
const DATA = 5;
const DATA_CR = 6;
const DATA_LF = 7;
const TRAILER_START = 8;
const TRAILER_NAME = 9;
const TRAILER_VALUE = 10;
const TRAILER_LF = 11;
const LAST_LF = 12;
const DONE = 13;

/** scan() results besides an end index. */
export const CHUNK_MORE = -1;
export const CHUNK_ERROR = -2;

/** HAProxy refuses chunk sizes of 2^52 or more (values languages with float integers may mangle). */
const MAX_SIZE = 2 ** 52;

export class ChunkedScanner {
  #state = SIZE_FIRST;
  #size = 0;
  /** Data bytes left in the current chunk. */
  #left = 0;
  /** Where the canonical encoding goes during scan(), null when only framing is wanted. */
  #out: (Buffer | string)[] | null = null;
  /** The trailer line being read (re-emitted once complete). */
  #trailerLine = '';
  /**
   * What HAProxy 2.6 counts of the body so far (%U/%B, bin/bout): chunk data, each re-encoded
   * trailer's name and value, 1 for the end of trailers (not the framing).
   */
  htxBytes = 0;

  reset(): void {
    this.#state = SIZE_FIRST;
    this.#size = this.#left = 0;
    this.#trailerLine = '';
    this.htxBytes = 0;
  }

  get done(): boolean {
    return this.#state === DONE;
  }

  /**
   * Scan buf[start, end): the index just past the end of the body when it ends in this range,
   * CHUNK_MORE when every byte belongs to the body and more is needed, CHUNK_ERROR when malformed.
   */
  scan(buf: Buffer, start: number, end: number, out: (Buffer | string)[] | null = null): number {
    this.#out = out;
    let i = start;
    while (i < end) {
      const st = this.#state;
      if (st === DATA) {
        const take = Math.min(this.#left, end - i);
        if (out !== null) out.push(buf.subarray(i, i + take));
        i += take;
        this.htxBytes += take;
        this.#left -= take;
        if (this.#left === 0) this.#state = DATA_CR;
        continue;
      }
      const r = this.#step(buf[i]);
      if (r < 0) return CHUNK_ERROR;
      i++;
      if (this.#state === DONE) return i;
    }
    return CHUNK_MORE;
  }

  /** One byte outside chunk data; -1 on a syntax error. */
  #step(c: number): number {
    switch (this.#state) {
      case SIZE_FIRST:
      case SIZE: {
        const h = hexValue(c);
        if (h >= 0) {
          this.#size = this.#size * 16 + h;
          if (this.#size >= MAX_SIZE) return -1;
          this.#state = SIZE;
          return 0;
        }
        if (this.#state === SIZE_FIRST) return -1;
        this.#state = SIZE_BLANK;
        return this.#afterSize(c);
      }
      case SIZE_BLANK: return this.#afterSize(c);
      case EXT:
        if (c === CR) this.#state = SIZE_LF;
        else if (c === LF) this.#endSizeLine();
        return 0;
      case SIZE_LF:
        if (c !== LF) return -1;
        this.#endSizeLine();
        return 0;
      case DATA_CR:
        if (c === CR) this.#state = DATA_LF;
        else if (c === LF) this.#nextChunk();
        else return -1;
        return 0;
      case DATA_LF:
        if (c !== LF) return -1;
        this.#nextChunk();
        return 0;
      default: return this.#trailer(c);
    }
  }

  /** Trailers are rare: they are rebuilt character by character only when re-encoding. */
  #trailerChar(c: number): void {
    if (this.#out !== null) this.#trailerLine += String.fromCharCode(c);
  }

  #endTrailer(): void {
    this.#state = TRAILER_START;
    if (this.#out === null) return;
    const line = this.#trailerLine;
    const colon = line.indexOf(':');
    const value = line.slice(colon + 1).trim();
    this.htxBytes += colon + value.length;
    this.#out.push(line.slice(0, colon + 1) + ' ' + value + '\r\n');
    this.#trailerLine = '';
  }

  #end(): void {
    this.#state = DONE;
    this.htxBytes += 1;
    this.#out?.push('\r\n');
  }

  #afterSize(c: number): number {
    if (c === SP || c === HT) return 0;
    if (c === 0x3b) this.#state = EXT;
    else if (c === CR) this.#state = SIZE_LF;
    else if (c === LF) this.#endSizeLine();
    else return -1;
    return 0;
  }

  #endSizeLine(): void {
    this.#out?.push(this.#size.toString(16) + '\r\n');
    if (this.#size === 0) {
      this.#state = TRAILER_START;
    } else {
      this.#left = this.#size;
      this.#state = DATA;
    }
  }

  #nextChunk(): void {
    this.#out?.push('\r\n');
    this.#size = 0;
    this.#state = SIZE_FIRST;
  }

  /** Trailer fields after the last chunk, checked as header lines; an empty line ends the body. */
  #trailer(c: number): number {
    switch (this.#state) {
      case TRAILER_START:
        if (c === CR) this.#state = LAST_LF;
        else if (c === LF) this.#end();
        else if (TOKEN[c] === 1) {
          this.#state = TRAILER_NAME;
          this.#trailerChar(c | (c >= 0x41 && c <= 0x5a ? 0x20 : 0));
        } else return -1;
        return 0;
      case TRAILER_NAME:
        if (c === 0x3a) this.#state = TRAILER_VALUE;
        else if (TOKEN[c] !== 1) return -1;
        this.#trailerChar(c | (c >= 0x41 && c <= 0x5a ? 0x20 : 0));
        return 0;
      case TRAILER_VALUE:
        if (c === CR) this.#state = TRAILER_LF;
        else if (c === LF) this.#endTrailer();
        else this.#trailerChar(c);
        return 0;
      case TRAILER_LF:
        if (c !== LF) return -1;
        this.#endTrailer();
        return 0;
      case LAST_LF:
        if (c !== LF) return -1;
        this.#end();
        return 0;
      default: return -1;
    }
  }
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}
