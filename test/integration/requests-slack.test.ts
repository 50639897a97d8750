/**
 * GPU requests through the Slack door: signed slash commands and block actions into the real
 * Bolt receiver, the official WebClient against the fake Slack, the real SDK clients against the
 * fake Azure (VM start / deallocate), and the store on SQLite and on PostgreSQL.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import type { ArmResource } from "../../src/fake-azure/demo-fleet.ts";
import { createLogger } from "../../src/log.ts";
import type { SlackBlock } from "../../src/render/slack.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { blockActionsBody, type FakeSlack, postSigned, slashCommandBody, startFakeSlack } from "../support/fake-slack.ts";
import { type FreshDatabase, freshPostgres, freshSqlite } from "../support/fresh-database.ts";

const SECRET = "test-signing-secret-req8";
const SUB = "7d3a4b52-1c6e-4f0a-9b8e-2a5d6c7e8f90";
const DANA = "U0DANA001";
const SAM = "U0SAM0001";
const LEE = "U0LEE0001";
const FINN = "U0FINN001";
const APPROVALS = "C0APPROVE1";
const GENERAL = "C0GENERAL1";
const T0 = new Date("2026-03-02T09:00:00.000Z");

interface Button {
  actionId: string;
  value: string;
}

function buttons(blocks: unknown): Array<Button & { text: string }> {
  const out: Array<Button & { text: string }> = [];
  for (const b of (blocks ?? []) as SlackBlock[]) {
    if (b.type !== "actions") continue;
    for (const e of b.elements) out.push({ actionId: e.action_id, value: e.value, text: e.text.text });
  }
  return out;
}
const button = (blocks: unknown, text: string): Button => {
  const b = buttons(blocks).find((x) => x.text === text);
  if (!b)
    throw new Error(
      `no "${text}" button among ${buttons(blocks)
        .map((x) => x.text)
        .join(", ")}`,
    );
  return b;
};
const textOf = (blocks: unknown) => JSON.stringify(blocks ?? []);

interface Rig {
  slack: FakeSlack;
  server: RunningServer;
  clock: { now: Date };
  db: FreshDatabase;
  pool: ArmResource[];
}

async function startRig(db: FreshDatabase, env: Record<string, string> = {}): Promise<Rig> {
  const slack = await startFakeSlack();
  const clock = { now: T0 };
  const config = loadConfig({
    GPUOPS_DEMO: "true",
    GPUOPS_DATA_DIR: db.dataDir,
    ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}),
    PORT: "0",
    GPUOPS_SCHEDULER: "false",
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_API_URL: slack.apiUrl,
    GPUOPS_SLACK_APPROVERS: `${SAM},${LEE}`,
    GPUOPS_SLACK_APPROVAL_CHANNEL: APPROVALS,
    GPUOPS_APPROVAL_ACTION: "start-vms",
    ...env,
  });
  const server = await startServer(config, { log: createLogger("silent"), now: () => clock.now });
  const fake = server.app.fake;
  if (!fake) throw new Error("demo server without a fake Azure");
  fake.tenant.setUsage(SUB, "swedencentral", "StandardNCADSA100v4Family", 0, 96);
  const pool = fake.provisioning.addPoolVms({ subscriptionId: SUB, region: "swedencentral", size: "Standard_NC24ads_A100_v4", count: 3 });
  return { slack, server, clock, db, pool };
}

async function stopRig(r: Rig | undefined): Promise<void> {
  if (!r) return;
  await r.server.close();
  await r.slack.close();
  await r.db.drop();
}

async function ask(r: Rig, text: string, user = DANA): Promise<unknown> {
  const id = `ask-${Math.random().toString(36).slice(2)}`;
  const res = await postSigned(r.server.url, SECRET, slashCommandBody({ text, userId: user, channelId: GENERAL, responseUrl: r.slack.responseUrl(id) }));
  expect(res.status).toBe(200);
  const body = await res.text();
  const ack = body ? (JSON.parse(body) as { blocks?: unknown }) : {};
  if (ack.blocks) return ack.blocks;
  const later = await r.slack.waitFor(() => r.slack.responsesTo(id)[0]);
  return later.body.blocks;
}

async function click(
  r: Rig,
  user: string,
  b: Button,
  where: { channelId: string; messageTs?: string; ephemeral?: boolean },
  responseId = `click-${Math.random().toString(36).slice(2)}`,
): Promise<string> {
  const res = await postSigned(
    r.server.url,
    SECRET,
    blockActionsBody({
      actionId: b.actionId,
      value: b.value,
      userId: user,
      channelId: where.channelId,
      ...(where.messageTs ? { messageTs: where.messageTs } : {}),
      ...(where.ephemeral ? { isEphemeral: true } : {}),
      responseUrl: r.slack.responseUrl(responseId),
    }),
  );
  expect(res.status).toBe(200);
  return responseId;
}

/** Submits a fresh request as Dana and returns the approvers' card (blocks and ts). */
async function submitted(r: Rig, text: string): Promise<{ blocks: unknown; ts: string }> {
  const pre = await ask(r, text);
  const before = r.slack.callsOf("chat.postMessage").length;
  await click(r, DANA, button(pre, "Submit"), { channelId: GENERAL, ephemeral: true });
  const card = await r.slack.waitFor(() =>
    r.slack
      .callsOf("chat.postMessage")
      .slice(before)
      .find((c) => c.args.channel === APPROVALS),
  );
  // The card is in Slack before gpuops has recorded where it went: wait for the store, not the fake.
  const ts = await r.slack.waitFor(() => r.server.app.requests?.port.store.list({}).then((l) => l[0]?.messages.approvers?.messageId));
  return { blocks: card.args.blocks, ts };
}

