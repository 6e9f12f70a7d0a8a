// The per-request half of an HTTP session (HAProxy's http_txn): the request and response heads,
// the timers and counters of one transaction, the views rules and fetches read (src/acl/sample.ts),
// rule verdicts turned into local answers, and the access-log record. The HttpSession extends it
// with the socket state machine.
import type { RequestCookieResult } from './cookie-request.ts';
import type net from 'node:net';
import { clientTlsOf, type ClientTls } from '../net/tls-info.ts';
import type { Server } from '../backend/server.ts';
import type { HttpRequestView, HttpResponseView, SampleTxn, SampleValue } from '../acl/sample.ts';
import type { Listener } from '../net/listener.ts';
import type { ProxyBackend } from '../proxy/proxy-backend.ts';
import { captureError } from '../proxy/error-snapshot.ts';
import type { ProxyFrontend } from '../proxy/proxy-frontend.ts';
import { NO_RULES, runHttpAfterResponseRules, runHttpRequestRules, runHttpResponseRules, selectServer, type HttpReply, type HttpVerdict } from './rules/rules.ts';
import type { ErrorReply } from './error-pages.ts';
import type { TerminationCause, TerminationPhase } from '../tcp/termination.ts';
import type { Applet, AppletRequest, AppletResponse } from './applet.ts';
import { serviceApplet, type AppletRoute } from './applet-routes.ts';
import { H1Message } from './h1-message.ts';
import { captureHeaders } from './header-capture.ts';
import { parseResponseHead } from './h1-parse.ts';
import { CONN_NONE, writeRequestHead, writeResponseHead } from './h1-write.ts';
import type { HttpConf } from './http-conf.ts';
import { sourceInNet } from './http-conf.ts';
import { reasonPhrase } from './status-text.ts';
import { eventNow } from '../event-clock.ts';
import type { TcpLogRecord } from '../log/record.ts';
import { nextRequestCounter } from '../log/request-counter.ts';

/** What a rule or an applet answers instead of a server. */
export type LocalAnswer =
  | { readonly kind: 'error'; readonly status: number; readonly cause: TerminationCause; readonly extraHeader?: string; readonly page?: ErrorReply }
  | { readonly kind: 'reply'; readonly status: number; readonly cause: TerminationCause; readonly head: string; readonly body: Buffer }
  | { readonly kind: 'service'; readonly applet: Applet }
  | { readonly kind: 'tarpit'; readonly status: number };

export abstract class HttpTxnBase implements SampleTxn {
  readonly frontend: ProxyFrontend;
  readonly listener: Listener;
  readonly socketRef: net.Socket;
  /** The client connection's TLS session (`bind ... ssl`), read once; undefined in clear. */
  readonly clientTls: ClientTls | undefined;
  readonly req = new H1Message();
  readonly res = new H1Message();
  /** Accept time: wall clock for the logs, monotonic for the timers. */
  readonly acceptDate: number;
  readonly tAccept: number;
  backend: ProxyBackend | null = null;
  server: Server | null = null;
  conf!: HttpConf;
  enteredBackend = false;
  /** Requests started on this connection (1 during the first). */
  requests = 0;
  // Per transaction (reset by resetTxn):
  /** Wall clock of the request's first byte (%tr), and its monotonic offset from accept. */
  requestDate = 0;
  tRequest = -1;
  /** Idle time before the request (%Ti) and the end of the previous transaction. */
  tIdleStart = 0;
  tHead = -1;
  tQueue = -1;
  tConnect = -1;
  tResponse = -1;
  status = -1;
  /** The status the server answered (its hrsp_* count it, whatever the rules then change), -1 before. */
  serverStatus = -1;
  requestLine = '';
  cause: TerminationCause = '-';
  phase: TerminationPhase = 'R';
  retries = 0;
  redispatched = false;
  /** Answered after `http-request tarpit` (its log timers: ../log, httpLogRecord). */
  tarpitted = false;
  /** `http-request disable-l7-retry` ran for this request. */
  l7RetryDisabled = false;
  connectPort = 0;
  bytesIn = 0;
  bytesOut = 0;
  totalIn = 0;
  totalOut = 0;
  srvQueuePos = 0;
  backendQueuePos = 0;
  appletName = '';
  /** A `monitor-uri` request: answered by the proxy and not logged (HAProxy SF_MONITOR). */
  monitorRequest = false;
  /** Cookie persistence of this request (cookie-session.ts); null without a backend `cookie`. */
  persistence: RequestCookieResult | null = null;
  /** The two cookie characters of `%tsc` (HAProxy log.c). */
  cookieFlags = '--';
  /** `capture request|response header` values, taken before the rules run (header-capture.ts). */
  capturedRequest: (string | null)[] | undefined = undefined;
  capturedResponse: (string | null)[] | undefined = undefined;
  /** Local address of the server connection (%bi/%bp), kept only when a log-format asks for addresses. */
  backendSource: net.AddressInfo | undefined = undefined;
  vars: Map<string, SampleValue> | undefined = undefined;
  /** %rt: the stream's number, taken when a valid request head begins its stream; -1 before. */
  requestCounter = -1;
  /** The `unique-id-format` id, generated at its first use (HAProxy stream->unique_id). */
  #uniqueId: string | undefined = undefined;
  #src: string | undefined;
  #srcPort = 0;
  #dst: string | undefined;
  #dstPort = 0;

