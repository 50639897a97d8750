// The Teams door end to end: real Teams-shaped activities POSTed over HTTP to /api/messages of the
// real server (local mode, demo Azure), the Agents SDK's CloudAdapter answering at a loopback Bot
// Connector named by each activity's serviceUrl.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { ConnectorClient } from "@microsoft/agents-hosting";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/log.ts";
import { reply, text } from "../../src/reply/reply.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { withTextRuns } from "../support/card-inlines.ts";
import { type ConnectorCall, type FakeBotConnector, startFakeBotConnector } from "../support/fake-bot-connector.ts";
import {
  CHANNEL_CONVERSATION,
  cardInvoke,
  cardSubmit,
  channelMention,
  groupChatMention,
  PERSONAL_CONVERSATION,
  personalMessage,
  postActivity,
} from "../support/teams-activities.ts";

const dataDir = mkdtempSync(join(tmpdir(), "gpuops-teams-"));
const logLines: Array<Record<string, unknown>> = [];
let server: RunningServer;
let connector: FakeBotConnector;

interface CardJson {
  type: string;
  version: string;
  body: unknown[];
}

function cardOf(call: ConnectorCall | undefined): CardJson {
  const attachments = call?.activity.attachments as Array<{ contentType: string; content: CardJson }> | undefined;
  expect(attachments?.[0]?.contentType).toBe("application/vnd.microsoft.card.adaptive");
  return attachments?.[0]?.content as CardJson;
}

/** Every TextRun text in a card, in order. */
function texts(card: unknown, out: string[] = []): string[] {
  const node = withTextRuns(card);
  if (Array.isArray(node)) for (const n of node) texts(n, out);
  else if (node && typeof node === "object") {
    const o = node as Record<string, unknown>;
    if (o.type === "TextRun" && typeof o.text === "string") out.push(o.text);
    for (const v of Object.values(o)) texts(v, out);
  }
  return out;
}

