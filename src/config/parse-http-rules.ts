// `http-request`, `http-response`, `http-after-response` and `redirect` lines (configuration.txt 4.2): the action's
// words become a compiled rule (src/http/rules/http-actions.ts), the `if|unless` tail a compiled
// condition. Error texts follow HAProxy 2.6's cfgparse-listen.c and http_rules.c.
import { parsePersistLine } from './parse-persist.ts';
import { actionParser, actionsOf, type ActionContext, type RuleSet } from '../http/rules/http-actions.ts';
import { parseRedirectArgs } from '../http/rules/redirect-parse.ts';
import { redirectReply } from '../http/rules/replies.ts';
import type { HttpRule } from '../http/rules/rules.ts';
import { notSupportedYet } from './keywords/keywords.ts';
import type { ConfigLine } from './model.ts';
import { aclContext, parseAclLine, parseCondition, refuseInDefaults, rulesOf } from './parse-acl.ts';
import type { ProxyParseContext } from './parse-proxy.ts';
import { parseCaptureLine, parseTcpRequestLine, parseUseServerLine } from './parse-tcp-rules.ts';
import type { ProxyDraft } from './proxy-draft.ts';

/** HAProxy 2.6 http-request / http-response actions hapair does not serve yet. */
const KNOWN_REQUEST = ['wait-for-handshake', 'set-log-level', 'set-nice', 'sc-inc-gpc', 'sc-inc-gpc0', 'sc-inc-gpc1', 'sc-set-gpt0',
  'send-spoe-group', 'cache-use', 'capture', 'early-hint', 'normalize-uri', 'reject', 'replace-path',
  'replace-pathq', 'replace-uri', 'set-pathq', 'strict-mode', 'track-sc0', 'track-sc1', 'track-sc2', 'set-timeout',
  'wait-for-body', 'set-dst', 'set-dst-port', 'set-mark', 'set-src', 'set-src-port', 'set-tos', 'silent-drop', 'set-priority-class',
  'set-priority-offset', 'set-map', 'del-map', 'add-acl', 'del-acl', 'unset-var', 'set-var-fmt', 'do-resolve', 'set-log-level'];
const KNOWN_RESPONSE = ['cache-store', 'capture', 'set-log-level', 'set-nice', 'sc-inc-gpc0', 'sc-set-gpt0', 'send-spoe-group',
  'set-mark', 'set-tos', 'silent-drop', 'track-sc0', 'track-sc1', 'track-sc2', 'set-map', 'del-map', 'add-acl', 'del-acl',
  'unset-var', 'set-var-fmt', 'strict-mode', 'wait-for-body', 'replace-value'];
const KNOWN_AFTER_RESPONSE = ['capture', 'set-var-fmt', 'strict-mode', 'unset-var'];
const KNOWN: Readonly<Record<RuleSet, readonly string[]>> = { req: KNOWN_REQUEST, res: KNOWN_RESPONSE, after: KNOWN_AFTER_RESPONSE };

function actionContext(d: ProxyDraft, line: ConfigLine, ctx: ProxyParseContext, side: 'req' | 'res'): ActionContext {
  const fetch = aclContext(d, ctx, line.loc);
  const errors = ctx.httpErrors;
  const sectionOf = errors && ((name: string, status: number) => {
    errors.want(name, status, line.loc, d.report, `status '${status}' referenced by an http reply not declared in http-errors section '${name}'.`);
    return errors.reference(name, line.loc, d.report, (n) => `unknown http-errors section '${n}' referenced by an http reply`);
  });
  return {
    side, proxy: d.name, fetch: { ...fetch, phase: side === 'res' ? 'response' : 'request' }, warn: fetch.warn, ...(sectionOf ? { sectionOf } : {}),
  };
}

