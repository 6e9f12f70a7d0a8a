// A plain SampleTxn for unit tests of fetches, conditions and rules.
import { FlatHeaderFields } from './header-fields.ts';
import type { SampleTxn, SampleValue } from './sample.ts';
import type { ClientTls } from '../net/tls-info.ts';

const TLS_DEFAULTS: ClientTls = {
  sni: undefined, protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', alpn: undefined, certUsed: false, verify: 0, resumed: false, subject: undefined, issuer: undefined,
  acceptDate: 0, tAccept: 0, handshakeMs: 0,
};

export interface TxnInit {
  src?: string;
  srcPort?: number;
  dst?: string;
  dstPort?: number;
  ssl?: boolean;
  sni?: string;
  /** The TLS session's other fields (with `ssl`); defaults: TLSv1.3, no ALPN, no client certificate. */
  tls?: Partial<ClientTls>;
  method?: string;
  uri?: string;
  version?: string;
  headers?: [string, string][];
  /** No request at all (tcp mode). */
  tcp?: boolean;
  status?: number;
  resHeaders?: [string, string][];
  data?: string;
}

export type TestTxn = SampleTxn & {
  req: { method: string; uri: string; version: string; headers: FlatHeaderFields } | undefined;
  res: { status: number; reason: string; version: string; headers: FlatHeaderFields } | undefined;
};

export function makeTxn(init: TxnInit = {}): TestTxn {
  const flat = (h: [string, string][] | undefined): FlatHeaderFields => new FlatHeaderFields((h ?? []).flat());
  return {
    src: init.src ?? '192.0.2.10',
    srcPort: init.srcPort ?? 40000,
    dst: init.dst ?? '127.0.0.1',
    dstPort: init.dstPort ?? 80,
    clientTls: init.ssl === true ? { ...TLS_DEFAULTS, sni: init.sni, ...init.tls } : undefined,
    req: init.tcp ? undefined : { method: init.method ?? 'GET', uri: init.uri ?? '/', version: init.version ?? 'HTTP/1.1', headers: flat(init.headers) },
    res: init.status === undefined ? undefined : { status: init.status, reason: 'OK', version: 'HTTP/1.1', headers: flat(init.resHeaders) },
    reqData: init.data === undefined ? undefined : Buffer.from(init.data),
    vars: undefined as Map<string, SampleValue> | undefined,
  };
}
