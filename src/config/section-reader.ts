// Turns one file's text into sections of lexed lines with file:line (HAProxy cfgparse.c readcfgfile).
// A section starts at a line whose first word is a section keyword and ends at the next one or at the
// end of the file: sections never span files, a new file starts outside any section.
import { didYouMean } from './did-you-mean.ts';
import { type Diagnostics, sectionLabel } from './diagnostics.ts';
import { SECTION_INDEX } from './keywords/sections.ts';
import { lexLine, truncateAtEmpty, type Env } from './lexer.ts';
import type { ConfigLine, SourceLoc } from './model.ts';
import { registeredSection } from './section-registry.ts';

export interface RawSection {
  readonly type: string;
  /** Words after the section keyword (`listen NAME from D` → ['NAME', 'from', 'D']). */
  readonly args: readonly string[];
  readonly loc: SourceLoc;
  readonly lines: ConfigLine[];
}

/** HAProxy's preprocessor directives; hapair does not implement them yet. */
const DIRECTIVES = new Set(['.if', '.elif', '.else', '.endif', '.alert', '.warning', '.notice', '.diag']);

export function isSectionKeyword(word: string): boolean {
  return SECTION_INDEX.has(word) || registeredSection(word) !== undefined;
}

/** The diagnostic label of a section: `global`, `defaults`, `defaults 'd1'`, `listen 'UT'`. */
export function rawSectionLabel(type: string, args: readonly string[]): string {
  const anonymousDefaults = type === 'defaults' && (args.length === 0 || (args[0] === 'from' && args.length === 2));
  return sectionLabel(type, anonymousDefaults || type === 'global' ? undefined : args[0]);
}

/** Splits text into lines; the last one is unterminated when the text does not end with LF. */
function splitLines(text: string): { lines: string[]; unterminated: boolean } {
  const lines = text.split('\n');
  const last = lines.pop() as string;
  if (last === '') return { lines, unterminated: false };
  lines.push(last);
  return { lines, unterminated: true };
}

class FileReader {
  readonly #file: string;
  readonly #env: Env;
  readonly #diag: Diagnostics;
  readonly sections: RawSection[] = [];
  #current: RawSection | undefined;
  /** `.SECTION` value: name (or type) of the section in effect, '' at the start of each file. */
  #sectionName = '';

  constructor(file: string, env: Env, diag: Diagnostics) {
    this.#file = file;
    this.#env = env;
    this.#diag = diag;
  }

  #label(): string | undefined {
    return this.#current ? rawSectionLabel(this.#current.type, this.#current.args) : undefined;
  }

  read(text: string): void {
    const { lines, unterminated } = splitLines(text);
    lines.forEach((raw, i) => this.#readLine(raw, i + 1));
    const last = lines[lines.length - 1];
    // HAProxy 2.6 refuses a file whose last line has no LF ("might have been truncated"); a last line of
    // blanks (a template literal's indentation) cannot hide a truncated keyword, so it is accepted.
    if (unterminated && last.trim() !== '') {
      this.#diag.error({ file: this.#file, line: lines.length }, undefined,
        `Missing LF on last line, file might have been truncated at position ${last.length + 1}.`);
    }
  }

  #readLine(raw: string, line: number): void {
    const loc = { file: this.#file, line };
    const nul = raw.indexOf('\0');
    if (nul >= 0) return this.#diag.error(loc, this.#label(), `Stray NUL character at position ${nul + 1}.`);
    if (raw.trimStart().startsWith('[')) {
      return this.#diag.error(loc, this.#label(), "configuration scopes ('[name]' lines) are not supported yet");
    }
    const lexed = lexLine(raw, this.#env, { file: this.#file, line, section: this.#sectionName });
    if (!lexed.ok) return this.#diag.error(loc, this.#label(), lexed.error);
    const { words, dropped } = truncateAtEmpty(lexed.words);
    if (dropped) {
      this.#diag.warning(loc, this.#label(), `empty word at position ${words.length + 1}: the words after it are ignored, as HAProxy does`);
    }
    if (words.length === 0) return;
    if (words[0].startsWith('.')) {
      const msg = DIRECTIVES.has(words[0]) ? `'${words[0]}' is not supported yet` : `unknown directive '${words[0]}'`;
      return this.#diag.error(loc, this.#label(), msg);
    }
    if (isSectionKeyword(words[0])) return this.#startSection(words, loc);
    this.#addLine(words, loc);
  }

  #startSection(words: string[], loc: SourceLoc): void {
    this.#current = { type: words[0], args: words.slice(1), loc, lines: [] };
    this.sections.push(this.#current);
    this.#sectionName = words[1] ?? words[0];
  }

  #addLine(words: string[], loc: SourceLoc): void {
    if (!this.#current) {
      const hint = didYouMean(words[0], SECTION_INDEX.keys());
      return this.#diag.error(loc, undefined, `unknown keyword '${words[0]}' out of section${hint}`);
    }
    this.#current.lines.push({ args: words, loc });
    // HAProxy's `localpeer` does setenv("HAPROXY_LOCALPEER") while parsing: later lines see it.
    if (this.#current.type === 'global' && words[0] === 'localpeer' && words.length === 2) {
      this.#env.HAPROXY_LOCALPEER = words[1];
    }
  }
}

/** Lex one file into sections; problems go to `diag`, `env` may be updated (HAPROXY_LOCALPEER). */
export function readSections(text: string, file: string, env: Env, diag: Diagnostics): RawSection[] {
  const reader = new FileReader(file, env, diag);
  reader.read(text);
  return reader.sections;
}
