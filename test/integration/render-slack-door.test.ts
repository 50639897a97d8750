/**
 * `/gpu idle` through the real Bolt receiver (signed here with the real algorithm) answers with
 * Slack's native table block: the idle VMs, money right-aligned and never wrapped, inside Slack's
 * table limits, whether the answer comes in the ack or later through response_url; and "Share in
 * channel" posts that same answer (not a re-run), saying who shared it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkSlackLimits, SLACK_TABLE_LIMITS, type SlackBlock, type TableBlock } from "../../src/render/slack.ts";
import type { RunningServer } from "../../src/server.ts";
import { blockActionsBody, type FakeSlack, postSigned, slashCommandBody, startFakeSlack } from "../support/fake-slack.ts";
import { startSlackServer } from "../support/slack-server.ts";

const SECRET = "test-signing-secret-render-17";

interface CommandAnswer {
  response_type?: string;
  text?: string;
  blocks?: SlackBlock[];
}

const cellText = (c: TableBlock["rows"][number][number]): string => JSON.stringify(c);

describe("Slack door: /gpu idle answers with a native table block", () => {
  let fake: FakeSlack;
  let server: RunningServer;

  beforeAll(async () => {
    fake = await startFakeSlack();
    server = await startSlackServer(fake, SECRET);
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });

  it("a signed /gpu idle gets a table block with whole money values", async () => {
    const res = await postSigned(server.url, SECRET, slashCommandBody({ text: "idle", responseUrl: fake.responseUrl("idle") }));
    expect(res.status).toBe(200);
    const ack = (await res.json()) as CommandAnswer;
    // The answer is in the ack when Azure is quick, else it replaces "Working on it…" via response_url.
    const answer = /Working on it/.test(ack.text ?? "") ? ((await fake.waitFor(() => fake.responsesTo("idle")[0], 20_000)).body as CommandAnswer) : ack;
    const blocks = answer.blocks ?? [];
    expect(checkSlackLimits({ text: answer.text ?? "", blocks })).toEqual([]);
    const tables = blocks.filter((b): b is TableBlock => b.type === "table");
    expect(tables).toHaveLength(1);
    const table = tables[0] as TableBlock;
    expect(table.rows.length).toBeGreaterThan(2);
    expect(table.rows.length).toBeLessThanOrEqual(SLACK_TABLE_LIMITS.rows);
    const header = (table.rows[0] ?? []).map(cellText);
    const burnt = header.findIndex((h) => h.includes("Burnt so far"));
    expect(burnt).toBeGreaterThanOrEqual(0);
    expect(table.column_settings?.[burnt]).toEqual({ align: "right", is_wrapped: false });
    // Every "Burnt so far" cell is one whole money value (or says there is no list price).
    for (const row of table.rows.slice(1)) {
      const c = row[burnt];
      expect(c?.type).toBe("raw_text");
      if (c?.type === "raw_text") expect(c.text).toMatch(/^(> )?\$[\d,]+\.\d\d$|^no list price$/);
    }
    expect(answer.text).toMatch(/idle/i);
  });

  it("Share in channel posts the answer the person saw, not a re-run, saying who shared it", async () => {
    const res = await postSigned(server.url, SECRET, slashCommandBody({ text: "idle", responseUrl: fake.responseUrl("idle-share") }));
    const ack = (await res.json()) as CommandAnswer;
    const answer = /Working on it/.test(ack.text ?? "") ? ((await fake.waitFor(() => fake.responsesTo("idle-share")[0], 20_000)).body as CommandAnswer) : ack;
    const seen = (answer.blocks ?? []).find((b) => b.type === "table");
    let share: { action_id: string; value: string } | undefined;
    for (const b of answer.blocks ?? []) if (b.type === "actions") share = b.elements.find((e) => e.action_id.startsWith("gpuops:share:")) ?? share;
    if (!share) throw new Error("no share button");
    // Azure now fails everything: a re-run would answer with an error, the kept answer is unchanged.
    server.app.fake?.addFault({ match: "/", status: 500 });
    const click = await postSigned(
      server.url,
      SECRET,
      blockActionsBody({ actionId: share.action_id, value: share.value, responseUrl: fake.responseUrl("idle-share-click"), isEphemeral: true, channelId: "C0GENERAL1" }),
    );
    expect(click.status).toBe(200);
    await server.slack?.idle();
    server.app.fake?.clearFaults();
    const post = fake.callsOf("chat.postMessage").at(-1);
    expect(post?.args.channel).toBe("C0GENERAL1");
    const blocks = post?.args.blocks as SlackBlock[];
    // The same rows, in the same order, with the same figures; without its Share button the posted
    // message may have room for a row or two more of the same answer.
    const posted = blocks.find((b) => b.type === "table") as { rows: unknown[] } | undefined;
    const seenRows = (seen as { rows: unknown[] } | undefined)?.rows ?? [];
    expect(seenRows.length).toBeGreaterThan(1);
    expect(posted?.rows.slice(0, seenRows.length)).toEqual(seenRows);
    expect(JSON.stringify(blocks)).toContain("Shared by <@U0ALICE01>");
    expect(JSON.stringify(blocks)).not.toContain("gpuops:share");
    expect(checkSlackLimits({ blocks })).toEqual([]);
  });
});

describe("Slack door: charts without a public https address are uploaded as files", () => {
  let fake: FakeSlack;
  let server: RunningServer;

  beforeAll(async () => {
    fake = await startFakeSlack();
    server = await startSlackServer(fake, SECRET);
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });

  it("a public /gpu cost answer uploads its chart PNG to the channel with files.uploadV2", async () => {
    const res = await postSigned(server.url, SECRET, slashCommandBody({ text: "cost 7d public", channelId: "C0INFRA001", responseUrl: fake.responseUrl("cost-pub") }));
    expect(res.status).toBe(200);
    const ack = (await res.json()) as CommandAnswer;
    const answer = /Working on it/.test(ack.text ?? "") ? ((await fake.waitFor(() => fake.responsesTo("cost-pub")[0], 20_000)).body as CommandAnswer) : ack;
    expect(answer.response_type).toBe("in_channel");
    expect(JSON.stringify(answer.blocks)).toContain("attached below as an image");
    await server.slack?.idle();
    const complete = await fake.waitFor(() => fake.callsOf("files.completeUploadExternal")[0]);
    expect(complete.args.channel_id).toBe("C0INFRA001");
    expect(fake.callsOf("files.getUploadURLExternal")[0]?.args.filename).toBe("gpuops-chart.png");
    expect(fake.uploads).toHaveLength(1);
    expect(fake.uploads[0]?.png).toBe(true);
    expect(fake.uploads[0]?.bytes).toBeGreaterThan(1000);
  });

  it("a private answer's chart is not uploaded (a file in the channel would be public): its caption says where charts show", async () => {
    const before = fake.callsOf("files.getUploadURLExternal").length;
    const res = await postSigned(server.url, SECRET, slashCommandBody({ text: "cost 7d", channelId: "C0INFRA001", responseUrl: fake.responseUrl("cost-priv") }));
    const ack = (await res.json()) as CommandAnswer;
    const answer = /Working on it/.test(ack.text ?? "") ? ((await fake.waitFor(() => fake.responsesTo("cost-priv")[0], 20_000)).body as CommandAnswer) : ack;
    await server.slack?.idle();
    expect(JSON.stringify(answer.blocks)).toMatch(/Slack shows charts in answers posted to the channel/);
    expect(fake.callsOf("files.getUploadURLExternal").length).toBe(before);
  });
});
