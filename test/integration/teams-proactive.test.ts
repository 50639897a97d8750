// Proactive posting to Teams: conversation references captured from real activities, kept in the
// store across a restart, and used by the Teams PostingPort (continueConversation) against a
// loopback Bot Connector that also plays Teams' failures (403 not in roster, 429, 412, 502).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { GpuopsError } from "../../src/errors.ts";
import { createLogger } from "../../src/log.ts";
import { reply, text } from "../../src/reply/reply.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import type { PostingPort } from "../../src/services/ports.ts";
import { listBrokenConversations } from "../../src/store/teams-conversations.ts";
import { CONNECTOR_ERRORS, type ConnectorCall, type FakeBotConnector, startFakeBotConnector } from "../support/fake-bot-connector.ts";
import { CHANNEL_CONVERSATION, channelMention, installationAdd, personalMessage, postActivity } from "../support/teams-activities.ts";

const dataDir = mkdtempSync(join(tmpdir(), "gpuops-teams-proactive-"));
const config = loadConfig({ PORT: "0", GPUOPS_DATA_DIR: dataDir, GPUOPS_CONSOLE: "off", GPUOPS_LOG_LEVEL: "silent" }, { cwd: dataDir });
let connector: FakeBotConnector;
let server: RunningServer | undefined;
/** Back-off waits the posting port asked for (the test's sleep records them and waits 1 ms). */
const waits: number[] = [];

async function start(): Promise<RunningServer> {
  server = await startServer(config, {
    log: createLogger("silent"),
    teams: {
      retry: {
        baseDelayMs: 100,
        maxDelayMs: 5000,
        maxAttempts: 4,
        random: () => 0.5,
        sleep: async (ms) => {
          waits.push(ms);
          await new Promise((r) => setTimeout(r, 1));
        },
      },
    },
  });
  return server;
}

const posting = (s: RunningServer): PostingPort => s.teams.posting as PostingPort;
const textsOf = (call: ConnectorCall | undefined) => JSON.stringify(call?.activity.attachments);

