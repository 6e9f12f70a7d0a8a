// Splits one configuration line into words exactly as HAProxy 2.6 does (tools.c parse_line with
// PARSE_OPT_ENV|DQUOTE|SQUOTE|BKSLASH|SHARP|WORD_EXPAND; configuration.txt 2.2 "Quoting and
// escaping", 2.3 "Environment variables"), plus the legacy address expansion (tools.c env_expand).

/** Environment seen by the parser; `localpeer` updates HAPROXY_LOCALPEER in it like HAProxy's setenv. */
export type Env = Record<string, string | undefined>;

/** Values of the `.FILE`, `.LINE` and `.SECTION` pseudo-variables for the line being lexed. */
export interface LexPosition {
  readonly file: string;
  readonly line: number;
  /** Name (or type) of the section in effect before this line; '' before the first one. */
  readonly section: string;
}

export type LexResult =
  | { readonly ok: true; readonly words: string[] }
  | { readonly ok: false; readonly error: string };

/** HAProxy MAX_LINE_ARGS: a line holds at most 64 words. */
export const MAX_LINE_ARGS = 64;

/** C isspace() in the C locale; `\n` and `\r` end a line before they can separate words. */
const C_SPACES = ' \t\n\v\f\r';
const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\v' || c === '\f';
const isAlpha = (c: string): boolean => /^[A-Za-z]$/.test(c);
const isAlnum = (c: string): boolean => /^[A-Za-z0-9]$/.test(c);
const isHex = (c: string): boolean => /^[0-9A-Fa-f]$/.test(c);

class LexError extends Error {}

function fail(what: string, index: number): never {
  // HAProxy reports 1-based positions counted from the start of the raw line.
  throw new LexError(`${what} at position ${index + 1}`);
}

/** Mutable state of one parse_line() run. */
class LineLexer {
  readonly #s: string;
  readonly #env: Env;
  readonly #pos: LexPosition;
  #i = 0;
  #word = '';
  readonly #words: string[] = [];
  #squote = false;
  #dquote = false;
  #quoteAt = -1;

  constructor(s: string, env: Env, pos: LexPosition) {
    this.#s = s;
    this.#env = env;
    this.#pos = pos;
  }

