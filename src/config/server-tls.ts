// Server-side TLS (`server ... ssl verify ca-file crt sni alpn`, configuration.txt 5.2): the
// keywords read from ServerSpec.params into the settings of the server's TLS context, which
// traffic (`ssl`) and checks (`check-ssl`) share as in HAProxy (ssl_sock_prepare_srv_ctx).
// Servers are verified unless `verify none`, or global `ssl-server-verify none` (3.1) without an
// explicit `verify` on the server.
import { accessSync, constants } from 'node:fs';

export interface ServerTlsSettings {
  readonly verify: 'none' | 'required';
  readonly caFile?: string;
  /** Client certificate (PEM with its key) presented to the server. */
  readonly crt?: string;
  /** SNI: a constant name (`sni str(<name>)`). */
  readonly sni?: string;
  readonly alpn?: readonly string[];
}

/** Global `ssl-server-verify` (configuration.txt 3.1), `required` by default. */
export type SslServerVerify = 'none' | 'required';

export interface ParsedServerTls {
  /** The server's TLS context, undefined when neither traffic (`ssl`) nor checks (`check-ssl`) use TLS. */
  readonly settings?: ServerTlsSettings;
  /** Traffic goes over TLS (`ssl` set and not cancelled by `no-ssl`). */
  readonly traffic: boolean;
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
}

type Params = Readonly<Record<string, readonly string[]>>;

/** `sni` is a sample expression in HAProxy; hapair takes a constant: `str(<name>)` or a bare name. */
function parseSni(expr: string, errors: string[]): string | undefined {
  const m = /^str\(([^()]*)\)$/.exec(expr);
  if (m) return m[1]!;
  if (/^[A-Za-z0-9.-]+$/.test(expr) && !expr.includes('(')) return expr;
  errors.push(`'sni' : only a constant name ('str(<name>)') is supported yet, got '${expr}'.`);
  return undefined;
}

function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Read the TLS keywords of one server; file arguments are checked for readability, as HAProxy
 * loads them at parse time. `tcpCheckSsl`: the proxy's check rules connect with `ssl`.
 */
export function parseServerTls(params: Params, globalVerify: SslServerVerify = 'required', tcpCheckSsl = false): ParsedServerTls {
  const errors: string[] = [];
  const warnings: string[] = [];
  const arg = (kw: string): string | undefined => params[kw]?.[0];
  const verifyArg = arg('verify');
  let verify: SslServerVerify = globalVerify;
  if (verifyArg !== undefined) {
    if (verifyArg === 'none' || verifyArg === 'required') verify = verifyArg;
    else errors.push(`'verify' : unknown verify method '${verifyArg}', only 'none' and 'required' are supported.`);
  }
  const caFile = arg('ca-file');
  const crt = arg('crt');
  for (const [kw, file] of [['ca-file', caFile], ['crt', crt]] as const) {
    if (file !== undefined && !readable(file)) errors.push(`'${kw}' : unable to load '${file}'.`);
  }
  const sniExpr = arg('sni');
  const sni = sniExpr === undefined ? undefined : parseSni(sniExpr, errors);
  const alpn = arg('alpn')?.split(',').filter((p) => p !== '');
  const traffic = 'ssl' in params && !('no-ssl' in params);
  // cfgparse.c: the context is prepared for `ssl`, `check-ssl`, or a tcp-check connect with `ssl`.
  const checks = ('check-ssl' in params && !('no-check-ssl' in params)) || tcpCheckSsl;
  if (!traffic && !checks) return { traffic, errors, warnings };
  if (verify === 'required' && caFile === undefined) {
    // HAProxy 2.6 refuses this ("verify is enabled by default but no CA file specified");
    // hapair verifies against Node's default trust store instead, still failing closed at connect.
    const what = globalVerify === 'required' ? 'verify is enabled by default' : 'verify is enabled';
    warnings.push(`${what} but no CA file specified: hapair verifies the server's certificate against the system's trusted CAs (HAProxy refuses this; set 'verify none' or 'ca-file').`);
  }
  return {
    traffic,
    settings: {
      verify,
      ...(caFile !== undefined ? { caFile } : {}),
      ...(crt !== undefined ? { crt } : {}),
      ...(sni !== undefined ? { sni } : {}),
      ...(alpn !== undefined && alpn.length > 0 ? { alpn } : {}),
    },
    errors,
    warnings,
  };
}
