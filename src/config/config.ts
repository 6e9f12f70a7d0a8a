// The configuration language of hapair: HAProxy 2.6 syntax and keywords (ARCHITECTURE.md "Config language").
//
// Contract:
// - loadConfig(paths) reads `-f` files and directories in order (a directory: its *.cfg files in byte
//   order) and parseConfigText(text, file) parses one text; both return every diagnostic at once
//   (none stops the parse) and a typed, frozen HapairConfig only when there is no error.
// - Lexing follows HAProxy (quotes, `\` escapes, `#` comments, `"${VAR}"`/`"${VAR-default}"`/`"$VAR"`
//   and `"${VAR[*]}"` expansion inside double quotes, `$VAR` in addresses); `opts.env` replaces
//   process.env. Sections never span files.
// - Every keyword is supported (parsed into the model), planned ("'X' is not supported yet") or unknown
//   (error with a did-you-mean hint). The tables are exported and docs/config-keywords.md mirrors them.
// - Defaults are applied: a proxy inherits the last `defaults` section before it (or `from NAME`),
//   servers inherit `default-server`; ids are numbered as HAProxy numbers them.
// - Diagnostics print as `FILE:LINE: SECTION 'NAME': message` (formatDiagnostic).
import { Diagnostics } from './diagnostics.ts';
import { readConfigSources } from './files.ts';
import type { ConfigDiagnostic } from './model.ts';
import { parseSources, type ParseOptions, type ParseResult } from './parse-config.ts';

export { formatDiagnostic, sectionLabel, SectionReporter } from './diagnostics.ts';
export { registerSection, registeredSectionTypes, type SectionParser } from './section-registry.ts';
export { parseDuration, parseSize, parseInteger, MAX_TIMER_MS, type Parsed } from './units.ts';
export { GLOBAL_KEYWORDS } from './keywords/global.ts';
export { PROXY_KEYWORDS } from './keywords/proxy.ts';
export { OPTIONS } from './keywords/options.ts';
export { SERVER_KEYWORDS } from './keywords/server.ts';
export { BIND_KEYWORDS } from './keywords/bind.ts';
export { SECTIONS } from './keywords/sections.ts';
export type { KeywordEntry, KeywordStatus, ProxyKeywordEntry, OptionEntry, ServerKeywordEntry, BindKeywordEntry } from './keywords/keywords.ts';
export { renderKeywordsMarkdown } from './keyword-doc.ts';
export { DEFAULT_GLOBAL_MAXCONN, DEFAULT_STATS_TIMEOUT_MS } from './validate.ts';
export type { ParseOptions, ParseResult };

/** Load and validate the configuration from files and directories, in order. */
export function loadConfig(paths: string[], opts: ParseOptions = {}): ParseResult {
  const diag = new Diagnostics();
  const sources = readConfigSources(paths, diag);
  return parseSources(sources, opts, diag.list as ConfigDiagnostic[]);
}

/** Parse one configuration text; `file` names it in diagnostics. */
export function parseConfigText(text: string, file: string, opts: ParseOptions = {}): ParseResult {
  return parseSources([{ file, text }], opts);
}
