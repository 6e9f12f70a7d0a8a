// `force-persist if|unless COND` and `ignore-persist if|unless COND` (configuration.txt 4.2;
// cfgparse-listen.c): the first rule whose condition holds decides whether this request's
// persistence cookie is used even for a DOWN server, or not used at all (stream.c
// process_switching_rules, persist_rules).
import type { PersistRule } from '../http/cookie-persist.ts';
import type { ConfigLine } from './model.ts';
import { parseCondition, refuseInDefaults, rulesOf } from './parse-acl.ts';
import type { ProxyParseContext } from './parse-proxy.ts';
import type { ProxyDraft } from './proxy-draft.ts';

export function parsePersistLine(d: ProxyDraft, line: ConfigLine, ctx: ProxyParseContext): void {
  if (refuseInDefaults(d, line)) return;
  const [keyword, pol] = line.args;
  if (pol !== 'if' && pol !== 'unless') {
    return d.report.error(line.loc, `'${keyword}' requires either 'if' or 'unless' followed by a condition.`);
  }
  const cond = parseCondition(d, line.args.slice(1), ctx, line.loc, `error detected while parsing a '${keyword}' rule : `);
  if (!cond) return;
  const rule: PersistRule = { type: keyword === 'force-persist' ? 'force' : 'ignore', cond, loc: line.loc };
  (rulesOf(d).persistRules ??= []).push(rule);
}
