/**
 * The one edit distance gpuops uses for typos (command words, regions, glossary terms, plain
 * words): optimal string alignment, i.e. Levenshtein where swapping two neighbouring letters
 * counts as one edit ("cdua" is one edit from "cuda"). Counting stops early: past `max` the answer
 * is just `max + 1`, which keeps scans over a vocabulary cheap.
 *
 * Hand-written because the kept Levenshtein packages (fastest-levenshtein, leven) count a swap as
 * two edits and cannot stop early.
 *
 * @example
 * editDistance("cdua", "cuda", 2)      // 1
 * editDistance("eastus", "westus2", 1) // 2 (more than 1: stopped early)
 */
export function editDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = b.length;
  let prev2 = new Int32Array(n + 1);
  let prev = new Int32Array(n + 1);
  let cur = new Int32Array(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= n; j++) {
      const cb = b.charCodeAt(j - 1);
      let v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (ca === cb ? 0 : 1));
      if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb) v = Math.min(v, (prev2[j - 2] ?? 0) + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return Math.min(prev[n] ?? max + 1, max + 1);
}
