// A frontend (or the frontend half of a `listen`) at run time: its listeners, the backend its
// sessions go to, its limits, timeouts and access-log sink, all resolved once at start.
import os from 'node:os';
import type { ProxySpec } from '../config/model.ts';
import { compileUniqueIdFormat, type UniqueIdFormat } from '../log/unique-id.ts';
import type { TcpLogRecord } from '../log/record.ts';
import type { Listener } from '../net/listener.ts';
import type { RelayTimeouts } from '../tcp/relay.ts';
import { ProxyCounters } from './counters.ts';
import type { ErrorSnapshot } from './error-snapshot.ts';
import type { ProxyBackend } from './proxy-backend.ts';

export type AccessLogSink = ((rec: TcpLogRecord) => void) & {
  /** A connection that never became a session (failed TLS handshake), as HAProxy's message line. */
  readonly connectionError?: (line: string) => void;
  /** Lines sent so far (%lc). */
  readonly logged?: number;
};

export class ProxyFrontend {
  readonly spec: ProxySpec;
  readonly name: string;
  /** `maxconn`, or the global one when unset or 0 (configuration.txt 4.2 "maxconn"). */
  readonly maxconn: number;
  /** Where sessions go; null = no backend at all (every session ends `SC` with `<NOSRV>`). */
  readonly backend: ProxyBackend | null;
  /** Name logged as %b: the backend's (even disabled), or the frontend's own when there is none. */
  readonly backendName: string;
  readonly listeners: Listener[] = [];
  readonly counters = new ProxyCounters();
  /** The last request the H1 layer refused (`show errors`). */
  invalidReq: ErrorSnapshot | null = null;
  readonly sink: AccessLogSink | undefined;
  readonly dontlognull: boolean;
  /** `log-format` in use: fill the optional address fields of the record (%fi %bi ...). */
  readonly wantsAddresses: boolean;
  /** `timeout client` before the server connection exists. */
  readonly clientTimeout: number;
  /** Timeouts once connected (tunnel, client, server, *-fin). */
  readonly relayTimeouts: RelayTimeouts;
  /** `option clitcpka` / `option tcpka`. */
  readonly keepAlive: boolean;
  /** `unique-id-format`, compiled; undefined without one (no id: %ID is '-'). */
  readonly uniqueId: UniqueIdFormat | undefined;
  /** `unique-id-header` name, lower-cased as HAProxy's HTX stores it; '' when none or without a format. */
  readonly uniqueIdHeader: string;

  constructor(spec: ProxySpec, globalMaxconn: number, backend: ProxyBackend | null, sink: AccessLogSink | undefined, target?: string) {
    this.spec = spec;
    this.name = spec.name;
    this.maxconn = spec.maxconn !== undefined && spec.maxconn > 0 ? spec.maxconn : globalMaxconn;
    this.backend = backend;
    this.backendName = backend?.name ?? target ?? spec.name;
    this.sink = sink;
    this.dontlognull = spec.options.dontlognull === true;
    this.uniqueId = uniqueIdOf(spec);
    this.uniqueIdHeader = this.uniqueId !== undefined && spec.mode === 'http' ? (spec.uniqueIdHeader ?? '').toLowerCase() : '';
    this.wantsAddresses = spec.logFormat !== undefined || this.uniqueId !== undefined;
    this.clientTimeout = spec.timeouts.client ?? 0;
    this.relayTimeouts = relayTimeouts(spec, backend?.spec ?? spec);
    this.keepAlive = spec.options.clitcpka === true;
  }

  get feconn(): number {
    return this.counters.scur;
  }
}

/** The validated config compiles (validate.ts checkUniqueIdFormat), so a failure here is a bug. */
function uniqueIdOf(spec: ProxySpec): UniqueIdFormat | undefined {
  if (spec.uniqueIdFormat === undefined) return undefined;
  const r = compileUniqueIdFormat(spec.uniqueIdFormat, spec.mode, { pid: process.pid, hostname: os.hostname() });
  if (!r.ok) throw new Error(`unique-id-format of '${spec.name}' does not compile: ${r.error}`);
  return r.format;
}

/**
 * HAProxy configuration.txt 4.2 "timeout tunnel": once the connection is established it
 * "supersedes both the client and server timeouts"; `timeout client-fin` / `server-fin` still
 * apply to half-closed connections (src/stream.c process_stream).
 */
export function relayTimeouts(fe: ProxySpec, be: ProxySpec): RelayTimeouts {
  const tunnel = be.timeouts.tunnel ?? 0;
  return {
    client: tunnel > 0 ? tunnel : (fe.timeouts.client ?? 0),
    server: tunnel > 0 ? tunnel : (be.timeouts.server ?? 0),
    clientFin: fe.timeouts.clientFin ?? 0,
    serverFin: be.timeouts.serverFin ?? 0,
  };
}
