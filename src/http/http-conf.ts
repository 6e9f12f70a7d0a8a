// What the HTTP session needs from a frontend or backend, resolved once at start from the
// ProxySpec: timeouts, connection mode, server connection reuse, forwardfor, error pages.
import { type IpNet, maskWord, parseIpNet, parseIpv4, parseIpv6 } from '../acl/ip.ts';
import type { ProxySpec } from '../config/model.ts';
import { type CompressionConf, compressionConfOf } from './compression.ts';
import { ErrorPages, errorPagesOf } from './error-pages.ts';
import { l7RetryOf, type L7Retry } from './retry-on.ts';

/** configuration.txt 4.2 "http-reuse": never | safe (default) | aggressive | always. */
export type ReuseMode = 'never' | 'safe' | 'aggressive' | 'always';

/**
 * `option forwardfor [except NET] [header NAME] [if-none]` of the frontend and the backend,
 * combined as HAProxy does (http_ana.c http_process_request): one header, named by the backend's
 * option when it has one, else by the frontend's; skipped when the request has it only if every
 * option present says `if-none`; not added for a client inside either option's `except` network.
 */
export interface ForwardFor {
  readonly header: string;
  /** Added even when the request carries the header already. */
  readonly always: boolean;
  /** The `except` networks (IPv4 or IPv6) of the frontend's and the backend's options. */
  readonly except: readonly IpNet[];
}

/**
 * `option originalto [except NET] [header NAME]` of the frontend and the backend, combined as for
 * forwardfor (http_ana.c http_process_request, step 10): the backend's header name when it has the
 * option, else the frontend's; not added for a destination inside either option's `except` network.
 * Unlike forwardfor there is no `if-none`: a client's own header stays and this one follows it.
 */
export interface OriginalTo {
  readonly header: string;
  readonly except: readonly IpNet[];
}

/** One `option forwardfor` line's arguments. */
export interface ForwardForOption {
  readonly header: string;
  readonly ifNone: boolean;
  readonly except: IpNet | null;
}

export interface HttpConf {
  readonly httpRequestTimeout: number;
  readonly keepAliveTimeout: number;
  readonly clientTimeout: number;
  readonly serverTimeout: number;
  readonly tunnelTimeout: number;
  /** `option httpclose`: close both sides after each transaction. */
  readonly httpClose: boolean;
  /** `option http-server-close`: close the server side after each response. */
  readonly serverClose: boolean;
  readonly reuse: ReuseMode;
  readonly abortOnClose: boolean;
  /** `option prefer-last-server` of the backend, off for its hash-based balance algorithms. */
  readonly preferLastServer: boolean;
  /** `option http-ignore-probes` (frontend): a connection that sends no byte before it closes or times out is neither answered, logged nor counted. */
  readonly ignoreProbes: boolean;
  /**
   * `option http-buffer-request` of the frontend and of the backend, apart: HAProxy 2.6 waits for
   * the body after the frontend's http-request rules when the frontend has it, else after
   * use_backend when the backend has it (http_ana.c http_process_req_common, proxy.c
   * stream_set_backend), each with its own `timeout http-request`.
   */
  readonly feBufferRequest: boolean;
  readonly beBufferRequest: boolean;
  /** The backend's own `timeout http-request` (the frontend's is httpRequestTimeout), 0 when none. */
  readonly beHttpRequestTimeout: number;
  readonly forwardFor: ForwardFor | null;
  readonly originalTo: OriginalTo | null;
  /** `http-send-name-header` of the backend (lower-cased), '' when none. */
  readonly sendNameHeader: string;
  /**
   * Error pages once the stream entered the backend: the backend's, else the frontend's
   * (http_ana.c http_error_message: s->be->replies, then strm_fe(s)->replies, then the built-in).
   */
  readonly errors: ErrorPages;
  /** Error pages before that (s->be is still the frontend): the frontend's own. */
  readonly feErrors: ErrorPages;
  /** `retry-on` beyond connect failures (the backend's), null when none. */
  readonly l7Retry: L7Retry | null;
  /** http-response rules (frontend or backend) or cookie persistence may edit a response head. */
  readonly responseEditable: boolean;
  /** `compression` of the frontend and backend combined; null when no algorithm is configured. */
  readonly compression: CompressionConf | null;
}

function lastOption(spec: ProxySpec, name: string): readonly string[] | undefined {
  const lines = [...(spec.defaultsLines ?? []), ...spec.lines];
  let found: readonly string[] | undefined;
  for (const l of lines) {
    const a = l.args;
    if (a[0] === 'option' && a[1] === name) found = a.slice(2);
    else if ((a[0] === 'no' || a[0] === 'default') && a[1] === 'option' && a[2] === name) found = undefined;
  }
  return found;
}

/** Parse `option forwardfor` arguments; an error message for a bad one. */
export function parseForwardFor(args: readonly string[]): ForwardForOption | string {
  let header = 'x-forwarded-for';
  let ifNone = false;
  let except: IpNet | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === 'if-none') ifNone = true;
    else if (a === 'header' && args[i + 1] !== undefined) header = args[++i].toLowerCase();
    else if (a === 'except' && args[i + 1] !== undefined) {
      except = parseIpNet(args[++i]) ?? null;
      if (except === null) return `'option forwardfor except' expects an IPv4 or IPv6 network, got '${args[i]}'`;
    } else return `'option forwardfor' does not understand '${a}'`;
  }
  return { header, ifNone, except };
}