beforeAll(async () => {
  connector = await startFakeBotConnector();
  const capture = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const config = loadConfig({ PORT: "0", GPUOPS_DATA_DIR: dataDir, GPUOPS_TEAMS_SLOW_REPLY_MS: "1500", GPUOPS_CONSOLE: "off" }, { cwd: dataDir });
  server = await startServer(config, { log: createLogger("info", capture) });
  // A tiny action for the button tests: it counts clicks and shows the count on the card.
  server.app.router.addAction({
    verb: "test.bump",
    schema: z.object({ count: z.number().int().min(0).max(1000) }),
    run: async (p, req) => ({
      update: reply(`Clicked ${p.count + 1} times`, [text(`Last click by ${req.actor.name ?? req.actor.id} on message ${req.message?.messageId ?? "?"}`)]),
    }),
  });
});
afterAll(async () => {
  await server?.close();
  await connector?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("Teams door in local mode", () => {
  it("says loudly at start that /api/messages is unauthenticated", () => {
    expect(server.teams.mode).toBe("local");
    const warning = logLines.find((l) => typeof l.msg === "string" && l.msg.includes("TEAMS LOCAL MODE"));
    expect(warning?.level).toBe(40);
  });

  it("answers `gpu quota westus` in a personal chat with an Adaptive Card of GPU families and headroom", async () => {
    const activity = personalMessage(connector.url, "gpu quota westus");
    const res = await postActivity(server.url, activity);
    expect(res.status).toBe(200);
    await connector.waitFor((calls) => calls.some((c) => c.activityId === activity.id));
    const call = connector.calls.find((c) => c.activityId === activity.id);
    expect(call?.kind).toBe("reply");
    expect(call?.conversationId).toBe(PERSONAL_CONVERSATION);
    expect(call?.authorization).toBeUndefined();
    const card = cardOf(call);
    expect(card.type).toBe("AdaptiveCard");
    expect(card.version).toBe("1.5");
    const all = texts(card);
    expect(all[0]).toBe("GPU quota in westus (West US)");
    expect(all).toContain("GPU family");
    expect(all).toContain("You can still start");
    expect(all).toContain("Standard NCASv3_T4 Family");
    expect(all.some((t) => /^\d+ × NC4as_T4_v3 \(\d+ GPUs?\)/.test(t))).toBe(true);
    expect(all).toContain("Demo data: a fake Azure tenant, not your subscriptions.");
    expect(server.app.fake?.requests.some((r) => r.path.includes("/locations/westus/usages"))).toBe(true);
  });

  it("posts a card answer itself, as the SDK would put it on the wire, without the SDK's copy of it", async () => {
    const viaSdk = vi.spyOn(ConnectorClient.prototype, "replyToActivity");
    try {
      const activity = personalMessage(connector.url, "skus swedencentral");
      await postActivity(server.url, activity);
      await connector.waitFor((calls) => calls.some((c) => c.activityId === activity.id));
      const call = connector.calls.find((c) => c.activityId === activity.id);
      expect(call?.kind).toBe("reply");
      expect(call?.activity).toMatchObject({ type: "message", channelId: "msteams", replyToId: activity.id, conversation: { id: PERSONAL_CONVERSATION } });
      expect(call?.activity).not.toHaveProperty("_channelId");
      expect(texts(cardOf(call))[0]).toBe("GPU sizes in swedencentral (Sweden Central)");
      expect(viaSdk).not.toHaveBeenCalled();
    } finally {
      viaSdk.mockRestore();
    }
  });

  it("strips the @mention in a channel and answers in the same thread", async () => {
    const activity = channelMention(connector.url, "quota westus a100", { rootId: "1712000000999" });
    await postActivity(server.url, activity);
    await connector.waitFor((calls) => calls.some((c) => c.activityId === activity.id));
    const call = connector.calls.find((c) => c.activityId === activity.id);
    expect(call?.conversationId).toBe(`${CHANNEL_CONVERSATION};messageid=1712000000999`);
    const all = texts(cardOf(call));
    expect(all[0]).toMatch(/^GPU quota for .*A100.* in westus/);
    expect(all.join(" ")).not.toContain("<at>");
  });

  it("answers an @mention in a group chat in that chat", async () => {
    const activity = groupChatMention(connector.url, "explain PTU");
    await postActivity(server.url, activity);
    await connector.waitFor((calls) => calls.some((c) => c.activityId === activity.id));
    const call = connector.calls.find((c) => c.activityId === activity.id);
    expect(call?.conversationId).toBe("19:meeting_OGZkYzA0@thread.v2");
    expect(texts(cardOf(call))[0]).toMatch(/PTU/);
  });

  it("gives a kind answer with an example for a malformed command, as a card", async () => {
    const activity = personalMessage(connector.url, "quota narnia");
    await postActivity(server.url, activity);
    await connector.waitFor((calls) => calls.some((c) => c.activityId === activity.id));
    const all = texts(cardOf(connector.calls.find((c) => c.activityId === activity.id)));
    expect(all[0]).toBe("That didn't work");
    expect(all.join("\n")).toMatch(/narnia/);
    expect(all.join("\n")).toMatch(/Try: /);
  });

  it("says 'working on it…' for a slow answer, then replaces that message with the answer", async () => {
    server.app.fake?.addFault({ match: "/locations/eastus/usages", latencyMs: 2500, times: 3 });
    const activity = personalMessage(connector.url, "quota eastus");
    const started = Date.now();
    const res = await postActivity(server.url, activity);
    expect(res.status).toBe(200);
    // The request ends once the placeholder is out, well before the answer is ready.
    expect(Date.now() - started).toBeLessThan(2400);
    const placeholder = connector.calls.find((c) => c.activityId === activity.id);
    expect(texts(cardOf(placeholder))).toEqual(["Working on it…"]);
    await connector.waitFor((calls) => calls.some((c) => c.kind === "update" && c.activityId === placeholder?.id));
    const update = connector.calls.find((c) => c.kind === "update" && c.activityId === placeholder?.id);
    expect(update?.conversationId).toBe(PERSONAL_CONVERSATION);
    expect(texts(cardOf(update))[0]).toBe("GPU quota in eastus (East US)");
  });

  it("handles an adaptiveCard/action invoke: updated card in the response and in the original message", async () => {
    const cardMessageId = "activity-card-1";
    const res = await postActivity(server.url, cardInvoke(connector.url, cardMessageId, "test.bump", { verb: "test.bump", payload: { count: 2 } }));
    expect(res.status).toBe(200);
    const body = res.body as { statusCode: number; type: string; value: CardJson };
    expect(body.statusCode).toBe(200);
    expect(body.type).toBe("application/vnd.microsoft.card.adaptive");
    expect(texts(body.value)[0]).toBe("Clicked 3 times");
    expect(texts(body.value)[1]).toBe(`Last click by Ada Lovelace on message ${cardMessageId}`);
    const update = connector.calls.find((c) => c.kind === "update" && c.activityId === cardMessageId);
    expect(update?.conversationId).toBe(PERSONAL_CONVERSATION);
    expect(texts(cardOf(update))[0]).toBe("Clicked 3 times");
  });

  it("handles the Action.Submit fallback (a message whose value is the button data) through the same router", async () => {
    const cardMessageId = "activity-card-2";
    await postActivity(server.url, cardSubmit(connector.url, cardMessageId, { verb: "test.bump", payload: { count: 7 } }));
    await connector.waitFor((calls) => calls.some((c) => c.kind === "update" && c.activityId === cardMessageId));
    const update = connector.calls.find((c) => c.kind === "update" && c.activityId === cardMessageId);
    expect(texts(cardOf(update))[0]).toBe("Clicked 8 times");
  });

  it("refuses a forged click with a message, and changes nothing", async () => {
    const before = connector.calls.length;
    const res = await postActivity(server.url, cardInvoke(connector.url, "activity-card-3", "test.bump", { verb: "test.bump", payload: { count: "lots" } }));
    const body = res.body as { statusCode: number; type: string; value: string };
    expect(body.type).toBe("application/vnd.microsoft.activity.message");
    expect(body.value).toMatch(/not valid, so nothing was done/);
    expect(connector.calls.slice(before).filter((c) => c.kind === "update")).toEqual([]);
  });

  it("answers a click on a button it no longer knows with a message", async () => {
    const res = await postActivity(server.url, cardInvoke(connector.url, "activity-card-4", "nope.unknown", { verb: "nope.unknown", payload: {} }));
    const body = res.body as { type: string; value: string };
    expect(body.type).toBe("application/vnd.microsoft.activity.message");
    expect(body.value).toMatch(/not available any more/);
  });

  it("rejects a body that is not an activity with 400 and sends nothing", async () => {
    const before = connector.calls.length;
    const res = await postActivity(server.url, { hello: "world" });
    expect(res.status).toBe(400);
    expect(connector.calls.length).toBe(before);
  });
});
