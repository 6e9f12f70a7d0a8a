// The access-log record of a finished session (HAProxy tcplog fields, configuration.txt 8.2.2),
// read at the moment HAProxy reads them: after the server slot and the backend count are
// released, before the frontend and process counts are (src/stream.c, src/log.c).
import type { TcpLogRecord } from '../log/record.ts';
import type { TcpSession } from './session.ts';

export function tcpLogRecord(s: TcpSession): TcpLogRecord {
  const relay = s.relay;
  const server = s.server;
  const rec: TcpLogRecord = {
    clientIp: s.src,
    clientPort: s.srcPort,
    acceptDate: s.acceptDate,
    // %ft: a '~' after the name when the client side is TLS (log.c LOG_FMT_FRONTEND_XPRT).
    frontend: s.clientTls !== undefined ? `${s.frontend.name}~` : s.frontend.name,
    backend: s.backendName,
    server: server?.name ?? '<NOSRV>',
    // HAProxy 2.6 prints %Tw as t_queue - t_request, and t_request is -1 in TCP mode (no request
    // is parsed): one more than the queue time (src/log.c sess_build_logline).
    Tw: s.tQueue >= 0 ? s.tQueue + 1 : -1,
    Tc: s.tConnect >= 0 ? s.tConnect - s.tQueue : -1,
    Tt: s.tEnd >= 0 ? s.tEnd : s.elapsed(),
    bytesRead: relay.bytesOut,
    bytesUploaded: relay.bytesIn,
    termination: s.termination,
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
  };
  if (s.clientTls !== undefined) rec.clientTls = s.clientTls;
  if (s.frontend.wantsAddresses) addAddresses(s, rec);
  // In mode tcp nothing asks for the id before the log (log.c strm_log generates it then).
  const uid = s.frontend.uniqueId;
  if (uid !== undefined) rec.uniqueId = uid.generate(rec);
  return rec;
}

/** %fi/%fp, %si/%sp, %bi/%bp for log-format (captured only when a log-format is in use). */
function addAddresses(s: TcpSession, rec: TcpLogRecord): void {
  if (s.localAddress !== undefined) {
    rec.frontendIp = s.localAddress.address;
    rec.frontendPort = s.localAddress.port;
  }
  if (s.server !== null) {
    rec.serverIp = s.server.host;
    rec.serverPort = s.connectPort;
  }
  if (s.backendSource !== undefined) {
    rec.backendSourceIp = s.backendSource.address;
    rec.backendSourcePort = s.backendSource.port;
  }
}
