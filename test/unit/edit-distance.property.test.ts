// Property tests for the one edit distance: it agrees with the textbook optimal-string-alignment
// table, stops early exactly at the bound, and never counts more than plain Levenshtein.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { editDistance } from "../../src/domain/edit-distance.ts";

/** The full table, no early stop: the definition the fast version must agree with. */
function osa(a: string, b: string, swaps = true): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number) => d[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (swaps && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = v;
    }
  }
  return at(a.length, b.length);
}

const word = fc.string({ unit: fc.constantFrom(..."abcdeu2 "), maxLength: 12 });

describe("editDistance", () => {
  it("equals the optimal-string-alignment distance, capped at max + 1", () => {
    fc.assert(
      fc.property(word, word, fc.integer({ min: 0, max: 14 }), (a, b, max) => {
        expect(editDistance(a, b)).toBe(osa(a, b));
        expect(editDistance(a, b, max)).toBe(Math.min(osa(a, b), max + 1));
      }),
    );
  });

  it("is symmetric, zero only for equal words, and never above Levenshtein", () => {
    fc.assert(
      fc.property(word, word, (a, b) => {
        expect(editDistance(a, b)).toBe(editDistance(b, a));
        expect(editDistance(a, b) === 0).toBe(a === b);
        expect(editDistance(a, b)).toBeLessThanOrEqual(osa(a, b, false));
      }),
    );
  });

  it("counts a swap of neighbours as one edit", () => {
    expect(editDistance("cdua", "cuda", 1)).toBe(1);
    expect(editDistance("eastus", "westus2", 1)).toBe(2);
  });
});
