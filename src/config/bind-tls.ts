// TLS keywords of `bind` lines (configuration.txt 5.1; cfgparse-ssl.c bind_parse_*), the global
// `ssl-default-bind-*` defaults and `crt-base`/`ca-base` (3.1), and the version range HAProxy 2.6
// derives from them (ssl_sock.c ssl_sock_prepare_ctx).
import type { BindTls, CrtSource, TlsVersion } from './model.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type BindTlsDraft = Mutable<Omit<BindTls, 'crts' | 'noVersions'>> & { crts: CrtSource[]; noVersions: TlsVersion[] };

/** In HAProxy's order (methodVersions[]): the index orders them. */
export const TLS_VERSIONS: readonly TlsVersion[] = ['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const SUFFIX_VERSION: Readonly<Record<string, TlsVersion>> = { sslv3: 'SSLv3', tlsv10: 'TLSv1.0', tlsv11: 'TLSv1.1', tlsv12: 'TLSv1.2', tlsv13: 'TLSv1.3' };
/** HAProxy 2.6's default minimum (ssl_sock.c default_min_ver). */
const DEFAULT_MIN: TlsVersion = 'TLSv1.2';

export function newBindTlsDraft(): BindTlsDraft {
  return { enabled: false, crts: [], noVersions: [], strictSni: false, noTlsTickets: false, preferClientCiphers: false };
}

/** `no-tlsv12`, `force-tlsv13` ...: parse_tls_method_options. */
function applyMethodOption(d: BindTlsDraft, kw: string): string | undefined {
  const dash = kw.indexOf('-');
  const v = SUFFIX_VERSION[kw.slice(dash + 1)];
  if (v === undefined) return `'${kw}' : option not implemented`;
  if (kw.startsWith('no-')) {
    if (!d.noVersions.includes(v)) d.noVersions.push(v);
  } else if (kw.startsWith('force-')) d.minVer = d.maxVer = v;
  else return `'${kw}' : option not implemented`;
  return undefined;
}

/** `alpn h2,http/1.1`: ssl_sock_parse_alpn. */
function parseAlpn(v: string): readonly string[] | string {
  const names = v.split(',');
  for (const n of names) {
    if (n.length === 0) return `'alpn' : empty protocol name`;
    if (n.length > 255) return `'alpn' : protocol name too long`;
  }
  return names;
}

/** Applies one TLS keyword of a bind line (or of `ssl-default-bind-options`); an error message or undefined. */
export function applyBindTlsKeyword(d: BindTlsDraft, kw: string, v: string | undefined): string | undefined {
  switch (kw) {
    case 'ssl': d.enabled = true; return;
    case 'crt':
      if (!v) return `'crt' : missing certificate location`;
      d.crts.push({ path: v, list: false });
      return;
    case 'crt-list':
      if (!v) return `'crt-list' : missing certificate location`;
      d.crts.push({ path: v, list: true });
      return;
    case 'ca-file':
      if (!v) return `'ca-file' : missing CAfile path`;
      d.caFile = v;
      return;
    case 'crl-file':
      if (!v) return `'crl-file' : missing CRLfile path`;
      d.crlFile = v;
      return;
    case 'verify':
      if (v !== 'none' && v !== 'optional' && v !== 'required') return `'verify' : unknown verify method '${v ?? ''}', only 'none', 'optional', and 'required' are supported`;
      d.verify = v;
      return;
    case 'alpn': {
      const a = parseAlpn(v ?? '');
      if (typeof a === 'string') return a;
      d.alpn = a;
      return;
    }
    case 'ssl-min-ver':
    case 'ssl-max-ver': {
      if (!v) return `'${kw}' : missing the ssl/tls version`;
      if (!(TLS_VERSIONS as readonly string[]).includes(v)) return `'${v}' : unknown ssl/tls version`;
      if (kw === 'ssl-min-ver') d.minVer = v as TlsVersion;
      else d.maxVer = v as TlsVersion;
      return;
    }
    case 'ciphers': d.ciphers = v; return;
    case 'ciphersuites': d.ciphersuites = v; return;
    case 'curves': d.curves = v; return;
    case 'ecdhe': d.ecdhe = v; return;
    case 'strict-sni': d.strictSni = true; return;
    case 'no-tls-tickets': d.noTlsTickets = true; return;
    case 'prefer-client-ciphers': d.preferClientCiphers = true; return;
  }
  if (kw.startsWith('no-') || kw.startsWith('force-')) return applyMethodOption(d, kw);
  return `'${kw}' : option not implemented`;
}

/** `ssl-default-bind-options` words (cfgparse-ssl.c ssl_parse_default_bind_options). */
export function parseDefaultBindOptions(words: readonly string[], d: BindTlsDraft, keyword: string): string | undefined {
  if (words.length === 0) return `global statement '${keyword}' expects an option as an argument.`;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === 'no-tls-tickets' || w === 'prefer-client-ciphers') applyBindTlsKeyword(d, w, undefined);
    else if (w === 'ssl-min-ver' || w === 'ssl-max-ver') {
      const problem = applyBindTlsKeyword(d, w, words[++i]);
      if (problem) return `${problem} on global statement '${keyword}'.`;
    } else if ((w.startsWith('no-') || w.startsWith('force-')) && applyMethodOption(d, w) === undefined) continue;
    else return `unknown option '${w}' on global statement '${keyword}'.`;
  }
  return undefined;
}

