// Server-side TLS for traffic (`server ... ssl verify ca-file crt sni alpn`, configuration.txt
// 5.2): the keywords read from ServerSpec.params into settings the session's tls.connect uses.
// HAProxy verifies servers by default (`verify required`, 5.2 "verify"; global
// `ssl-server-verify` is not supported yet, so the default stays `required`).
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

export interface ParsedServerTls {
  /** Undefined when the server does not use TLS for traffic (`ssl` unset or `no-ssl`). */
  readonly settings?: ServerTlsSettings;
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

/** Read the TLS keywords of one server; file arguments are checked for readability, as HAProxy loads them at parse time. */
export function parseServerTls(params: Params): ParsedServerTls {
  const errors: string[] = [];
  const warnings: string[] = [];
  const arg = (kw: string): string | undefined => params[kw]?.[0];
  const verifyArg = arg('verify');
  let verify: 'none' | 'required' = 'required';
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
  const ssl = 'ssl' in params && !('no-ssl' in params);
  if (!ssl) return { errors, warnings };
  if (verify === 'required' && caFile === undefined) {
    // HAProxy 2.6 refuses this ("verify is enabled by default but no CA file specified");
    // hapair verifies against Node's default trust store instead, still failing closed at connect.
    warnings.push("verify is enabled by default but no CA file specified: hapair verifies the server's certificate against the system's trusted CAs (HAProxy refuses this; set 'verify none' or 'ca-file').");
  }
  return {
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
