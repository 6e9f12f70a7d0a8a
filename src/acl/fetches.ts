// Sample fetches (configuration.txt 7.3): each visits the values it finds in a transaction, in
// order, and stops when the visitor returns true. In an ACL every value is tried; a sample
// expression outside ACLs keeps the first or the last value, as HAProxy's fetch does.
import type { HttpPhase } from './fetch-phase.ts';
import { countHeaderValues, eachCookie, eachHeaderValue, eachUrlParam, headerValues, pathOf, pickOccurrence, queryOf } from './http-values.ts';
import { parseIpv4, parseIpv6 } from './ip.ts';
import { toInt, type SampleType } from './matchers.ts';
import type { HeaderFields, SampleTxn, SampleValue } from './sample.ts';
import { helloAlpn, helloEcExtension, helloSessionTicket, helloSni, helloType, helloVersion, NOT_HELLO, TOO_SHORT, type HelloRead } from './tls-client-hello.ts';
import { checkBasicAuth, type Userlist } from './userlist.ts';

export type ValueVisit = (v: SampleValue) => boolean;

/** Arguments of one fetch call, checked at config load. */
export interface FetchArgs {
  /** Header, cookie or parameter name (undefined: every one). */
  readonly name: string | undefined;
  /** Occurrence (1 first, -1 last, 0 all). */
  readonly occ: number;
  /** url_param delimiter. */
  readonly delim: string;
  readonly userlist: Userlist | undefined;
}

export interface FetchContext {
  /** The userlist `name` for `keyword`'s argument (may be filled later); undefined when unknown. */
  userlist(name: string, keyword: string): Userlist | undefined;
  /**
   * The backend a fetch argument names (`nbsrv(BE)`): records the reference for the check after
   * parsing and returns the name, the current proxy's for an empty one. Absent: the name as written.
   */
  backend?(name: string, keyword: string): string;
  /**
   * Samples of an http-request / http-response rule (undefined elsewhere, e.g. in ACLs): a fetch
   * of the other direction is refused (fetch-phase.ts), and in a response `hdr` reads the response,
   * as HAProxy 2.6's smp_fetch_chn_hdr follows the rule's channel (the ACL keyword `hdr` does not).
   */
  readonly phase?: HttpPhase;
}

export interface FetchDef {
  readonly type: SampleType;
  /** Argument count accepted (HAProxy ARG1/ARG2 masks). */
  readonly minArgs: number;
  readonly maxArgs: number;
  /** The value kept outside ACLs when several exist. */
  readonly single: 'first' | 'last';
  /** Reads data that can still grow (tcp-request content under inspect-delay). */
  readonly mayChange?: boolean;
  readonly each: (txn: SampleTxn, a: FetchArgs, visit: ValueVisit) => boolean;
  /** The second argument is an occurrence number (hdr-like) instead of a delimiter. */
  readonly occArg?: boolean;
  readonly userlistArg?: boolean;
  /** The argument names a backend (HAProxy ARGT_BE), resolved by FetchContext.backend. */
  readonly backendArg?: boolean;
}

/**
 * Inspection state. `final` (HAProxy SMP_OPT_FINAL: no more data will be waited for) is false only
 * while inspectContent or Condition.evaluate run on data that is not final. `miss`: a fetch since
 * the last reset failed or gave a value on data that may still change (SMP_F_MAY_CHANGE); only
 * raised while not final.
 */
export const inspect = { final: true, miss: false };

/** No sample yet: more data may give one (a MISS for the ACL while not final). */
function missing(): boolean {
  if (!inspect.final) inspect.miss = true;
  return false;
}

function one(v: SampleValue | undefined, visit: ValueVisit): boolean {
  return v !== undefined && visit(v);
}

const l4 = (type: SampleType, get: (t: SampleTxn) => SampleValue | undefined): FetchDef =>
  ({ type, minArgs: 0, maxArgs: 0, single: 'first', each: (t, _a, visit) => one(get(t), visit) });

const reqStr = (get: (uri: string, t: SampleTxn) => string | undefined): FetchDef =>
  ({ type: 'str', minArgs: 0, maxArgs: 0, single: 'first', each: (t, _a, visit) => t.req !== undefined && one(get(t.req.uri, t), visit) });

type Side = (t: SampleTxn) => HeaderFields | undefined;
const reqHeaders: Side = (t) => t.req?.headers;
const resHeaders: Side = (t) => t.res?.headers;

/** hdr / fhdr family: every value, or only occurrence `occ`. */
function headerFetch(side: Side, full: boolean, type: SampleType, conv?: (s: string) => SampleValue | undefined): FetchDef {
  return {
    type, minArgs: 0, maxArgs: 2, single: 'last', occArg: true,
    each: (t, a, visit) => {
      const h = side(t);
      if (h === undefined) return false;
      if (a.occ !== 0) {
        const v = pickOccurrence(headerValues(h, a.name, full), a.occ);
        return v !== undefined && one(conv ? conv(v) : v, visit);
      }
      if (!conv) return eachHeaderValue(h, a.name, full, visit);
      return eachHeaderValue(h, a.name, full, (s) => one(conv(s), visit));
    },
  };
}