  constructor(frontend: ProxyFrontend, listener: Listener, socket: net.Socket) {
    this.frontend = frontend;
    this.listener = listener;
    this.socketRef = socket;
    // A TLS connection was accepted before its handshake: the timers start there (%Th, then %Ti).
    const tls = clientTlsOf(socket);
    this.clientTls = tls;
    this.acceptDate = tls === undefined ? Date.now() : tls.acceptDate;
    this.tAccept = tls === undefined ? performance.now() : tls.tAccept;
    if (tls !== undefined) this.tIdleStart = tls.handshakeMs;
    // Read at accept: a client that closes at once has no peer address any more afterwards.
    this.#captureAddresses();
  }

  /** Applet routes of a proxy (built once by the runtime glue). */
  abstract routesOf(proxy: ProxyFrontend | ProxyBackend): readonly AppletRoute[];

  /** A running backend by name (undefined: unknown or disabled). */
  abstract backendNamed(name: string): ProxyBackend | undefined;

  /** SampleTxn.usableServers (`nbsrv`): 0 for a disabled backend, as HAProxy's PR_FL_DISABLED. */
  usableServers(backend: string): number {
    return this.backendNamed(backend)?.usableServers() ?? 0;
  }

  elapsed(): number {
    return Math.floor(eventNow() - this.tAccept);
  }

  markRequestStart(): void {
    this.tRequest = this.elapsed();
    this.requestDate = this.acceptDate + this.tRequest;
    this.requests++;
  }

  /** A valid request head begins its stream (HAProxy stream_new: the stream's global counter). */
  beginStream(): void {
    this.requestCounter = nextRequestCounter();
  }

  /** The transaction's record for the access log, as it stands now (http-log-record.ts). */
  abstract logRecord(): TcpLogRecord;