  run(): string[] {
    const s = this.#s;
    while (this.#i < s.length && isSpace(s[this.#i])) this.#i++;
    for (;;) {
      const c = s[this.#i];
      if (c === undefined || c === '\n' || c === '\r' || c === '\0') break;
      if (c === '#' && !this.#squote && !this.#dquote) break;
      this.#step(c);
    }
    this.#endWord();
    if (this.#squote || this.#dquote) fail('unmatched quote', this.#quoteAt);
    return this.#words;
  }

  #step(c: string): void {
    if (c === '"' && !this.#squote) this.#toggleQuote('"');
    else if (c === "'" && !this.#dquote) this.#toggleQuote("'");
    else if (c === '\\' && !this.#squote) this.#escape();
    else if (isSpace(c) && !this.#squote && !this.#dquote) {
      while (isSpace(this.#s[this.#i] ?? '')) this.#i++;
      this.#endWord();
    } else if (c === '$' && this.#dquote) this.#variable();
    else {
      this.#word += c;
      this.#i++;
    }
  }

  #toggleQuote(q: '"' | "'"): void {
    if (q === '"') this.#dquote = !this.#dquote;
    else this.#squote = !this.#squote;
    this.#quoteAt = this.#dquote || this.#squote ? this.#i : -1;
    this.#i++;
  }

  #endWord(): void {
    this.#words.push(this.#word);
    this.#word = '';
  }

  /** `\\ \<space> \t \n \r \# \' \" \xNN`, and `\$` inside double quotes; other pairs stay as typed. */
  #escape(): void {
    const s = this.#s;
    const next = s[this.#i + 1] ?? '';
    const simple: Record<string, string> = { ' ': ' ', '\\': '\\', t: '\t', n: '\n', r: '\r', '#': '#', "'": "'", '"': '"' };
    if (next in simple) {
      this.#word += simple[next];
      this.#i += 2;
    } else if (next === '$' && this.#dquote) {
      this.#word += '$';
      this.#i += 2;
    } else if (next === 'x') {
      const h = s.slice(this.#i + 2, this.#i + 4);
      if (h.length < 2 || !isHex(h[0]) || !isHex(h[1])) fail('truncated or invalid hexadecimal sequence', this.#i);
      this.#word += String.fromCharCode(parseInt(h, 16));
      this.#i += 4;
    } else {
      this.#word += '\\';
      this.#i += 1;
    }
  }

  /** `$NAME`, `${NAME}`, `${NAME-default}`, `${NAME[*]}` (word expansion) inside double quotes. */
  #variable(): void {
    const s = this.#s;
    this.#i++;
    const braceAt = s[this.#i] === '{' ? this.#i++ : -1;
    const start = this.#i;
    const first = s[this.#i] ?? '';
    if (!isAlpha(first) && first !== '_' && first !== '.') {
      fail('forbidden first char in environment variable name', this.#i);
    }
    if (first === '.') this.#i++;
    while (isAlnum(s[this.#i] ?? '') || s[this.#i] === '_') this.#i++;
    let value = this.#lookup(s.slice(start, this.#i), start);
    let expand = false;
    if (s[this.#i] === '[' && braceAt >= 0) {
      if (s.slice(this.#i, this.#i + 3) !== '[*]') fail('truncated or invalid word expansion sequence', this.#i);
      expand = true;
      this.#i += 3;
    }
    if (braceAt >= 0) value = this.#closeBrace(braceAt, value);
    this.#emitValue(value ?? '', expand);
  }

  #lookup(name: string, at: number): string | undefined {
    if (!name.startsWith('.')) return this.#env[name];
    if (name === '.LINE') return String(this.#pos.line);
    if (name === '.FILE') return this.#pos.file;
    if (name === '.SECTION') return this.#pos.section;
    return fail('forbidden first char in environment variable name', at);
  }

  /** After the name: `}` or `-default}`; the default replaces an unset variable, not an empty one. */
  #closeBrace(braceAt: number, value: string | undefined): string | undefined {
    const s = this.#s;
    if (s[this.#i] === '-') {
      const end = s.indexOf('}', this.#i);
      if (end < 0) fail('unmatched brace in environment variable name', braceAt);
      if (value === undefined) value = s.slice(this.#i + 1, end);
      this.#i = end + 1;
      return value;
    }
    if (s[this.#i] !== '}') fail('unmatched brace in environment variable name', braceAt);
    this.#i++;
    return value;
  }

  #emitValue(value: string, expand: boolean): void {
    let k = 0;
    while (k < value.length) {
      if (expand && C_SPACES.includes(value[k])) {
        this.#endWord();
        while (k < value.length && C_SPACES.includes(value[k])) k++;
      } else {
        this.#word += value[k++];
      }
    }
  }
}

/**
 * Lex one raw line (without its newline). Returns every word HAProxy would produce, including
 * empty ones (`""`, unset variables, the trailing empty word after trailing blanks). A `\r`
 * ends the line as in HAProxy, so CRLF files read the same.
 */
export function lexLine(raw: string, env: Env, pos: LexPosition): LexResult {
  try {
    const words = new LineLexer(raw, env, pos).run();
    if (words.length > MAX_LINE_ARGS) {
      return { ok: false, error: `too many words, truncating after word ${MAX_LINE_ARGS}` };
    }
    return { ok: true, words };
  } catch (e) {
    if (e instanceof LexError) return { ok: false, error: e.message };
    throw e;
  }
}

/**
 * HAProxy's keyword parsers stop at the first empty word (`*args[i] == 0`), and a line whose first
 * word is empty is skipped. Returns the words before the first empty one, and whether non-empty
 * words were dropped after it (worth a warning: HAProxy ignores them silently).
 */
export function truncateAtEmpty(words: readonly string[]): { words: string[]; dropped: boolean } {
  const cut = words.indexOf('');
  if (cut < 0) return { words: [...words], dropped: false };
  return { words: words.slice(0, cut), dropped: words.slice(cut).some((w) => w !== '') };
}

/**
 * Legacy expansion applied by HAProxy to every address (tools.c env_expand, called by
 * str2sa_range): `$NAME` or `${NAME}` anywhere, even unquoted, with no default value;
 * an unset variable expands to nothing.
 */
export function expandAddressEnv(text: string, env: Env): string {
  return text.replace(/\$(\{?)([A-Za-z0-9_]*)(\}?)/g, (_m, open: string, name: string, close: string) => {
    const value = env[name] ?? '';
    // The closing brace is consumed only when an opening one was seen.
    return open ? value : value + close;
  });
}
