// The Teams conversation references on both store engines (SQLite file and PostgreSQL): saved,
// refreshed without losing the team, marked broken, listed for `status`, revived.
import type { ConversationReference } from "@microsoft/agents-activity";
import { afterAll, describe, expect, it } from "vitest";
import { baseConversationId, threadConversationId } from "../../src/chat/teams/conversation-ids.ts";
import { openStore, type Store } from "../../src/store/store.ts";
import { getConversation, listBrokenConversations, markConversationBroken, saveConversationReference } from "../../src/store/teams-conversations.ts";
import { type FreshDatabase, freshPostgres, freshSqlite } from "../support/fresh-database.ts";

const CHANNEL = "19:2b0c8c4d27f64e1c9a1f0e3d5b6a7c8d@thread.tacv2";

function reference(conversationId: string, serviceUrl = "https://smba.trafficmanager.net/emea/"): ConversationReference {
  return {
    activityId: "1712000000001",
    user: { id: "29:user", name: "Ada" },
    agent: { id: "28:bot", name: "gpuops" },
    conversation: { id: conversationId, conversationType: "channel", tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47", isGroup: true },
    channelId: "msteams",
    serviceUrl,
  };
}

const opened: Array<{ store: Store; db: FreshDatabase }> = [];
afterAll(async () => {
  for (const o of opened) {
    await o.store.close();
    await o.db.drop();
  }
});

describe.each([
  ["sqlite", freshSqlite],
  ["postgres", () => freshPostgres("gpuops_teams")],
])("Teams conversation store on %s", (_engine, fresh) => {
  it("saves a reference under the base conversation id, without the triggering activity", async () => {
    const db = await fresh();
    const store = await openStore({ databaseUrl: db.databaseUrl, dataDir: db.dataDir });
    opened.push({ store, db });
    const t0 = new Date("2026-11-26T09:00:00Z");
    const id = await saveConversationReference(store.db, reference(`${CHANNEL};messageid=1712000000001`), { teamId: "19:team@thread.tacv2", name: "gpu-capacity" }, t0);
    expect(id).toBe(CHANNEL);
    const saved = await getConversation(store.db, `${CHANNEL};messageid=999`);
    expect(saved).toMatchObject({ conversationId: CHANNEL, status: "active", teamId: "19:team@thread.tacv2", name: "gpu-capacity", conversationType: "channel" });
    expect(saved?.reference.conversation.id).toBe(CHANNEL);
    expect(saved?.reference.activityId).toBeUndefined();
    expect(saved?.reference.serviceUrl).toBe("https://smba.trafficmanager.net/emea/");

    // A later message from a thread refreshes the service URL but keeps the team it did not mention.
    await saveConversationReference(store.db, reference(`${CHANNEL};messageid=5`, "https://smba.trafficmanager.net/amer/"), {}, new Date("2026-11-26T10:00:00Z"));
    const refreshed = await getConversation(store.db, CHANNEL);
    expect(refreshed).toMatchObject({ teamId: "19:team@thread.tacv2", name: "gpu-capacity", updatedAt: "2026-11-26T10:00:00.000Z" });
    expect(refreshed?.reference.serviceUrl).toBe("https://smba.trafficmanager.net/amer/");

    await markConversationBroken(store.db, CHANNEL, "the app is not in this conversation's roster any more", new Date("2026-11-26T11:00:00Z"));
    const broken = await listBrokenConversations(store.db);
    expect(broken).toHaveLength(1);
    expect(broken[0]).toMatchObject({ conversationId: CHANNEL, status: "broken", brokenAt: "2026-11-26T11:00:00.000Z" });
    expect(broken[0]?.brokenReason).toMatch(/roster/);

    await saveConversationReference(store.db, reference(CHANNEL), {}, new Date("2026-11-26T12:00:00Z"));
    expect(await listBrokenConversations(store.db)).toEqual([]);
    expect((await getConversation(store.db, CHANNEL))?.brokenReason).toBeNull();
  });
});

describe("conversation ids", () => {
  it("maps channel threads to their channel and back", () => {
    expect(baseConversationId(`${CHANNEL};messageid=17`)).toBe(CHANNEL);
    expect(baseConversationId("a:1personal")).toBe("a:1personal");
    expect(threadConversationId(`${CHANNEL};messageid=17`, "42")).toBe(`${CHANNEL};messageid=42`);
    expect(threadConversationId(CHANNEL, undefined)).toBe(CHANNEL);
  });
});

describe("conversation references are written only when they change", () => {
  it("skips the write for the same reference, writes a changed one, and revives after a broken mark", async () => {
    const db = freshSqlite();
    const store = await openStore({ databaseUrl: db.databaseUrl, dataDir: db.dataDir });
    opened.push({ store, db });
    const at = (iso: string) => new Date(iso);
    await saveConversationReference(store.db, reference(CHANNEL), { name: "gpu-capacity" }, at("2026-11-26T09:00:00Z"));
    // The same conversation says the same again a minute later: nothing to write (updatedAt stays).
    await saveConversationReference(store.db, reference(`${CHANNEL};messageid=7`), { name: "gpu-capacity" }, at("2026-11-26T09:01:00Z"));
    expect((await getConversation(store.db, CHANNEL))?.updatedAt).toBe("2026-11-26T09:00:00.000Z");
    // A new service URL is a change: written at once.
    await saveConversationReference(store.db, reference(CHANNEL, "https://smba.trafficmanager.net/amer/"), { name: "gpu-capacity" }, at("2026-11-26T09:02:00Z"));
    expect(await getConversation(store.db, CHANNEL)).toMatchObject({ updatedAt: "2026-11-26T09:02:00.000Z" });
    // Marked broken, then heard from with the same reference: written, active again.
    await markConversationBroken(store.db, CHANNEL, "removed", at("2026-11-26T09:03:00Z"));
    await saveConversationReference(store.db, reference(CHANNEL, "https://smba.trafficmanager.net/amer/"), { name: "gpu-capacity" }, at("2026-11-26T09:04:00Z"));
    expect(await getConversation(store.db, CHANNEL)).toMatchObject({ status: "active", updatedAt: "2026-11-26T09:04:00.000Z" });
    // After a while the same reference is written again (a broken mark by another replica heals).
    await saveConversationReference(store.db, reference(CHANNEL, "https://smba.trafficmanager.net/amer/"), { name: "gpu-capacity" }, at("2026-11-26T09:20:00Z"));
    expect((await getConversation(store.db, CHANNEL))?.updatedAt).toBe("2026-11-26T09:20:00.000Z");
  });
});