function headerCount(side: Side, full: boolean): FetchDef {
  return { type: 'int', minArgs: 0, maxArgs: 1, single: 'first', each: (t, a, visit) => {
    const h = side(t);
    return h !== undefined && visit(countHeaderValues(h, a.name, full));
  } };
}

function cookieFetch(side: Side, header: string, type: SampleType): FetchDef {
  return { type, minArgs: 0, maxArgs: 1, single: 'last', each: (t, a, visit) => {
    const h = side(t);
    if (h === undefined) return false;
    return type === 'int' ? eachCookie(h, header, a.name, (s) => visit(toInt(s))) : eachCookie(h, header, a.name, visit);
  } };
}

function cookieCount(side: Side, header: string): FetchDef {
  return { type: 'int', minArgs: 0, maxArgs: 1, single: 'first', each: (t, a, visit) => {
    const h = side(t);
    if (h === undefined) return false;
    let n = 0;
    eachCookie(h, header, a.name, () => (n++, false));
    return visit(n);
  } };
}

function urlParam(type: SampleType): FetchDef {
  return { type, minArgs: 0, maxArgs: 2, single: 'first', each: (t, a, visit) => {
    if (t.req === undefined) return false;
    return type === 'int' ? eachUrlParam(t.req.uri, a.name, a.delim, (s) => visit(toInt(s))) : eachUrlParam(t.req.uri, a.name, a.delim, visit);
  } };
}

function ipOrUndefined(s: string): string | undefined {
  return parseIpv4(s) >= 0 || parseIpv6(s) !== undefined ? s : undefined;
}

/** `base`: the first Host value followed by the path (configuration.txt 7.3.6 "base"). */
function baseOf(uri: string, t: SampleTxn): string | undefined {
  const path = pathOf(uri);
  if (path === undefined) return undefined;
  let host: string | undefined;
  eachHeaderValue(t.req!.headers, 'host', false, (v) => ((host = v), true));
  return host === undefined ? path : host + path;
}

const versionOf = (v: string | undefined): string | undefined => (v === undefined ? undefined : v.startsWith('HTTP/') ? v.slice(5) : v);

const cookieReq = cookieFetch(reqHeaders, 'cookie', 'str');
const cookieRes = cookieFetch(resHeaders, 'set-cookie', 'str');
const hdrReq = headerFetch(reqHeaders, false, 'str');
const hdrRes = headerFetch(resHeaders, false, 'str');

const NO_DATA = Buffer.alloc(0);

/**
 * A ClientHello fetch (tls-client-hello.ts) on the client bytes held by tcp-request content
 * inspection: bytes too short for an answer are no sample that may change (so the rule waits for
 * more, up to inspect-delay). In mode http there is no such buffer (payload.c: "meaningless for HTX").
 */
function helloFetch(type: SampleType, read: (d: Buffer) => HelloRead<SampleValue | readonly string[]>): FetchDef {
  return { type, minArgs: 0, maxArgs: 0, single: 'first', mayChange: true, each: (t, _a, visit) => {
    if (t.req !== undefined) return false;
    const r = read(t.reqData ?? NO_DATA);
    if (r === TOO_SHORT) return missing();
    if (r === NOT_HELLO) return false;
    if (typeof r !== 'object') return visit(r);
    for (let i = 0; i < r.length; i++) if (visit(r[i])) return true;
    return false;
  } };
}

const sslSni = helloFetch('str', helloSni);
const sslHelloType = helloFetch('int', helloType);
const sslVer = helloFetch('int', (d) => helloVersion(d));

/** `wait_end`: no sample until the inspection is final (smp_fetch_wait_end). */
function waitEnd(): boolean | undefined {
  if (inspect.final) return true;
  missing();
  return undefined;
}

/**
 * `ssl_c_s_dn([entry[,occ]])`, `ssl_c_i_dn`: the whole DN as `/C=FR/CN=x` (ssl_utils.c
 * ssl_sock_get_dn_oneline), or the occ-th entry of that short name (case-insensitive, from the end
 * when negative; ssl_sock_get_dn_entry). The `format` argument is not supported.
 */
