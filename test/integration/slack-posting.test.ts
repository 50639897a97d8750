/**
 * The Slack PostingPort with the official WebClient against the fake Slack: what reaches
 * chat.postMessage / chat.update, per-channel spacing, 429 + Retry-After, permanent errors.
 * Time is a fake clock: waits are recorded, not slept.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createSlackPosting, type SlackPosting } from "../../src/chat/slack/posting.ts";
import { createSlackWebClient } from "../../src/chat/slack/web-client.ts";
import { GpuopsError } from "../../src/errors.ts";
import { createLogger } from "../../src/log.ts";
import { checkSlackLimits, type SlackBlock } from "../../src/render/slack.ts";
import { reply, table, text } from "../../src/reply/reply.ts";
import { type FakeSlack, startFakeSlack } from "../support/fake-slack.ts";

const log = createLogger("silent");

describe("Slack posting port", () => {
  let fake: FakeSlack;
  let clock: number;
  let waits: number[];
  let posting: SlackPosting;

  beforeAll(async () => {
    fake = await startFakeSlack();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.clearFaults();
    clock = 1_000_000;
    waits = [];
    const client = createSlackWebClient({ botToken: fake.botToken, apiUrl: fake.apiUrl }, log);
    posting = createSlackPosting({
      client,
      log,
      now: () => clock,
      sleep: async (ms) => {
        waits.push(ms);
        clock += ms;
      },
    });
  });

  it("posts a rendered Reply with chat.postMessage and updates it in place with chat.update", async () => {
    const digest = reply("Idle GPUs today", [text("2 VMs idle <!channel>"), table([{ key: "vm", label: "VM" }], [{ vm: "gpu-train-01" }])], { context: ["Demo data"] });
    const posted = await posting.post("C0DIGEST01", digest);
    expect(posted).toMatchObject({ platform: "slack", channelId: "C0DIGEST01" });
    expect(posted.messageId).toMatch(/^\d+\.\d+$/);
    const call = fake.callsOf("chat.postMessage").at(-1);
    expect(call?.authorization).toBe(`Bearer ${fake.botToken}`);
    expect(call?.args).toMatchObject({ channel: "C0DIGEST01", unfurl_links: "false" });
    const blocks = call?.args.blocks as SlackBlock[];
    expect(checkSlackLimits({ text: call?.args.text as string, blocks })).toEqual([]);
    expect(JSON.stringify(blocks)).toContain("gpu-train-01");
    expect(JSON.stringify(blocks)).toContain("&lt;!channel&gt;");

    await posting.update(posted, reply("Idle GPUs today (updated)", [text("0 VMs idle")]));
    const upd = fake.callsOf("chat.update").at(-1);
    expect(upd?.args).toMatchObject({ channel: "C0DIGEST01", ts: posted.messageId });
    expect(JSON.stringify(upd?.args.blocks)).toContain("(updated)");
  });

  it("posts into a thread when asked", async () => {
    const posted = await posting.post("C0THREAD01", reply("Follow-up", [text("x")]), { threadId: "1700000000.000100" });
    expect(fake.callsOf("chat.postMessage").at(-1)?.args.thread_ts).toBe("1700000000.000100");
    expect(posted.threadId).toBe("1700000000.000100");
  });

  it("spaces posts to one channel about a second apart, and other channels are not held up", async () => {
    const before = fake.callsOf("chat.postMessage").length;
    await Promise.all([
      posting.post("C0BUSY0001", reply("one", [])),
      posting.post("C0BUSY0001", reply("two", [])),
      posting.post("C0BUSY0001", reply("three", [])),
      posting.post("C0QUIET001", reply("other", [])),
    ]);
    const calls = fake.callsOf("chat.postMessage").slice(before);
    expect(calls.filter((c) => c.args.channel === "C0BUSY0001").map((c) => c.args.text)).toEqual(["one", "two", "three"]);
    expect(waits).toHaveLength(2);
    for (const w of waits) expect(w).toBeGreaterThanOrEqual(999);
  });

  it("honours 429 Retry-After: waits as told, then posts once", async () => {
    fake.addFault({ method: "chat.postMessage", retryAfter: 3, times: 1 });
    const before = fake.callsOf("chat.postMessage").length;
    const posted = await posting.post("C0LIMITED1", reply("after the limit", []));
    expect(posted.messageId).not.toBe("");
    expect(fake.callsOf("chat.postMessage").length - before).toBe(2);
    expect(waits).toEqual([3000]);
    expect(posting.stats().rateLimited).toBe(1);
  });

  it("gives up with chat_throttled when Slack asks for a wait longer than allowed", async () => {
    fake.addFault({ method: "chat.postMessage", retryAfter: 120, times: 1 });
    const err = await posting.post("C0LIMITED2", reply("x", [])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GpuopsError);
    expect((err as GpuopsError).code).toBe("chat_throttled");
    expect((err as GpuopsError).message).toMatch(/rate-limiting.*120 s/);
    expect(waits).toEqual([]);
  });

  it.each([
    ["is_archived", /archived/],
    ["channel_not_found", /does not exist/],
    ["not_in_channel", /invite it/],
    ["account_inactive", /removed from the workspace|revoked/],
  ])("reports %s as a readable permanent error without retrying", async (slackError, reason) => {
    fake.addFault({ method: "chat.postMessage", error: slackError });
    const before = fake.callsOf("chat.postMessage").length;
    const err = await posting.post("C0GONE0001", reply("x", [])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GpuopsError);
    const e = err as GpuopsError;
    expect(e.code).toBe("chat_unavailable");
    expect(e.message).toMatch(/C0GONE0001/);
    expect(e.message).toMatch(reason);
    expect(e.context.slackError).toBe(slackError);
    expect(fake.callsOf("chat.postMessage").length - before).toBe(1);
    expect(waits).toEqual([]);
  });

  it("a failed post does not block the next post to the same channel", async () => {
    fake.addFault({ method: "chat.postMessage", error: "msg_too_long", times: 1 });
    await expect(posting.post("C0AGAIN001", reply("a", []))).rejects.toThrow(/too long/);
    await expect(posting.post("C0AGAIN001", reply("b", []))).resolves.toMatchObject({ channelId: "C0AGAIN001" });
  });
});