  /**
   * The `unique-id` fetch and %ID (src/stream.c stream_generate_unique_id): built from the
   * frontend's unique-id-format at the first use, then the same for the whole request. None
   * without a format, nor for a request refused before its stream began.
   */
  uniqueId(): string | undefined {
    if (this.#uniqueId !== undefined) return this.#uniqueId;
    const format = this.frontend.uniqueId;
    if (format === undefined || this.requestCounter < 0) return undefined;
    this.#uniqueId = format.generate(this.logRecord());
    return this.#uniqueId;
  }

  /**
   * http_process_request step 8: once the request rules have run, the id is generated in any
   * case and `unique-id-header` appends it to the request, before `option forwardfor`'s header.
   */
  addUniqueIdHeader(): void {
    const id = this.uniqueId();
    const name = this.frontend.uniqueIdHeader;
    if (id !== undefined && name !== '') this.req.headers.append(name, id);
  }

  /** The id generated so far, without generating it (the log record's %ID). */
  get generatedUniqueId(): string | undefined {
    return this.#uniqueId;
  }

  // ---- SampleTxn --------------------------------------------------------------------------

  get src(): string {
    if (this.#src === undefined) this.#captureAddresses();
    return this.#src!;
  }

  get srcPort(): number {
    if (this.#src === undefined) this.#captureAddresses();
    return this.#srcPort;
  }

  get dst(): string {
    if (this.#dst === undefined) {
      const a = this.socketRef.address() as net.AddressInfo;
      this.#dst = a.address ?? 'unix';
      this.#dstPort = a.port ?? 0;
    }
    return this.#dst;
  }

  get dstPort(): number {
    void this.dst;
    return this.#dstPort;
  }

  get reqData(): Buffer | undefined {
    return undefined;
  }

  #captureAddresses(): void {
    this.#src = this.socketRef.remoteAddress ?? 'unix';
    this.#srcPort = this.socketRef.remotePort ?? this.listener.id;
  }

  /** BalanceKey.uri and .method. */
  get uri(): string {
    return this.req.uri;
  }

  get method(): string {
    return this.req.method;
  }

  /** BalanceKey.header: first value of a header (case-insensitive name). */
  header(name: string): string | undefined {
    return this.req.header(name.toLowerCase());
  }

  // ---- rules ------------------------------------------------------------------------------

  /** Frontend http-request rules (the backend's run after switching, see runBackendRules). */
  runRequestRules(): LocalAnswer | null {
    const caps = this.frontend.spec.rules?.captureRequest;
    if (caps !== undefined && caps.length > 0) this.capturedRequest = captureHeaders(caps, this.req.flat);
    return this.#verdict(runHttpRequestRules(this.frontend.spec.rules ?? NO_RULES, this), 403, true, 'request');
  }

  /** The backend's http-request rules when it is not the frontend itself (a `listen`). */
  runBackendRules(be: ProxyBackend): LocalAnswer | null {
    if (be.spec === this.frontend.spec) return null;
    return this.#verdict(runHttpRequestRules(be.spec.rules ?? NO_RULES, this), 403, false, 'request');
  }

  /** Backend then frontend http-response rules. */
  runResponseRules(): LocalAnswer | null {
    this.#enterResponseScope();
    const caps = this.frontend.spec.rules?.captureResponse;
    if (caps !== undefined && caps.length > 0) this.capturedResponse = captureHeaders(caps, this.res.flat);
    const be = this.backend;
    if (be !== null && be.spec !== this.frontend.spec) {
      const v = this.#verdict(runHttpResponseRules(be.spec.rules ?? NO_RULES, this), 502, false, 'response');
      if (v !== null) return v;
    }
    const v = this.#verdict(runHttpResponseRules(this.frontend.spec.rules ?? NO_RULES, this), 502, false, 'response');
    // set-status changes the transaction's status too: the log's %ST and the proxies' hrsp_* (measured with haproxy 2.6).
    if (v === null) this.status = this.res.status;
    return v;
  }

  /** Some http-after-response rule may apply to this transaction's response. */
  hasAfterResponseRules(): boolean {
    const be = this.backend;
    return (be !== null && (be.spec.rules?.httpAfterResponse.length ?? 0) > 0) || (this.frontend.spec.rules?.httpAfterResponse.length ?? 0) > 0;
  }

  /**
   * http_eval_after_res_rules: the rules of the stream's backend (the frontend itself before
   * use_backend), then the frontend's when it is another proxy, on `this.res`. set-status is the
   * transaction's status from then on (%ST, hrsp_*), as for http-response.
   */
  runAfterResponseRules(): void {
    this.#enterResponseScope();
    const be = this.backend;
    const fe = this.frontend.spec;
    if (be !== null && be.spec !== fe) runHttpAfterResponseRules(be.spec.rules ?? NO_RULES, this);
    runHttpAfterResponseRules(fe.rules ?? NO_RULES, this);
    this.status = this.res.status;
  }

  /**
   * A response the proxy makes itself (error page, redirect, return, stats page): its status line
   * and fields (ending with one CRLF, no connection field) after the http-after-response rules,
   * which see it as the response (http_forward_proxy_resp). Unchanged when no rule may apply.
   */
  localAnswerFields(fields: string): string {
    if (!this.hasAfterResponseRules()) return fields;
    const res = this.res;
    res.reset();
    // The proxy's own heads always parse; a page that would not goes out as it is.
    if (parseResponseHead(fields + '\r\n', res) !== 0) return fields;
    this.runAfterResponseRules();
    return writeResponseHead(res, CONN_NONE).slice(0, -2);
  }

  /**
   * The `req.` variables end where the response begins (vars.c: http_wait_for_response and
   * http_eval_after_res_rules prune the request scope before the response's).
   */
  #enterResponseScope(): void {
    const vars = this.vars;
    if (vars === undefined) return;
    for (const name of vars.keys()) if (name.startsWith('req.')) vars.delete(name);
  }

  /** `use-server` names a server of `be` for this request; null = balance as usual. */
  pinnedServer(be: ProxyBackend): Server | null {
    const rules = be.spec.rules;
    if (rules === undefined || rules.useServers.length === 0) return null;
    const name = selectServer(rules, this);
    if (name === undefined) return null;
    for (const s of be.servers) if (s.name === name && (s.isUsable() || s.admin.drain)) return s;
    return null;
  }

  /**
   * `intercept`: a local answer here counts in the frontend's `intercepted` (request rules while the
   * stream's backend is still the frontend: http_act.c / http_ana.c `if (sess->fe == s->be)`).
   */
  #verdict(v: HttpVerdict, denyDefault: number, intercept: boolean, stage: 'request' | 'response'): LocalAnswer | null {
    // Redirects, returns, auth challenges and services are intercepted; deny and tarpit are not.
    if (intercept && (v.kind === 'reply' || v.kind === 'auth' || v.kind === 'use-service')) this.frontend.counters.intercepted++;
    switch (v.kind) {
      case 'continue':
      case 'allow':
        return null;
      case 'deny': {
        this.#countDenied(stage);
        if (v.reply !== undefined) return this.#replyAnswer(v.reply, 'P');
        const status = v.status || denyDefault;
        return v.page !== undefined ? { kind: 'error', status, cause: 'P', page: v.page } : { kind: 'error', status, cause: 'P' };
      }
      case 'errorpage':
        // http_act.c http_action_return: intercepted, SF_ERR_LOCAL as any return.
        if (intercept) this.frontend.counters.intercepted++;
        return v.page !== undefined ? { kind: 'error', status: v.status, cause: 'L', page: v.page } : { kind: 'error', status: v.status, cause: 'L' };
      case 'tarpit':
        // http_ana.c `tarpit:` counts it denied at once (fe, and the backend once switched).
        this.#countDenied(stage);
        return { kind: 'tarpit', status: v.status };
      case 'reply':
        // http_act.c http_action_return and the redirect: SF_ERR_LOCAL (`LR` in the log).
        return this.#replyAnswer(v.reply, 'L');
      case 'auth':
        return { kind: 'error', status: 401, cause: 'L', extraHeader: `WWW-Authenticate: Basic realm="${v.realm}"` };
      case 'use-service': {
        const applet = serviceApplet(v.service, this.frontend.spec);
        return applet === undefined ? { kind: 'error', status: 503, cause: 'P' } : { kind: 'service', applet };
      }
    }
  }

