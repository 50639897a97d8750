/**
 * Slack messages for answers with a long table: Slack shows one native table a message, within
 * its size budget, so a long list is cut ("N more — narrow with …"). This adds the same "Show all
 * N rows" button Teams and the console get; its pages come back to the clicker only.
 *
 * @example
 * const m = renderSlackAnswer(reply, { extraActions: [share] });
 */
import { moreRowsAction } from "../../commands/show-rows.ts";
import { type RenderSlackOptions, renderSlack, type SlackMessage } from "../../render/slack.ts";
import type { Reply } from "../../reply/reply.ts";

/** Rows the message's native table block shows (its header row left out); undefined without one. */
function nativeRows(m: SlackMessage): number | undefined {
  const table = m.blocks.find((b) => b.type === "table");
  return table && "rows" in table && Array.isArray(table.rows) ? table.rows.length - 1 : undefined;
}

/** renderSlack, plus "Show all N rows" when the answer's main table had to be cut. */
export function renderSlackAnswer(reply: Reply, opts: RenderSlackOptions = {}): SlackMessage {
  let m = renderSlack(reply, opts);
  // The first table with rows is the one Slack gets as its native table (one a message).
  const index = reply.parts.findIndex((p) => p.kind === "table" && p.rows.length > 0);
  if (index < 0) return m;
  // The button takes room, so the table may lose a row or two: point it at the first row not shown.
  for (let tries = 0; tries < 3; tries++) {
    const shown = nativeRows(m);
    const more = shown === undefined ? undefined : moreRowsAction(reply, index, shown);
    if (!more) return m;
    const next = renderSlack(reply, { ...opts, extraActions: [...(opts.extraActions ?? []), more] });
    if (nativeRows(next) === shown) return next;
    m = next;
  }
  return m;
}
