// Address forms of `bind`, `server`, `log` and `stats socket`, as HAProxy 2.6 parses them
// (tools.c str2sa_range/str2ip2, cfgparse.c str2listener; configuration.txt 11 "Address formats").
// Nothing is resolved here: hostnames are kept as text for the runtime.
import { isIPv4, isIPv6 } from 'node:net';
import { expandAddressEnv, type Env } from './lexer.ts';
import type { BindAddress } from './model.ts';
import type { Parsed } from './units.ts';

type Scheme = 'inet' | 'unix' | 'abns' | 'fd' | 'sockpair';

interface Prefixed {
  readonly scheme: Scheme;
  readonly family: 0 | 4 | 6;
  readonly sock: 'stream' | 'dgram';
  readonly quic: boolean;
  readonly rest: string;
}

const PREFIXES: ReadonlyArray<readonly [string, Scheme, 0 | 4 | 6, 'stream' | 'dgram' | undefined, boolean]> = [
  ['unix@', 'unix', 0, undefined, false],
  ['uxdg@', 'unix', 0, 'dgram', false],
  ['uxst@', 'unix', 0, 'stream', false],
  ['abns@', 'abns', 0, undefined, false],
  ['ip@', 'inet', 0, undefined, false],
  ['ipv4@', 'inet', 4, undefined, false],
  ['ipv6@', 'inet', 6, undefined, false],
  ['tcp4@', 'inet', 4, 'stream', false],
  ['udp4@', 'inet', 4, 'dgram', false],
  ['tcp6@', 'inet', 6, 'stream', false],
  ['udp6@', 'inet', 6, 'dgram', false],
  ['tcp@', 'inet', 0, 'stream', false],
  ['udp@', 'inet', 0, 'dgram', false],
  ['quic4@', 'inet', 4, 'dgram', true],
  ['quic6@', 'inet', 6, 'dgram', true],
  ['fd@', 'fd', 0, undefined, false],
  ['sockpair@', 'sockpair', 0, undefined, false],
];

