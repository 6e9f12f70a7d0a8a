// `bind <addresses> [param*]` and the listener part of `stats socket` (configuration.txt 4.2 "bind",
// 5.1 "Bind options"; listener.c bind_parse_args_list).
import { parseListenAddresses } from './address.ts';
import { applyBindTlsKeyword, newBindTlsDraft } from './bind-tls.ts';
import { didYouMean } from './did-you-mean.ts';
import type { SectionReporter } from './diagnostics.ts';
import { BIND_KEYWORD_INDEX } from './keywords/bind.ts';
import { notSupportedYet } from './keywords/keywords.ts';
import type { Env } from './lexer.ts';
import type { BindSpec, ConfigLine } from './model.ts';
import { parseInteger } from './units.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface ListenerLine {
  readonly spec: BindSpec;
  /** `stats socket` only: CLI access level (default operator). */
  readonly level: 'user' | 'operator' | 'admin';
}

const LEVELS = ['user', 'operator', 'admin'] as const;

/** Applies one supported keyword; returns an error message or undefined. */
function apply(spec: Mutable<BindSpec>, out: { level: ListenerLine['level'] }, kw: string, args: readonly string[]): string | undefined {
  const v = args[0] ?? '';
  const int = (min: number): number | string => {
    const n = parseInteger(v, { min });
    return n.ok ? n.value : `'${kw}' : invalid value '${v}', must be an integer >= ${min}`;
  };
  switch (kw) {
    case 'name': spec.name = v; return;
    case 'interface': spec.interface = v; return;
    case 'accept-proxy': spec.accept_proxy = true; return;
    case 'v4v6': spec.v4v6 = true; return;
    case 'v6only': spec.v6only = true; return;
    case 'transparent': spec.transparent = true; return;
    case 'user': spec.user = v; return;
    case 'group': spec.group = v; return;
    case 'uid':
    case 'gid': {
      const n = int(0);
      if (typeof n === 'string') return n;
      if (kw === 'uid') spec.user = String(n);
      else spec.group = String(n);
      return;
    }
    case 'maxconn':
    case 'backlog': {
      const n = int(0);
      if (typeof n === 'string') return n;
      spec[kw] = n;
      return;
    }
    case 'mode':
      if (!/^[0-7]+$/.test(v)) return `'mode' : missing or invalid mode '${v}' (octal integer expected)`;
      spec.mode = parseInt(v, 8);
      return;
    case 'level':
      if (!(LEVELS as readonly string[]).includes(v)) return `'level' only supports 'user', 'operator', and 'admin' (got '${v}')`;
      out.level = v as ListenerLine['level'];
      return;
    case 'expose-fd':
      return v === 'listeners' ? undefined : `'expose-fd' only supports 'listeners' (got '${v}')`;
    case 'severity-output':
      return ['none', 'number', 'string'].includes(v) ? undefined : `'severity-output' only supports 'none', 'number', and 'string' (got '${v}')`;
  }
  // A keyword flipped to supported without a BindSpec field: its module reads it from BindSpec.raw.
  return undefined;
}

/**
 * Parse a listener line whose address is `line.args[addrIndex]` (1 for `bind`, 2 for `stats socket`).
 * Every problem is reported; the spec is returned even then (with what could be parsed) so that
 * later checks do not pile up follow-up errors. Undefined only when the address is missing.
 */
export function parseListenerLine(line: ConfigLine, addrIndex: number, env: Env, report: SectionReporter, statsSocket: boolean): ListenerLine | undefined {
  const a = line.args;
  const head = a.slice(0, addrIndex).join(' ');
  if (a[addrIndex] === undefined) {
    report.error(line.loc, statsSocket
      ? `'${head}' in global section expects an address or a path to a UNIX socket`
      : `'${head}' expects {<path>|[addr1]:port1[-end1]}{,[addr]:port[-end]}... as arguments`);
    return undefined;
  }
  const label = `'${head} ${a[addrIndex]}'`;
  const addresses = parseListenAddresses(a[addrIndex], env);
  if (!addresses.ok) report.error(line.loc, `${label} : ${addresses.error}`);
  const spec: Mutable<BindSpec> = { addresses: addresses.ok ? addresses.value : [], arg: a[addrIndex], accept_proxy: false, v4v6: false, v6only: false, transparent: false, raw: {}, loc: line.loc };
  const raw: Record<string, string[]> = {};
  const ssl = newBindTlsDraft();
  let sslKeywords = 0;
  const out = { level: 'operator' as ListenerLine['level'] };
  for (let i = addrIndex + 1; i < a.length;) {
    const kw = a[i];
    const entry = BIND_KEYWORD_INDEX.get(kw);
    if (!entry) {
      report.error(line.loc, `${label} : unknown keyword '${kw}'${didYouMean(kw, BIND_KEYWORD_INDEX.keys())}`);
      break; // the following words cannot be told apart from arguments
    }
    const args = a.slice(i + 1, i + 1 + entry.args);
    if (args.length < entry.args) {
      report.error(line.loc, `${label} : '${kw}' : missing value`);
      break;
    }
    i += 1 + entry.args;
    (raw[kw] ??= []).push(...args);
    let problem: string | undefined;
    if (entry.statsOnly && !statsSocket) problem = `'${kw}' is only supported on 'stats socket' lines`;
    else if (entry.status === 'planned') problem = notSupportedYet(kw);
    // The runtime API socket is served in clear only.
    else if (entry.ssl && statsSocket) problem = `'${kw}' is not supported yet on 'stats socket' lines`;
    else if (entry.ssl) {
      sslKeywords++;
      problem = applyBindTlsKeyword(ssl, kw, args[0]);
    }
    else problem = apply(spec, out, kw, args);
    if (problem) report.error(line.loc, `${label} : ${problem}`);
  }
  spec.raw = raw;
  if (sslKeywords > 0) spec.ssl = ssl;
  return { spec, level: out.level };
}
