// The connection-level TLS samples hapair renders in log-format strings (`%[ssl_fc_sni]` ...,
// configuration.txt 8.2.4), from the record's client TLS session: the ones HAProxy 2.6's HTTPS
// log format uses (src/log.c default_https_log_format) and the ssl_fc* / ssl_c_* fetches. Other
// sample expressions are refused at load. Values as HAProxy prints them: '-' for no sample.
import type { ClientTls } from '../net/tls-info.ts';

type Render = (tls: ClientTls | undefined) => string | undefined;

const num = (v: number | boolean | undefined): string | undefined => (v === undefined ? undefined : String(Number(v)));

/** `hex` on an integer sample: its 8 bytes, big-endian, in upper-case hex (sample.c sample_conv_bin2hex after c_int2bin). */
const hex64 = (v: number): string => BigInt.asUintN(64, BigInt(v)).toString(16).toUpperCase().padStart(16, '0');

export const LOG_TLS_SAMPLES: ReadonlyMap<string, Render> = new Map<string, Render>([
  // A logged session had no connection error (the failed handshakes are logged apart).
  ['fc_err', () => '0'],
  ['ssl_fc_err', (t) => (t === undefined ? undefined : '0')],
  ['ssl_fc_err,hex', (t) => (t === undefined ? undefined : hex64(0))],
  // Non-zero only with crt-ignore-err / ca-ignore-err, which hapair refuses.
  ['ssl_c_err', (t) => (t === undefined ? undefined : '0')],
  ['ssl_c_ca_err', (t) => (t === undefined ? undefined : '0')],
  ['ssl_fc_is_resumed', (t) => num(t?.resumed ?? false)],
  ['ssl_fc', (t) => num(t !== undefined)],
  ['ssl_fc_sni', (t) => t?.sni],
  ['ssl_fc_protocol', (t) => t?.protocol],
  ['ssl_fc_cipher', (t) => t?.cipher],
  ['ssl_fc_alpn', (t) => t?.alpn],
  ['ssl_c_used', (t) => num(t?.certUsed)],
  ['ssl_c_verify', (t) => num(t?.verify)],
]);
