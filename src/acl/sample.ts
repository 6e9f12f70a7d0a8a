// The transaction view sample fetches read and rule actions edit (HAProxy's stream + http_txn as
// seen by sample fetch functions, configuration.txt 7.3). The HTTP session (src/http/) implements
// these interfaces on its own transaction object; the TCP session implements the L4 part only.
//
// Contract for implementers:
// - Every member is read synchronously during rule evaluation; getters are fine (e.g. a lazily
//   resolved `dst`). Nothing here is kept after the rule call returns.
// - Header names may be stored as received or lower-cased (HAProxy's HTX lower-cases them);
//   matching is case-insensitive. Values are stored without surrounding whitespace.
// - `HeaderFields` is one entry per header line, in order. Rules edit it through the mutating
//   methods; `FlatHeaderFields` (header-fields.ts) is a ready implementation.

/** A sample: a string, an integer, or a boolean (HAProxy's str/sint/bool types; IPs are strings). */
import type { ClientTls } from '../net/tls-info.ts';

export type SampleValue = string | number | boolean;

/** The header lines of one HTTP message, in order (request or response). */
export interface HeaderFields {
  /** Number of header lines. */
  readonly length: number;
  /** Name of line `i` (any case). */
  nameAt(i: number): string;
  /** Value of line `i`, whole line value (commas included), trimmed. */
  valueAt(i: number): string;
  /** Replace the value of line `i`. */
  setValueAt(i: number, value: string): void;
  /** Remove line `i`; later lines shift down by one. */
  removeAt(i: number): void;
  /** Append a line at the end (name already lower-cased by the caller, as HAProxy's HTX does). */
  append(name: string, value: string): void;
}

/** The request head. `method` and `uri` are written by `set-method`, `set-path`, `set-query`, `set-uri`. */
export interface HttpRequestView {
  method: string;
  /** Request target as received: origin form `/p?q`, absolute form `http://h/p?q`, or `*`. */
  uri: string;
  /** `HTTP/1.0` or `HTTP/1.1`. */
  readonly version: string;
  readonly headers: HeaderFields;
}

/** The response head, present only while response rules run. `status`/`reason` are written by `set-status`. */
export interface HttpResponseView {
  status: number;
  reason: string;
  readonly version: string;
  readonly headers: HeaderFields;
}

/** Everything fetches may read for one transaction (one request in http mode, the connection in tcp mode). */
export interface SampleTxn {
  /** Client address (IPv4 dotted or IPv6 text, IPv4-mapped IPv6 allowed) and port: `src`, `src_port`. */
  readonly src: string;
  readonly srcPort: number;
  /** Local address and port the client connected to: `dst`, `dst_port`. */
  readonly dst: string;
  readonly dstPort: number;
  /** The client connection's TLS session (`ssl_fc`, `ssl_fc_sni`, `ssl_c_verify` ...); undefined in clear. */
  readonly clientTls: ClientTls | undefined;
  /** The request head; undefined in tcp mode. */
  readonly req: HttpRequestView | undefined;
  /** The response head; undefined until the response phase. */
  readonly res: HttpResponseView | undefined;
  /**
   * Bytes received from the client and not yet forwarded: the payload seen by `tcp-request content`
   * (with `inspect-delay`), or the request body when the session waited for it. `req.len` is its length.
   */
  readonly reqData: Buffer | undefined;
  /** `set-var` storage, created by the rules on first use (`txn.x`, `req.x`, `sess.x` share it per txn). */
  vars: Map<string, SampleValue> | undefined;
  /**
   * `nbsrv(BE)`: the usable servers of backend `backend` as HAProxy's be_usable_srv counts them (the
   * usable active ones, else 1 for the first usable backup or every one with `option allbackups`;
   * 0 for a disabled or unknown backend). Absent where no backend can be looked up.
   */
  usableServers?(backend: string): number;
  /** The `unique-id` fetch: the stream's unique-id-format id (generated on first use); undefined without one. */
  uniqueId?(): string | undefined;
  /** The id if it was generated already (the %ID of a rule's format does not generate it). */
  readonly generatedUniqueId?: string | undefined;
  /** `http-request disable-l7-retry`: no `retry-on` retry but conn-failure for this request (http mode only). */
  disableL7Retry?(): void;
}

/** An L4-only transaction view (tcp mode), for sessions without HTTP. */
export function l4Txn(src: string, srcPort: number, dst: string, dstPort: number, reqData?: Buffer): SampleTxn {
  return { src, srcPort, dst, dstPort, clientTls: undefined, req: undefined, res: undefined, reqData, vars: undefined };
}
