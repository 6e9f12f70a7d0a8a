// Keyword tables of the configuration language: every HAProxy 2.6 keyword hapair knows, each either
// `supported` (parsed into the model) or `planned` (a real HAProxy keyword refused with "'X' is not
// supported yet"); anything else is unknown and gets a did-you-mean hint. Never silently ignored.
// Flipping a keyword to supported is a one-line change of its entry (`planned(` → `supported(`),
// plus, for proxy and global keywords, its parser in parse-proxy.ts / parse-global.ts.

export type KeywordStatus = 'supported' | 'planned';

export interface KeywordEntry {
  readonly name: string;
  readonly status: KeywordStatus;
  readonly note: string;
}

/** Proxy sections a keyword may appear in, as in configuration.txt 4.1: d=defaults f=frontend l=listen b=backend. */
export type SectionLetters = string;

export interface ProxyKeywordEntry extends KeywordEntry {
  readonly sections: SectionLetters;
}

export interface OptionEntry extends ProxyKeywordEntry {
  /** Marked (*) in configuration.txt 4.1: accepts `no option X` and `default option X`. */
  readonly negatable: boolean;
}

export interface ServerKeywordEntry extends KeywordEntry {
  /** Words taken after the keyword; 'source' = `source <addr> [usesrc <addr>] [interface <name>]`. */
  readonly args: number | 'source';
  /** Accepted on `default-server` lines (HAProxy srv_kw default_ok). */
  readonly defaultServer: boolean;
}

export interface BindKeywordEntry extends KeywordEntry {
  readonly args: number;
  /** A TLS setting, stored in BindSpec.ssl. */
  readonly ssl: boolean;
  /** Only meaningful on `stats socket` lines (HAProxy's CLI bind keywords). */
  readonly statsOnly: boolean;
}

/** Index a table by name; a duplicate name is a bug in the table. */
export function indexByName<T extends KeywordEntry>(table: readonly T[]): ReadonlyMap<string, T> {
  const map = new Map<string, T>();
  for (const e of table) {
    if (map.has(e.name)) throw new Error(`duplicate keyword '${e.name}' in a keyword table`);
    map.set(e.name, e);
  }
  return map;
}

/** "'KEYWORD' is not supported yet" (the message tests and users grep for). */
export function notSupportedYet(keyword: string): string {
  return `'${keyword}' is not supported yet`;
}
