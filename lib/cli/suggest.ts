/** "Did you mean ...?": the known word closest to a mistyped one. */

/**
 * The candidate closest to `word` when it is close enough to be a typo
 * (`--fromat` for `--format`, `grey` for `gray`), else undefined. Close
 * enough: at most one edit per three characters (an edit being an insertion,
 * a deletion, a substitution or two neighbours swapped), or the one
 * candidate that `word` begins (`--skip` for `--skip-existing`).
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const bare = (name: string) => name.replace(/^-+/, '');
  const typed = bare(word);
  if (typed.length < 2) return undefined;
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(typed.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(typed, bare(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best !== undefined) return best;
  const extended = candidates.filter((candidate) => typed.length >= 3 && bare(candidate).startsWith(typed));
  return extended.length === 1 ? extended[0] : undefined;
}

/** Optimal string alignment distance: Levenshtein's edits plus the swap of two neighbours. */
export function editDistance(a: string, b: string): number {
  // rows[i][j]: the distance between a's first i characters and b's first j.
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        distance = Math.min(distance, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = distance;
    }
  }
  return rows[a.length]![b.length]!;
}
