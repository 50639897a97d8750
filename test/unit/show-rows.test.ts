// "Show all N rows" pages through a table of any length: the first card and its pages together
// show every row exactly once, in order, each card within the design budget, and the buttons end
// on the last page. The rows here are arbitrary strings (fast-check), not data from any API.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ActionRequest } from "../../src/commands/actions.ts";
import { longListOptions, SHOW_ROWS_VERB, showRowsAction } from "../../src/commands/show-rows.ts";
import type { CommandContext } from "../../src/commands/types.ts";
import { CARD_DESIGN_BYTES, cardBytes, renderAdaptiveCard } from "../../src/render/teams.ts";
import type { Action, Reply } from "../../src/reply/reply.ts";
import { withTextRuns } from "../support/card-inlines.ts";

const request: ActionRequest = { verb: SHOW_ROWS_VERB, payload: {}, actor: { id: "u" }, channel: { id: "c", platform: "teams" }, surface: "teams" };

function find(node: unknown, pick: (n: Record<string, unknown>) => boolean): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const walk = (n: unknown) => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === "object") {
      if (pick(n as Record<string, unknown>)) out.push(n as Record<string, unknown>);
      Object.values(n).forEach(walk);
    }
  };
  walk(node);
  return out;
}
const firstCells = (card: unknown) => {
  const table = find(card, (n) => n.type === "Table")[0];
  return ((table?.rows as unknown[]) ?? []).slice(1).map((r) => (find(withTextRuns(r), (n) => n.type === "TextRun")[0]?.text as string) ?? "");
};

describe("show all rows", () => {
  it("the pages of any table show each row once, in order, each card within budget", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.string({ minLength: 1, maxLength: 60 }).map((s) => s.replace(/\s+/g, "x")),
          { maxLength: 150 },
        ),
        fc.nat(3),
        async (names, lead) => {
          const rows = names.map((name, i) => ({ name: `${i}:${name}`, price: `$${i}.00` }));
          const reply: Reply = {
            title: "Sizes",
            parts: [
              ...Array.from({ length: lead }, () => ({ kind: "text" as const, text: "before the table" })),
              {
                kind: "table",
                columns: [
                  { key: "name", label: "Name", kind: "name" },
                  { key: "price", label: "Price", kind: "money", align: "right" },
                ],
                rows,
              },
            ],
            context: [],
            outcome: "ok",
          };
          let card = renderAdaptiveCard(reply, longListOptions(reply));
          const seen = rows.length === 0 ? [] : firstCells(card);
          for (let pages = 0; pages <= rows.length; pages++) {
            expect(cardBytes(card)).toBeLessThanOrEqual(CARD_DESIGN_BYTES);
            const button = find(card, (n) => n.type === "Action.Execute" && n.verb === SHOW_ROWS_VERB)[0];
            if (!button) break;
            const data = button.data as Action;
            const result = await showRowsAction.run(showRowsAction.schema.parse(data.payload), request, {} as CommandContext);
            expect(result.post).toBeDefined();
            card = renderAdaptiveCard(result.post as Reply, longListOptions(result.post as Reply));
            seen.push(...firstCells(card));
          }
          expect(seen).toEqual(rows.map((r) => r.name));
        },
      ),
      { numRuns: 40 },
    );
  });
});