function dnFetch(side: 'subject' | 'issuer'): FetchDef {
  return { type: 'str', minArgs: 0, maxArgs: 2, single: 'first', occArg: true, each: (t, a, visit) => {
    const dn = t.clientTls?.[side];
    if (dn === undefined) return false;
    if (a.name === undefined) {
      let s = '';
      for (const [k, v] of dn) s += `/${k}=${v}`;
      return visit(s);
    }
    const pos = a.occ === 0 ? 1 : a.occ;
    const want = a.name.toLowerCase();
    let cur = 0;
    for (let i = 0; i < dn.length; i++) {
      const [k, v] = dn[pos < 0 ? dn.length - 1 - i : i];
      if (k.toLowerCase() !== want) continue;
      cur += pos < 0 ? -1 : 1;
      if (cur === pos) return visit(v);
    }
    return false;
  } };
}

/** Every fetch by name (aliases share a definition). */
/**
 * `req.len`: the payload held in tcp mode. In http mode HAProxy 2.6 (smp_fetch_len) counts the
 * data of its internal (HTX) copy of the request, as edited by the rules so far: the start line
 * (20 bytes of fixed fields plus method, target and version), each field's name and value, one
 * byte of end of headers (measured against haproxy 2.6). Body bytes are not counted here
 * (HAProxy adds those that arrived with the head).
 */
function reqLen(t: SampleTxn): number {
  // smp_fetch_len flags every sample SMP_F_MAY_CHANGE.
  if (!inspect.final) inspect.miss = true;
  if (t.reqData !== undefined) return t.reqData.length;
  const req = t.req;
  if (req === undefined) return 0;
  const h = req.headers;
  let n = 21 + req.method.length + req.uri.length + req.version.length;
  for (let i = 0; i < h.length; i++) n += h.nameAt(i).length + h.valueAt(i).length;
  return n;
}