/** Global settings that feed every `bind ... ssl` line. */
export interface GlobalBindTls {
  readonly crtBase?: string;
  readonly caBase?: string;
  readonly ciphers?: string;
  readonly ciphersuites?: string;
  readonly curves?: string;
  /** `ssl-default-bind-options`. */
  readonly options?: BindTls;
}

/**
 * The settings a TLS listener runs with: the global defaults merged as bind_parse_ssl does (the
 * line's own value wins, versions disabled add up) and relative paths under crt-base/ca-base.
 */
export function resolveBindTls(b: BindTls, g: GlobalBindTls): BindTls {
  const o = g.options;
  const base = (dir: string | undefined, p: string): string => (dir !== undefined && !p.startsWith('/') ? `${dir}/${p}` : p);
  return {
    ...b,
    crts: b.crts.map((c) => ({ ...c, path: base(g.crtBase, c.path) })),
    ...pick('crtBase', g.crtBase),
    ...(b.caFile !== undefined ? { caFile: base(g.caBase, b.caFile) } : {}),
    ...(b.crlFile !== undefined ? { crlFile: base(g.caBase, b.crlFile) } : {}),
    ...pick('ciphers', b.ciphers ?? g.ciphers),
    ...pick('ciphersuites', b.ciphersuites ?? g.ciphersuites),
    ...pick('curves', b.curves ?? g.curves),
    ...pick('minVer', b.minVer ?? o?.minVer),
    ...pick('maxVer', b.maxVer ?? o?.maxVer),
    noVersions: [...new Set([...b.noVersions, ...(o?.noVersions ?? [])])],
    noTlsTickets: b.noTlsTickets || (o?.noTlsTickets ?? false),
    preferClientCiphers: b.preferClientCiphers || (o?.preferClientCiphers ?? false),
  };
}

function pick<K extends string, V>(k: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [k]: v }) as { [P in K]?: V };
}

export interface VersionRange {
  readonly min: TlsVersion;
  readonly max: TlsVersion;
  readonly warnings: readonly string[];
}

/**
 * The contiguous range of versions a listener accepts (ssl_sock_prepare_ctx): `no-*` flags are
 * ignored when a min or max is set; no min means TLSv1.2 (or the max when lower); a hole keeps
 * the versions above it. Undefined when every version is disabled. `where` ends the warnings.
 */
export function versionRange(b: BindTls, where: string): VersionRange | undefined {
  const warnings: string[] = [];
  let disabled = new Set<TlsVersion>();
  if (b.noVersions.length > 0 && (b.minVer !== undefined || b.maxVer !== undefined)) {
    warnings.push(`no-sslv3/no-tlsv1x are ignored for ${where}. Use only 'ssl-min-ver' and 'ssl-max-ver' to fix.`);
  } else disabled = new Set(b.noVersions);
  const idx = (v: TlsVersion): number => TLS_VERSIONS.indexOf(v);
  let min = b.minVer;
  const max = b.maxVer;
  if (min === undefined) {
    if (max === undefined || idx(max) >= idx(DEFAULT_MIN)) min = DEFAULT_MIN;
    else {
      warnings.push(`Ambiguous configuration for ${where}: the ssl-min-ver value is not configured and the ssl-max-ver value is lower than the default ssl-min-ver value (${DEFAULT_MIN}). Setting the ssl-min-ver to ${max}. Use 'ssl-min-ver' to fix this.`);
      min = max;
    }
  }
  let lo: number | undefined;
  let hi = -1;
  let hole = -1;
  for (let i = 0; i < TLS_VERSIONS.length; i++) {
    // SSLv3 is not in OpenSSL 3 (HAProxy's methodVersions[].option is 0 for it there).
    const on = i > 0 && i >= idx(min) && (max === undefined || i <= idx(max)) && !disabled.has(TLS_VERSIONS[i]);
    if (!on) {
      if (lo !== undefined) hole = i;
      continue;
    }
    if (lo === undefined) lo = hi = i;
    else {
      if (hole >= 0) {
        warnings.push(`SSL/TLS versions range not contiguous for ${where}. Hole find for ${TLS_VERSIONS[hole]}. Use only 'ssl-min-ver' and 'ssl-max-ver' to fix.`);
        hole = -1;
      }
      hi = i;
    }
  }
  if (lo === undefined) return undefined;
  return { min: TLS_VERSIONS[lo], max: TLS_VERSIONS[hi], warnings };
}
