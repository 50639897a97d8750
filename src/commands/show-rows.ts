/**
 * "Show all N rows": a card shows the first rows of a long table (a card is read, not scrolled,
 * and must stay well under Teams' size limit), and this button answers with the rest, one page
 * at a time, each page a card of its own with a button for the next. The answer is kept here by
 * an unguessable id, so the rows are the ones the person saw, not a re-run whose numbers moved;
 * the button carries only that id, the table's place and the first row to show.
 *
 * Kept in memory for 30 minutes (as shared answers are): a click on another replica, or later,
 * gets a kind "ask again" instead of rows.
 *
 * @example
 * renderAdaptiveCard(reply, longListOptions(reply)); // cut tables get the button
 * registerAction(showRowsAction);                     // where the door registers its buttons
 */
import { LRUCache } from "lru-cache";
import { z } from "zod";
import { type Action, type Reply, type TablePart, userError } from "../reply/reply.ts";
import type { ActionHandler } from "./actions.ts";
import { approxReplyBytes, newAnswerId } from "./kept-answers.ts";

export const SHOW_ROWS_VERB = "rows.more";
/** Rows a page of a long table shows at most (bytes permitting): a screenful, not a document. */
export const PAGE_ROWS = 40;

const ANSWER_ID = /^[A-Za-z0-9_-]{16}$/;

/** Long answers offered with "Show all", by id. */
const kept = new LRUCache<string, Reply>({
  max: 1000,
  maxSize: 64 * 1024 * 1024,
  sizeCalculation: approxReplyBytes,
  ttl: 30 * 60 * 1000,
});
/** The id each rendered answer was kept under, so rendering it again (or twice while fitting) reuses it. */
const ids = new WeakMap<Reply, string>();
/** A page answers for its original: which answer, which table, and the row it starts at. */
const pages = new WeakMap<Reply, { answer: string; table: number; from: number }>();

function keep(reply: Reply): string {
  const known = ids.get(reply);
  if (known && kept.has(known)) return known;
  const id = newAnswerId();
  kept.set(id, reply);
  ids.set(reply, id);
  return id;
}

/** False once the answer a rendering's "Show all" button points at is no longer kept (a rendering without one stays true). */
export const buttonsStillKept = (reply: Reply): boolean => {
  const id = ids.get(reply);
  return id === undefined || kept.has(id);
};

const plural = (n: number) => `${n} ${n === 1 ? "row" : "rows"}`;

/**
 * The button under table `index` of `reply` when a surface shows only its first `shown` rows:
 * "Show all N rows" on an answer, "Show the next rows" on a page; undefined when nothing is hidden.
 */
export function moreRowsAction(reply: Reply, index: number, shown: number): Action | undefined {
  const page = pages.get(reply);
  const total = tableAt(reply, index)?.rows.length ?? 0;
  if (total <= shown) return undefined;
  if (page) return { verb: SHOW_ROWS_VERB, label: `Show the next rows (${total - shown} left)`, payload: { answer: page.answer, table: page.table, from: page.from + shown } };
  return { verb: SHOW_ROWS_VERB, label: `Show all ${plural(total)}`, payload: { answer: keep(reply), table: index, from: shown } };
}

/** Card options for `reply`: a cut table gets the button, and a page shows up to PAGE_ROWS rows instead of a first answer's few. */
export function longListOptions(reply: Reply): { moreRows: (index: number, shown: number) => Action | undefined; rowsPerTable?: number } {
  const moreRows = (index: number, shown: number) => moreRowsAction(reply, index, shown);
  return pages.has(reply) ? { moreRows, rowsPerTable: PAGE_ROWS } : { moreRows };
}

function tableAt(reply: Reply, index: number): TablePart | undefined {
  const part = reply.parts[index];
  return part?.kind === "table" ? part : undefined;
}

/** The page of `reply`'s table `index` that starts at row `from`: that table alone, its title saying where it starts. */
export function rowsPage(reply: Reply, answer: string, index: number, from: number): Reply | undefined {
  const table = tableAt(reply, index);
  if (!table || from >= table.rows.length) return undefined;
  const page: Reply = {
    title: `${reply.title}: from row ${from + 1} of ${table.rows.length}`,
    parts: [{ ...table, rows: table.rows.slice(from) }],
    context: reply.context,
    outcome: reply.outcome,
  };
  pages.set(page, { answer, table: index, from });
  return page;
}

const payload = z.object({
  answer: z.string().regex(ANSWER_ID),
  table: z.number().int().min(0).max(100),
  from: z.number().int().min(0).max(1_000_000),
});

/**
 * The button's handler. Teams posts the page as a new card in the conversation (its answers are
 * posted there too; an invoke can only return text or replace the card); Slack and the console
 * show it to the clicker only, as Slack's answers are.
 */
export const showRowsAction: ActionHandler<z.infer<typeof payload>> = {
  verb: SHOW_ROWS_VERB,
  schema: payload,
  async run(p, req) {
    const answer = kept.get(p.answer);
    if (!answer) {
      return { ephemeral: userError("rows_expired", "Those rows are no longer kept (long answers are kept for 30 minutes). Ask the question again to see them.") };
    }
    const page = rowsPage(answer, p.answer, p.table, p.from);
    if (!page) return { ephemeral: userError("bad_action", "That table has no more rows to show.") };
    return req.surface === "teams" ? { post: page } : { ephemeral: page };
  },
};
