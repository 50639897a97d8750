/**
 * GPU requests end to end through the core (commands, action router, store, runner, lease clock)
 * on the demo tenant: real SDK clients against the fake Azure, a real SQLite store, and a
 * recording posting port standing in for the console channel. The chat doors have their own
 * tests (requests-slack / requests-teams); this one pins the workflow rules.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type App, createApp } from "../../src/app.ts";
import type { CommandRequest } from "../../src/commands/types.ts";
import { loadConfig } from "../../src/config.ts";
import { type FakeAzure, startFakeAzure } from "../../src/fake-azure/server.ts";
import { renderText } from "../../src/render/text.ts";
import type { Action, Reply } from "../../src/reply/reply.ts";
import { type FreshDatabase, freshSqlite } from "../support/fresh-database.ts";
import { createRecordingPoster, type RecordingPoster } from "../support/recording-poster.ts";
import { runAction, runCommand } from "../support/router.ts";

const T0 = new Date("2026-03-02T09:00:00.000Z");
const SUB = "7d3a4b52-1c6e-4f0a-9b8e-2a5d6c7e8f90";

interface Rig {
  app: App;
  fake: FakeAzure;
  poster: RecordingPoster;
  clock: { now: Date };
  db: FreshDatabase;
  say(actor: string, text: string): Promise<Reply>;
  click(actor: string, action: Action, extra?: Record<string, unknown>): Promise<Awaited<ReturnType<typeof runAction>>>;
  close(): Promise<void>;
}

const rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.close();
});

async function rig(env: Record<string, string> = {}, setup?: (fake: FakeAzure) => void): Promise<Rig> {
  const fake = await startFakeAzure();
  setup?.(fake);
  const db = freshSqlite();
  const clock = { now: T0 };
  const config = loadConfig({ GPUOPS_DEMO: "true", GPUOPS_DATA_DIR: db.dataDir, GPUOPS_AZURE_MAX_RETRY_WAIT: "1", GPUOPS_LOG_LEVEL: "silent", ...env });
  const app = await createApp(config, { fake, withStore: true, now: () => clock.now });
  const poster = createRecordingPoster("console");
  app.posting.register(poster);
  const request = (actor: string, text = ""): CommandRequest => ({ text, actor: { id: actor, name: actor }, channel: { id: "local", platform: "console" }, surface: "console" });
  const r: Rig = {
    app,
    fake,
    poster,
    clock,
    db,
    say: (actor, text) => runCommand(request(actor, text), app.context()),
    async click(actor, action, extra = {}) {
      const result = await runAction(
        { verb: action.verb, payload: { ...action.payload, ...extra }, actor: { id: actor, name: actor }, channel: { id: "local", platform: "console" }, surface: "console" },
        app.context(),
      );
      await app.requests?.drain();
      return result;
    },
    async close() {
      await app.close();
      await fake.close();
      await db.drop();
    },
  };
  rigs.push(r);
  return r;
}

function actionsOf(reply: Reply | undefined): Action[] {
  return (reply?.parts ?? []).flatMap((p) => (p.kind === "actions" ? p.actions : []));
}
const button = (reply: Reply | undefined, label: string): Action => {
  const a = actionsOf(reply).find((x) => x.label === label);
  if (!a) throw new Error(`no "${label}" button in ${reply ? renderText(reply) : "nothing"}`);
  return a;
};
const lastPost = (poster: RecordingPoster, kind: "post" | "update" = "post") => [...poster.posts].reverse().find((p) => p.kind === kind);

describe("GPU requests through the core", () => {
  it("asks, pre-checks, is approved by an approver (not the requester), acts, reminds and expires on time", async () => {
    const r = await rig();
    const pre = await r.say("dana", "request 2 NC24ads_A100_v4 in swedencentral for 3d -- fine-tune the support model");
    const shown = renderText(pre);
    expect(pre.outcome).toBe("ok");
    expect(shown).toMatch(/Offered: yes/);
    expect(shown).toMatch(/Quota: (fits: needs 48 vCPUs; \d+ of \d+ vCPUs free|needs a quota increase of \d+ vCPUs)/);
    expect(shown).toMatch(/Estimated cost: (\$[\d,.]+ \(list price|no list price)/);
    expect(shown).toMatch(/Policy: 2 GPUs, one approval/);
    expect(r.poster.posts).toHaveLength(0);

    const submitted = await r.click("dana", button(pre, "Submit"));
    expect(submitted.update && renderText(submitted.update)).toMatch(/Sent to the approvers/);
    const card = lastPost(r.poster);
    expect(card?.channelId).toBe("local");
    expect(renderText(card?.reply as Reply)).toMatch(/Approve for a shorter time/);

    const self = await r.click("dana", button(card?.reply, "Approve"));
    expect(self.ephemeral?.code).toBe("self_approval");
    const stranger = await r.click("finn", button(card?.reply, "Approve"));
    expect(stranger.ephemeral?.code).toBe("not_approver");

    r.clock.now = new Date(T0.getTime() + 10 * 60_000);
    const postsBefore = r.poster.posts.filter((p) => p.kind === "post").length;
    const ok = await r.click("sam", button(card?.reply, "Approve"));
    expect(ok.ephemeral && renderText(ok.ephemeral)).toMatch(/You approved #1/);
    const id = "1";
    const stored = await r.app.requests?.port.store.get(id);
    expect(stored?.request.state).toBe("active");
    expect(stored?.request.lease?.end).toBe("2026-03-05T09:10:00.000Z");
    const updated = lastPost(r.poster, "update");
    expect(renderText(updated?.reply as Reply)).toMatch(/Approved by sam at 2026-03-02 09:10 UTC/);
    expect(actionsOf(updated?.reply)).toHaveLength(0);
    // One approval, no automatic action: one ask in the card's thread and one note to the requester, nothing more.
    const newPosts = r.poster.posts.filter((p) => p.kind === "post").slice(postsBefore);
    expect(newPosts.map((p) => p.reply.title)).toEqual(["GPU request #1: please provision", "GPU request #1 approved: no automatic action"]);
    expect(renderText(newPosts[1]?.reply as Reply)).not.toMatch(/ready/i);

    // A late approver is told who decided and when.
    const late = await r.click("lee", button(card?.reply, "Approve"));
    expect(late.ephemeral && renderText(late.ephemeral)).toMatch(/already approved by sam at 2026-03-02 09:10 UTC/);

    const jobs = r.app.requests;
    if (!jobs) throw new Error("no requests runtime");
    await jobs.runLeaseJobs(new Date("2026-03-04T09:09:00.000Z"));
    expect((await jobs.port.store.get(id))?.request.state).toBe("active");
    await jobs.runLeaseJobs(new Date("2026-03-04T09:10:00.000Z"));
    const reminder = lastPost(r.poster);
    expect(reminder?.reply.title).toMatch(/lease ends in 1 day/);
    expect(actionsOf(reminder?.reply).map((a) => a.label)).toEqual(["Extend 1 day", "Extend 3 days", "Release now"]);
    await jobs.runLeaseJobs(new Date("2026-03-05T08:10:00.000Z"));
    expect(lastPost(r.poster)?.reply.title).toMatch(/lease ends in 1 hour/);
    await jobs.runLeaseJobs(new Date("2026-03-05T09:09:59.000Z"));
    expect((await jobs.port.store.get(id))?.request.state).toBe("reminded");
    await jobs.runLeaseJobs(new Date("2026-03-05T09:10:00.000Z"));
    expect((await jobs.port.store.get(id))?.request.state).toBe("expired");
    expect(renderText(lastPost(r.poster)?.reply as Reply)).toMatch(/The lease ended at 2026-03-05 09:10 UTC/);

    const csv = await r.say("auditor", "requests export");
    const lines = renderText(csv)
      .split("\n")
      .filter((l) => /^1,/.test(l));
    const events = lines.map((l) => l.split(",")[2]);
    expect(events).toEqual(["created", "precheck", "submit", "refused", "refused", "approve", "act_start", "act_done", "refused", "lease_remind", "lease_remind", "expire"]);
    expect(renderText(csv)).toMatch(/request_id,event_at,event,actor_id/);
  });

  it("needs a reason to deny, tells the requester, and leaves one decision", async () => {
    const r = await rig();
    const pre = await r.say("dana", "request 1 NC24ads_A100_v4 in swedencentral for 12h -- quick test");
    await r.click("dana", button(pre, "Submit"));
    const card = lastPost(r.poster);
    const noReason = await r.click("sam", button(card?.reply, "Deny"));
    expect(noReason.ephemeral?.code).toBe("reason_required");
    const denied = await r.click("sam", button(card?.reply, "Deny"), { reason: "use the T4 pool for tests" });
    expect(denied.ephemeral && renderText(denied.ephemeral)).toMatch(/You denied #1/);
    const told = r.poster.posts.filter((p) => p.kind === "post" && /Denied by sam/.test(renderText(p.reply)));
    expect(told).toHaveLength(1);
    const again = await r.click("lee", button(card?.reply, "Approve"));
    expect(again.ephemeral && renderText(again.ephemeral)).toMatch(/already denied by sam/);
  });

  it("reminds and escalates an undecided request, then closes it", async () => {
    const r = await rig({ GPUOPS_APPROVAL_REMINDER_HOURS: "4", GPUOPS_APPROVAL_EXPIRY_HOURS: "24" });
    const pre = await r.say("dana", "request 1 NC24ads_A100_v4 in swedencentral for 1d -- overnight run");
    await r.click("dana", button(pre, "Submit"));
    const card = lastPost(r.poster);
    const jobs = r.app.requests;
    if (!jobs) throw new Error("no requests runtime");
    await jobs.runLeaseJobs(new Date("2026-03-02T12:59:00.000Z"));
    expect(r.poster.posts.filter((p) => p.threadId)).toHaveLength(0);
    await jobs.runLeaseJobs(new Date("2026-03-02T13:00:00.000Z"));
    await jobs.runLeaseJobs(new Date("2026-03-02T13:01:00.000Z"));
    const reminders = r.poster.posts.filter((p) => p.threadId && /still waiting/.test(p.reply.title));
    expect(reminders).toHaveLength(1);
    expect(renderText(reminders[0]?.reply as Reply)).toMatch(/No decision after 4 h\. Escalating to lee\./);
    await jobs.runLeaseJobs(new Date("2026-03-03T09:00:00.000Z"));
    const s = await jobs.port.store.get("1");
    expect(s?.request.state).toBe("expired_undecided");
    expect(actionsOf(lastPost(r.poster, "update")?.reply)).toHaveLength(0);
    const late = await r.click("sam", button(card?.reply, "Approve"));
    expect(late.ephemeral && renderText(late.ephemeral)).toMatch(/closed \(it expired undecided\)/);
  });

  it("needs two different approvers above the GPU threshold, and re-approval to extend past the cap", async () => {
    const r = await rig({ GPUOPS_TWO_APPROVALS_ABOVE_GPUS: "2", GPUOPS_MAX_LEASE_DAYS: "3" });
    const pre = await r.say("dana", "request 4 a100 in swedencentral for 3d -- big eval");
    expect(renderText(pre)).toMatch(/4 GPUs, two approvals \(two above 2 GPUs\)/);
    await r.click("dana", button(pre, "Submit"));
    const card = lastPost(r.poster);
    const first = await r.click("sam", button(card?.reply, "Approve"));
    expect(first.ephemeral && renderText(first.ephemeral)).toMatch(/needs one more approver/);
    expect((await r.click("sam", button(card?.reply, "Approve"))).ephemeral?.code).toBe("already_approved_by_you");
    r.clock.now = new Date(T0.getTime() + 3600_000);
    await r.click("lee", button(card?.reply, "Approve"));
    const jobs = r.app.requests;
    if (!jobs) throw new Error("no requests runtime");
    expect((await jobs.port.store.get("1"))?.request.state).toBe("active");
    // Extending a 3-day lease by a day goes past the 3-day cap: the approvers must agree.
    const asked = await r.say("dana", "request extend 1 by 1d");
    expect(renderText(asked)).toMatch(/goes past the 3 days cap, so it was sent to the approvers/);
    const ask = [...r.poster.posts].reverse().find((p) => p.threadId && actionsOf(p.reply).some((a) => a.label === "Approve extension"));
    expect((await r.click("dana", button(ask?.reply, "Approve extension"))).ephemeral?.code).toBe("self_approval");
    await r.click("sam", button(ask?.reply, "Approve extension"));
    expect((await jobs.port.store.get("1"))?.request.lease?.end).toBe("2026-03-06T10:00:00.000Z");
  });

  it("lets an approver approve for a shorter time", async () => {
    const r = await rig();
    const pre = await r.say("dana", "request 1 NC24ads_A100_v4 in swedencentral for 3d -- long eval");
    await r.click("dana", button(pre, "Submit"));
    const card = lastPost(r.poster);
    const offer = await r.click("sam", button(card?.reply, "Approve for a shorter time"));
    expect(actionsOf(offer.ephemeral).map((a) => a.label)).toEqual(["1 day 12 hours", "1 day", "12 hours", "4 hours"]);
    await r.click("sam", button(offer.ephemeral, "1 day"));
    const s = await r.app.requests?.port.store.get("1");
    expect(s?.request.decision).toMatchObject({ outcome: "approved", hours: 24 });
    expect(s?.request.lease?.end).toBe("2026-03-03T09:00:00.000Z");
    expect(renderText(lastPost(r.poster, "update")?.reply as Reply)).toMatch(/for 1 day \(asked 3 days\)/);
  });

  it("refuses a request over the lease cap and one without a reason, kindly", async () => {
    const r = await rig();
    const long = await r.say("dana", "request 1 a100 in swedencentral for 3w -- long run");
    expect(long.code).toBe("over_cap");
    expect(renderText(long)).toMatch(/longest lease is 2 weeks/);
    const noReason = await r.say("dana", "request 1 a100 in swedencentral for 3d");
    expect(noReason.code).toBe("reason_required");
    expect(renderText(noReason)).toMatch(/Try: request 1 a100 in swedencentral for 3d -- <why>/);
  });

  it("marks a request that does not fit quota and offers quota-request, which files a Microsoft.Quota increase", async () => {
    const r = await rig({}, (fake) => fake.tenant.setUsage(SUB, "swedencentral", "StandardNCADSA100v4Family", 24, 48));
    const pre = await r.say("dana", "request 4 NC24ads_A100_v4 in swedencentral for 1d -- batch inference");
    expect(renderText(pre)).toMatch(/needs a quota increase of 72 vCPUs/);
    await r.click("dana", button(pre, "Submit"));
    const card = lastPost(r.poster);
    const withQuota = button(card?.reply, "Approve + request quota");
    expect(withQuota.payload).toEqual({ id: "1", action: "quota-request" });
    await r.click("sam", withQuota);
    const s = await r.app.requests?.port.store.get("1");
    expect(s?.request.action).toBe("quota-request");
    expect(s?.request.state).toBe("active");
    expect(r.fake.provisioning.calls).toEqual([expect.objectContaining({ kind: "quota", target: `${SUB}/swedencentral/StandardNCADSA100v4Family`, value: 120 })]);
    const again = await r.say("dana", "quota swedencentral a100");
    expect(renderText(again)).toMatch(/24 \/ 120/);
  });
});
