// Proxy-level check settings: which check type a backend runs (`option httpchk`, `ssl-hello-chk`,
// `smtpchk`, `ldap-check`, `mysql-check`, `pgsql-check`, `redis-check`, `tcp-check`, or a plain
// TCP connect), its tcp-check/http-check rules, `option log-health-checks` and `timeout check`.
// Raw config lines in, one ruleset and diagnostics out (HAProxy configuration.txt 4.2). Pure.
import type { ConfigDiagnostic, ConfigLine } from '../config/model.ts';
import { parseDuration } from '../config/units.ts';
import { agentCheckRuleset } from './agent-check.ts';
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
}

export interface ProxyChecksResult {
  readonly config: ProxyCheckConfig;
  readonly diagnostics: readonly ConfigDiagnostic[];
}

const CHECK_OPTIONS = new Set([
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

interface Chosen {
  readonly name: string;
  readonly args: readonly string[];
  readonly line: ConfigLine;
}

/**
 * Read the check settings of a backend from its lines. `defaults` are the lines of the defaults
 * section it inherits from: the last check option wins, and tcp-check / http-check rules come
 * from the proxy when it declares some, from the defaults otherwise.
 */
export function parseProxyChecks(lines: readonly ConfigLine[], defaults: readonly ConfigLine[] = []): ProxyChecksResult {
  const diags: ConfigDiagnostic[] = [];
  const err = (line: ConfigLine, message: string, severity: 'error' | 'warning' = 'error'): void => {
    diags.push({ severity, loc: line.loc, message });
  };
  let chosen: Chosen | undefined;
  let logHealthChecks = false;
  let timeoutCheck: number | undefined;
  for (const line of [...defaults, ...lines]) {
    const [k0, k1, k2, ...rest] = line.args;
    if (k0 === 'option' && k1 === 'log-health-checks') logHealthChecks = true;
    else if (k0 === 'no' && k1 === 'option' && k2 === 'log-health-checks') logHealthChecks = false;
    else if (k0 === 'option' && k1 && CHECK_OPTIONS.has(k1)) chosen = { name: k1, args: line.args.slice(2), line };
    else if (k0 === 'no' && k1 === 'option' && k2 && CHECK_OPTIONS.has(k2) && chosen?.name === k2) chosen = undefined;
    else if (k0 === 'timeout' && k1 === 'check') {
      const p = parseDuration(k2 ?? '');
      if (p.ok && rest.length === 0) timeoutCheck = p.value;
      else err(line, `'timeout check' : ${p.ok ? `unexpected argument '${rest[0]}'` : p.error}.`);
    }
  }
  const own = (kw: string): ConfigLine[] => lines.filter((l) => l.args[0] === kw);
  const inherited = (kw: string): ConfigLine[] => defaults.filter((l) => l.args[0] === kw);
  const ruleLines = (kw: string): ConfigLine[] => (own(kw).length > 0 ? own(kw) : inherited(kw));
  const ruleset = chooseRuleset(chosen, ruleLines, err);
  if (chosen?.name !== 'httpchk' && ruleLines('http-check').some((l) => !['disable-on-404', 'send-state'].includes(l.args[1] ?? ''))) {
    err(ruleLines('http-check')[0]!, "'http-check' rules are ignored because 'option httpchk' is not set.", 'warning');
  }
  if (chosen?.name !== 'tcp-check' && ruleLines('tcp-check').length > 0) {
    err(ruleLines('tcp-check')[0]!, "'tcp-check' rules are ignored because 'option tcp-check' is not set.", 'warning');
  }
  const first = ruleset.rules[0];
  const connectHasPort = first?.action === 'connect' && !first.implicit && first.port !== undefined;
  return {
    config: { ruleset, logHealthChecks, ...(timeoutCheck !== undefined ? { timeoutCheck } : {}), connectHasPort },
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

function chooseRuleset(chosen: Chosen | undefined, ruleLines: (kw: string) => ConfigLine[], err: Err): TcpCheckRuleset {
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
      const { rules } = parseRules(ruleLines('tcp-check'), err);
      const built = buildTcpRuleset(rules);
      for (const e of built.errors) err(ruleLines('tcp-check')[e.line] ?? line, e.message);
      return built.ruleset;
    }
    case 'httpchk':
      return httpRuleset(args, line, ruleLines('http-check'), err);
    default:
      err(line, `'option ${name}' is not supported by hapair.`);
      return PLAIN_CONNECT;
  }
}

function httpRuleset(args: readonly string[], line: ConfigLine, lines: readonly ConfigLine[], err: Err): TcpCheckRuleset {
  if (args.length > 3) err(line, `'option httpchk' cannot handle unexpected argument '${args[3]}'.`);
  const opt = httpchkOptionRule(args);
  if (opt.warning) err(line, `'option httpchk' : ${opt.warning}`, 'warning');
  const { rules, flags } = parseRules(lines, err);
  // The option line's place among the http-check lines decides how its request merges.
  const optAt = lines.filter((l) => l.loc.file === line.loc.file && l.loc.line < line.loc.line).length;
  const entries = [...rules];
  entries.splice(Math.min(optAt, entries.length), 0, opt.rule);
  // Rule indexes count the http-check lines only (the option's request is index 0).
  const built = buildHttpRuleset(entries, { disableOn404: flags.has('disable-on-404'), sendState: flags.has('send-state') });
  for (const e of built.errors) err(line, e.message);
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
