// Where an HTTP/1 head ends in received bytes: the first empty line, ended by CRLF or a bare
// LF (HAProxy 2.6's parser accepts LF-only line endings, src/h1.c EXPECT_LF_HERE). Incremental:
// the caller keeps `scanFrom` between reads so a slow head is not rescanned from its start.
import { CR, LF } from './h1-chars.ts';

/**
 * Index just past the empty line that ends the head in buf[start, end), or -1 when the head is
 * not complete yet. Leading empty lines before the start line (RFC 9112 §2.2) must have been
 * skipped by the caller (`skipLeadingEmptyLines`).
 */
export function findHeadEnd(buf: Buffer, start: number, end: number): number {
  // A plain loop: heads are short, and Buffer#indexOf's call overhead per line costs more.
  for (let i = start; i < end; i++) {
    if (buf[i] !== LF) continue;
    const n = i + 1;
    if (n >= end) return -1;
    const c = buf[n];
    if (c === LF) return n + 1;
    if (c === CR) {
      if (n + 1 >= end) return -1;
      if (buf[n + 1] === LF) return n + 2;
    }
  }
  return -1;
}

/** First index at or after `start` that is not part of a leading CRLF / LF line. */
export function skipLeadingEmptyLines(buf: Buffer, start: number, end: number): number {
  let i = start;
  while (i < end) {
    const c = buf[i];
    if (c === LF) i++;
    else if (c === CR && i + 1 < end && buf[i + 1] === LF) i += 2;
    else break;
  }
  return i;
}