/** `http-request ACTION ... [if|unless COND]` / `http-response ...` / `http-after-response ...`. */
function parseHttpRuleLine(d: ProxyDraft, line: ConfigLine, ctx: ProxyParseContext, set: RuleSet): void {
  // cfgparse-listen.c: HAProxy 2.6 takes http-after-response rules from named defaults sections only.
  if (set === 'after' && d.kind === 'defaults' && d.name === '') {
    return d.report.error(line.loc, `'${line.args[0]}' not allowed in anonymous 'defaults' section.`);
  }
  if (refuseInDefaults(d, line)) return;
  const side = set === 'req' ? 'req' : 'res';
  const kw = line.args[0];
  const word = line.args[1];
  const parser = word === undefined ? undefined : actionParser(word, set);
  if (word === undefined || !parser) {
    const base = word?.replace(/\(.*$/, '');
    if (base !== undefined && KNOWN[set].includes(base)) {
      return d.report.error(line.loc, notSupportedYet(`${kw} ${base}`));
    }
    const names = Object.keys(actionsOf(set)).concat('set-var(*)');
    return d.report.error(line.loc, `'${kw}' expects ${names.map((n) => `'${n}'`).join(', ')}, but got '${word ?? ''}'.`);
  }
  const name = `${kw} ${word}`;
  const parsed = parser(line.args, 2, actionContext(d, line, ctx, side), name);
  if (typeof parsed === 'string') {
    return d.report.error(line.loc, `error detected in ${d.kind} '${d.name}' while parsing '${name}' rule : ${parsed}.`);
  }
  const rest = line.args.slice(parsed.next);
  if (rest.length > 0 && rest[0] !== 'if' && rest[0] !== 'unless') {
    return d.report.error(line.loc, `'${name}' expects either 'if' or 'unless' followed by a condition but found '${rest[0]}'.`);
  }
  // HAProxy names the rule's place by the proxy's capability (a listen's request rules are the frontend's, its response rules the backend's).
  const where = side === 'req' ? `${d.kind === 'backend' ? 'backend' : 'frontend'} http-request header rule` : `${d.kind === 'frontend' ? 'frontend' : 'backend'} http-response header rule`;
  const cond = parseCondition(d, rest, ctx, line.loc, `error detected while parsing an '${name}' condition : `, { phase: side === 'req' ? 'request' : 'response', where });
  if (!cond) return;
  const rule: HttpRule = { cond, run: parsed.run, name, loc: line.loc };
  const r = rulesOf(d);
  (set === 'req' ? r.httpRequest : set === 'res' ? r.httpResponse : r.httpAfterResponse).push(rule);
}

/** `redirect location|prefix|scheme TARGET [options] [if|unless COND]` (the target is literal text). */
function parseRedirectLine(d: ProxyDraft, line: ConfigLine, ctx: ProxyParseContext): void {
  const prefix = `error detected in ${d.kind} '${d.name}' while parsing redirect rule : `;
  const r = parseRedirectArgs(line.args, 1, (text) => ({ ok: true, f: text }));
  if (typeof r === 'string') return d.report.error(line.loc, `${prefix}${r}.`);
  const cond = parseCondition(d, line.args.slice(r.next), ctx, line.loc, `${prefix}error in condition: `);
  if (!cond) return;
  const spec = r.spec;
  rulesOf(d).redirects.push({
    cond,
    name: 'redirect',
    loc: line.loc,
    run: (t) => {
      const reply = redirectReply(spec, t);
      return reply === undefined ? undefined : { kind: 'reply', reply };
    },
  });
}

type RuleHandler = (d: ProxyDraft, line: ConfigLine, ctx: ProxyParseContext) => void;

/** Proxy keyword handlers of the rules (parse-proxy.ts spreads them into its table). */
export const RULE_HANDLERS: Readonly<Record<string, RuleHandler>> = {
  acl: parseAclLine,
  'http-request': (d, line, ctx) => parseHttpRuleLine(d, line, ctx, 'req'),
  'http-response': (d, line, ctx) => parseHttpRuleLine(d, line, ctx, 'res'),
  'http-after-response': (d, line, ctx) => parseHttpRuleLine(d, line, ctx, 'after'),
  redirect: parseRedirectLine,
  'use-server': parseUseServerLine,
  'force-persist': parsePersistLine,
  'ignore-persist': parsePersistLine,
  'tcp-request': parseTcpRequestLine,
  capture: parseCaptureLine,
};
