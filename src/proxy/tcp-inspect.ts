// `mode tcp` rules of a session before any server is chosen (configuration.txt 4.2
// "tcp-request connection", "tcp-request content", "tcp-request inspect-delay", "use_backend"):
// the L4 view fetches read, the inspection that waits for client data under inspect-delay, the
// backend a conditional use_backend picks and the server a `use-server` rule names.
import type net from 'node:net';
import type { Server } from '../backend/server.ts';
import type { HttpRequestView, HttpResponseView, SampleTxn, SampleValue } from '../acl/sample.ts';
import { inspect } from '../acl/fetches.ts';
import { runTcpConnectionRules, runTcpContentRules, type ProxyRules, type TcpAction } from '../http/rules/rules.ts';
import { PENDING_LIMIT, type Relay } from '../tcp/relay.ts';
import { clientTlsOf, type ClientTls } from '../net/tls-info.ts';
import type { ProxyBackend } from './proxy-backend.ts';

/** The L4 SampleTxn of a client socket (addresses read once, on first use). */
export class TcpSampleView implements SampleTxn {
  readonly socket: net.Socket;
  readonly relay: Relay | null;
  readonly req: HttpRequestView | undefined = undefined;
  readonly res: HttpResponseView | undefined = undefined;
  vars: Map<string, SampleValue> | undefined = undefined;
  readonly #backends: ReadonlyMap<string, ProxyBackend> | undefined;

  /** `backends`: the running ones by name, for `nbsrv(BE)`. */
  constructor(socket: net.Socket, relay: Relay | null, backends?: ReadonlyMap<string, ProxyBackend>) {
    this.socket = socket;
    this.relay = relay;
    this.#backends = backends;
  }

  /** SampleTxn.usableServers: 0 for a disabled or unknown backend. */
  usableServers(backend: string): number {
    return this.#backends?.get(backend)?.usableServers() ?? 0;
  }

  get src(): string {
    return this.socket.remoteAddress ?? 'unix';
  }

  get srcPort(): number {
    return this.socket.remotePort ?? 0;
  }

  get dst(): string {
    return this.socket.localAddress ?? 'unix';
  }

  get dstPort(): number {
    return this.socket.localPort ?? 0;
  }

  get clientTls(): ClientTls | undefined {
    return clientTlsOf(this.socket);
  }

  get reqData(): Buffer | undefined {
    return this.relay?.pendingData();
  }
}

/** `tcp-request connection` rules at accept: false when the connection is to be rejected. */
export function acceptsConnection(rules: ProxyRules | undefined, socket: net.Socket, backends?: ReadonlyMap<string, ProxyBackend>): boolean {
  if (rules === undefined || rules.tcpConnection.length === 0) return true;
  return runTcpConnectionRules(rules, new TcpSampleView(socket, null, backends));
}

/** Evaluate content rules on what was received so far (`final`: nothing more will be waited for). */
export function inspectContent(rules: ProxyRules, view: TcpSampleView, final: boolean): TcpAction | 'wait' {
  inspect.final = final;
  try {
    return runTcpContentRules(rules, view, final);
  } finally {
    inspect.final = true;
  }
}

/**
 * backend.c process_server_rules: the server of the first `use-server` rule whose condition holds
 * and whose server is not stopped (a rule naming a stopped one is passed over); null = balance.
 * Evaluated once, after the inspection, on the bytes still held (final data).
 */
export function useServer(be: ProxyBackend, relay: Relay, backends?: ReadonlyMap<string, ProxyBackend>): Server | null {
  const rules = be.spec.rules?.useServers;
  if (rules === undefined || rules.length === 0) return null;
  const view = new TcpSampleView(relay.client, relay, backends);
  for (const r of rules) {
    if (!r.cond.test(view)) continue;
    for (const s of be.servers) if (s.name === r.server && !s.admin.maint && s.oper !== 'DOWN') return s;
  }
  return null;
}

/** True once waiting longer cannot bring more data: buffer full or client done sending. */
export function inspectionComplete(relay: Relay): boolean {
  return relay.pendingBytes >= PENDING_LIMIT || relay.clientEof;
}
