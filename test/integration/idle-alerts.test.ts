/**
 * Idle alerts end to end on a fake clock: the real app (store, idle scan job, action router) over the fake
 * Azure (Resource Graph fleet, Monitor metrics batch API with scripted GPU telemetry, Retail
 * Prices, ARM deallocate), a channel subscribed with `subscribe idle` through the command path,
 * and a recording posting port standing in for the chat platform.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ArmResource } from "../../src/fake-azure/demo-fleet.ts";
import { runIdleScan, scanIdleOnce } from "../../src/jobs/idle-scan.ts";
import type { Reply } from "../../src/reply/reply.ts";
import { type DigestWorld, startDigestWorld } from "../support/digest-world.ts";
import { type FreshDatabase, freshPostgres, freshSqlite } from "../support/fresh-database.ts";

const START = "2026-03-02T08:00:00Z";
const MIN = 60_000;
const CHANNEL = "C0IDLE";

let world: DigestWorld;
let target: ArmResource;
let db: FreshDatabase;

const powerOf = (r: ArmResource) => (r.properties.extended as { instanceView?: { powerState?: { code?: string } } } | undefined)?.instanceView?.powerState?.code;
const actionsOf = (r: Reply) => r.parts.flatMap((p) => (p.kind === "actions" ? p.actions : []));
const alertIdOf = (r: Reply) => Number(actionsOf(r).find((a) => a.verb === "idle.snooze")?.payload.alert);
const deallocateCalls = () => world.fake.requests.filter((q) => q.method === "POST" && q.path.endsWith("/deallocate")).length;

const t = (minutes: number) => Date.parse(START) + minutes * MIN;
let scannedUpTo = -1;

/** Advances the fake clock, running the idle scan (as the scheduler's job does) at every 15-minute slot on the way. */
async function at(minutes: number): Promise<void> {
  const app = world.app();
  const deps = { store: app.store as NonNullable<typeof app.store>, posting: app.posting, context: app.context };
  for (let m = Math.floor(scannedUpTo / 15) * 15 + 15; m <= minutes; m += 15) {
    await world.clock.advanceTo(new Date(t(m)));
    await scanIdleOnce(deps, new Date(t(m)));
    scannedUpTo = m;
  }
  await world.clock.advanceTo(new Date(t(minutes)));
}

function click(verb: string, payload: Record<string, string | number>, actor: { id: string; name: string; email?: string }, message?: { messageId: string }, channel = CHANNEL) {
  return world.app().router.runAction(
    {
      verb,
      payload,
      actor,
      channel: { id: channel, platform: "slack" },
      surface: "slack",
      ...(message ? { message: { platform: "slack", channelId: CHANNEL, messageId: message.messageId } } : {}),
    },
    world.app().context(),
  );
}

async function setUp(engine: "sqlite" | "postgres"): Promise<void> {
  scannedUpTo = -1;
  db = engine === "postgres" ? await freshPostgres("gpuops_idle") : freshSqlite();
  world = await startDigestWorld(START, { db, env: { GPUOPS_SLACK_APPROVERS: "USAM", GPUOPS_TIMEZONE: "UTC" } });
  // Quiet the demo's stories: every resource busy, then script one VM.
  for (const r of world.fake.fleet.resources) world.fake.telemetry.set(r.id, { kind: "busy" });
  const candidate = world.fake.fleet.resources.find(
    (r) =>
      r.type === "microsoft.compute/virtualmachines" &&
      powerOf(r) === "PowerState/running" &&
      /^Standard_N/.test(String((r.properties.hardwareProfile as { vmSize: string }).vmSize)) &&
      r.tags.owner,
  );
  if (!candidate) throw new Error("the demo fleet has no running GPU VM with an owner tag");
  target = candidate;
  await world.boot({ platforms: ["slack"] });
  const answer = await world.say("slack", CHANNEL, "subscribe idle");
  expect(answer.outcome).toBe("ok");
}

