// Help and "Unknown command" texts of the runtime API, built as HAProxy 2.6 builds them
// (src/cli.c cli_gen_usage_msg): a command line whose leading words match some commands gets
// the closest ones by word fingerprint (src/tools.c update_word_fingerprint), else every command;
// help/prompt/quit always close the list.

/** A command as the help lists it: its keyword words and HAProxy's usage line. */
export interface CommandUsage {
  readonly words: readonly string[];
  readonly usage: string;
}

/** cli.c: at most 5 fuzzy candidates; keywords have at most 5 words (CLI_PREFIX_KW_NB). */
const MAX_MATCHES = 5;
const PREFIX_KW_NB = 5;

const ALWAYS = `  help [<command>]                        : list matching or all commands
  prompt                                  : toggle interactive mode with prompt
  quit                                    : disconnect
`;

function charClass(c: string): number {
  const lower = c.toLowerCase();
  if (lower >= 'a' && lower <= 'z') return lower.charCodeAt(0) - 96;
  if (c >= '0' && c <= '9') return 27;
  return 28;
}

/** tools.c update_word_fingerprint: counts of character transitions, word start/end included. */
function addFingerprint(fp: Uint8Array, word: string): void {
  let from = 28;
  for (const c of word) {
    const to = charClass(c);
    fp[from * 32 + to]++;
    from = to;
  }
  fp[from * 32 + 28]++;
}

function distance(a: Uint8Array, b: Uint8Array): number {
  let d = 0;
  for (let i = 0; i < 1024; i++) d += Math.abs(a[i] - b[i]);
  return d;
}

function compareWords(a: CommandUsage, b: CommandUsage): number {
  for (let i = 0; i < Math.max(a.words.length, b.words.length); i++) {
    const x = a.words[i];
    const y = b.words[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Number of leading words of `c` equal to `args` (stopping at the end of either). */
function matchingWords(c: CommandUsage, args: readonly string[], limit: number): number {
  let i = 0;
  while (i < limit && i < c.words.length && i < args.length && args[i] !== '' && c.words[i] === args[i]) i++;
  return i;
}

function fuzzyMatches(commands: readonly CommandUsage[], args: readonly string[], length: number): CommandUsage[] {
  const word = new Uint8Array(1024);
  let argLen = 0;
  for (const a of args.slice(length, PREFIX_KW_NB)) {
    addFingerprint(word, a);
    argLen += a.length;
  }
  const found: { c: CommandUsage; d: number }[] = [];
  for (const c of commands) {
    if (matchingWords(c, args, length) !== length) continue;
    const list = new Uint8Array(1024);
    let total = argLen;
    for (const w of c.words.slice(length, PREFIX_KW_NB)) {
      addFingerprint(list, w);
      total += w.length;
    }
    const d = distance(word, list);
    if (d < Math.floor((5 * total) / 2)) found.push({ c, d });
  }
  // Stable: among equal distances the first registered wins, as in cli.c's insertion.
  found.sort((x, y) => x.d - y.d);
  const best = found.slice(0, MAX_MATCHES);
  return best.filter((m) => m.d <= Math.floor((5 * best[0].d) / 2)).map((m) => m.c);
}

/**
 * `help [words]` (isHelp) or the answer to an unknown command line `args`.
 */
export function usageMessage(commands: readonly CommandUsage[], args: readonly string[], isHelp: boolean): string {
  let length = 0;
  for (const c of commands) length = Math.max(length, matchingWords(c, args, c.words.length));
  let out: string;
  if (isHelp) out = 'The following commands are valid at this level:\n';
  else if (length === 0 && (args.length === 0 || args[0] === '')) out = 'Unknown command. Please enter one of the following commands only:\n';
  else out = 'Unknown command, but maybe one of the following ones is a better match:\n';
  let entries: CommandUsage[] = [];
  if (args[length] !== undefined && args[length] !== '') entries = fuzzyMatches(commands, args, length);
  if (entries.length === 0) entries = commands.filter((c) => matchingWords(c, args, length) === length);
  for (const e of [...entries].sort(compareWords)) out += `  ${e.usage}\n`;
  return out + ALWAYS;
}
