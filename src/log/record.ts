// What a finished session hands to the access logger: the fields of HAProxy's tcplog format
// (`%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq`, configuration.txt 8.2.2).
import type { ClientTls } from '../net/tls-info.ts';

export interface TcpLogRecord {
  clientIp: string;
  clientPort: number;
  /** Accept time, ms since the epoch (%t is printed from it with millisecond precision). */
  acceptDate: number;
  /** %ft: frontend name, with a trailing '~' when the client side is TLS. */
  frontend: string;
  backend: string;
  /** Server name, or '<NOSRV>' when no server was assigned. */
  server: string;
  /** %Tw: ms waiting in queues, -1 if the session ended before. */
  Tw: number;
  /** %Tc: ms to establish the server connection, -1 if never established. */
  Tc: number;
  /** %Tt: total session duration in ms. */
  Tt: number;
  /** %B: bytes sent from the server to the client. */
  bytesRead: number;
  /** %U: bytes sent from the client to the server (not in tcplog, used by log-format). */
  bytesUploaded: number;
  /** %ts: two characters, e.g. '--', 'SC', 'CD', 'sQ', 'cD'. */
  termination: string;
  actconn: number;
  feconn: number;
  beconn: number;
  srvconn: number;
  /** %rc: connection retries; printed with a leading '+' when redispatched. */
  retries: number;
  redispatched: boolean;
  srvQueue: number;
  backendQueue: number;
  /** %fi/%fp: the address the client connected to; printed '-' when absent (log-format only). */
  frontendIp?: string;
  frontendPort?: number;
  /** %si/%sp: the server address connected to; '-' when absent (log-format only). */
  serverIp?: string;
  serverPort?: number;
  /** %bi/%bp: the local (source) address of the server connection; '-' when absent. */
  backendSourceIp?: string;
  backendSourcePort?: number;
  /** The client side's TLS session (%sslv, %sslc, TLS samples); absent in clear. */
  clientTls?: ClientTls;
  /**
   * %rt: the stream's number, HAProxy's global.req_count taken when the stream began (one counter
   * for the whole process, from 0: every HTTP request and every TCP connection takes the next).
   */
  requestCounter?: number;
  /** %lc: the lines the frontend logged before this one (HAProxy fe->log_count). */
  logCounter?: number;
  /** %ID: the `unique-id-format` id of the stream; absent when none was generated. */
  uniqueId?: string;
  /** HTTP transaction fields (`mode http` only; httplog and the HTTP log-format variables). */
  http?: HttpLogFields;
}

/** What httplog adds (configuration.txt 8.2.3), from src/http/http-log-record.ts. */
export interface HttpLogFields {
  /** %tr: wall-clock date of the request's first byte. */
  requestDate: number;
  /** %TR: ms to receive the full request head from its first byte (-1 if never). */
  TR: number;
  /** %Ti: idle ms before the request; %Th: handshake ms (0 without TLS). */
  Ti: number;
  Th: number;
  /** %Tr: ms the server took to send the response head (-1 if none). */
  Tr: number;
  /** %Ta: active ms from the request's first byte to the end of the response. */
  Ta: number;
  /** %ST: status sent to the client (-1 when none). */
  status: number;
  /** %r: the request line as received ('<BADREQ>' when it could not be parsed). */
  requestLine: string;
  method: string;
  uri: string;
  version: string;
  /**
   * %CC / %CS: captured cookies (absent without `capture cookie`: '-', or '""' under +Q, as lf_text prints
   * a missing one); %hr / %hs: captured headers (null: absent).
   */
  capturedRequestCookie?: string;
  capturedResponseCookie?: string;
  capturedRequestHeaders?: readonly (string | null)[];
  capturedResponseHeaders?: readonly (string | null)[];
  /** The two cookie persistence flags of %tsc (`--` without cookie persistence). */
  cookieFlags: string;
}
