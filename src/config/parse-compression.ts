// `compression algo <name>... | type <mime>... | offload` (configuration.txt 4.2 "compression"), with
// HAProxy 2.6's messages (flt_http_comp.c parse_compression_options). Lines accumulate: each name
// goes to the head of its list (compression.c comp_append_algo, comp_append_type).
import type { ConfigLine, CompressionAlgo, CompressionSpec } from './model.ts';
import type { ProxyDraft } from './proxy-draft.ts';

const ALGOS: ReadonlySet<string> = new Set(['identity', 'gzip', 'deflate', 'raw-deflate']);

export function parseCompressionLine(d: ProxyDraft, line: ConfigLine): void {
  const [, what, ...words] = line.args;
  const comp: CompressionSpec = d.compression ?? { algos: [], types: [], offload: false };
  if (what === 'algo') {
    if (words.length === 0 || words[0] === '') return d.report.error(line.loc, "'compression' expects <algorithm>.");
    const algos = [...comp.algos];
    for (const w of words) {
      if (!ALGOS.has(w)) return d.report.error(line.loc, `'compression' : '${w}' is not a supported algorithm.`);
      algos.unshift(w as CompressionAlgo);
      // HAProxy keeps the names before the bad one: the configuration is refused anyway.
      d.compression = { ...comp, algos: [...algos] };
    }
  } else if (what === 'type') {
    if (words.length === 0 || words[0] === '') return d.report.error(line.loc, "'compression' expects <type>.");
    d.compression = { ...comp, types: [...[...words].reverse(), ...comp.types] };
  } else if (what === 'offload') {
    if (d.kind === 'defaults') d.report.warning(line.loc, "'compression' : 'offload' ignored in 'defaults' section.");
    d.compression = { ...comp, offload: d.kind !== 'defaults' };
  } else {
    d.report.error(line.loc, "'compression' expects 'algo', 'type' or 'offload'");
  }
}
