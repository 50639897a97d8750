/**
 * The presentation model every renderer reads from a table's columns: which matter most
 * (`priority`) and what they hold (`kind`), so Slack, Teams and the console drop the same
 * columns first on a narrow surface and keep the same values whole.
 */
import type { Column, ColumnKind, ColumnPriority } from "../reply/reply.ts";

export const priorityOf = (c: Column): ColumnPriority => c.priority ?? 2;
export const kindOf = (c: Column): ColumnKind => c.kind ?? "text";
/** Sizes, money, dates, numbers and names are tokens: a renderer may cut a column, never wrap inside one. */
export const keepsWhole = (c: Column): boolean => kindOf(c) !== "text";

/** Visible characters (code points); the spread is only needed when there are surrogate pairs. */
export const width = (s: string): number => (/[\uD800-\uDFFF]/.test(s) ? [...s].length : s.length);

/** The columns a narrow surface shows: priority 1 only, and always at least the first column. */
export function narrowColumns(columns: Column[]): Column[] {
  const kept = columns.filter((c) => priorityOf(c) === 1);
  return kept.length > 0 ? kept : columns.slice(0, 1);
}

/**
 * Drops columns, least important and rightmost first, until `fits` says the rest fit; keeps at
 * least one column. Returns the kept columns in their original order.
 */
export function dropUntilFits(columns: Column[], fits: (cols: Column[]) => boolean): Column[] {
  let kept = [...columns];
  while (kept.length > 1 && !fits(kept)) {
    let victim = kept.length - 1;
    for (let i = kept.length - 1; i >= 0; i--) {
      if (priorityOf(kept[i] as Column) > priorityOf(kept[victim] as Column)) victim = i;
    }
    // Priority 1 columns go last, and then from the right, sparing the first (the row's name).
    if (priorityOf(kept[victim] as Column) === 1 && victim === 0) victim = kept.length - 1;
    kept = kept.filter((_, i) => i !== victim);
  }
  return kept;
}
