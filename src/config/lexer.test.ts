import { describe, expect, it } from 'vitest';
import { expandAddressEnv, lexLine, truncateAtEmpty, type Env } from './lexer.ts';

const POS = { file: '/etc/hapair/x.cfg', line: 7, section: 'UT' };
const ENV: Env = { X: 'hello', Y: 'a b', EMPTY: '', PORT: '8080' };

function words(raw: string, env: Env = ENV): string[] | string {
  const r = lexLine(raw, env, POS);
  return r.ok ? r.words : `error: ${r.error}`;
}

describe('lexLine: words, quotes, escapes and comments (configuration.txt 2.2)', () => {
  it('splits on blanks, skipping leading ones; trailing blanks leave an empty last word', () => {
    expect(words('  bind\t 127.0.0.1:80   name  web')).toEqual(['bind', '127.0.0.1:80', 'name', 'web']);
    expect(words('maxconn 10  ')).toEqual(['maxconn', '10', '']);
    expect(words('')).toEqual(['']);
  });

  it('stops at # outside quotes, even inside a word', () => {
    expect(words('mode tcp # the mode')).toEqual(['mode', 'tcp', '']);
    expect(words('a#b c')).toEqual(['a']);
    expect(words('"a#b" \'c#d\'')).toEqual(['a#b', 'c#d']);
    expect(words('# only a comment')).toEqual(['']);
  });

  it('joins quoted parts into one word and keeps single quotes literal', () => {
    expect(words('a"b c"d')).toEqual(['ab cd']);
    expect(words('description "two  words" \'and ${X}\'')).toEqual(['description', 'two  words', 'and ${X}']);
    expect(words('x "" y')).toEqual(['x', '', 'y']);
    expect(words(`"it's" 'say "hi"'`)).toEqual(["it's", 'say "hi"']);
  });

  it('applies backslash escapes outside single quotes, as HAProxy does', () => {
    expect(words('a\\ b')).toEqual(['a b']);
    expect(words('"\\t|\\n|\\r|\\\\|\\"|\\\'|\\#|\\q"')).toEqual(['\t|\n|\r|\\|"|\'|#|\\q']);
    expect(words('\\x41\\x62')).toEqual(['Ab']);
    expect(words('\\#not-a-comment')).toEqual(['#not-a-comment']);
    expect(words("'\\t'")).toEqual(['\\t']); // no escapes inside single quotes
    expect(words('\\$X "\\$X"')).toEqual(['\\$X', '$X']); // \$ is an escape only inside double quotes
  });

  it('ends the line at CR, so CRLF files read the same', () => {
    expect(words('mode tcp\r')).toEqual(['mode', 'tcp']);
    expect(words('mode tcp\rignored')).toEqual(['mode', 'tcp']);
  });

  it('reports lexical errors with HAProxy 1-based positions', () => {
    expect(words('  log "abc')).toBe('error: unmatched quote at position 7');
    expect(words("a 'b")).toBe('error: unmatched quote at position 3');
    expect(words('\\x4')).toBe('error: truncated or invalid hexadecimal sequence at position 1');
    expect(words('"${X"')).toBe('error: unmatched brace in environment variable name at position 3');
    expect(words('"$1"')).toBe('error: forbidden first char in environment variable name at position 3');
    expect(words('"${.NOPE}"')).toBe('error: forbidden first char in environment variable name at position 4');
    expect(words('"${Y[x]}"')).toBe('error: truncated or invalid word expansion sequence at position 5');
  });

  it('refuses more than 64 words', () => {
    expect(words(Array.from({ length: 64 }, (_, i) => `w${i}`).join(' '))).toHaveLength(64);
    expect(words(Array.from({ length: 65 }, (_, i) => `w${i}`).join(' '))).toBe('error: too many words, truncating after word 64');
  });
});

describe('lexLine: environment variables (configuration.txt 2.3)', () => {
  it('expands $VAR and ${VAR} inside double quotes only', () => {
    expect(words('"${X}" "$X" "a${X}b" "${X}${X}" "$X.a"')).toEqual(['hello', 'hello', 'ahellob', 'hellohello', 'hello.a']);
    expect(words('${X} $X \'${X}\'')).toEqual(['${X}', '$X', '${X}']);
  });

  it('expands an undefined variable to nothing', () => {
    expect(words('"${NOPE}" "$NOPE" "x${NOPE}y" "$X_1"')).toEqual(['', '', 'xy', '']);
  });

  it('uses the default only when the variable is unset, verbatim up to the brace', () => {
    expect(words('"${NOPE-def ault}"')).toEqual(['def ault']);
    expect(words('"${EMPTY-def}"')).toEqual(['']);
    expect(words('"${X-def}"')).toEqual(['hello']);
    expect(words('"${NOPE-a\\tb}"')).toEqual(['a\\tb']);
  });

  it('splits ${VAR[*]} into several words', () => {
    expect(words('server "${Y[*]}"')).toEqual(['server', 'a', 'b']);
    expect(words('a"${Y[*]}"b')).toEqual(['aa', 'bb']);
    expect(words('"${NOPE[*]}"')).toEqual(['']);
  });

  it('provides .FILE, .LINE and .SECTION', () => {
    expect(words('"${.FILE}:${.LINE}" "$.SECTION"')).toEqual(['/etc/hapair/x.cfg:7', 'UT']);
  });
});

describe('truncateAtEmpty (HAProxy stops at the first empty word)', () => {
  it('keeps the words before the first empty one and tells whether others were dropped', () => {
    expect(truncateAtEmpty(['a', 'b', ''])).toEqual({ words: ['a', 'b'], dropped: false });
    expect(truncateAtEmpty(['a', '', 'c'])).toEqual({ words: ['a'], dropped: true });
    expect(truncateAtEmpty(['', 'x'])).toEqual({ words: [], dropped: true });
    expect(truncateAtEmpty(['a'])).toEqual({ words: ['a'], dropped: false });
  });
});

describe('expandAddressEnv (HAProxy env_expand on addresses)', () => {
  it('expands unquoted $VAR and ${VAR}, unset ones to nothing, without defaults', () => {
    expect(expandAddressEnv('127.0.0.1:${PORT}', ENV)).toBe('127.0.0.1:8080');
    expect(expandAddressEnv('127.0.0.1:$PORT', ENV)).toBe('127.0.0.1:8080');
    expect(expandAddressEnv('${NOPE}127.0.0.1:80', ENV)).toBe('127.0.0.1:80');
    expect(expandAddressEnv('fd@${NOPE}', ENV)).toBe('fd@');
    expect(expandAddressEnv('no-vars:80', ENV)).toBe('no-vars:80');
  });
});
