// An answer sent again (a memoised one) is rendered once per surface; a rendering whose button
// points at a kept answer that is gone (the keep's memory bound evicted it) is rendered anew, with
// a button that works.
import { describe, expect, it } from "vitest";
import { commandResponse } from "../../src/chat/slack/slash-command.ts";
import { answerCard } from "../../src/chat/teams/card-activity.ts";
import { offeredAnswer, shareButton } from "../../src/commands/share.ts";
import { buttonsStillKept, moreRowsAction } from "../../src/commands/show-rows.ts";
import { type Reply, reply, table } from "../../src/reply/reply.ts";

const longAnswer = (rows: number, title = "GPU sizes in eastus"): Reply =>
  reply(
    title,
    [
      table(
        [
          { key: "size", label: "Size", kind: "size" },
          { key: "gpu", label: "GPU", kind: "name" },
        ],
        Array.from({ length: rows }, (_, i) => ({ size: `NC${i}ads_A100_v4`, gpu: "1 × A100 80 GB" })),
      ),
    ],
    { context: ["Demo data"] },
  );
/** Every answer id a card's buttons carry. */
const answerIds = (card: unknown) => [...JSON.stringify(card).matchAll(/\\?"answer\\?":\\?"([A-Za-z0-9_-]{16})/g)].map((m) => m[1]);

describe("renderings kept with their answer", () => {
  it("Teams: the same answer gets the same card; once its kept rows are evicted, a new card whose Show-all id is kept", () => {
    const answer = longAnswer(60);
    const card = answerCard(answer);
    expect(answerCard(answer)).toBe(card);
    const [id] = answerIds(card);
    expect(id).toBeDefined();
    // A thousand other long answers later, the first one's rows are no longer kept (the bound is 1,000).
    for (let i = 0; i < 1000; i++) moreRowsAction(longAnswer(60, `other ${i}`), 0, 10);
    expect(buttonsStillKept(answer)).toBe(false);
    const again = answerCard(answer);
    expect(again).not.toBe(card);
    const [newId] = answerIds(again);
    expect(newId).toBeDefined();
    expect(newId).not.toBe(id);
    expect(buttonsStillKept(answer)).toBe(true);
    expect(answerCard(answer)).toBe(again);
  });

  it("Slack: a long answer's Show-all rows button is rendered anew once its kept rows are evicted", () => {
    const answer = longAnswer(150, "A long Slack answer");
    const body = commandResponse(answer, "skus", true);
    expect(commandResponse(answer, "skus", true)).toBe(body);
    const [id] = answerIds(body);
    expect(id).toBeDefined();
    for (let i = 0; i < 1000; i++) moreRowsAction(longAnswer(60, `other slack ${i}`), 0, 10);
    expect(buttonsStillKept(answer)).toBe(false);
    const again = commandResponse(answer, "skus", true);
    expect(again).not.toBe(body);
    expect(answerIds(again)[0]).not.toBe(id);
    expect(buttonsStillKept(answer)).toBe(true);
  });

  it("Slack: the same answer gets the same ack body; once the shared copy is evicted, a new body whose share id resolves", () => {
    const answer = longAnswer(5);
    const body = commandResponse(answer, "skus eastus", false);
    expect(commandResponse(answer, "skus eastus", false)).toBe(body);
    expect(commandResponse(answer, "skus eastus", true)).not.toBe(body);
    const [id] = answerIds(body);
    expect(id).toBeDefined();
    expect(offeredAnswer(id as string)).toEqual(answer);
    for (let i = 0; i < 1000; i++) shareButton("skus eastus", longAnswer(1, `other ${i}`));
    expect(offeredAnswer(id as string)).toBeUndefined();
    const again = commandResponse(answer, "skus eastus", false);
    expect(again).not.toBe(body);
    const [newId] = answerIds(again);
    expect(newId).not.toBe(id);
    expect(offeredAnswer(newId as string)).toEqual(answer);
  });
});