export const FETCHES: ReadonlyMap<string, FetchDef> = new Map<string, FetchDef>([
  ['src', l4('ip', (t) => t.src)],
  ['src_port', l4('int', (t) => t.srcPort)],
  ['dst', l4('ip', (t) => t.dst)],
  ['dst_port', l4('int', (t) => t.dstPort)],
  // The client side's TLS session (configuration.txt 7.3.4; ssl_sock.c smp_fetch_ssl_*): ssl_fc is
  // false in clear, the others give no sample there (nor, for version and cipher, before the handshake).
  ['ssl_fc', l4('bool', (t) => t.clientTls !== undefined)],
  ['ssl_fc_sni', l4('str', (t) => t.clientTls?.sni)],
  ['ssl_fc_protocol', l4('str', (t) => t.clientTls?.protocol || undefined)],
  ['ssl_fc_cipher', l4('str', (t) => t.clientTls?.cipher || undefined)],
  ['ssl_fc_alpn', l4('str', (t) => t.clientTls?.alpn)],
  ['ssl_c_used', l4('bool', (t) => t.clientTls?.certUsed)],
  ['ssl_c_verify', l4('int', (t) => t.clientTls?.verify)],
  ['ssl_fc_has_sni', l4('bool', (t) => (t.clientTls === undefined ? undefined : t.clientTls.sni !== undefined))],
  ['ssl_fc_has_crt', l4('bool', (t) => t.clientTls?.certUsed)],
  ['ssl_fc_is_resumed', l4('bool', (t) => t.clientTls?.resumed)],
  ['ssl_c_s_dn', dnFetch('subject')],
  ['ssl_c_i_dn', dnFetch('issuer')],
  ['always_true', l4('bool', () => true)],
  ['always_false', l4('bool', () => false)],
  ['req.len', { ...l4('int', reqLen), mayChange: true }],
  ['req_len', { ...l4('int', reqLen), mayChange: true }],
  ['wait_end', { ...l4('bool', waitEnd), mayChange: true }],
  ['req.ssl_sni', sslSni],
  ['req_ssl_sni', sslSni],
  ['req.ssl_alpn', helloFetch('str', helloAlpn)],
  ['req.ssl_st_ext', helloFetch('int', helloSessionTicket)],
  ['req.ssl_ec_ext', helloFetch('bool', helloEcExtension)],
  ['req.ssl_hello_type', sslHelloType],
  ['req_ssl_hello_type', sslHelloType],
  ['req.ssl_ver', sslVer],
  ['req_ssl_ver', sslVer],
  ['req.proto_http', l4('bool', (t) => t.req !== undefined)],
  // The method as parsed, even after `set-method` (src/http/rules/header-actions.ts PARSED_METHOD).
  ['method', reqStr((_u, t) => (t.vars?.get('\0method') as string | undefined) ?? t.req!.method)],
  ['path', reqStr(pathOf)],
  ['url', reqStr((u) => u)],
  ['query', reqStr(queryOf)],
  ['base', reqStr(baseOf)],
  ['req.ver', reqStr((_u, t) => versionOf(t.req!.version))],
  ['req_ver', reqStr((_u, t) => versionOf(t.req!.version))],
  ['hdr', hdrReq],
  ['req.hdr', hdrReq],
  ['req.fhdr', headerFetch(reqHeaders, true, 'str')],
  ['hdr_cnt', headerCount(reqHeaders, false)],
  ['req.hdr_cnt', headerCount(reqHeaders, false)],
  ['req.fhdr_cnt', headerCount(reqHeaders, true)],
  ['hdr_ip', headerFetch(reqHeaders, false, 'ip', ipOrUndefined)],
  ['req.hdr_ip', headerFetch(reqHeaders, false, 'ip', ipOrUndefined)],
  ['hdr_val', headerFetch(reqHeaders, false, 'int', toInt)],
  ['req.hdr_val', headerFetch(reqHeaders, false, 'int', toInt)],
  ['url_param', urlParam('str')],
  ['urlp', urlParam('str')],
  ['urlp_val', urlParam('int')],
  ['cook', cookieReq],
  ['req.cook', cookieReq],
  ['cook_cnt', cookieCount(reqHeaders, 'cookie')],
  ['req.cook_cnt', cookieCount(reqHeaders, 'cookie')],
  ['cook_val', cookieFetch(reqHeaders, 'cookie', 'int')],
  ['req.cook_val', cookieFetch(reqHeaders, 'cookie', 'int')],
  ['http_auth', { type: 'bool', minArgs: 1, maxArgs: 1, single: 'first', userlistArg: true,
    each: (t, a, visit) => t.req !== undefined && visit(checkBasicAuth(t.req.headers, a.userlist!)) }],
  ['status', l4('int', (t) => t.res?.status)],
  ['res.ver', l4('str', (t) => versionOf(t.res?.version))],
  ['shdr', hdrRes],
  ['res.hdr', hdrRes],
  ['res.fhdr', headerFetch(resHeaders, true, 'str')],
  ['shdr_cnt', headerCount(resHeaders, false)],
  ['res.hdr_cnt', headerCount(resHeaders, false)],
  ['res.fhdr_cnt', headerCount(resHeaders, true)],
  ['shdr_ip', headerFetch(resHeaders, false, 'ip', ipOrUndefined)],
  ['res.hdr_ip', headerFetch(resHeaders, false, 'ip', ipOrUndefined)],
  ['shdr_val', headerFetch(resHeaders, false, 'int', toInt)],
  ['res.hdr_val', headerFetch(resHeaders, false, 'int', toInt)],
  ['scook', cookieRes],
  ['res.cook', cookieRes],
  // backend.c smp_fetch_nbsrv: the usable servers of a backend (be_usable_srv), for `monitor fail`.
  ['nbsrv', { type: 'int', minArgs: 0, maxArgs: 1, single: 'first', backendArg: true,
    each: (t, a, visit) => t.usableServers !== undefined && visit(t.usableServers(a.name ?? '')) }],
  // http_fetch.c smp_fetch_uniqueid: the stream's id, generated at this first use; none without unique-id-format.
  ['unique-id', l4('str', (t) => t.uniqueId?.())],
  ['var', { type: 'str', minArgs: 1, maxArgs: 1, single: 'first', each: (t, a, visit) => one(t.vars?.get(a.name!), visit) }],
  // Constants (configuration.txt 7.3.2 "str", "int", "bool"), e.g. `set-var(txn.x) str(on)`.
  ['str', { type: 'str', minArgs: 1, maxArgs: 1, single: 'first', each: (_t, a, visit) => visit(a.name ?? '') }],
  ['int', { type: 'int', minArgs: 1, maxArgs: 1, single: 'first', each: (_t, a, visit) => visit(toInt(a.name ?? '0')) }],
  ['bool', { type: 'bool', minArgs: 1, maxArgs: 1, single: 'first', each: (_t, a, visit) => visit(toInt(a.name ?? '0') !== 0) }],
]);

/** Fetches HAProxy 2.6 has that hapair does not serve: refused with "not supported yet". */
export const UNSUPPORTED_FETCHES: ReadonlySet<string> = new Set([
  'req.rdp_cookie', 'req.rdp_cookie_cnt', 'rdp_cookie', 'rdp_cookie_cnt', 'req.payload', 'req.payload_lv',
  'res.ssl_hello_type', 'rep_ssl_hello_type', 'req.body', 'req.body_param', 'req.body_len', 'req.body_size',
  'res.body', 'http_auth_group', 'http_auth_pass', 'http_auth_type', 'http_auth_user', 'sc_http_req_rate', 'src_conn_cur',
  'src_http_req_rate',
  'capture.req.hdr', 'capture.res.hdr', 'be_name', 'fe_name', 'srv_is_up', 'table_cnt', 'url32',
  'base32', 'base32+src', 'url_ip', 'url_port', 'req.cook_names', 'req.hdrs', 'req.hdr_names', 'res.hdrs', 'req.proto',
  'var_fmt', 'env', 'date', 'rand', 'ipv4', 'ipv6', 'meth', 'bin',
]);
