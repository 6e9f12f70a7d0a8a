// `acl` lines and `if|unless` conditions of proxy sections, compiled at parse time against the
// ACLs declared so far (cfgparse-listen.c: a condition may only name ACLs declared above it).
// Also holds the per-draft rule lists that parse-http-rules.ts / parse-tcp-rules.ts fill.
import { ALWAYS, type Condition } from '../acl/acl.ts';
import type { AclParseContext } from '../acl/acl-expr.ts';
import { compileCondition, declareAcl, invalidAclNameChar, type AclScope } from '../acl/condition.ts';
import type { Userlist } from '../acl/userlist.ts';
import type { PersistRule } from '../http/cookie-persist.ts';
import type { HeaderCapture, HttpRule, ProxyRules, TcpRule, UseServerRule } from '../http/rules/rules.ts';
import type { ConfigLine, SourceLoc } from './model.ts';
import type { ProxyParseContext } from './parse-proxy.ts';
import { hasBackendCap, type ProxyDraft } from './proxy-draft.ts';

/** The rule lists of a proxy while it is parsed. */
export interface RulesDraft {
  httpRequest: HttpRule[];
  redirects: HttpRule[];
  httpResponse: HttpRule[];
  httpAfterResponse: HttpRule[];
  useServers: UseServerRule[];
  tcpConnection: TcpRule[];
  tcpContent: TcpRule[];
  inspectDelay: number;
  captureRequest: HeaderCapture[];
  captureResponse: HeaderCapture[];
  persistRules?: PersistRule[];
}

/** The draft's ACLs and rules, created on first use. */
export function rulesOf(d: ProxyDraft): RulesDraft {
  d.rules ??= {
    httpRequest: [], redirects: [], httpResponse: [], httpAfterResponse: [], useServers: [], tcpConnection: [], tcpContent: [],
    inspectDelay: 0, captureRequest: [], captureResponse: [],
  };
  return d.rules;
}

export function aclsOf(d: ProxyDraft): AclScope {
  d.acls ??= new Map();
  return d.acls;
}

/** The model's rules of a proxy (undefined when it has none), with its ACLs for late conditions. */
export function buildRules(d: ProxyDraft): ProxyRules | undefined {
  if (!d.rules && !d.acls) return undefined;
  const r = rulesOf(d);
  return { ...r, acls: aclsOf(d) };
}

/** The context ACL parsing needs: warnings at `loc`, userlists and backends by name. */
export function aclContext(d: ProxyDraft, ctx: ProxyParseContext, loc: SourceLoc): AclParseContext {
  return {
    warn: (message) => d.report.warning(loc, message),
    userlist: (name: string, keyword: string): Userlist | undefined =>
      ctx.userlists?.reference(name, `arg 1 of ACL keyword '${keyword}' in proxy '${d.name}'`, loc, d.report),
    backend: (name: string, keyword: string): string => {
      const where = `arg 1 of ACL keyword '${keyword}' in proxy '${d.name}'`;
      if (name !== '') {
        ctx.backendRefs?.reference(name, where, loc, d.report);
        return name;
      }
      // No name: the proxy itself (sample.c smp_resolve_args), which needs a backend side.
      if (!hasBackendCap(d.kind)) d.report.error(loc, `proxy '${d.name}', referenced in ${where}, has not backend capability.`);
      return d.name;
    },
  };
}

/** Refuse rules in `defaults`: HAProxy 2.6 only allows them in named defaults used with `from`. */
export function refuseInDefaults(d: ProxyDraft, line: ConfigLine): boolean {
  if (d.kind !== 'defaults') return false;
  d.report.error(line.loc, `'${line.args[0]}' in a 'defaults' section is not supported yet`);
  return true;
}

/** `acl NAME CRITERION [flags] [operator] VALUE...` (configuration.txt 7.1). */
export function parseAclLine(d: ProxyDraft, line: ConfigLine, ctx: ProxyParseContext): void {
  if (refuseInDefaults(d, line)) return;
  const [, name] = line.args;
  if (name === undefined || line.args[2] === undefined) {
    return d.report.error(line.loc, "'acl' expects an ACL name and a criterion");
  }
  const bad = invalidAclNameChar(name);
  if (bad !== undefined) return d.report.error(line.loc, `character '${bad}' is not permitted in acl name '${name}'`);
  const err = declareAcl(aclsOf(d), name, line.args.slice(2), aclContext(d, ctx, line.loc));
  if (err !== undefined) d.report.error(line.loc, `error detected while parsing ACL '${name}' : ${err}.`);
}

/**
 * Compile the condition in `words` (starting at `if`/`unless`; empty = always). On error reports
 * `prefix + message` (HAProxy's text differs per keyword) and returns undefined.
 */
export function parseCondition(d: ProxyDraft, words: readonly string[], ctx: ProxyParseContext, loc: SourceLoc, prefix: string, rule?: AclParseContext['rule']): Condition | undefined {
  if (words.length === 0) return ALWAYS;
  const c = compileCondition(words, aclsOf(d), { ...aclContext(d, ctx, loc), rule });
  if (typeof c === 'string') {
    d.report.error(loc, `${prefix}${c}.`);
    return undefined;
  }
  return c;
}

/** `use_backend NAME [if|unless COND]` (configuration.txt 4.2). */
export function parseUseBackend(d: ProxyDraft, line: ConfigLine, ctx: ProxyParseContext): void {
  const [, name, cond] = line.args;
  if (name === undefined) return d.report.error(line.loc, "'use_backend' expects a backend name");
  if (name.includes('%')) return d.report.error(line.loc, "dynamic 'use_backend' names (log-format expressions) are not supported yet");
  if (cond !== undefined && cond !== 'if' && cond !== 'unless') {
    return d.report.error(line.loc, `unexpected keyword '${cond}' after switching rule, only 'if' and 'unless' are allowed`);
  }
  if (cond === undefined) return void d.useBackends.push({ backend: name, loc: line.loc });
  const condition = parseCondition(d, line.args.slice(2), ctx, line.loc, 'error detected while parsing switching rule : ');
  if (condition) d.useBackends.push({ backend: name, condition, loc: line.loc });
}