/** The frontend's and the backend's `option forwardfor` combined; null when neither has it. */
export function forwardForOf(fe: ProxySpec, be: ProxySpec): ForwardFor | null {
  const parse = (spec: ProxySpec): ForwardForOption | null => {
    const args = lastOption(spec, 'forwardfor');
    const parsed = args === undefined ? null : parseForwardFor(args);
    return typeof parsed === 'string' ? null : parsed;
  };
  const f = parse(fe);
  const b = be === fe ? null : parse(be);
  const named = b ?? f;
  if (named === null) return null;
  const present = [f, b].filter((o) => o !== null);
  return {
    header: named.header,
    always: present.some((o) => !o.ifNone),
    except: present.flatMap((o) => (o.except === null ? [] : [o.except])),
  };
}

/** `option originalto` arguments, checked by the config parser: the last `except` and `header` count. */
function parseOriginalTo(args: readonly string[]): { header: string; except: IpNet | null } {
  let header = 'x-original-to';
  let except: IpNet | null = null;
  for (let i = 0; i + 1 < args.length; i += 2) {
    if (args[i] === 'header') header = args[i + 1].toLowerCase();
    else if (args[i] === 'except') except = parseIpNet(args[i + 1]) ?? null;
  }
  return { header, except };
}

/** The frontend's and the backend's `option originalto` combined; null when neither has it. */
export function originalToOf(fe: ProxySpec, be: ProxySpec): OriginalTo | null {
  const parse = (spec: ProxySpec) => {
    const args = lastOption(spec, 'originalto');
    return args === undefined ? null : parseOriginalTo(args);
  };
  const f = parse(fe);
  const b = be === fe ? null : parse(be);
  const named = b ?? f;
  if (named === null) return null;
  return { header: named.header, except: [f, b].flatMap((o) => (o === null || o.except === null ? [] : [o.except])) };
}

/**
 * The address (the client's, or for originalto the destination) is inside `net` (HAProxy's ipcmp2net: the same address family only, so an
 * IPv4 client of a dual-stack listener, `::ffff:a.b.c.d`, is matched by IPv6 networks).
 */
export function sourceInNet(src: string, net: IpNet): boolean {
  if (!net.v6) {
    const v4 = parseIpv4(src);
    return v4 >= 0 && maskWord(v4, net.prefix) === net.words[0];
  }
  const v6 = parseIpv6(src);
  if (v6 === undefined) return false;
  for (let i = 0; i < 4; i++) if (maskWord(v6[i], net.prefix - 32 * i) !== net.words[i]) return false;
  return true;
}

function reuseOf(spec: ProxySpec): ReuseMode {
  let mode: ReuseMode = 'safe';
  for (const l of [...(spec.defaultsLines ?? []), ...spec.lines]) {
    if (l.args[0] === 'http-reuse') mode = l.args[1] as ReuseMode;
  }
  return mode;
}

/** The balance algorithms of HAProxy's BE_LB_KIND_HI (hashing; random is an RR kind), where prefer-last-server does not apply. */
const HASH_ALGORITHMS: ReadonlySet<string> = new Set(['source', 'uri', 'url_param', 'hdr', 'rdp-cookie']);

const CONN_MODES: ReadonlySet<string> = new Set(['http-keep-alive', 'http-server-close', 'httpclose']);

/**
 * A proxy's connection mode: HAProxy keeps one (PR_O_HTTP_MODE), set by the last of `option
 * http-keep-alive | http-server-close | httpclose` (defaults first); `no option` of the mode in
 * force goes back to keep-alive. The frontend's and backend's combine: close wins, then
 * server-close (configuration.txt 4 "option http-keep-alive").
 */
export function connModeOf(spec: ProxySpec): string {
  let mode = 'http-keep-alive';
  for (const l of [...(spec.defaultsLines ?? []), ...spec.lines]) {
    const a = l.args;
    if (a[0] === 'option' && CONN_MODES.has(a[1])) mode = a[1];
    else if (a[0] === 'no' && a[1] === 'option' && a[2] === mode) mode = 'http-keep-alive';
  }
  return mode;
}

export function httpConfOf(fe: ProxySpec, be: ProxySpec): HttpConf {
  const feMode = connModeOf(fe);
  const beMode = be === fe ? feMode : connModeOf(be);
  const httpRequest = fe.timeouts.httpRequest ?? 0;
  return {
    httpRequestTimeout: httpRequest,
    keepAliveTimeout: fe.timeouts.httpKeepAlive ?? httpRequest,
    clientTimeout: fe.timeouts.client ?? 0,
    serverTimeout: be.timeouts.server ?? 0,
    tunnelTimeout: be.timeouts.tunnel ?? 0,
    httpClose: feMode === 'httpclose' || beMode === 'httpclose',
    serverClose: feMode === 'http-server-close' || beMode === 'http-server-close',
    reuse: reuseOf(be),
    abortOnClose: be.options.abortonclose === true,
    preferLastServer: be.options['prefer-last-server'] === true && !HASH_ALGORITHMS.has(be.balance.algorithm),
    ignoreProbes: fe.options['http-ignore-probes'] === true,
    feBufferRequest: fe.options['http-buffer-request'] === true,
    beBufferRequest: be.options['http-buffer-request'] === true,
    beHttpRequestTimeout: be.timeouts.httpRequest ?? 0,
    forwardFor: forwardForOf(fe, be),
    originalTo: originalToOf(fe, be),
    sendNameHeader: be.sendNameHeader ?? '',
    errors: new ErrorPages(new Map([...errorPagesOf(fe.errorEntries), ...errorPagesOf(be.errorEntries)])),
    feErrors: new ErrorPages(errorPagesOf(fe.errorEntries)),
    l7Retry: l7RetryOf(be),
    compression: compressionConfOf(fe, be),
    responseEditable: be.cookie !== undefined || [be, fe].some((p) => (p.rules?.httpResponse.length ?? 0) > 0 || (p.rules?.httpAfterResponse.length ?? 0) > 0),
  };
}