async function tearDown(): Promise<void> {
  await world.close();
  await db.drop();
}

function suite(engine: "sqlite" | "postgres", only?: string[]) {
  const test = (name: string, fn: () => Promise<void>) => (only && !only.includes(name) ? undefined : it(name, fn));
  beforeEach(() => setUp(engine));
  afterEach(() => tearDown());

  test("busy → idle → busy: one alert, updates in place while idle, one resolution", async () => {
    const poster = world.posters.slack;
    world.fake.telemetry.set(target.id, { kind: "idle" }, t(10));
    await at(30); // idle for 20 min: below the 60-min window
    expect(poster.posts).toHaveLength(0);
    await at(75); // idle 65 min
    expect(poster.count(CHANNEL, "post")).toBe(1);
    const alert = poster.posts[0];
    expect(alert?.reply.title).toContain(target.name);
    expect(alert?.reply.title).toMatch(/^Idle GPU/);
    const facts = alert?.reply.parts.find((p) => p.kind === "facts");
    expect(JSON.stringify(facts)).toContain(target.tags.owner);
    expect(JSON.stringify(facts)).toMatch(/Burnt so far","value":"\$[0-9,.]+"/);
    await at(105); // two more scans: updates of the same message
    expect(poster.count(CHANNEL, "post")).toBe(1);
    expect(poster.posts.filter((p) => p.kind === "update" && p.messageId === alert?.messageId)).toHaveLength(2);

    world.fake.telemetry.set(target.id, { kind: "busy" }, t(110));
    await at(150);
    const posts = poster.posts.filter((p) => p.kind === "post");
    expect(posts).toHaveLength(2); // the alert, and one resolution note in its thread
    expect(posts[1]?.threadId).toBe(alert?.messageId);
    expect(posts[1]?.reply.title).toMatch(/^Resolved/);
    const last = poster.posts.filter((p) => p.kind === "update").at(-1);
    expect(last?.reply.title).toBe(`Resolved: ${target.name} is busy again`);
    expect(actionsOf(last?.reply as Reply)).toHaveLength(0);
    const rows = await world.app().store?.db.selectFrom("alert_state").selectAll().execute();
    expect(rows?.map((r) => [r.status, r.resolution])).toEqual([["resolved", "busy"]]);
  });

  test("two replicas scanning the same 15-minute slot: one claims it, one alert is posted", async () => {
    world.fake.telemetry.set(target.id, { kind: "idle" }, t(0));
    await world.clock.advanceTo(new Date(t(80)));
    const app = world.app();
    const deps = { store: app.store as NonNullable<typeof app.store>, posting: app.posting, context: app.context };
    const [a, b] = await Promise.all([runIdleScan({ ...deps, owner: "replica-a" }, new Date(t(80))), runIdleScan({ ...deps, owner: "replica-b" }, new Date(t(81)))]);
    expect([a.claimed, b.claimed].sort()).toEqual([false, true]);
    expect(world.posters.slack.count(CHANNEL, "post")).toBe(1);
    const claims = await app.store?.db.selectFrom("job_run").select(["job", "period_key", "status"]).where("job", "=", "idle-scan").execute();
    expect(claims).toEqual([{ job: "idle-scan", period_key: new Date(t(75)).toISOString(), status: "done" }]);
  });

  test("a VM with no GPU series is unknown and gets no alert", async () => {
    world.fake.telemetry.set(target.id, { kind: "none" });
    await at(120);
    expect(world.posters.slack.posts).toHaveLength(0);
    const rows = await world.app().store?.db.selectFrom("alert_state").selectAll().execute();
    expect(rows).toHaveLength(0);
  });

  test("Snooze 4 h keeps the alert quiet until it ends, then a reminder goes into the thread", async () => {
    const poster = world.posters.slack;
    world.fake.telemetry.set(target.id, { kind: "idle" }, t(0));
    await at(75);
    const alert = poster.posts[0];
    expect(alert).toBeDefined();
    const id = alertIdOf(alert?.reply as Reply);
    // Snooze is bound to the alert's channel and to its approvers and owner: others are refused and recorded.
    const stranger = await click("idle.snooze", { alert: id, hours: 4 }, { id: "UDANA", name: "dana" }, alert);
    expect(JSON.stringify(stranger.ephemeral)).toContain("Only the configured GPU approvers or the VM's owner");
    const elsewhere = await click("idle.snooze", { alert: id, hours: 4 }, { id: "USAM", name: "sam" }, alert, "C0ELSEWHERE");
    expect(JSON.stringify(elsewhere.ephemeral)).toContain("not posted in this channel");
    const refused = await world.app().store?.db.selectFrom("alert_action").select(["action", "actor_id"]).orderBy("id").execute();
    expect(refused).toEqual([
      { action: "refused", actor_id: "UDANA" },
      { action: "refused", actor_id: "USAM" },
    ]);
    expect(JSON.stringify(poster.posts)).not.toContain("Snoozed until");
    const result = await click("idle.snooze", { alert: id, hours: 4 }, { id: "USAM", name: "sam" }, alert);
    expect(result.update?.parts.some((p) => p.kind === "text" && p.text.startsWith("Snoozed until"))).toBe(true);
    expect(JSON.stringify(result.update)).toContain("Snoozed 4 h (sam");
    const before = poster.posts.length;
    await at(75 + 4 * 60 - 5); // still snoozed: scans run, nothing is posted or updated
    expect(poster.posts.length).toBe(before);
    await at(75 + 4 * 60); // the snooze ends: one scan updates the alert and reminds in its thread
    const after = poster.posts.slice(before);
    expect(after.filter((p) => p.kind === "update")).toHaveLength(1);
    const reminder = after.filter((p) => p.kind === "post");
    expect(reminder).toHaveLength(1);
    expect(reminder[0]?.threadId).toBe(alert?.messageId);
    expect(reminder[0]?.reply.title).toBe(`Still idle: ${target.name}`);
  });

  test("a non-approver pressing Deallocate is refused with a reason and Azure is not called", async () => {
    world.fake.telemetry.set(target.id, { kind: "idle" }, t(0));
    await at(75);
    const alert = world.posters.slack.posts[0];
    const id = alertIdOf(alert?.reply as Reply);
    const refused = await click("idle.deallocate", { alert: id }, { id: "UFINN", name: "finn" }, alert);
    expect(refused.ephemeral?.outcome).toBe("user_error");
    expect(JSON.stringify(refused.ephemeral)).toContain("Only the configured GPU approvers");
    expect(refused.update).toBeUndefined();
    const confirm = await click("idle.deallocate.confirm", { alert: id }, { id: "UFINN", name: "finn" }, alert);
    expect(confirm.ephemeral?.outcome).toBe("user_error");
    await world.app().idleActions?.settle();
    expect(deallocateCalls()).toBe(0);
    const log = await world.app().store?.db.selectFrom("alert_action").select(["action", "actor_id"]).execute();
    expect(log).toEqual([
      { action: "refused", actor_id: "UFINN" },
      { action: "refused", actor_id: "UFINN" },
    ]);
  });

  test("an approver's Deallocate, confirmed twice at once, calls ARM exactly once and resolves the alert", async () => {
    const poster = world.posters.slack;
    world.fake.telemetry.set(target.id, { kind: "idle" }, t(0));
    await at(75);
    const alert = poster.posts[0];
    const id = alertIdOf(alert?.reply as Reply);
    const sam = { id: "USAM", name: "sam" };
    const asked = await click("idle.deallocate", { alert: id }, sam, alert);
    expect(actionsOf(asked.update as Reply).map((a) => a.verb)).toEqual(["idle.deallocate.confirm", "idle.deallocate.cancel"]);
    const [a, b] = await Promise.all([click("idle.deallocate.confirm", { alert: id }, sam, alert), click("idle.deallocate.confirm", { alert: id }, sam, alert)]);
    const winners = [a, b].filter((r) => r.update);
    const losers = [a, b].filter((r) => r.ephemeral);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expect(JSON.stringify(winners[0]?.update)).toContain("Deallocating…");
    await world.app().idleActions?.settle();
    expect(deallocateCalls()).toBe(1);
    expect(powerOf(target)).toBe("PowerState/deallocated");
    const rows = await world.app().store?.db.selectFrom("alert_state").selectAll().execute();
    expect(rows?.map((r) => [r.status, r.resolution, r.deallocate_state])).toEqual([["resolved", "deallocated", "succeeded"]]);
    const final = poster.posts.filter((p) => p.kind === "update").at(-1);
    expect(final?.reply.title).toBe(`Resolved: ${target.name} is deallocated`);
    expect(JSON.stringify(final?.reply)).toContain("Deallocated by sam");
    const log = await world.app().store?.db.selectFrom("alert_action").select("action").orderBy("id").execute();
    expect(log?.map((l) => l.action)).toEqual(["deallocate", "deallocate_confirmed", "deallocate_done"]);
    // The next scans see it deallocated: no new alert.
    const count = poster.posts.length;
    await at(150);
    expect(poster.posts.length).toBe(count);
  });

  test("the VM's owner (by owner tag) may deallocate; Keep 7 days silences the alert", async () => {
    world.fake.telemetry.set(target.id, { kind: "idle" }, t(0));
    await at(75);
    const alert = world.posters.slack.posts[0];
    const id = alertIdOf(alert?.reply as Reply);
    const ownerMail = String(target.tags.owner);
    // A display name is never proof, even one equal to the owner tag (a Teams user can pick any);
    // only an e-mail the platform vouched for is.
    const lookalike = await click("idle.deallocate", { alert: id }, { id: "UOWNER", name: ownerMail.split("@")[0] as string }, alert);
    expect(lookalike.ephemeral?.outcome).toBe("user_error");
    const sameName = await click("idle.deallocate", { alert: id }, { id: "UMALLORY", name: ownerMail }, alert);
    expect(JSON.stringify(sameName.ephemeral)).toContain("Only the configured GPU approvers");
    const owner = { id: "UOWNER", name: "Owner", email: ownerMail };
    const asked = await click("idle.deallocate", { alert: id }, owner, alert);
    expect(asked.update).toBeDefined();
    const cancelled = await click("idle.deallocate.cancel", { alert: id }, owner, alert);
    expect(actionsOf(cancelled.update as Reply).map((a) => a.label)).toEqual(["Snooze 4 h", "Snooze 24 h", "Keep 7 days", "Deallocate…"]);
    const notOwner = await click("idle.keep", { alert: id }, { id: "UDANA", name: "dana" }, alert);
    expect(JSON.stringify(notOwner.ephemeral)).toContain("Only the configured GPU approvers");
    const kept = await click("idle.keep", { alert: id }, owner, alert);
    expect(JSON.stringify(kept.update)).toContain("Kept (busy on purpose) until");
    const count = world.posters.slack.posts.length;
    await at(75 + 6 * 60);
    expect(world.posters.slack.posts.length).toBe(count);
    expect(deallocateCalls()).toBe(0);
  });
}

describe("idle alerts (SQLite)", () => suite("sqlite"));

describe("idle alerts (PostgreSQL: the same claims and unique keys)", () =>
  suite("postgres", [
    "busy → idle → busy: one alert, updates in place while idle, one resolution",
    "two replicas scanning the same 15-minute slot: one claims it, one alert is posted",
    "an approver's Deallocate, confirmed twice at once, calls ARM exactly once and resolves the alert",
  ]));
