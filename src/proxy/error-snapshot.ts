// The last invalid request of each frontend and the last invalid response of each backend, kept
// for the runtime API's `show errors` as HAProxy keeps them (src/proxy.c proxy_capture_error:
// one snapshot per proxy and direction, a process-wide event counter, at most one buffer).

/** global.tune.bufsize: a snapshot holds at most one buffer. */
export const SNAPSHOT_BUFSIZE = 16384;

export interface SnapshotPeer {
  readonly name: string;
  readonly id: number;
}

export interface ErrorSnapshot {
  /** Wall clock of the capture (ms since the epoch). */
  readonly when: number;
  /** Process-wide event number, from 0 (HAProxy error_snapshot_id). */
  readonly evId: number;
  /** The client's address and port (`unix` and 0 for a UNIX socket). */
  readonly src: string;
  readonly srcPort: number;
  /** The other end: the backend of an invalid request (none before switching), the frontend of an invalid response. */
  readonly otherEnd: SnapshotPeer | null;
  readonly server: SnapshotPeer | null;
  /** The bytes received (at most one buffer) and the offset of the first invalid byte in them. */
  readonly buf: Buffer;
  readonly errPos: number;
}

let captured = 0;

/** Events captured since the process started (`show errors` "Total events captured"). */
export function capturedErrorEvents(): number {
  return captured;
}

export interface CaptureInput {
  readonly src: string;
  readonly srcPort: number;
  readonly otherEnd: SnapshotPeer | null;
  readonly server: SnapshotPeer | null;
  readonly buf: Buffer;
  readonly response: boolean;
}

/** A snapshot of a message the H1 layer refused (a copy: the buffer may be reused). */
export function captureError(input: CaptureInput, when = Date.now()): ErrorSnapshot {
  const buf = Buffer.from(input.buf.subarray(0, SNAPSHOT_BUFSIZE));
  return {
    when,
    evId: captured++,
    src: input.src,
    srcPort: input.srcPort,
    otherEnd: input.otherEnd,
    server: input.server,
    buf,
    errPos: h1ErrorPosition(buf, input.response),
  };
}

/** RFC 9110 §5.6.2 tchar. */
function isTchar(c: number): boolean {
  if (c >= 0x30 && c <= 0x39) return true;
  if ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) return true;
  return c < 0x7f && "!#$%&'*+-.^_`|~".includes(String.fromCharCode(c));
}

/**
 * Where HAProxy's H1 parser (src/h1.c h1_headers_to_hdr_list) stops on a refused head: the first
 * byte the start line or a header name does not allow, a control character in a value, or, when
 * every byte is acceptable and the message was refused for what it says, the end of what was read.
 * Only called on the error path.
 */
export function h1ErrorPosition(buf: Buffer, response: boolean): number {
  let i = 0;
  const n = buf.length;
  const eol = (at: number) => buf[at] === 0x0a || (buf[at] === 0x0d && buf[at + 1] === 0x0a);
  // Start line: request `METHOD SP URI SP VERSION` (method tchar, URI no CTL nor space), or a
  // response `VERSION SP CODE SP REASON`, whose reason accepts any byte but CR and LF.
  if (!response) {
    while (i < n && isTchar(buf[i]!)) i++;
    if (i === 0 || buf[i] !== 0x20) return Math.min(i, n);
    i++;
    const uri = i;
    while (i < n && buf[i]! > 0x20 && buf[i] !== 0x7f) i++;
    if (i === uri || buf[i] !== 0x20) return Math.min(i, n);
    i++;
  }
  while (i < n && !eol(i)) {
    if (!response && !(buf[i]! > 0x20 && buf[i]! < 0x7f)) return i;
    i++;
  }
  i += buf[i] === 0x0d ? 2 : 1;
  while (i < n) {
    if (eol(i)) return n;
    const name = i;
    while (i < n && isTchar(buf[i]!)) i++;
    if (i >= n) return n;
    if (i === name || buf[i] !== 0x3a) return i;
    i++;
    while (i < n && !eol(i)) {
      const c = buf[i]!;
      if ((c < 0x20 && c !== 0x09) || c === 0x7f) return i;
      i++;
    }
    i += buf[i] === 0x0d ? 2 : 1;
  }
  return n;
}
