// What the HTTP session needs from a frontend or backend, resolved once at start from the
// ProxySpec: timeouts, connection mode, server connection reuse, forwardfor, error pages.
import type { ProxySpec } from '../config/model.ts';
import { ErrorPages, errorFilesOf } from './error-pages.ts';
import { l7RetryOf, type L7Retry } from './retry-on.ts';

/** configuration.txt 4.2 "http-reuse": never | safe (default) | aggressive | always. */
export type ReuseMode = 'never' | 'safe' | 'aggressive' | 'always';

/** `option forwardfor [except NET] [header NAME] [if-none]`. */
export interface ForwardFor {
  readonly header: string;
  readonly ifNone: boolean;
  /** `except NET`: network address as 32-bit number and mask (IPv4 only), null = none. */
  readonly except: { readonly net: number; readonly mask: number } | null;
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
  readonly forwardFor: ForwardFor | null;
  readonly errors: ErrorPages;
  /** `retry-on` beyond connect failures (the backend's), null when none. */
  readonly l7Retry: L7Retry | null;
  /** http-response rules (frontend or backend) or cookie persistence may edit a response head. */
  readonly responseEditable: boolean;
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
export function parseForwardFor(args: readonly string[]): ForwardFor | string {
  let header = 'x-forwarded-for';
  let ifNone = false;
  let except: ForwardFor['except'] = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === 'if-none') ifNone = true;
    else if (a === 'header' && args[i + 1] !== undefined) header = args[++i].toLowerCase();
    else if (a === 'except' && args[i + 1] !== undefined) {
      const net = parseIpv4Net(args[++i]);
      if (net === null) return `'option forwardfor except' expects an IPv4 network, got '${args[i]}'`;
      except = net;
    } else return `'option forwardfor' does not understand '${a}'`;
  }
  return { header, ifNone, except };
}

export function parseIpv4Net(text: string): { net: number; mask: number } | null {
  const [addr, bits = '32'] = text.split('/');
  const ip = ipv4ToInt(addr);
  const n = Number(bits);
  if (ip === null || !Number.isInteger(n) || n < 0 || n > 32) return null;
  const mask = n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0;
  return { net: (ip & mask) >>> 0, mask };
}

export function ipv4ToInt(text: string): number | null {
  const m = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (m === null) return null;
  let v = 0;
  for (let i = 1; i <= 4; i++) {
    const b = Number(m[i]);
    if (b > 255) return null;
    v = v * 256 + b;
  }
  return v;
}

function reuseOf(spec: ProxySpec): ReuseMode {
  let mode: ReuseMode = 'safe';
  for (const l of [...(spec.defaultsLines ?? []), ...spec.lines]) {
    if (l.args[0] === 'http-reuse') mode = l.args[1] as ReuseMode;
  }
  return mode;
}

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
  const ff = lastOption(be, 'forwardfor') ?? lastOption(fe, 'forwardfor');
  const parsed = ff === undefined ? null : parseForwardFor(ff);
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
    forwardFor: typeof parsed === 'string' ? null : parsed,
    errors: new ErrorPages(errorFilesOf([...(fe.defaultsLines ?? []), ...fe.lines])),
    l7Retry: l7RetryOf(be),
    responseEditable: be.cookie !== undefined || (be.rules?.httpResponse.length ?? 0) > 0 || (fe.rules?.httpResponse.length ?? 0) > 0,
  };
}
