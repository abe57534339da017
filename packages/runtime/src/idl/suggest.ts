/**
 * "Did you mean" hints for misspelled keywords and type names: the candidate a word is most
 * likely a typo of, by edit distance.
 */

/** Longer words get no hint. */
const MAX_WORD_LENGTH = 64;

/**
 * The optimal string alignment distance between `a` and `b`: how many characters must be
 * inserted, deleted, replaced, or swapped with their neighbour to turn one into the other. A swap
 * counts as one edit because `tpye` for `type` is one slip of the fingers, not two.
 */
export function editDistance(a: string, b: string): number {
  // Three rows of the table are enough: the swap looks two rows back.
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, before[j - 2]! + 1);
      }
      current[j] = best;
    }
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length]!;
}

/**
 * The candidate `word` is most likely a typo of, or `undefined` when none is close: at most one
 * edit per three characters (at least one), and fewer edits than `word` has characters, so that
 * `Y` does not become `X`. Case is ignored when measuring, so `String` finds `string`; among
 * equally close candidates the one closer in case, then the first, wins.
 */
export function closestName(word: string, candidates: Iterable<string>): string | undefined {
  // The table costs the product of the lengths: a hint is not worth that for a huge name.
  if (word.length > MAX_WORD_LENGTH) return undefined;
  const limit = Math.min(Math.max(1, Math.floor(word.length / 3)), word.length - 1);
  const lower = word.toLowerCase();
  let best: { name: string; distance: number; exact: number } | undefined;
  for (const name of candidates) {
    // Names whose lengths differ by more than the limit cannot be close: skip the table.
    if (name === word || Math.abs(name.length - word.length) > limit) continue;
    const distance = editDistance(lower, name.toLowerCase());
    if (distance > limit) continue;
    const exact = editDistance(word, name);
    if (
      best === undefined ||
      distance < best.distance ||
      (distance === best.distance && exact < best.exact)
    ) {
      best = { name, distance, exact };
    }
  }
  return best?.name;
}

/** `"; did you mean 'X'?"` for the closest candidate, or `""` when none is close. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const name = closestName(word, candidates);
  return name === undefined ? "" : `; did you mean '${name}'?`;
}
