// Which check option and which tcp-check / http-check rules a backend ends up with, when some come
// from its `defaults` section: HAProxy 2.6 keeps one ruleset per section and kind, and a proxy
// starts with the defaults' active ruleset (proxy.c proxy_defproxy_cpy copies the list pointer)
// and switches to its own as soon as it adds a rule of the active kind or says `option httpchk`
// itself (tcpcheck.c proxy_parse_tcpcheck, proxy_parse_httpcheck, proxy_parse_httpchk_opt,
// proxy_parse_tcp_check_opt). A `defaults B from A` section is built the same way from A, so the
// rules of B replace A's as a proxy's replace its defaults'. Consequences users meet:
//  - a backend's own `tcp-check` rules replace the defaults' ones; it inherits them only with none;
//  - `option httpchk` in the backend starts an empty ruleset: the defaults' http-check rules go;
//  - `http-check` rules in a backend under a defaults' `option httpchk` replace the defaults'
//    ruleset, option request included (nothing is sent unless the backend has a `send`);
//  - rules written before any check option stay unused (HAProxy warns) unless that section then
//    says `option tcp-check` / `option httpchk`. Pure.
import type { ConfigLine } from '../config/model.ts';

/** A check option line (`option httpchk GET /`): its name and arguments. */
export interface CheckOption {
  readonly name: string;
  readonly args: readonly string[];
  readonly line: ConfigLine;
}

/** One element of a ruleset, in the order it was added: a rule line, or an `option httpchk` request. */
export type RuleEntry = { readonly line: ConfigLine } | { readonly option: CheckOption };

export interface CheckSelection {
  /** The check option in force (undefined: plain connect check). */
  readonly option?: CheckOption;
  /** The active ruleset's entries (tcp-check or http-check, following `option`). */
  readonly entries: readonly RuleEntry[];
  /** The proxy wrote tcp-check / http-check rules that no option uses (cfgparse.c warnings). */
  readonly unusedTcp: readonly ConfigLine[];
  readonly unusedHttp: readonly ConfigLine[];
}

type Proto = 'none' | 'tcp' | 'http' | 'other';

interface Rulesets {
  tcp?: RuleEntry[];
  http?: RuleEntry[];
}

interface State {
  option?: CheckOption;
  proto: Proto;
  list: RuleEntry[] | null;
  unusedTcp: ConfigLine[];
  unusedHttp: ConfigLine[];
}

/** Every check option HAProxy 2.6 implements on tcp-check rulesets, plus those hapair refuses. */
export const CHECK_OPTIONS: ReadonlySet<string> = new Set([
  'httpchk',
  'ssl-hello-chk',
  'smtpchk',
  'ldap-check',
  'mysql-check',
  'pgsql-check',
  'redis-check',
  'tcp-check',
  'external-check',
  'spop-check',
]);

/** `http-check` words that set proxy flags instead of adding a rule. */
const HTTP_FLAGS: ReadonlySet<string> = new Set(['disable-on-404', 'send-state']);

function onOption(st: State, opt: CheckOption, own: Rulesets, defaults: Rulesets): void {
  if (opt.name === 'tcp-check') {
    // proxy_parse_tcp_check_opt: keep an active tcp ruleset, else take the one waiting here, else the defaults'.
    if (!(st.proto === 'tcp' && st.list)) {
      if (st.proto === 'tcp' && st.unusedTcp.length === 0 && defaults.tcp) st.list = defaults.tcp;
      else st.list = own.tcp ??= [];
    }
    st.proto = 'tcp';
  } else if (opt.name === 'httpchk') {
    st.list = own.http ??= [];
    st.list.push({ option: opt });
    st.proto = 'http';
  } else {
    st.proto = 'other';
    st.list = null;
  }
  st.option = opt;
  // Every check option clears the "unused ruleset" marks (flags &= ~(PROTO|UNUSED_RS)).
  st.unusedTcp = [];
  st.unusedHttp = [];
}

function onRule(st: State, kind: 'tcp' | 'http', line: ConfigLine, own: Rulesets): void {
  const rs = (own[kind] ??= []);
  rs.push({ line });
  if (st.option !== undefined && st.proto === kind) st.list = rs;
  else if (kind === 'tcp') st.unusedTcp.push(line);
  else st.unusedHttp.push(line);
}

function walk(lines: readonly ConfigLine[], st: State, own: Rulesets, defaults: Rulesets): void {
  for (const line of lines) {
    const [k0, k1] = line.args;
    // `no option httpchk` & co. are refused by the parser, as HAProxy refuses them.
    if (k0 === 'option' && k1 !== undefined && CHECK_OPTIONS.has(k1)) onOption(st, { name: k1, args: line.args.slice(2), line }, own, defaults);
    else if (k0 === 'tcp-check') onRule(st, 'tcp', line, own);
    else if (k0 === 'http-check' && !HTTP_FLAGS.has(k1 ?? '')) onRule(st, 'http', line, own);
  }
}

/** The lines of each defaults section a proxy derives from, root first (`defaults B from A` → [A, B]). */
export type DefaultsChain = readonly (readonly ConfigLine[])[];

/**
 * Replay each defaults section of the chain, then the proxy's lines, as HAProxy's parser builds its
 * rulesets: every section starts from its parent's option and active ruleset (proxy_defproxy_cpy)
 * and owns its rulesets. `option tcp-check` without an active list falls back to the ruleset named
 * `*tcp-check-defaults_FILE-LINE` of the section's defpx: the proxy's direct defaults, but while a
 * defaults section is parsed its defpx is that section itself (cfgparse-listen.c curr_defproxy).
 */
export function selectCheckRules(lines: readonly ConfigLine[], chain: DefaultsChain = []): CheckSelection {
  const st: State = { proto: 'none', list: null, unusedTcp: [], unusedHttp: [] };
  let parent: Rulesets = {};
  const sections = [...chain, lines];
  sections.forEach((section, i) => {
    // A section inherits the option and the active ruleset, not the unused marks.
    st.unusedTcp = [];
    st.unusedHttp = [];
    const own: Rulesets = {};
    walk(section, st, own, i === sections.length - 1 ? parent : own);
    parent = own;
  });
  const active = st.option && (st.option.name === 'tcp-check' || st.option.name === 'httpchk') ? (st.list ?? []) : [];
  return {
    ...(st.option ? { option: st.option } : {}),
    entries: active,
    unusedTcp: st.unusedTcp,
    unusedHttp: st.unusedHttp,
  };
}
