// Test harness for the mode-tcp runtime: hand-built config models (what the parser produces),
// a Runtime with an in-memory access log, and small real servers and clients on 127.0.0.1.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import type { BindAddress, BindSpec, GlobalSpec, HapairConfig, ProxySpec, ServerSpec, Timeouts } from '../../src/config/model.ts';
import type { TcpLogRecord } from '../../src/log/record.ts';
import { Runtime, type RuntimeOptions } from '../../src/proxy/runtime.ts';

const LOC = { file: 'test.cfg', line: 1 };

export function bindSpec(addresses: BindAddress[], extra: Partial<BindSpec> = {}): BindSpec {
  return { addresses, accept_proxy: false, v4v6: false, v6only: false, transparent: false, raw: {}, loc: LOC, ...extra };
}

export function tcpBind(port: number, host = '127.0.0.1', extra: Partial<BindSpec> = {}): BindSpec {
  return bindSpec([{ kind: 'tcp', host, port, family: host.includes(':') ? 6 : 4 }], extra);
}

export function serverSpec(name: string, port: number | undefined, extra: Partial<ServerSpec> = {}): ServerSpec {
  return {
    name,
    id: 0,
    host: '127.0.0.1',
    port,
    weight: 1,
    backup: false,
    maxconn: 0,
    minconn: 0,
    maxqueue: 0,
    disabled: false,
    params: {},
    loc: LOC,
    ...extra,
  };
}

export interface ProxyInput {
  readonly kind?: ProxySpec['kind'];
  readonly name: string;
  readonly binds?: BindSpec[];
  readonly servers?: ServerSpec[];
  readonly balance?: ProxySpec['balance']['algorithm'];
  readonly balanceArgs?: string[];
  readonly timeouts?: Timeouts;
  readonly retries?: number;
  readonly redispatch?: number;
  readonly options?: Record<string, boolean>;
  readonly maxconn?: number;
  readonly defaultBackend?: string;
  readonly disabled?: boolean;
}

/** A `mode tcp` proxy, `listen` unless said otherwise, with short test timeouts. */
export function proxySpec(p: ProxyInput): ProxySpec {
  const servers = (p.servers ?? []).map((s, i) => ({ ...s, id: s.id || i + 1 }));
  return {
    kind: p.kind ?? 'listen',
    name: p.name,
    id: 0,
    mode: 'tcp',
    disabled: p.disabled ?? false,
    binds: p.binds ?? [],
    servers,
    balance: { algorithm: p.balance ?? 'roundrobin', args: p.balanceArgs ?? [], hashType: 'map-based', hashFunction: 'sdbm' },
    maxconn: p.maxconn,
    timeouts: { connect: 2000, client: 20_000, server: 20_000, ...p.timeouts },
    retries: p.retries ?? 3,
    redispatch: p.redispatch === undefined ? undefined : { interval: p.redispatch },
    options: p.options ?? {},
    logs: [],
    defaultBackend: p.defaultBackend,
    useBackends: [],
    lines: [],
    loc: LOC,
  };
}

export function configOf(proxies: ProxySpec[], global: Partial<GlobalSpec> = {}): HapairConfig {
  const g: GlobalSpec = { maxconn: 4096, logs: [], statsSockets: [], statsTimeout: 10_000, daemon: false, nbthread: 1, lines: [], ...global };
  return { files: ['test.cfg'], global: g, proxies: proxies.map((p, i) => ({ ...p, id: i + 1 })), extraSections: [] };
}

export interface TestProxy {
  readonly runtime: Runtime;
  readonly logs: TcpLogRecord[];
  /** Port of the first listener of `frontend` (default: the first frontend). */
  port(frontend?: string): number;
  /** Resolves with the next `n`-th access-log record (bounded by `ms`). */
  waitLogs(n: number, ms?: number): Promise<TcpLogRecord[]>;
}

