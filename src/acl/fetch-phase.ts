// What part of an HTTP transaction a fetch reads, for the rules that may not see it: HAProxy 2.6
// (http_fetch.c SMP_USE_HRQHV / SMP_USE_HRSHV / SMP_USE_HRSHP) refuses a sample of the request
// headers in an http-response rule and one of the response in an http-request rule at load time.
// `hdr` follows the rule's direction; `method` and the L4 fetches are valid everywhere. A
// `tcp-request connection` rule has neither HTTP nor a request buffer (SMP_VAL_FE_CON_ACC): its
// ACLs using them never match, with a warning (tcp_rules.c).

export type HttpPhase = 'request' | 'response';
/** Where a condition is evaluated, for the fetches it may not use. */
export type RulePhase = HttpPhase | 'tcp-connection';

const REQUEST_HEADERS = new Set([
  'path', 'url', 'query', 'base', 'req.ver', 'req_ver', 'req.hdr', 'req.fhdr', 'hdr_cnt', 'req.hdr_cnt', 'req.fhdr_cnt',
  'hdr_ip', 'req.hdr_ip', 'hdr_val', 'req.hdr_val', 'url_param', 'urlp', 'urlp_val', 'cook', 'req.cook', 'cook_cnt',
  'req.cook_cnt', 'cook_val', 'req.cook_val', 'http_auth',
]);
const RESPONSE_HEADERS = new Set([
  'res.ver', 'shdr', 'res.hdr', 'res.fhdr', 'shdr_cnt', 'res.hdr_cnt', 'res.fhdr_cnt', 'shdr_ip', 'res.hdr_ip', 'shdr_val',
  'res.hdr_val', 'scook', 'res.cook',
]);

/** payload.c SMP_USE_L6REQ fetches and the other HTTP ones (SMP_USE_HRQHP). */
const REQUEST_BUFFER = new Set([
  'req.len', 'req_len', 'req.ssl_sni', 'req_ssl_sni', 'req.ssl_alpn', 'req.ssl_st_ext', 'req.ssl_ec_ext', 'req.ssl_hello_type',
  'req_ssl_hello_type', 'req.ssl_ver', 'req_ssl_ver',
]);
const HTTP_OTHER = new Set(['req.proto_http', 'method', 'status']);

/** HAProxy's name of what `fetch` needs when a rule of `phase` cannot give it, else undefined. */
export function unavailableIn(fetch: string, phase: RulePhase): string | undefined {
  if (phase === 'tcp-connection') {
    if (REQUEST_BUFFER.has(fetch)) return 'request buffer';
    return REQUEST_HEADERS.has(fetch) || RESPONSE_HEADERS.has(fetch) || HTTP_OTHER.has(fetch) ? 'HTTP' : undefined;
  }
  if (phase === 'response') return REQUEST_HEADERS.has(fetch) ? 'HTTP request headers' : undefined;
  if (RESPONSE_HEADERS.has(fetch)) return 'HTTP response headers';
  return fetch === 'status' ? 'HTTP response' : undefined;
}
