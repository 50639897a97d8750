/**
 * GPU requests through the Teams door: Teams-shaped activities and Universal Actions invokes to
 * /api/messages (local mode), the Agents SDK's real connector client against a loopback Bot
 * Connector, the real ContainerService SDK client scaling an AKS pool on the fake Azure, and the
 * deny reason asked for in an Adaptive Card form.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/log.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { type ConnectorCall, type FakeBotConnector, startFakeBotConnector } from "../support/fake-bot-connector.ts";
import { type FreshDatabase, freshSqlite } from "../support/fresh-database.ts";
import { CHANNEL_CONVERSATION, cardInvoke, channelMention, PERSONAL_CONVERSATION, personalMessage, postActivity } from "../support/teams-activities.ts";
import { validateAdaptiveCard } from "../support/validate-adaptive-card.ts";

const SUB = "7d3a4b52-1c6e-4f0a-9b8e-2a5d6c7e8f90";
const DANA = { id: "29:1dana-teams-user", name: "Dana", aadObjectId: "0d5e8a1c-1111-4a4a-9b9b-000000000001" };
const SAM = { id: "29:1sam-teams-user", name: "Sam", aadObjectId: "0d5e8a1c-2222-4a4a-9b9b-000000000002" };
const FINN = { id: "29:1finn-teams-user", name: "Finn", aadObjectId: "0d5e8a1c-3333-4a4a-9b9b-000000000003" };
const T0 = new Date("2026-03-02T09:00:00.000Z");

type Activity = Record<string, unknown>;
const as = (who: typeof DANA, a: Activity): Activity => ({ ...a, from: { ...who } });

interface Execute {
  verb: string;
  data: Record<string, unknown>;
}

function executes(card: unknown, out: Array<Execute & { title: string }> = []): Array<Execute & { title: string }> {
  if (Array.isArray(card)) for (const c of card) executes(c, out);
  else if (card && typeof card === "object") {
    const o = card as Record<string, unknown>;
    if (o.type === "Action.Execute" && typeof o.title === "string") out.push({ title: o.title, verb: String(o.verb), data: (o.data ?? {}) as Record<string, unknown> });
    for (const v of Object.values(o)) executes(v, out);
  }
  return out;
}
const action = (card: unknown, title: string): Execute => {
  const a = executes(card).find((x) => x.title === title);
  if (!a)
    throw new Error(
      `no "${title}" among ${executes(card)
        .map((x) => x.title)
        .join(", ")}`,
    );
  return a;
};
const cardOf = (call: ConnectorCall | undefined) => (call?.activity.attachments as Array<{ content: unknown }> | undefined)?.[0]?.content;

describe("GPU requests in Teams", () => {
  let connector: FakeBotConnector;
  let server: RunningServer;
  let db: FreshDatabase;
  const clock = { now: T0 };

  beforeAll(async () => {
    connector = await startFakeBotConnector();
    db = freshSqlite();
    const config = loadConfig({
      GPUOPS_DEMO: "true",
      GPUOPS_DATA_DIR: db.dataDir,
      PORT: "0",
      GPUOPS_SCHEDULER: "false",
      GPUOPS_TEAMS_APPROVERS: SAM.aadObjectId,
      GPUOPS_TEAMS_APPROVAL_CHANNEL: CHANNEL_CONVERSATION,
      GPUOPS_APPROVAL_ACTION: "scale-nodepool",
      GPUOPS_NODEPOOL: "rg-ml-aks/aks-gpu/gpua100",
      GPUOPS_TEAMS_SLOW_REPLY_MS: "10000",
    });
    server = await startServer(config, { log: createLogger("silent"), now: () => clock.now, teams: { retry: { baseDelayMs: 1, maxDelayMs: 5 } } });
    server.app.fake?.tenant.setUsage(SUB, "swedencentral", "StandardNCADSA100v4Family", 0, 96);
    // The approvers' channel: the bot learns where it is from any activity there.
    const hello = channelMention(connector.url, "help");
    expect((await postActivity(server.url, as(SAM, hello))).status).toBe(200);
    await connector.waitFor((calls) => calls.some((c) => c.activityId === hello.id), 20_000);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await connector?.close();
    await db?.drop();
  });

  /** Dana asks in her 1:1 chat; returns the pre-check card and its message id. */
  async function ask(text: string): Promise<{ card: unknown; id: string }> {
    const msg = as(DANA, personalMessage(connector.url, text));
    expect((await postActivity(server.url, msg)).status).toBe(200);
    await connector.waitFor((calls) => calls.some((c) => c.activityId === msg.id && c.status < 300), 20_000);
    const call = connector.calls.find((c) => c.activityId === msg.id && c.status < 300);
    return { card: cardOf(call), id: call?.id ?? "" };
  }

  async function invoke(who: typeof DANA, replyToId: string, a: Execute, conversationId = PERSONAL_CONVERSATION, extra: Record<string, unknown> = {}) {
    const activity = as(who, cardInvoke(connector.url, replyToId, a.verb, { ...a.data, ...extra }, conversationId));
    if (conversationId === CHANNEL_CONVERSATION)
      activity.conversation = { isGroup: true, conversationType: "channel", tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47", id: conversationId };
    const res = await postActivity(server.url, activity);
    expect(res.status).toBe(200);
    return res.body as { statusCode: number; type: string; value: unknown };
  }

  const channelSends = () => connector.calls.filter((c) => c.conversationId.startsWith(CHANNEL_CONVERSATION) && c.kind !== "update" && c.status < 300);

  it("asks, pre-checks, is approved by a configured approver only, scales the AKS pool, and releases it", async () => {
    const pre = await ask("request 2 NC24ads_A100_v4 in swedencentral for 3d -- fine-tune the support model");
    expect(JSON.stringify(pre.card)).toMatch(/fits: needs 48 vCPUs; 96 of 96 vCPUs free/);
    expect(validateAdaptiveCard(pre.card)).toEqual([]);

    const before = channelSends().length;
    const submitted = await invoke(DANA, pre.id, action(pre.card, "Submit"));
    expect(JSON.stringify(submitted.value)).toMatch(/Sent to the approvers/);
    await connector.waitFor(() => channelSends().length > before, 20_000);
    const cardCall = channelSends().at(-1) as ConnectorCall;
    const card = cardOf(cardCall);
    expect(validateAdaptiveCard(card)).toEqual([]);
    const cardId = cardCall.id ?? "";

    const self = await invoke(DANA, cardId, action(card, "Approve"), CHANNEL_CONVERSATION);
    expect(String(self.value)).toMatch(/can't approve it/);
    const finn = await invoke(FINN, cardId, action(card, "Approve"), CHANNEL_CONVERSATION);
    expect(String(finn.value)).toMatch(/not one of them/);

    const ok = await invoke(SAM, cardId, action(card, "Approve"), CHANNEL_CONVERSATION);
    expect(ok.type).toBe("application/vnd.microsoft.card.adaptive");
    expect(JSON.stringify(ok.value)).toMatch(/Approved by Sam at 2026-03-02 09:00 UTC/);
    expect(executes(ok.value)).toHaveLength(0);
    // Everyone sees the decision: the channel's card is edited in place.
    await connector.waitFor((calls) => calls.some((c) => c.kind === "update" && c.activityId === cardId), 10_000);
    await server.app.requests?.drain();
    const pool = server.app.fake?.provisioning.nodePools[0];
    expect(pool?.count).toBe(2);
    const thread = connector.calls.filter((c) => c.conversationId === `${CHANNEL_CONVERSATION};messageid=${cardId}`).map((c) => JSON.stringify(c.activity));
    expect(thread.join("\n")).toMatch(/scaled node pool aks-gpu\/gpua100 to 2 nodes/);
    // Dana was told directly, in her chat.
    const told = connector.calls.filter((c) => c.conversationId === PERSONAL_CONVERSATION && /lease runs until 2026-03-05 09:00 UTC/.test(JSON.stringify(c.activity)));
    expect(told).toHaveLength(1);

    // The 1-day reminder comes with Extend / Release now; Release now scales the pool back.
    await server.app.requests?.runLeaseJobs(new Date("2026-03-04T09:00:00.000Z"));
    await connector.waitFor((calls) => calls.some((c) => c.conversationId === PERSONAL_CONVERSATION && /lease ends in 1 day/.test(JSON.stringify(c.activity))), 10_000);
    const reminder = connector.calls.filter((c) => c.conversationId === PERSONAL_CONVERSATION && /lease ends in 1 day/.test(JSON.stringify(c.activity))).at(-1) as ConnectorCall;
    expect(executes(cardOf(reminder)).map((a) => a.title)).toEqual(["Extend 1 day", "Extend 3 days", "Release now"]);
    clock.now = new Date("2026-03-04T10:00:00.000Z");
    const released = await invoke(DANA, reminder.id ?? "", action(cardOf(reminder), "Release now"));
    expect(JSON.stringify(released.value)).toMatch(/Released/);
    await server.app.requests?.drain();
    expect(server.app.fake?.provisioning.nodePools[0]?.count).toBe(0);
    const s = await server.app.requests?.port.store.get("1");
    expect(s?.request).toMatchObject({ state: "released", reversal: "done" });
  }, 60_000);

  it("asks an approver for a deny reason in a card form", async () => {
    const pre = await ask("request 1 NC24ads_A100_v4 in swedencentral for 12h -- smoke test");
    const before = channelSends().length;
    await invoke(DANA, pre.id, action(pre.card, "Submit"));
    await connector.waitFor(() => channelSends().length > before, 20_000);
    const cardCall = channelSends().at(-1) as ConnectorCall;
    const card = cardOf(cardCall);
    const form = await invoke(SAM, cardCall.id ?? "", action(card, "Deny"), CHANNEL_CONVERSATION);
    expect(form.type).toBe("application/vnd.microsoft.card.adaptive");
    expect(validateAdaptiveCard(form.value)).toEqual([]);
    expect(JSON.stringify(form.value)).toMatch(/"type":"Input.Text","id":"reason"/);
    const deny = action(form.value, "Deny");
    const empty = await invoke(SAM, cardCall.id ?? "", deny, CHANNEL_CONVERSATION, { reason: "" });
    expect(JSON.stringify(empty.value)).toMatch(/"type":"Input.Text","id":"reason"/);
    const done = await invoke(SAM, cardCall.id ?? "", deny, CHANNEL_CONVERSATION, { reason: "use the T4 pool for smoke tests", id: "999" });
    expect(JSON.stringify(done.value)).toMatch(/Denied by Sam at .*: use the T4 pool for smoke tests/);
    const stored = await server.app.requests?.port.store.list({});
    expect(stored?.find((x) => x.request.spec.reason === "smoke test")?.request.decision).toMatchObject({ outcome: "denied", by: { id: SAM.aadObjectId } });
    expect((await server.app.requests?.port.store.get("999"))?.request).toBeUndefined();
  }, 60_000);

  it("offers the request form as an Adaptive Card with the same fields and a cost center", async () => {
    const help = await ask("request");
    const open = action(help.card, "Open the request form");
    const form = await invoke(DANA, help.id, open);
    expect(validateAdaptiveCard(form.value)).toEqual([]);
    const ids = JSON.stringify(form.value).match(/"id":"[a-zA-Z]+"/g);
    expect(ids).toEqual(['"id":"count"', '"id":"size"', '"id":"region"', '"id":"duration"', '"id":"reason"', '"id":"costCenter"']);
    const sends = connector.calls.length;
    await invoke(DANA, help.id, action(form.value, "Check"), PERSONAL_CONVERSATION, {
      count: "2",
      size: "a100",
      region: "Sweden Central",
      duration: "2 days",
      reason: "eval sweep",
      costCenter: "ml-research",
    });
    await connector.waitFor((calls) => calls.slice(sends).some((c) => /pre-check/.test(JSON.stringify(c.activity))), 20_000);
    const latest = await server.app.requests?.port.store.list({ limit: 1 });
    expect(latest?.[0]?.request.spec).toMatchObject({ region: "swedencentral", hours: 48, costCenter: "ml-research", reason: "eval sweep", gpus: 2 });
  }, 60_000);
});