export async function startProxy(config: HapairConfig, opts: RuntimeOptions = {}): Promise<TestProxy> {
  const logs: TcpLogRecord[] = [];
  const runtime = new Runtime(config, { accessLog: () => (rec) => logs.push(rec), ...opts });
  await runtime.start();
  return {
    runtime,
    logs,
    port(frontend) {
      const fe = frontend === undefined ? runtime.frontends.values().next().value : runtime.frontends.get(frontend);
      if (fe === undefined) throw new Error(`no frontend ${frontend}`);
      return fe.listeners[0].port;
    },
    waitLogs: (n, ms = 10_000) => waitFor(() => (logs.length >= n ? logs.slice(0, n) : undefined), ms, `${n} access-log records (have ${logs.length})`),
  };
}

/** Poll `probe` until it returns a value (bounded in time; never asserts durations). */
export async function waitFor<T>(probe: () => T | undefined, ms = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export { freePort } from '../support/process.ts';

/** A real backend server on 127.0.0.1 that tracks its sockets and closes them all at the end. */
export class TestServer {
  readonly server: net.Server;
  readonly sockets = new Set<net.Socket>();
  accepted = 0;
  port = 0;

  constructor(handler: (socket: net.Socket, self: TestServer) => void, opts: net.ServerOpts = { allowHalfOpen: true }) {
    this.server = net.createServer(opts, (socket) => {
      this.accepted++;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      handler(socket, this);
    });
  }

  async listen(port = 0): Promise<this> {
    this.server.listen(port, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    if (this.server.listening) {
      this.server.close();
      await once(this.server, 'close');
    }
  }
}

/** Echo server: echoes everything, then ends its side when the client ends (half-close). */
export function echoServer(): Promise<TestServer> {
  return new TestServer((s) => s.pipe(s)).listen();
}

/** Replies with its name then closes (one short exchange per connection). */
export function nameServer(name: string): Promise<TestServer> {
  return new TestServer((s) => s.end(name)).listen();
}

/** Accepts and holds connections open, silent, until closed. */
export function holdServer(): Promise<TestServer> {
  return new TestServer(() => {}).listen();
}

export interface ExchangeOptions {
  /** Half-close right after sending (default); false: only once the other side has ended. */
  readonly end?: boolean;
  readonly host?: string;
  /** Source address (any 127.0.0.0/8 address works on Linux loopback). */
  readonly localAddress?: string;
}

/** Connect to the proxy, send `payload` (then half-close), collect the whole reply. */
export async function exchange(port: number, payload: string | Buffer = '', opts: ExchangeOptions = {}): Promise<Buffer> {
  const sock = net.connect({ port, host: opts.host ?? '127.0.0.1', allowHalfOpen: true, localAddress: opts.localAddress });
  const chunks: Buffer[] = [];
  sock.on('data', (c: Buffer) => chunks.push(c));
  sock.on('end', () => sock.end());
  await once(sock, 'connect');
  if (payload.length > 0) sock.write(payload);
  if (opts.end !== false) sock.end();
  await new Promise<void>((resolve, reject) => {
    sock.on('close', () => resolve());
    sock.on('error', reject);
  });
  return Buffer.concat(chunks);
}

/** An open client connection with its received bytes, for tests that hold sessions. */
export class TestClient {
  readonly socket: net.Socket;
  readonly chunks: Buffer[] = [];
  readonly closed: Promise<void>;
  error: Error | undefined;

  constructor(port: number, host = '127.0.0.1') {
    this.socket = net.connect({ port, host, allowHalfOpen: true });
    this.socket.on('data', (c: Buffer) => this.chunks.push(c));
    // Like most clients: once the other side is done, close ours too.
    this.socket.on('end', () => this.socket.end());
    this.socket.on('error', (e) => (this.error = e));
    this.closed = new Promise((resolve) => this.socket.on('close', () => resolve()));
  }

  get text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }

  async connected(): Promise<this> {
    if (this.socket.connecting) await once(this.socket, 'connect');
    return this;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}