const settle = async (r: Rig) => {
  await r.server.slack?.idle();
  await r.server.app.requests?.drain();
};

describe("GPU requests in Slack", () => {
  let r: Rig | undefined;
  afterEach(async () => {
    await stopRig(r);
    r = undefined;
  });

  it("runs the whole lease: ask → pre-check → approve → start VMs → remind → expire → deallocate", async () => {
    r = await startRig(freshSqlite());
    const pre = await ask(r, "request 2 NC24ads_A100_v4 in swedencentral for 3d -- fine-tune the support model");
    expect(textOf(pre)).toMatch(/Quota\*\\nfits: needs 48 vCPUs; 96 of 96 vCPUs free in StandardNCADSA100v4Family/);
    expect(textOf(pre)).toMatch(/Estimated cost/);
    expect(r.slack.callsOf("chat.postMessage")).toHaveLength(0);
    // A request is not "shared": re-running it for someone else would file it again.
    expect(buttons(pre).map((b) => b.text)).toEqual(["Submit", "Cancel"]);

    // Slack answers the card's post slowly: the card is visible before gpuops knows its ts, the
    // window in which this test once clicked a card it had not yet located.
    r.slack.addFault({ method: "chat.postMessage", latencyMs: 300, times: 1 });
    const card = await submitted(r, "request 2 NC24ads_A100_v4 in swedencentral for 3d -- fine-tune the support model");
    expect(card.ts).toMatch(/^\d+\.\d+$/);
    expect(textOf(card.blocks)).toMatch(/Approve for a shorter time/);

    // The requester cannot approve; a non-approver is refused; both are told why, privately.
    const selfId = await click(r, DANA, button(card.blocks, "Approve"), { channelId: APPROVALS, messageTs: card.ts });
    expect(textOf((await r.slack.waitFor(() => r?.slack.responsesTo(selfId)[0])).body.blocks)).toMatch(/can't approve it/);
    const finnId = await click(r, FINN, button(card.blocks, "Approve"), { channelId: APPROVALS, messageTs: card.ts });
    expect(textOf((await r.slack.waitFor(() => r?.slack.responsesTo(finnId)[0])).body.blocks)).toMatch(/not one of them/);

    r.clock.now = new Date(T0.getTime() + 5 * 60_000);
    const okId = await click(r, SAM, button(card.blocks, "Approve"), { channelId: APPROVALS, messageTs: card.ts });
    await settle(r);
    const replaced = r.slack.responsesTo(okId).find((p) => p.body.replace_original === true);
    expect(textOf(replaced?.body.blocks)).toMatch(/Approved by alice at 2026-03-02 09:05 UTC/);
    expect(buttons(replaced?.body.blocks)).toHaveLength(0);

    // The action ran once: two pool VMs started, progress in the card's thread, the requester told.
    expect(r.server.app.fake?.provisioning.calls.filter((c) => c.kind === "start")).toHaveLength(2);
    const thread = r.slack.callsOf("chat.postMessage").filter((c) => c.args.thread_ts === card.ts);
    expect(thread.map((c) => textOf(c.args.blocks)).join("\n")).toMatch(/Done: started 2 VMs: gpu-pool-nc24ads-a100-v4-1, gpu-pool-nc24ads-a100-v4-2/);
    const told = r.slack.callsOf("chat.postMessage").filter((c) => c.args.channel === GENERAL);
    expect(told.map((c) => textOf(c.args.blocks)).join("\n")).toMatch(/Lease until 2026-03-05 09:05 UTC|lease runs until 2026-03-05 09:05 UTC/);

    const jobs = r.server.app.requests;
    if (!jobs) throw new Error("no requests runtime");
    await jobs.runLeaseJobs(new Date("2026-03-04T09:05:00.000Z"));
    const reminder = r.slack.callsOf("chat.postMessage").at(-1);
    expect(reminder?.args.channel).toBe(GENERAL);
    expect(buttons(reminder?.args.blocks).map((b) => b.text)).toEqual(["Extend 1 day", "Extend 3 days", "Release now"]);
    await jobs.runLeaseJobs(new Date("2026-03-05T08:05:00.000Z"));
    expect(textOf(r.slack.callsOf("chat.postMessage").at(-1)?.args.blocks)).toMatch(/lease ends in 1 hour/);

    await jobs.runLeaseJobs(new Date("2026-03-05T09:05:00.000Z"));
    const pool = r.pool.slice(0, 2).map((vm) => r?.server.app.fake?.provisioning.powerState(vm));
    expect(pool).toEqual(["deallocated", "deallocated"]);
    const expired = await jobs.port.store.get("2");
    expect(expired?.request).toMatchObject({ state: "expired", reversal: "done" });
    const after = r.slack.callsOf("chat.postMessage").filter((c) => c.args.thread_ts === card.ts);
    expect(after.map((c) => textOf(c.args.blocks)).join("\n")).toMatch(/deallocated 2 VMs/);
  });

  it("asks for a deny reason in a modal and refuses an empty one", async () => {
    r = await startRig(freshSqlite());
    const card = await submitted(r, "request 1 NC24ads_A100_v4 in swedencentral for 12h -- smoke test");
    await click(r, SAM, button(card.blocks, "Deny"), { channelId: APPROVALS, messageTs: card.ts });
    const opened = await r.slack.waitFor(() => r?.slack.callsOf("views.open")[0]);
    const view = opened.args.view as { callback_id: string; private_metadata: string; blocks: Array<{ type: string; optional?: boolean; element?: { action_id?: string } }> };
    expect(view.callback_id).toBe("gpuops:request.deny");
    expect(view.blocks.find((b) => b.type === "input")).toMatchObject({ optional: false, element: { action_id: "reason" } });

    const submit = async (reason: string) => {
      const payload = {
        type: "view_submission",
        team: { id: "T0FAKE001", domain: "fake" },
        user: { id: SAM, username: "sam", name: "sam", team_id: "T0FAKE001" },
        api_app_id: "A0GPUOPS1",
        token: "deprecated-verification-token",
        trigger_id: `${Date.now()}.1.view`,
        view: { ...view, id: "V0DENY", type: "modal", state: { values: { b_reason: { reason: { type: "plain_text_input", value: reason } } } } },
        response_urls: [],
        is_enterprise_install: false,
        enterprise: null,
      };
      const res = await postSigned(r?.server.url ?? "", SECRET, new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
      expect(res.status).toBe(200);
    };
    await submit("   ");
    const refusal = await r.slack.waitFor(() => r?.slack.callsOf("chat.postEphemeral").find((c) => /reason is required/.test(textOf(c.args.blocks))));
    expect(refusal.args.user).toBe(SAM);
    expect((await r.server.app.requests?.port.store.get("1"))?.request.state).toBe("pending");

    await submit("use the T4 pool for smoke tests");
    await r.slack.waitFor(() => r?.slack.callsOf("chat.update").find((c) => /Denied by sam/.test(textOf(c.args.blocks))));
    const s = await r.server.app.requests?.port.store.get("1");
    expect(s?.request.decision).toMatchObject({ outcome: "denied", reason: "use the T4 pool for smoke tests", by: { id: SAM } });
    expect(r.server.app.fake?.provisioning.calls).toHaveLength(0);
  });
});

describe.each([
  ["SQLite", freshSqlite as () => FreshDatabase | Promise<FreshDatabase>],
  ["PostgreSQL", () => freshPostgres("gpuops_req")],
])("50 concurrent Approve clicks in Slack (%s)", (_engine, fresh) => {
  let r: Rig | undefined;
  beforeAll(async () => {
    r = await startRig(await fresh());
  });
  afterAll(async () => stopRig(r));

  it("make exactly one decision and one action", async () => {
    const rig = r as Rig;
    const card = await submitted(rig, "request 2 NC24ads_A100_v4 in swedencentral for 1d -- load test");
    const approve = button(card.blocks, "Approve");
    const ids = await Promise.all(Array.from({ length: 50 }, (_, i) => click(rig, i % 2 === 0 ? SAM : LEE, approve, { channelId: APPROVALS, messageTs: card.ts })));
    await rig.slack.waitFor(() => ids.every((id) => rig.slack.responsesTo(id).length > 0), 20_000);
    await settle(rig);
    const log = (await rig.server.app.requests?.port.store.history({ requestId: "1" })) ?? [];
    expect(log.filter((e) => e.kind === "approve")).toHaveLength(1);
    expect(log.filter((e) => e.kind === "refused" && /already approved/.test(e.detail))).toHaveLength(49);
    expect(log.filter((e) => e.kind === "act_done")).toHaveLength(1);
    expect(rig.server.app.fake?.provisioning.calls.filter((c) => c.kind === "start")).toHaveLength(2);
    const replies = ids.flatMap((id) => rig.slack.responsesTo(id)).map((p) => textOf(p.body.blocks));
    expect(replies.filter((t) => /You approved #1/.test(t))).toHaveLength(1);
    expect(replies.filter((t) => /already approved by/.test(t))).toHaveLength(49);
  }, 60_000);
});
