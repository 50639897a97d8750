/**
 * A digest is posted once even when Slack is slow or a replica dies mid-post: the real Slack
 * posting port (official WebClient) against the fake Slack, which keeps the channel's messages
 * with their metadata and serves conversations.history. The scheduler runs on a fake clock.
 *
 * - A post whose answer never comes in time is not retried by the WebClient; the digest looks
 *   in the channel's history for its marker and records the post it finds.
 * - A replica taking over a dead one's claim (after seconds, not 15 min) finds the dead one's
 *   post and does not post again; with no post there, it posts once.
 * - A run interrupted so late that its day ended is settled the next day: confirmed when the
 *   post landed, recorded as skipped otherwise, and its claim no longer hangs as "claimed".
 */
import { afterEach, describe, expect, it } from "vitest";
import { createSlackPosting } from "../../src/chat/slack/posting.ts";
import { createSlackWebClient } from "../../src/chat/slack/web-client.ts";
import { digestMarker } from "../../src/jobs/digest.ts";
import { createLogger } from "../../src/log.ts";
import { reply, text } from "../../src/reply/reply.ts";
import { type DigestWorld, startDigestWorld } from "../support/digest-world.ts";
import { type FakeSlack, startFakeSlack } from "../support/fake-slack.ts";

const log = createLogger("silent");
const CH = "C0DIGEST1";
const DAY1 = "2026-03-02";

let world: DigestWorld | undefined;
let slack: FakeSlack | undefined;
afterEach(async () => {
  await world?.close();
  await slack?.close();
  world = undefined;
  slack = undefined;
});

/** The world with a real Slack posting port on the fake Slack (a short WebClient timeout). */
async function setUp(start: string): Promise<{ w: DigestWorld; s: FakeSlack; port: ReturnType<typeof createSlackPosting> }> {
  const w = await startDigestWorld(start);
  const s = await startFakeSlack({ now: () => w.clock.now() });
  world = w;
  slack = s;
  const port = createSlackPosting({ client: createSlackWebClient({ botToken: s.botToken, apiUrl: s.apiUrl, timeoutMs: 400 }, log), log, minIntervalMs: 0 });
  const app = await w.boot({ platforms: ["teams"] });
  app.posting.register(port);
  expect((await w.say("slack", CH, "subscribe digest at 07:00 tz UTC")).outcome).toBe("ok");
  // Subscribed the day before: today's 07:00 (and yesterday's) count.
  await app.store?.db.updateTable("channel_subscription").set({ active_from: "2026-03-01T00:00:00.000Z" }).execute();
  app.scheduler?.poke();
  return { w, s, port };
}

/** What a replica that died right after Slack took its post left behind: the claim, "posting", the message. */
async function deadReplicaPosted(w: DigestWorld, port: ReturnType<typeof createSlackPosting> | undefined, at: string): Promise<void> {
  const store = w.app().store;
  if (!store) throw new Error("no store");
  await store.db
    .insertInto("job_run")
    .values({ job: `digest:slack:${CH}`, period_key: DAY1, claimed_by: "dead-replica", claimed_at: at, finished_at: null, status: "claimed", detail: null })
    .execute();
  await w.app().subscriptions?.recordPost({ platform: "slack", channelId: CH, localDate: DAY1, status: "posting", messageId: null, threadId: null, attempts: 0, reason: null, at });
  if (port) await port.post(CH, reply(`GPU digest ${DAY1}`, [text("posted by the replica that died")]), { marker: digestMarker("slack", CH, DAY1) });
}

describe("digest posted exactly once", () => {
  it("a slow Slack gets one digest, not three, and the record says posted", async () => {
    const { w, s } = await setUp("2026-03-02T06:00:00Z");
    // Slack takes the post but answers after the WebClient gave up waiting.
    s.addFault({ method: "chat.postMessage", answerAfterMs: 1_200, times: 1 });
    await w.clock.advanceTo("2026-03-02T07:05:00Z");
    expect(s.messagesIn(CH)).toHaveLength(1);
    expect(s.callsOf("chat.postMessage")).toHaveLength(1);
    const rec = await w.app().subscriptions?.getPost("slack", CH, DAY1);
    expect(rec).toMatchObject({ status: "posted", messageId: s.messagesIn(CH)[0]?.ts });
    // The post carries the marker the lookup found.
    expect(s.messagesIn(CH)[0]?.metadata).toEqual({ event_type: "gpuops_post", event_payload: { marker: digestMarker("slack", CH, DAY1) } });
  }, 60_000);

  it("a replica taking over a dead one's claim within a minute finds its post and does not post again", async () => {
    const { w, s, port } = await setUp("2026-03-02T07:00:20Z");
    await deadReplicaPosted(w, port, "2026-03-02T07:00:00.000Z");
    await w.clock.advanceTo("2026-03-02T07:03:00Z");
    expect(s.messagesIn(CH)).toHaveLength(1);
    expect(await w.app().subscriptions?.getPost("slack", CH, DAY1)).toMatchObject({ status: "posted", messageId: s.messagesIn(CH)[0]?.ts });
    const run = await w.app().store?.db.selectFrom("job_run").selectAll().where("job", "=", `digest:slack:${CH}`).executeTakeFirst();
    expect(run?.status).toBe("done");
  }, 60_000);

  it("posts once when the dead replica's post never reached Slack", async () => {
    const { w, s } = await setUp("2026-03-02T07:00:20Z");
    await deadReplicaPosted(w, undefined, "2026-03-02T07:00:00.000Z");
    await w.clock.advanceTo("2026-03-02T07:03:00Z");
    expect(s.messagesIn(CH)).toHaveLength(1);
    expect(await w.app().subscriptions?.getPost("slack", CH, DAY1)).toMatchObject({ status: "posted" });
  }, 60_000);

  it("without the history scope it cannot look, so it posts again (the documented at-least-once case)", async () => {
    const { w, s, port } = await setUp("2026-03-02T07:00:20Z");
    s.scopes.delete("channels:history");
    await deadReplicaPosted(w, port, "2026-03-02T07:00:00.000Z");
    await w.clock.advanceTo("2026-03-02T07:03:00Z");
    expect(s.callsOf("conversations.history").length).toBeGreaterThan(0);
    expect(s.messagesIn(CH)).toHaveLength(2);
    expect(await w.app().subscriptions?.getPost("slack", CH, DAY1)).toMatchObject({ status: "posted", messageId: s.messagesIn(CH)[1]?.ts });
  }, 60_000);

  it("settles a run interrupted just before its day ended: confirmed if it landed, and its claim is not left hanging", async () => {
    const { w, s, port } = await setUp("2026-03-03T00:00:30Z");
    await deadReplicaPosted(w, port, "2026-03-02T23:59:50.000Z");
    await w.clock.advanceTo("2026-03-03T00:05:00Z");
    expect(s.messagesIn(CH)).toHaveLength(1);
    expect(await w.app().subscriptions?.getPost("slack", CH, DAY1)).toMatchObject({ status: "posted", messageId: s.messagesIn(CH)[0]?.ts });
    const run = await w.app().store?.db.selectFrom("job_run").selectAll().where("job", "=", `digest:slack:${CH}`).where("period_key", "=", DAY1).executeTakeFirst();
    expect(run?.status).toBe("skipped");
  }, 60_000);
});
