/**
 * Plain-language questions at the Slack door over the real Bolt receiver: an `app_mention` is
 * answered in its thread and a direct message in the DM, both signed with the real algorithm and
 * shaped as Slack's Events API sends them; answers go out through chat.postMessage to a fake Slack.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/server.ts";
import { type FakeSlack, signSlackRequest, startFakeSlack } from "../support/fake-slack.ts";
import { startSlackServer } from "../support/slack-server.ts";

const SECRET = "test-signing-secret-understand";

function eventBody(fake: FakeSlack, eventId: string, event: Record<string, unknown>): string {
  return JSON.stringify({
    token: "deprecated",
    team_id: fake.teamId,
    api_app_id: "A0GPUOPS1",
    event,
    type: "event_callback",
    event_id: eventId,
    event_time: 1700000000,
    authorizations: [{ team_id: fake.teamId, user_id: fake.botUserId, is_bot: true }],
  });
}

describe("Slack door: questions by @mention and direct message", () => {
  let fake: FakeSlack;
  let server: RunningServer;
  const send = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/slack/events`, {
      method: "POST",
      headers: { "content-type": "application/json", ...signSlackRequest(SECRET, body, Math.floor(Date.now() / 1000)), ...headers },
      body,
    });

  beforeAll(async () => {
    fake = await startFakeSlack();
    server = await startSlackServer(fake, SECRET);
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });

  it("answers an app_mention in the message's thread, once even when Slack retries, with what it read", async () => {
    const body = eventBody(fake, "Ev0MENTION1", {
      type: "app_mention",
      user: "U0ALICE01",
      text: `<@${fake.botUserId}> what did we burn on GPUs yesterday, by rg? :fire:`,
      ts: "1700000100.000200",
      channel: "C0INFRA001",
      event_ts: "1700000100.000200",
    });
    expect((await send(body)).status).toBe(200);
    await server.slack?.idle();
    expect((await send(body, { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" })).status).toBe(200);
    await server.slack?.idle();
    const posts = fake.callsOf("chat.postMessage").filter((c) => c.args.channel === "C0INFRA001" && c.args.thread_ts === "1700000100.000200");
    expect(posts).toHaveLength(1);
    const json = JSON.stringify(posts[0]?.args.blocks);
    expect(json).toContain("I read this as `cost yesterday by rg`");
    expect(json).toContain("GPU spend");
  });

  it("answers a mention inside a thread in that thread", async () => {
    const body = eventBody(fake, "Ev0MENTION2", {
      type: "app_mention",
      user: "U0BOB0001",
      text: `<@${fake.botUserId}> which one has the T4?`,
      ts: "1700000200.000300",
      thread_ts: "1700000150.000100",
      channel: "C0INFRA001",
      event_ts: "1700000200.000300",
    });
    expect((await send(body)).status).toBe(200);
    await server.slack?.idle();
    const post = await fake.waitFor(() => fake.callsOf("chat.postMessage").find((c) => c.args.thread_ts === "1700000150.000100"));
    expect(JSON.stringify(post.args.blocks)).toContain("NC4as_T4_v3");
  });

  it("answers a direct message in the DM, and a write only with a confirmation button", async () => {
    const body = eventBody(fake, "Ev0DM000001", {
      type: "message",
      channel_type: "im",
      user: "U0CAROL01",
      text: "approve request 3",
      ts: "1700000300.000100",
      channel: "D0CAROL01",
      event_ts: "1700000300.000100",
    });
    expect((await send(body)).status).toBe(200);
    await server.slack?.idle();
    const post = await fake.waitFor(() => fake.callsOf("chat.postMessage").find((c) => c.args.channel === "D0CAROL01"));
    const json = JSON.stringify(post.args.blocks);
    expect(json).toContain("Confirm before I act");
    expect(json).toContain("understand.confirm");
    expect(json).toContain("request approve 3");
  });

  it("ignores the bot's own DMs, edits and messages in channels", async () => {
    const before = fake.callsOf("chat.postMessage").length;
    for (const [id, event] of [
      ["Ev0IGN00001", { type: "message", channel_type: "im", user: fake.botUserId, text: "cost", ts: "1.1", channel: "D0X", event_ts: "1.1" }],
      ["Ev0IGN00002", { type: "message", channel_type: "im", subtype: "message_changed", channel: "D0X", ts: "1.2", event_ts: "1.2", hidden: true }],
      ["Ev0IGN00003", { type: "message", channel_type: "channel", user: "U0DAN0001", text: "idle gpus?", ts: "1.3", channel: "C0X", event_ts: "1.3" }],
    ] as const) {
      expect((await send(eventBody(fake, id, event))).status).toBe(200);
    }
    await server.slack?.idle();
    expect(fake.callsOf("chat.postMessage").length).toBe(before);
  });
});
