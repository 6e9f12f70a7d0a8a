// `monitor-uri URI` and `monitor fail if|unless COND` (configuration.txt 4.2), with HAProxy 2.6's
// texts (cfgparse-listen.c). The section checks ran before (`monitor` is refused in defaults, both
// are ignored with a warning in a backend); the mode is checked once the section is read (validate.ts).
import type { ConfigLine } from './model.ts';
import { parseCondition } from './parse-acl.ts';
import type { ProxyParseContext } from './parse-proxy.ts';
import type { ProxyDraft } from './proxy-draft.ts';

export function parseMonitorUriLine(d: ProxyDraft, line: ConfigLine): void {
  const [, uri, extra] = line.args;
  if (extra !== undefined) return d.report.error(line.loc, `'monitor-uri' cannot handle unexpected argument '${extra}'`);
  if (uri === undefined || uri === '') return d.report.error(line.loc, "'monitor-uri' expects an URI.");
  d.monitorUri = uri;
}

export function parseMonitorLine(d: ProxyDraft, line: ConfigLine, ctx: ProxyParseContext): void {
  const [, word, pol] = line.args;
  if (word !== 'fail') return d.report.error(line.loc, "'monitor' only supports 'fail'.");
  if (pol !== 'if' && pol !== 'unless') {
    return d.report.error(line.loc, "'monitor fail' requires either 'if' or 'unless' followed by a condition.");
  }
  const cond = parseCondition(d, line.args.slice(2), ctx, line.loc, "error detected while parsing a 'monitor fail' condition : ");
  if (cond !== undefined) d.monitorFail.push(cond);
}
