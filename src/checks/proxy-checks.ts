// Proxy-level check settings: which check type a backend runs (`option httpchk`, `ssl-hello-chk`,
// `smtpchk`, `ldap-check`, `mysql-check`, `pgsql-check`, `redis-check`, `tcp-check`, or a plain
// TCP connect), its tcp-check/http-check rules, `option log-health-checks` and `timeout check`.
// Raw config lines in, one ruleset and diagnostics out (HAProxy configuration.txt 4.2). Pure.
import type { ConfigDiagnostic, ConfigLine } from '../config/model.ts';
import { parseDuration } from '../config/units.ts';
import { agentCheckRuleset } from './agent-check.ts';
import { selectCheckRules, type CheckOption, type DefaultsChain, type RuleEntry } from './check-rules-inherit.ts';
import { ldapCheckRuleset } from './ldap-check.ts';
import { mysqlCheckRuleset, type MysqlAuth } from './mysql-check.ts';
import { pgsqlCheckRuleset } from './pgsql-check.ts';
import { redisCheckRuleset } from './redis-check.ts';
import { smtpCheckRuleset, smtpCommand } from './smtp-check.ts';
import { sslHelloCheckRuleset } from './ssl-hello-check.ts';
import { parseCheckLine, type ParsedRule } from './tcpcheck-parse.ts';
import { IMPLICIT_CONNECT, type TcpCheckRuleset } from './tcpcheck-rules.ts';
import { buildHttpRuleset, buildTcpRuleset, httpchkOptionRule } from './tcpcheck-ruleset.ts';

export interface ProxyCheckConfig {
  /** The health-check ruleset every server of the proxy runs. */
  readonly ruleset: TcpCheckRuleset;
  readonly logHealthChecks: boolean;
  /** `timeout check` when set on these lines (ProxySpec.timeouts.check carries it too). */
  readonly timeoutCheck?: number;
  /** The ruleset's first connect names a port: servers without a port remain checkable. */
  readonly connectHasPort: boolean;
  /** A `tcp-check connect ... ssl` / `http-check connect ... ssl` rule: servers need a TLS context (PR_O_TCPCHK_SSL). */
  readonly connectSsl: boolean;
}

export interface ProxyChecksResult {
  readonly config: ProxyCheckConfig;
  readonly diagnostics: readonly ConfigDiagnostic[];
}

type Chosen = CheckOption;

/**
 * Read the check settings of a backend from its lines. `defaults` are the lines of the defaults
 * section it inherits from; which option and rules apply follows HAProxy's rulesets
 * (check-rules-inherit.ts). `chain` splits `defaults` per section (`defaults B from A`: [A, B]).
 */
export function parseProxyChecks(lines: readonly ConfigLine[], defaults: readonly ConfigLine[] = [], chain?: DefaultsChain): ProxyChecksResult {
  const diags: ConfigDiagnostic[] = [];
  const err = (line: ConfigLine, message: string, severity: 'error' | 'warning' = 'error'): void => {
    diags.push({ severity, loc: line.loc, message });
  };
  const selection = selectCheckRules(lines, chain ?? (defaults.length > 0 ? [defaults] : []));
  const chosen = selection.option;
  let logHealthChecks = false;
  let timeoutCheck: number | undefined;
  for (const line of [...defaults, ...lines]) {
    const [k0, k1, k2, ...rest] = line.args;
    if (k0 === 'option' && k1 === 'log-health-checks') logHealthChecks = true;
    else if (k0 === 'no' && k1 === 'option' && k2 === 'log-health-checks') logHealthChecks = false;
    else if (k0 === 'timeout' && k1 === 'check') {
      const p = parseDuration(k2 ?? '');
      if (p.ok && rest.length === 0) timeoutCheck = p.value;
      else err(line, `'timeout check' : ${p.ok ? `unexpected argument '${rest[0]}'` : p.error}.`);
    }
  }
  // `http-check disable-on-404` / `send-state` are proxy options, inherited from defaults.
  const flags = new Set([...defaults, ...lines].filter((l) => l.args[0] === 'http-check').map((l) => l.args[1] ?? ''));
  const ruleset = chooseRuleset(chosen, selection.entries, flags, err);
  // cfgparse.c check_config_validity: rules written where no option uses them.
  if (selection.unusedHttp.length > 0) {
    err(selection.unusedHttp[0]!, "uses http-check rules without 'option httpchk', so the rules are ignored.", 'warning');
  }
  if (selection.unusedTcp.length > 0) {
    err(selection.unusedTcp[0]!, "uses tcp-check rules without 'option tcp-check', so the rules are ignored.", 'warning');
  }
  const first = ruleset.rules[0];
  const connectHasPort = first?.action === 'connect' && !first.implicit && first.port !== undefined;
  const connectSsl = ruleset.rules.some((r) => r.action === 'connect' && r.ssl);
  return {
    config: { ruleset, logHealthChecks, ...(timeoutCheck !== undefined ? { timeoutCheck } : {}), connectHasPort, connectSsl },
    diagnostics: diags,
  };
}

/** The check of a server with `check` and no check option: connect, and TLS when configured. */
export const PLAIN_CONNECT: TcpCheckRuleset = { kind: 'connect', rules: [IMPLICIT_CONNECT] };