beforeAll(async () => {
  connector = await startFakeBotConnector();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  waits.length = 0;
});
afterAll(async () => {
  await connector?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("Teams proactive posting", () => {
  it("keeps the conversation reference from an install across a restart, and posts and updates with it", async () => {
    const conversation = "a:1proactive-restart";
    let s = await start();
    expect((await postActivity(s.url, installationAdd(connector.url, conversation))).status).toBe(200);
    await s.close();
    server = undefined;

    s = await start();
    const posted = await posting(s).post(conversation, reply("Daily GPU digest", [text("3 idle NC A100 VMs cost 412 USD yesterday.")]));
    expect(posted).toMatchObject({ platform: "teams", channelId: conversation });
    const sent = connector.calls.find((c) => c.kind === "send" && c.conversationId === conversation);
    expect(sent?.status).toBe(201);
    expect(sent?.id).toBe(posted.messageId);
    expect(sent?.activity.replyToId).toBeUndefined();
    expect(textsOf(sent)).toContain("Daily GPU digest");

    await posting(s).update(posted, reply("Daily GPU digest (acknowledged)", [text("Alice deallocated them.")]));
    const updated = connector.calls.find((c) => c.kind === "update" && c.activityId === posted.messageId);
    expect(updated?.conversationId).toBe(conversation);
    expect(textsOf(updated)).toContain("acknowledged");
  });

  it("posts into a channel thread when asked, from the reference an @mention left", async () => {
    const s = await start();
    await postActivity(s.url, channelMention(connector.url, "help", { rootId: "1712000000100" }));
    const posted = await posting(s).post(CHANNEL_CONVERSATION, reply("Idle GPUs", [text("none")]), { threadId: "1712000000555" });
    expect(posted).toMatchObject({ channelId: CHANNEL_CONVERSATION, threadId: "1712000000555" });
    const sent = connector.calls.find((c) => c.kind === "send" && c.id === posted.messageId);
    expect(sent?.conversationId).toBe(`${CHANNEL_CONVERSATION};messageid=1712000000555`);
  });

  it("retries 429 after Retry-After, and 412 / 502 with back-off and jitter, then delivers", async () => {
    const conversation = "a:1proactive-retry";
    const s = await start();
    await postActivity(s.url, installationAdd(connector.url, conversation));
    connector.addFault({ kind: "send", conversationId: conversation, status: 429, headers: { "Retry-After": "2" }, body: CONNECTOR_ERRORS.throttled, times: 1 });
    connector.addFault({ kind: "send", conversationId: conversation, status: 412, body: CONNECTOR_ERRORS.preconditionFailed, times: 1 });
    connector.addFault({ kind: "send", conversationId: conversation, status: 502, body: CONNECTOR_ERRORS.badGateway, times: 1 });
    const posted = await posting(s).post(conversation, reply("Quota alert", [text("westus NCASv3_T4 at 95 %")]));
    const attempts = connector.calls.filter((c) => c.kind === "send" && c.conversationId === conversation).map((c) => c.status);
    expect(attempts).toEqual([429, 412, 502, 201]);
    // Retry-After: 2 s is honoured; then equal-jitter back-off: step 200 → 150 ms, step 400 → 300 ms.
    expect(waits).toEqual([2000, 150, 300]);
    expect(posted.messageId).toMatch(/^activity-/);
  });

  it("gives up after the last attempt and says the connector kept refusing", async () => {
    const conversation = "a:1proactive-giveup";
    const s = await start();
    await postActivity(s.url, installationAdd(connector.url, conversation));
    connector.addFault({ kind: "send", conversationId: conversation, status: 502, body: CONNECTOR_ERRORS.badGateway, times: 10 });
    const err = await posting(s)
      .post(conversation, reply("x", []))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GpuopsError);
    expect((err as GpuopsError).code).toBe("chat_throttled");
    expect(connector.calls.filter((c) => c.conversationId === conversation && c.kind === "send")).toHaveLength(4);
  });

  it("marks the conversation broken on 403 'not in roster', refuses further posts without calling Teams, and revives on the next message", async () => {
    const conversation = "a:1proactive-removed";
    const s = await start();
    await postActivity(s.url, installationAdd(connector.url, conversation));
    connector.addFault({ kind: "send", conversationId: conversation, status: 403, body: CONNECTOR_ERRORS.notInRoster, times: 1 });
    const err = await posting(s)
      .post(conversation, reply("Digest", []))
      .catch((e: unknown) => e);
    expect((err as GpuopsError).code).toBe("chat_unavailable");
    expect((err as GpuopsError).message).toMatch(/not in this conversation's roster/);
    expect(connector.calls.filter((c) => c.conversationId === conversation && c.kind === "send")).toHaveLength(1);

    const db = s.app.store?.db;
    if (!db) throw new Error("no store");
    const broken = await listBrokenConversations(db);
    expect(broken.map((b) => b.conversationId)).toContain(conversation);
    expect(broken.find((b) => b.conversationId === conversation)?.brokenReason).toMatch(/roster/);

    const again = await posting(s)
      .post(conversation, reply("Digest", []))
      .catch((e: unknown) => e);
    expect((again as GpuopsError).message).toMatch(/cannot post there any more/);
    expect(connector.calls.filter((c) => c.conversationId === conversation && c.kind === "send")).toHaveLength(1);

    // Someone writes to the bot again: it is evidently back, so the conversation is active again.
    await postActivity(s.url, personalMessage(connector.url, "help", conversation));
    expect((await listBrokenConversations(db)).map((b) => b.conversationId)).not.toContain(conversation);
  });

  it("marks the conversation broken when the app is uninstalled", async () => {
    const conversation = "a:1proactive-uninstalled";
    const s = await start();
    await postActivity(s.url, installationAdd(connector.url, conversation));
    await postActivity(s.url, { ...installationAdd(connector.url, conversation), action: "remove" });
    const db = s.app.store?.db;
    if (!db) throw new Error("no store");
    const broken = await listBrokenConversations(db);
    expect(broken.find((b) => b.conversationId === conversation)?.brokenReason).toMatch(/uninstalled/);
  });

  it("refuses to post where it has never been added, with what to do", async () => {
    const s = await start();
    const err = await posting(s)
      .post("19:never-seen@thread.tacv2", reply("x", []))
      .catch((e: unknown) => e);
    expect((err as GpuopsError).code).toBe("chat_unavailable");
    expect((err as GpuopsError).message).toMatch(/Add the app/);
  });
});
