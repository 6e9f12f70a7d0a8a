// "did you mean 'X'?" hints for mistyped keywords. HAProxy 2.6 ranks candidates by a character-pair
// fingerprint (tools.c word_fingerprint_distance); an edit distance with transpositions gives the
// same answers on typical typos ('balanse', 'wieght', 'clinet', 'ldap-chek') and is easy to reason about.

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent transpositions. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[rows - 1][cols - 1];
}

/**
 * The closest candidate, if it is close enough to be a plausible typo: within a third of the
 * word's length (at least one edit), or a candidate the word is a prefix of (4+ characters).
 * Ties go to the earliest candidate, so tables list common keywords first.
 */
export function closestWord(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestScore = Infinity;
  const lower = word.toLowerCase();
  for (const c of candidates) {
    if (c === word) continue;
    let score = editDistance(lower, c.toLowerCase());
    if (score > limit && lower.length >= 4 && c.startsWith(lower)) score = limit;
    if (score <= limit && score < bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}

/** `; did you mean 'X'?` or '' when nothing is close. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const best = closestWord(word, candidates);
  return best === undefined ? '' : `; did you mean '${best}'?`;
}