type Err = (line: ConfigLine, message: string, severity?: 'error' | 'warning') => void;

function parseRules(lines: readonly ConfigLine[], err: Err): { rules: ParsedRule[]; flags: Set<string>; bad: ConfigLine[] } {
  const rules: ParsedRule[] = [];
  const flags = new Set<string>();
  const bad: ConfigLine[] = [];
  for (const line of lines) {
    const r = parseCheckLine(line.args, rules.length);
    if ('error' in r) {
      err(line, r.error);
      bad.push(line);
    } else if ('flag' in r) flags.add(r.flag);
    else rules.push(r.rule);
  }
  return { rules, flags, bad };
}

function chooseRuleset(chosen: Chosen | undefined, entries: readonly RuleEntry[], flags: ReadonlySet<string>, err: Err): TcpCheckRuleset {
  if (!chosen) return PLAIN_CONNECT;
  const { name, args, line } = chosen;
  const tooMany = (max: number): boolean => {
    if (args.length <= max) return false;
    err(line, `'option ${name}' cannot handle unexpected argument '${args[max]}'.`);
    return true;
  };
  switch (name) {
    case 'redis-check':
      tooMany(0);
      return redisCheckRuleset();
    case 'ldap-check':
      tooMany(0);
      return ldapCheckRuleset();
    case 'ssl-hello-chk':
      tooMany(0);
      return sslHelloCheckRuleset();
    case 'smtpchk':
      tooMany(2);
      return smtpCheckRuleset(smtpCommand(args));
    case 'pgsql-check':
      return pgsqlRuleset(args, line, err);
    case 'mysql-check':
      return mysqlRuleset(args, line, err);
    case 'tcp-check': {
      tooMany(0);
      const ruleLines = entries.flatMap((e) => ('line' in e ? [e.line] : []));
      const { rules } = parseRules(ruleLines, err);
      const built = buildTcpRuleset(rules);
      for (const e of built.errors) err(ruleLines[e.line] ?? line, e.message);
      return built.ruleset;
    }
    case 'httpchk':
      return httpRuleset(entries, flags, err);
    default:
      err(line, `'option ${name}' is not supported by hapair.`);
      return PLAIN_CONNECT;
  }
}

/** `option httpchk` requests and `http-check` rules in the order the ruleset received them. */
function httpRuleset(entries: readonly RuleEntry[], flags: ReadonlySet<string>, err: Err): TcpCheckRuleset {
  const rules: ParsedRule[] = [];
  const lineOf: ConfigLine[] = [];
  // Rule indexes count the http-check lines only (an option's request is index 0).
  let index = 0;
  for (const e of entries) {
    if ('option' in e) {
      const { args, line } = e.option;
      if (args.length > 3) err(line, `'option httpchk' cannot handle unexpected argument '${args[3]}'.`);
      const opt = httpchkOptionRule(args);
      if (opt.warning) err(line, `'option httpchk' : ${opt.warning}`, 'warning');
      rules.push(opt.rule);
      lineOf.push(line);
      continue;
    }
    const r = parseCheckLine(e.line.args, index);
    if ('error' in r) err(e.line, r.error);
    else if ('rule' in r) {
      rules.push(r.rule);
      lineOf.push(e.line);
      index++;
    }
  }
  const built = buildHttpRuleset(rules, { disableOn404: flags.has('disable-on-404'), sendState: flags.has('send-state') });
  for (const e of built.errors) err(lineOf[e.line]!, e.message);
  return built.ruleset;
}

function pgsqlRuleset(args: readonly string[], line: ConfigLine, err: Err): TcpCheckRuleset {
  if (args[0] !== 'user' || !args[1]) {
    err(line, args[0] && args[0] !== 'user'
      ? "'option pgsql-check' only supports optional values: 'user'."
      : "'option pgsql-check' expects 'user <username>' as argument.");
    return pgsqlCheckRuleset('');
  }
  if (args.length > 2) err(line, `'option pgsql-check' cannot handle unexpected argument '${args[2]}'.`);
  return pgsqlCheckRuleset(args[1]);
}

function mysqlRuleset(args: readonly string[], line: ConfigLine, err: Err): TcpCheckRuleset {
  if (args.length === 0) return mysqlCheckRuleset();
  if (args[0] !== 'user') {
    err(line, `'option mysql-check' only supports optional values: 'user' (got '${args[0]}').`);
    return mysqlCheckRuleset();
  }
  if (!args[1]) {
    err(line, "'option mysql-check user' expects <username> as argument.");
    return mysqlCheckRuleset();
  }
  const auth = args[2] ?? 'post-41';
  if (auth !== 'post-41' && auth !== 'pre-41') {
    err(line, `keyword 'user' only supports 'post-41' and 'pre-41' (got '${auth}').`);
    return mysqlCheckRuleset(args[1]);
  }
  if (args.length > 3) err(line, `'option mysql-check' cannot handle unexpected argument '${args[3]}'.`);
  return mysqlCheckRuleset(args[1], auth as MysqlAuth);
}

/** The agent ruleset (per server, not per proxy): exported here for one import point. */
export { agentCheckRuleset };