/** Socket type and family prefixes (configuration.txt 11.1-11.3). */
function splitPrefix(text: string, defaultSock: 'stream' | 'dgram'): Prefixed {
  let sock = defaultSock;
  let s = text;
  if (s.startsWith('stream+')) [sock, s] = ['stream', s.slice(7)];
  else if (s.startsWith('dgram+')) [sock, s] = ['dgram', s.slice(6)];
  for (const [prefix, scheme, family, forced, quic] of PREFIXES) {
    if (s.startsWith(prefix)) return { scheme, family, sock: forced ?? sock, quic, rest: s.slice(prefix.length) };
  }
  return { scheme: s.startsWith('/') ? 'unix' : 'inet', family: 0, sock, quic: false, rest: s };
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(error: string): Parsed<T> => ({ ok: false, error });

/** HAProxy keeps room for "<path>.<pid>.tmp" in sun_path (108 bytes): paths are at most 97 bytes. */
export const MAX_UNIX_PATH = 97;

/** HAProxy resolv_hostname_validation: letters, digits, '-', '_', dots; labels <= 63, name <= 255. */
export function isValidHostname(name: string): boolean {
  return name.length > 0 && name.length <= 255 && /^[A-Za-z0-9_.-]+$/.test(name) && name.split('.').every((l) => l.length <= 63);
}

/** inet_pton semantics: no IPv6 zone ids. */
const isIPv6Literal = (s: string): boolean => isIPv6(s) && !s.includes('%');

/** The port separator is the last ':' found before any ']' scanning from the end (str2sa_range). */
function splitHostPort(s: string): { host: string; port: string | undefined } {
  for (let i = s.length - 1; i >= 0; i--) {
    if (s[i] === ']') break;
    if (s[i] === ':') return { host: s.slice(0, i), port: s.slice(i + 1) };
  }
  return { host: s, port: undefined };
}

interface Host {
  readonly host: string;
  readonly family: 0 | 4 | 6;
  /** An address meaning "any" ('', '*', '::', '0.0.0.0'). */
  readonly any: boolean;
  readonly hostname: boolean;
}

/** str2ip2: bracketed IPv6, '::', ''/'*' (IPv4 any unless forced IPv6), IPv6 then IPv4 literals, else a hostname. */
function parseHost(text: string, forced: 0 | 4 | 6, whole: string): Parsed<Host> {
  let s = text;
  const invalid = fail<Host>(`invalid address: '${text}' in '${whole}'`);
  if (s.startsWith('[')) {
    if (s.length < 4 || !s.endsWith(']')) return invalid;
    s = s.slice(1, -1);
  }
  if (s === '::') return forced === 4 ? invalid : ok({ host: '::', family: 6, any: true, hostname: false });
  if (s === '' || s === '*') {
    return ok(forced === 6 ? { host: '::', family: 6, any: true, hostname: false } : { host: '0.0.0.0', family: 4, any: true, hostname: false });
  }
  if (forced !== 4 && isIPv6Literal(s)) return ok({ host: s, family: 6, any: /^[0:]+$/.test(s), hostname: false });
  if (forced !== 6 && isIPv4(s)) return ok({ host: s, family: 4, any: s === '0.0.0.0', hostname: false });
  if (!isValidHostname(s)) return invalid;
  return ok({ host: s, family: forced, any: false, hostname: true });
}

interface PortRules {
  readonly mandatory: boolean;
  readonly range: boolean;
  readonly offset: boolean;
}

interface Ports {
  /** Absolute ports: low..high (equal unless a range), or none. */
  readonly low?: number;
  readonly high?: number;
  readonly offset?: number;
}

function parsePort(port: string | undefined, rules: PortRules, whole: string): Parsed<Ports> {
  if (port === undefined || port === '') {
    return rules.mandatory ? fail(`missing port specification in '${whole}'`) : ok({});
  }
  if (port[0] === '+' || port[0] === '-') {
    if (!rules.offset) return fail(`port offset not permitted here in '${whole}'`);
    if (!/^\d+$/.test(port.slice(1)) || Number(port.slice(1)) > 65535) return fail(`invalid port offset '${port}' in '${whole}'`);
    const offset = Number(port.slice(1)) * (port[0] === '-' ? -1 : 1);
    return ok(offset === 0 ? {} : { offset });
  }
  if (!/^\d/.test(port)) return fail(`invalid character '${port[0]}' in port number '${port}' in '${whole}'`);
  const dash = port.indexOf('-');
  if (dash >= 0 && !rules.range) return fail(`port range not permitted here in '${whole}'`);
  const [lowText, highText] = dash >= 0 ? [port.slice(0, dash), port.slice(dash + 1)] : [port, port];
  const min = rules.mandatory ? 1 : 0;
  for (const p of [lowText, highText]) {
    if (!/^\d+$/.test(p) || Number(p) < min || Number(p) > 65535) return fail(`invalid port '${p}' in '${whole}'`);
  }
  const low = Number(lowText);
  const high = Number(highText);
  if (low > high) return fail(`invalid port range '${low}-${high}' in '${whole}'`);
  return ok({ low, high });
}

/** Comma-separated addresses as str2listener splits them: empty items are errors, a trailing comma is not. */
function splitList(spec: string): string[] {
  const items = spec.split(',');
  if (items.length > 1 && items[items.length - 1] === '') items.pop();
  return items;
}

function expandOrFail(item: string, env: Env): Parsed<string> {
  const expanded = expandAddressEnv(item, env);
  return expanded === '' ? fail(`'${item}' resolves to an empty address (environment variable missing?)`) : ok(expanded);
}

function listenerAddresses(item: string, env: Env): Parsed<BindAddress[]> {
  const expanded = expandOrFail(item, env);
  if (!expanded.ok) return fail(expanded.error);
  const p = splitPrefix(expanded.value, 'stream');
  if (p.quic) return fail(`QUIC addresses are not supported in '${item}'`);
  if (p.sock === 'dgram') return fail(`dgram-type address not acceptable in '${item}'`);
  switch (p.scheme) {
    case 'unix':
      if (p.rest === '') return fail(`missing unix socket path in '${item}'`);
      if (Buffer.byteLength(p.rest) > MAX_UNIX_PATH) return fail(`socket path '${item}' too long (max ${MAX_UNIX_PATH})`);
      return ok([{ kind: 'unix', path: p.rest }]);
    case 'abns':
      return fail(`abstract namespace sockets (abns@) are not supported in '${item}'`);
    case 'sockpair':
      return fail(`socket pairs (sockpair@) are not supported in '${item}'`);
    case 'fd':
      if (!/^\d+$/.test(p.rest)) return fail(`file descriptor '${p.rest}' is not a valid integer in '${item}'`);
      return ok([{ kind: 'fd', fd: Number(p.rest) }]);
    case 'inet':
      return inetListeners(p, item);
  }
}

function inetListeners(p: Prefixed, item: string): Parsed<BindAddress[]> {
  const parts = splitHostPort(p.rest);
  const host = parseHost(parts.host, p.family, item);
  if (!host.ok) return fail(host.error);
  const ports = parsePort(parts.port, { mandatory: true, range: true, offset: false }, item);
  if (!ports.ok) return fail(ports.error);
  const { low = 0, high = 0 } = ports.value;
  const out: BindAddress[] = [];
  for (let port = low; port <= high; port++) out.push({ kind: 'tcp', host: host.value.host, port, family: host.value.family });
  return ok(out);
}

/** A `bind` or `stats socket` address list: `ADDR:PORT[-END][,...]`, `/path`, `unix@path`, `fd@N`. */
export function parseListenAddresses(spec: string, env: Env): Parsed<BindAddress[]> {
  const out: BindAddress[] = [];
  for (const item of splitList(spec)) {
    const r = listenerAddresses(item, env);
    if (!r.ok) return r;
    out.push(...r.value);
  }
  return ok(out);
}

export interface ServerAddress {
  readonly host: string;
  readonly family: 0 | 4 | 6;
  readonly port?: number;
  readonly portOffset?: number;
}

/** `server NAME ADDR[:PORT|:+N|:-N]`: IP, IPv6 (bracketed, or bare with a final ':'), or a hostname kept unresolved. */
export function parseServerAddress(spec: string, env: Env): Parsed<ServerAddress> {
  const expanded = expandOrFail(spec, env);
  if (!expanded.ok) return fail(expanded.error);
  const p = splitPrefix(expanded.value, 'stream');
  if (p.quic) return fail(`QUIC addresses are not supported in '${spec}'`);
  if (p.sock === 'dgram') return fail(`dgram-type address not acceptable in '${spec}'`);
  if (p.scheme === 'unix' || p.scheme === 'abns') return fail(`unix socket servers are not supported yet ('${spec}')`);
  if (p.scheme === 'sockpair') return fail(`socket pair servers (sockpair@) are not supported yet ('${spec}')`);
  if (p.scheme === 'fd') return fail(`a file descriptor is not acceptable here in '${spec}'`);
  const parts = splitHostPort(p.rest);
  const host = parseHost(parts.host, p.family, spec);
  if (!host.ok) return fail(host.error);
  if (host.value.any) {
    return fail(`server address '${spec}' forwards to the client's destination address, which is not supported yet`);
  }
  if (host.value.hostname && host.value.host.startsWith('_')) {
    return fail(`DNS SRV records ('${host.value.host}') are not supported yet (they need a 'resolvers' section)`);
  }
  const ports = parsePort(parts.port, { mandatory: false, range: false, offset: true }, spec);
  if (!ports.ok) return fail(ports.error);
  const { low, offset } = ports.value;
  return ok({
    host: host.value.host,
    family: host.value.family,
    ...(low ? { port: low } : {}),
    ...(offset ? { portOffset: offset } : {}),
  });
}

export type LogAddress =
  | { readonly kind: 'udp'; readonly host: string; readonly port: number }
  | { readonly kind: 'stdout' | 'stderr' };

const UNIX_LOG =
  "unix datagram log targets are not supported (Node.js cannot send unix datagrams without a native addon); " +
  "use 'log 127.0.0.1:514 ...' with the local syslog daemon listening on UDP, or 'log stdout'";

/** The target of a `log` line (log.c parse_logsrv): UDP syslog, stdout/stderr (fd@1/fd@2). */
export function parseLogAddress(spec: string, env: Env): Parsed<LogAddress> {
  if (spec === 'stdout') return ok({ kind: 'stdout' });
  if (spec === 'stderr') return ok({ kind: 'stderr' });
  if (spec.startsWith('ring@')) return fail(`log rings ('${spec}') are not supported yet`);
  const expanded = expandOrFail(spec, env);
  if (!expanded.ok) return fail(expanded.error);
  const p = splitPrefix(expanded.value, 'dgram');
  if (p.scheme === 'unix') return fail(`'${spec}': ${UNIX_LOG}`);
  if (p.scheme === 'abns') return fail(`'${spec}': abstract unix sockets are not supported`);
  if (p.scheme === 'sockpair') return fail(`socket pairs (sockpair@) are not supported in '${spec}'`);
  if (p.scheme === 'fd') {
    if (p.rest === '1') return ok({ kind: 'stdout' });
    if (p.rest === '2') return ok({ kind: 'stderr' });
    return fail(`log to file descriptor '${spec}' is not supported yet (use 'stdout' or 'stderr')`);
  }
  if (p.sock === 'stream' || p.quic) return fail(`log over TCP ('${spec}') is not supported yet`);
  const parts = splitHostPort(p.rest);
  const host = parseHost(parts.host, p.family, spec);
  if (!host.ok) return fail(host.error);
  if (host.value.hostname) return fail(`log target '${spec}': hostnames are not supported, use an IP address`);
  const ports = parsePort(parts.port, { mandatory: false, range: false, offset: false }, spec);
  if (!ports.ok) return fail(ports.error);
  return ok({ kind: 'udp', host: host.value.host, port: ports.value.low || 514 });
}
