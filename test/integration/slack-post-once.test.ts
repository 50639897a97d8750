/**
 * The Slack WebClient as gpuops builds it, against the fake Slack: a post whose answer comes after
 * the client's timeout is not sent again (it may have landed, and here it did), while a read that
 * times out is still retried; the posting port finds a landed post by its metadata marker, and
 * says "unknown" when the token lacks the history scope.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createSlackPosting } from "../../src/chat/slack/posting.ts";
import { createSlackWebClient } from "../../src/chat/slack/web-client.ts";
import { createLogger } from "../../src/log.ts";
import { reply, text } from "../../src/reply/reply.ts";
import { type FakeSlack, startFakeSlack } from "../support/fake-slack.ts";

const log = createLogger("silent");
const NOW = new Date("2026-03-02T07:00:00.000Z");

describe("Slack calls that create something are sent once", () => {
  let slack: FakeSlack;
  beforeAll(async () => {
    slack = await startFakeSlack({ now: () => NOW });
  });
  afterAll(async () => {
    await slack.close();
  });
  beforeEach(() => slack.clearFaults());

  const client = () => createSlackWebClient({ botToken: slack.botToken, apiUrl: slack.apiUrl, timeoutMs: 250 }, log);

  it("does not re-send chat.postMessage after a timeout, and the post is found by its marker", async () => {
    slack.addFault({ method: "chat.postMessage", answerAfterMs: 800, times: 1 });
    const port = createSlackPosting({ client: client(), log, minIntervalMs: 0 });
    await expect(port.post("C0ONCE", reply("Digest", [text("hello")]), { marker: "digest:slack:C0ONCE:2026-03-02" })).rejects.toThrow();
    expect(slack.callsOf("chat.postMessage")).toHaveLength(1);
    expect(slack.messagesIn("C0ONCE")).toHaveLength(1);
    const found = await port.findPosted?.("C0ONCE", "digest:slack:C0ONCE:2026-03-02", new Date(NOW.getTime() - 60_000));
    expect(found).toEqual({ platform: "slack", channelId: "C0ONCE", messageId: slack.messagesIn("C0ONCE")[0]?.ts });
    expect(await port.findPosted?.("C0ONCE", "digest:slack:C0ONCE:2026-03-03", new Date(NOW.getTime() - 60_000))).toBeUndefined();
  });

  it("still retries a read that timed out", async () => {
    slack.addFault({ method: "conversations.history", latencyMs: 800, times: 1 });
    const before = slack.callsOf("conversations.history").length;
    const r = await client().conversations.history({ channel: "C0ONCE" });
    expect(r.ok).toBe(true);
    expect(slack.callsOf("conversations.history").length - before).toBe(2);
  });

  it("answers unknown when the token cannot read the channel's history", async () => {
    slack.scopes.delete("channels:history");
    try {
      const port = createSlackPosting({ client: client(), log, minIntervalMs: 0 });
      expect(await port.findPosted?.("C0ONCE", "digest:slack:C0ONCE:2026-03-02", new Date(NOW.getTime() - 60_000))).toBe("unknown");
    } finally {
      slack.scopes.add("channels:history");
    }
  });
});
