// The access-log record of one HTTP transaction (HAProxy httplog fields, configuration.txt
// 8.2.3), read when the response ends: after the server slot is released, while the client
// connection still counts (src/http_ana.c, src/log.c sess_build_logline).
import type { TcpLogRecord } from '../log/record.ts';
import { terminationState } from '../tcp/termination.ts';
import type { HttpSession } from './http-session.ts';

export function httpLogRecord(s: HttpSession): TcpLogRecord {
  const server = s.server;
  const end = s.elapsed();
  const tReq = s.tRequest >= 0 ? s.tRequest : end;
  // HAProxy's timers, each relative to the previous step; -1 for a step never reached.
  // A tarpit skips the analyser that dates the request (tv_request): %TR is -1 and %Tw, its end
  // less that unset -1, is one more than %Ta (http_process_tarpit sets t_queue).
  const TR = s.tarpitted ? -1 : s.tHead >= 0 && s.tRequest >= 0 ? s.tHead - s.tRequest : -1;
  const Tw = s.tarpitted ? end - tReq + 1 : s.tQueue >= 0 && s.tHead >= 0 ? s.tQueue - s.tHead : -1;
  const Tc = s.tConnect >= 0 && s.tQueue >= 0 ? s.tConnect - s.tQueue : -1;
  const Tr = s.tResponse >= 0 && s.tConnect >= 0 ? s.tResponse - s.tConnect : -1;
  const req = s.req;
  const Ti = s.tRequest >= 0 ? s.tRequest - s.tIdleStart : end - s.tIdleStart;
  const tls = s.clientTls;
  // %Th: the TLS handshake, on the connection's first request only (http_reset_txn zeroes it).
  const Th = tls !== undefined && s.requests <= 1 ? tls.handshakeMs : 0;
  const rec: TcpLogRecord = {
    clientIp: s.src,
    clientPort: s.srcPort,
    acceptDate: s.acceptDate,
    // %ft: a '~' after the name when the client side is TLS (log.c LOG_FMT_FRONTEND_XPRT).
    frontend: tls !== undefined ? `${s.frontend.name}~` : s.frontend.name,
    // Before switching, HAProxy's stream backend is the frontend itself (`fe fe/<NOSRV>`).
    backend: s.backend?.name ?? s.frontend.name,
    server: server?.name ?? (s.appletName !== '' ? `<${s.appletName}>` : '<NOSRV>'),
    Tw,
    Tc,
    Tt: Th + Ti + end - tReq,
    bytesRead: s.bytesOut,
    bytesUploaded: s.bytesIn,
    termination: terminationState(s.cause, s.cause === '-' ? '-' : s.phase),
    actconn: s.host.actconn,
    feconn: s.frontend.feconn,
    beconn: s.backend?.counters.scur ?? 0,
    srvconn: server?.served ?? 0,
    retries: s.retries,
    redispatched: s.redispatched,
    srvQueue: s.srvQueuePos,
    backendQueue: s.backendQueuePos,
    requestCounter: s.requestCounter,
    logCounter: s.frontend.sink?.logged ?? 0,
    http: {
      requestDate: s.requestDate || s.acceptDate,
      TR,
      Ti,
      Th,
      Tr,
      Ta: end - tReq,
      status: s.status,
      requestLine: s.requestLine === '' || req.method === '' ? '<BADREQ>' : s.requestLine,
      method: req.method,
      uri: req.uri,
      version: req.version,
      cookieFlags: s.cookieFlags,
    },
  };
  if (tls !== undefined) rec.clientTls = tls;
  const id = s.generatedUniqueId;
  if (id !== undefined) rec.uniqueId = id;
  // %HM %HU %HV (and %HP %HPO %HQ) show the request line as received, before rules rewrote it (log.c reads txn->uri).
  if (s.requestLine !== '' && req.method !== '') setFromRequestLine(rec.http!, s.requestLine);
  if (s.frontend.wantsAddresses) addAddresses(s, rec);
  const caps = s.frontend.spec.rules;
  // A request the H1 layer refused (<BADREQ>: 400, 408, a close before the head) is logged without a
  // stream in HAProxy 2.6 (sess_log), so without its capture slots: %hr %hs %hrl %hsl print nothing.
  const parsed = s.requestLine !== '' && req.method !== '';
  if (parsed && caps !== undefined && (caps.captureRequest.length > 0 || caps.captureResponse.length > 0)) {
    // Taken as the heads arrived (header-capture.ts); a head never received captures nothing.
    const http = rec.http!;
    http.capturedRequestHeaders = s.capturedRequest ?? caps.captureRequest.map(() => null);
    http.capturedResponseHeaders = s.capturedResponse ?? caps.captureResponse.map(() => null);
  }
  return rec;
}

/** Method, target and version of a received request line (blanks between them, as HAProxy accepts). */
function setFromRequestLine(http: NonNullable<TcpLogRecord['http']>, line: string): void {
  let i = 0;
  const n = line.length;
  while (i < n && line[i] !== ' ' && line[i] !== '\t') i++;
  const method = line.slice(0, i);
  while (i < n && (line[i] === ' ' || line[i] === '\t')) i++;
  const u = i;
  while (i < n && line[i] !== ' ' && line[i] !== '\t') i++;
  const uri = line.slice(u, i);
  while (i < n && (line[i] === ' ' || line[i] === '\t')) i++;
  http.method = method;
  http.uri = uri;
  http.version = line.slice(i);
}

/** %fi/%fp, %si/%sp, %bi/%bp (only when a log-format is in use, see ProxyFrontend.wantsAddresses). */
function addAddresses(s: HttpSession, rec: TcpLogRecord): void {
  if (!s.listener.isUnix) {
    rec.frontendIp = s.dst;
    rec.frontendPort = s.dstPort;
  }
  const server = s.server;
  if (server !== null) {
    rec.serverIp = server.host;
    rec.serverPort = s.connectPort || server.port || 0;
  }
  if (s.backendSource !== undefined) {
    rec.backendSourceIp = s.backendSource.address;
    rec.backendSourcePort = s.backendSource.port;
  }
}