  /** A rule's reply: its headers hold content-length where HAProxy puts it (replies.ts), kept in that order. */
  #replyAnswer(r: HttpReply, cause: TerminationCause): LocalAnswer {
    const body = typeof r.body === 'string' ? Buffer.from(r.body, 'utf8') : r.body;
    let head = `HTTP/1.1 ${r.status} ${r.reason ?? reasonPhrase(r.status)}\r\n`;
    for (const [name, value] of r.headers) head += `${name}: ${value}\r\n`;
    return { kind: 'reply', status: r.status, cause, head: head + '\r\n', body };
  }

  /**
   * http_ana.c "deny": a request counts in the frontend's dreq, and in the backend's once switched
   * (its own rules); a response in the dresp of the frontend, the backend and the server.
   */
  #countDenied(stage: 'request' | 'response'): void {
    const be = this.backend;
    if (stage === 'request') {
      this.frontend.counters.denied++;
      if (be !== null && be.spec !== this.frontend.spec) be.counters.denied++;
      return;
    }
    this.frontend.counters.deniedResp++;
    if (be === null) return;
    be.counters.deniedResp++;
    if (this.server !== null) be.countersOf(this.server).deniedResp++;
  }

  // ---- applets ----------------------------------------------------------------------------

  appletFor(be: ProxyBackend | null): Applet | null {
    const feRoutes = this.routesOf(this.frontend);
    const beRoutes = be === null ? NONE : this.routesOf(be);
    if (feRoutes.length === 0 && beRoutes.length === 0) return null;
    const view = this.appletRequest(EMPTY);
    for (const r of feRoutes) {
      if (!r.matches(view)) continue;
      // The frontend's own stats page is intercepted (http_ana.c: applets when fe == be); a backend's is not.
      this.frontend.counters.intercepted++;
      return r.applet;
    }
    for (const r of beRoutes) if (r.matches(view)) return r.applet;
    return null;
  }

  appletRequest(body: Buffer): AppletRequest {
    const req = this.req;
    return {
      method: req.method,
      uri: req.uri,
      version: req.version,
      header: (name: string) => req.header(name.toLowerCase()),
      body,
      src: this.src,
      srcPort: this.srcPort,
      txn: this,
    };
  }

  /** Status line and headers of an applet's response, with its content-length (applet.ts: the applet sets no framing). */
  appletHead(r: AppletResponse, bodyLength: number): string {
    let head = `HTTP/1.1 ${r.status} ${r.reason ?? reasonPhrase(r.status)}\r\n`;
    for (const [name, value] of r.headers) {
      const l = name.toLowerCase();
      if (l === 'content-length' || l === 'connection' || l === 'transfer-encoding') continue;
      head += `${name}: ${value}\r\n`;
    }
    return head + `content-length: ${bodyLength}\r\n\r\n`;
  }

  // ---- forwarding -------------------------------------------------------------------------

  /**
   * The request head for `this.server`, built for each connection attempt: `option forwardfor`'s
   * then `option originalto`'s header after the received ones (http_ana.c steps 9 and 10), and
   * `http-send-name-header` written last by the H1 mux with the server of this attempt.
   */
  buildRequestHead(connMode: number): string {
    const conf = this.conf;
    const skip = conf.sendNameHeader;
    let added = '';
    const ff = conf.forwardFor;
    if (ff !== null && (ff.always || this.req.header(ff.header) === undefined)) {
      // The address as the socket reports it: an IPv4 client of a dual-stack listener is
      // ::ffff:a.b.c.d, as HAProxy writes it (inet_ntop of the IPv6 address).
      const src = this.src;
      if (ff.header !== skip && (ff.except.length === 0 || !ff.except.some((net) => sourceInNet(src, net)))) {
        added = ff.header + ': ' + src + '\r\n';
      }
    }
    const ot = conf.originalTo;
    if (ot !== null && ot.header !== skip) {
      // The address the client connected to (HAProxy's sc_dst: a unix socket has none).
      const dst = this.socketRef.remoteAddress === undefined ? '' : this.dst;
      if (dst !== '' && (ot.except.length === 0 || !ot.except.some((net) => sourceInNet(dst, net)))) {
        added += ot.header + ': ' + dst + '\r\n';
      }
    }
    const last = skip !== '' && this.server !== null ? skip + ': ' + this.server.name + '\r\n' : '';
    return writeRequestHead(this.req, connMode, added, last, skip);
  }

  disableL7Retry(): void {
    this.l7RetryDisabled = true;
  }

  setBackend(be: ProxyBackend | null): void {
    this.backend = be;
  }

  // ---- counters and end of transaction ---------------------------------------------------------

  counterErrorRequest(): void {
    this.frontend.counters.ereq++;
  }

  /** A request head the H1 layer refused: the frontend's `show errors` snapshot (HAProxy h1_capture_bad_message). */
  captureInvalidRequest(buf: Buffer): void {
    const be = this.backend;
    const otherEnd = be === null ? null : { name: be.name, id: be.spec.id };
    this.frontend.invalidReq = captureError({ ...this.#snapshotSrc(), otherEnd, server: null, buf, response: false });
  }

  /** A response head the H1 layer refused: the backend's snapshot, the frontend as the other end. */
  captureInvalidResponse(buf: Buffer): void {
    const be = this.backend;
    if (be === null) return;
    const fe = { name: this.frontend.name, id: this.frontend.spec.id };
    const server = this.server === null ? null : { name: this.server.name, id: this.server.id };
    be.invalidRep = captureError({ ...this.#snapshotSrc(), otherEnd: fe, server, buf, response: true });
  }

  /** The client as addr_to_str shows it: `unix:0` for a UNIX socket. */
  #snapshotSrc(): { src: string; srcPort: number } {
    return this.socketRef.remoteAddress === undefined ? { src: 'unix', srcPort: 0 } : { src: this.src, srcPort: this.srcPort };
  }

  countAbort(cause: TerminationCause): void {
    const be = this.backend;
    if (be === null || !this.enteredBackend) return;
    const srv = this.server === null ? null : be.countersOf(this.server);
    if (cause === 'C' || cause === 'c') {
      be.counters.cliAbrt++;
      if (srv !== null) srv.cliAbrt++;
    } else if (cause === 'S' || cause === 's') {
      be.counters.srvAbrt++;
      if (srv !== null) srv.srvAbrt++;
    }
  }

  /** Request and status counters of the transaction (HAProxy req_tot, hrsp_Nxx). */
  settleCounters(): void {
    const fe = this.frontend.counters;
    fe.countHttp(this.status);
    fe.countRequestRate();
    const be = this.backend;
    if (be !== null && this.enteredBackend) {
      be.counters.countHttp(this.status);
      be.counters.leave(this.bytesIn, this.bytesOut);
      if (this.server !== null) {
        const srv = be.countersOf(this.server);
        // A server counts the responses it sent (http_ana.c http_wait_for_response), not the
        // proxy's own answers such as a 503 after failed connections; the bytes go to it anyway.
        // Its own status, even when http-response rules then replaced the response.
        if (this.tResponse >= 0) srv.countHttp(this.serverStatus);
        srv.bin += this.bytesIn;
        srv.bout += this.bytesOut;
      }
      this.#recordTimes(be);
      this.enteredBackend = false;
    }
    this.totalIn += this.bytesIn;
    this.totalOut += this.bytesOut;
  }

  /**
   * stream_update_time_stats in `mode http`: the queue, connect, response (%Tr) and total (%Tt)
   * times of a transaction that reached a server and got its response head.
   */
  #recordTimes(be: ProxyBackend): void {
    const server = this.server;
    if (server === null || this.tConnect < 0 || this.tResponse < 0) return;
    const queue = this.tQueue >= 0 && this.tHead >= 0 ? this.tQueue - this.tHead : 0;
    const connect = this.tConnect - this.tQueue;
    const data = this.tResponse - this.tConnect;
    // %Tt: from the end of the previous transaction (the idle time counts, as in the log).
    const total = this.elapsed() - this.tIdleStart;
    const srv = be.countersOf(server);
    srv.times.add(srv.reqTot, queue, connect, data, total);
    be.counters.times.add(be.counters.reqTot, queue, connect, data, total);
  }

  abstract logTxn(): void;

  /** Ready for the next request on the same connection. */
  resetTxn(): void {
    this.tIdleStart = this.elapsed();
    this.tRequest = this.tHead = this.tQueue = this.tConnect = this.tResponse = -1;
    this.status = this.serverStatus = -1;
    this.requestLine = '';
    this.capturedRequest = this.capturedResponse = undefined;
    this.backendSource = undefined;
    this.cause = '-';
    this.phase = 'R';
    this.retries = 0;
    this.redispatched = false;
    this.tarpitted = false;
    this.l7RetryDisabled = false;
    this.bytesIn = this.bytesOut = 0;
    this.srvQueuePos = this.backendQueuePos = 0;
    this.server = null;
    this.backend = null;
    this.appletName = '';
    this.monitorRequest = false;
    this.persistence = null;
    this.cookieFlags = '--';
    this.vars = undefined;
    this.requestCounter = -1;
    this.#uniqueId = undefined;
    this.res.reset();
  }
}

const EMPTY = Buffer.alloc(0);
const NONE: readonly AppletRoute[] = [];

export type { HttpRequestView, HttpResponseView };
