// A long list in Slack: the answer's native table shows what fits and "Show all N rows"; each
// click (a signed block action through the real Bolt receiver) brings the next page to the
// clicker through response_url, until every row of the answer has been shown, each message
// within Slack's limits.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHOW_ROWS_VERB } from "../../src/commands/show-rows.ts";
import { checkSlackLimits, SLACK_TABLE_LIMITS, type SlackBlock, type TableBlock } from "../../src/render/slack.ts";
import type { TablePart } from "../../src/reply/reply.ts";
import type { RunningServer } from "../../src/server.ts";
import { blockActionsBody, type FakeSlack, postSigned, slashCommandBody, startFakeSlack } from "../support/fake-slack.ts";
import { runCommand } from "../support/router.ts";
import { startSlackServer } from "../support/slack-server.ts";

const SECRET = "test-signing-secret-long-lists";

interface Answer {
  response_type?: string;
  replace_original?: boolean;
  text?: string;
  blocks?: SlackBlock[];
}

let fake: FakeSlack;
let server: RunningServer;

beforeAll(async () => {
  fake = await startFakeSlack();
  server = await startSlackServer(fake, SECRET, { GPUOPS_CONSOLE: "off", GPUOPS_LOG_LEVEL: "silent" });
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

/** First-cell text of every body row of the message's table block. */
function rowsOf(a: Answer): string[] {
  const table = (a.blocks ?? []).find((b): b is TableBlock => b.type === "table");
  return (table?.rows.slice(1) ?? []).map((r) => {
    const c = r[0];
    return c?.type === "raw_text" ? c.text : JSON.stringify(c);
  });
}
function moreButton(a: Answer): { action_id: string; value: string; text: string } | undefined {
  for (const b of a.blocks ?? []) {
    if (b.type !== "actions") continue;
    const e = b.elements.find((x) => "action_id" in x && typeof x.action_id === "string" && x.action_id.startsWith(`gpuops:${SHOW_ROWS_VERB}:`));
    if (e && "value" in e && typeof e.value === "string" && "text" in e) return { action_id: e.action_id as string, value: e.value, text: (e.text as { text: string }).text };
  }
  return undefined;
}

describe("Slack: Show all rows of a long list", () => {
  it("`/gpu skus` reaches every row through Show all and its pages, shown to the clicker only", async () => {
    const reply = await runCommand({ text: "skus", actor: { id: "U1" }, channel: { id: "C1", platform: "slack" }, surface: "slack" }, server.app.context());
    const table = reply.parts.find((p): p is TablePart => p.kind === "table") as TablePart;
    const key = table.columns[0]?.key as string;
    const expected = table.rows.map((r) => r[key] ?? "");
    expect(expected.length).toBeGreaterThan(SLACK_TABLE_LIMITS.rows);

    const res = await postSigned(server.url, SECRET, slashCommandBody({ text: "skus", responseUrl: fake.responseUrl("skus") }));
    expect(res.status).toBe(200);
    const ack = (await res.json()) as Answer;
    let answer = /Working on it/.test(ack.text ?? "") ? ((await fake.waitFor(() => fake.responsesTo("skus")[0], 20_000)).body as Answer) : ack;
    const seen = rowsOf(answer);
    expect(seen.length).toBeGreaterThan(0);
    let button = moreButton(answer);
    expect(button?.text).toBe(`Show all ${expected.length} rows`);
    const messages = [answer];
    for (let i = 0; button && i < expected.length; i++) {
      const hook = `skus-page-${i}`;
      const click = await postSigned(
        server.url,
        SECRET,
        blockActionsBody({ actionId: button.action_id, value: button.value, responseUrl: fake.responseUrl(hook), isEphemeral: true, channelId: "C0GENERAL1" }),
      );
      expect(click.status).toBe(200);
      answer = (await fake.waitFor(() => fake.responsesTo(hook)[0], 20_000)).body as Answer;
      expect(answer.response_type).toBe("ephemeral");
      expect(answer.replace_original).toBe(false);
      messages.push(answer);
      const rows = rowsOf(answer);
      expect(rows.length).toBeGreaterThan(0);
      seen.push(...rows);
      button = moreButton(answer);
    }
    expect(seen).toEqual(expected);
    for (const m of messages) expect(checkSlackLimits({ text: m.text ?? "", blocks: m.blocks ?? [] })).toEqual([]);
    // Nothing went to the channel: the pages are the clicker's, as the answer was.
    expect(fake.callsOf("chat.postMessage")).toHaveLength(0);
  });

  it("a short answer has no Show all button", async () => {
    const res = await postSigned(server.url, SECRET, slashCommandBody({ text: "skus swedencentral a100", responseUrl: fake.responseUrl("short") }));
    const ack = (await res.json()) as Answer;
    const answer = /Working on it/.test(ack.text ?? "") ? ((await fake.waitFor(() => fake.responsesTo("short")[0], 20_000)).body as Answer) : ack;
    expect(rowsOf(answer).length).toBeGreaterThan(0);
    expect(moreButton(answer)).toBeUndefined();
  });
});
