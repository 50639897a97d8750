// The daily digest end to end inside one process: subscriptions made through the commands, the
// scheduler on a fake clock, the fake Azure's demo tenant on the same clock, recording posting
// ports. A month with restarts, noise rules, failing channels and `status`.
import { afterEach, describe, expect, it } from "vitest";
import { isGpuFamily } from "../../src/commands/quota.ts";
import { formatMoney } from "../../src/domain/money.ts";
import { GpuopsError } from "../../src/errors.ts";
import { renderText } from "../../src/render/text.ts";
import type { Reply, TablePart } from "../../src/reply/reply.ts";
import { openStore } from "../../src/store/store.ts";
import { billedGpuSpend, type DigestWorld, isoDay, startDigestWorld } from "../support/digest-world.ts";

const HOUR = 3600_000;
const DAY = 24 * HOUR;
let world: DigestWorld | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function postsOf(w: DigestWorld, platform: string, channelId: string) {
  return w.app().store?.db.selectFrom("digest_post").selectAll().where("platform", "=", platform).where("channel_id", "=", channelId).orderBy("local_date").execute();
}

const tables = (r: Reply) => r.parts.filter((p): p is TablePart => p.kind === "table");

describe("digest: a month with restarts", () => {
  it("posts exactly one digest per subscription per local day across 30 days and 30 restarts", async () => {
    world = await startDigestWorld("2026-03-01T00:00:00Z");
    const w = world;
    await w.boot();
    expect((await w.say("slack", "C0BERLIN", "subscribe digest at 09:00 tz Europe/Berlin")).outcome).toBe("ok");
    expect((await w.say("teams", "19:ny@thread.tacv2", "subscribe digest at 08:30 tz America/New_York")).outcome).toBe("ok");
    expect((await w.say("slack", "C0INPLACE", "subscribe digest at 07:00 tz UTC update-in-place")).outcome).toBe("ok");

    // Each simulated day: run until 03:00–08:00 UTC the next day, go down for 2.5 h, come back.
    // Some outages cover a digest's time (caught up at start-up, same local day).
    for (let d = 0; d < 30; d++) {
      const downAt = Date.parse("2026-03-01T00:00:00Z") + (d + 1) * DAY + (3 + (d % 6)) * HOUR;
      if (downAt >= Date.parse("2026-03-31T00:00:00Z")) break;
      await w.clock.advanceTo(new Date(downAt));
      await w.shutdown();
      await w.clock.advance(2.5 * HOUR);
      await w.boot();
    }
    await w.clock.advanceTo("2026-03-31T00:00:00Z");

    const berlin = w.posters.slack.posts.filter((p) => p.channelId === "C0BERLIN");
    const ny = w.posters.teams.posts.filter((p) => p.channelId === "19:ny@thread.tacv2");
    const inPlace = w.posters.slack.posts.filter((p) => p.channelId === "C0INPLACE");
    expect(berlin.filter((p) => p.kind === "post")).toHaveLength(30);
    expect(ny.filter((p) => p.kind === "post")).toHaveLength(30);
    expect(berlin.concat(ny).some((p) => p.kind === "update")).toBe(false);
    // Update in place: one message, edited on each of the 29 following days.
    expect(inPlace.filter((p) => p.kind === "post")).toHaveLength(1);
    expect(inPlace.filter((p) => p.kind === "update")).toHaveLength(29);
    expect(new Set(inPlace.map((p) => p.messageId)).size).toBe(1);
    // Each digest is titled with its own local day; no day twice, none missing.
    for (const list of [berlin, ny, inPlace]) {
      const titles = list.map((p) => p.reply.title);
      expect(new Set(titles).size).toBe(30);
    }
    // Restarts did cover digest times: some digests were caught up late.
    expect(berlin.concat(ny, inPlace).some((p) => p.reply.context.some((c) => c.startsWith("Late:")))).toBe(true);

    for (const [platform, channel] of [
      ["slack", "C0BERLIN"],
      ["teams", "19:ny@thread.tacv2"],
      ["slack", "C0INPLACE"],
    ] as const) {
      const rows = (await postsOf(w, platform, channel)) ?? [];
      expect(rows).toHaveLength(30);
      expect(rows.map((r) => r.local_date)).toEqual(Array.from({ length: 30 }, (_, i) => `2026-03-${String(i + 1).padStart(2, "0")}`));
      expect(new Set(rows.map((r) => r.status))).toEqual(new Set(channel === "C0INPLACE" ? ["posted", "updated"] : ["posted"]));
      const runs = await w.app().store?.db.selectFrom("job_run").selectAll().where("job", "=", `digest:${platform}:${channel}`).execute();
      expect(runs?.map((r) => r.status)).toEqual(Array.from({ length: 30 }, () => "done"));
    }
  }, 120_000);
});

describe("digest: noise rules", () => {
  it("holds back quiet days and posts again when spend moves past the threshold, as the fake's numbers say", async () => {
    world = await startDigestWorld("2026-03-01T12:00:00Z");
    const w = world;
    await w.boot();
    await w.say("slack", "C0PCT", "subscribe digest at 09:00 tz UTC when change > 5%");
    await w.say("slack", "C0AMT", "subscribe digest at 09:00 tz UTC when change > $1000");
    const seen: Array<{ day: string; pct: number; delta: number; pctPosted: boolean; amtPosted: boolean }> = [];
    for (let i = 0; i < 18; i++) {
      await w.clock.advanceTo(new Date(Date.parse("2026-03-02T09:00:00Z") + i * DAY));
      const now = w.clock.now().getTime();
      // Expected from the fake tenant's own records, at the same instant the digest read them.
      const day = isoDay(now - DAY);
      const total = billedGpuSpend(w.fake, day).total;
      const avg = Array.from({ length: 7 }, (_, k) => billedGpuSpend(w.fake, isoDay(now - (k + 2) * DAY)).total).reduce((a, b) => a + b, 0) / 7;
      const pct = ((total - avg) / avg) * 100;
      const rows = await w.app().store?.db.selectFrom("digest_post").selectAll().where("local_date", "=", isoDay(now)).execute();
      const status = (ch: string) => rows?.find((r) => r.channel_id === ch)?.status;
      const pctPosted = status("C0PCT") === "posted";
      const amtPosted = status("C0AMT") === "posted";
      expect(pctPosted, `${day}: ${pct.toFixed(2)} %`).toBe(Math.abs(pct) > 5);
      expect(amtPosted, `${day}: ${(total - avg).toFixed(2)}`).toBe(Math.abs(total - avg) > 1000);
      if (!pctPosted) expect(rows?.find((r) => r.channel_id === "C0PCT")?.reason).toMatch(/threshold 5 %/);
      seen.push({ day, pct, delta: total - avg, pctPosted, amtPosted });
    }
    // The run covered both sides of each rule: held back, then released.
    for (const key of ["pctPosted", "amtPosted"] as const) {
      const flags = seen.map((s) => s[key]);
      expect(flags).toContain(true);
      expect(flags).toContain(false);
      expect(flags.some((f, i) => f && i > 0 && !flags[i - 1])).toBe(true);
    }
    expect(w.posters.slack.count("C0PCT")).toBe(seen.filter((s) => s.pctPosted).length);
    expect(w.posters.slack.count("C0AMT")).toBe(seen.filter((s) => s.amtPosted).length);
    // A posted digest says why it cleared the rule.
    const posted = w.posters.slack.posts.find((p) => p.channelId === "C0PCT");
    expect(posted?.reply.context.some((c) => /^Posted because spend changed .* \(threshold 5 %\)/.test(c))).toBe(true);
  }, 60_000);
});

describe("digest: failures and status", () => {
  it("a failing channel does not stop the others, is retried within bounds, and shows in status", async () => {
    world = await startDigestWorld("2026-04-06T06:00:00Z");
    const w = world;
    await w.boot({ platforms: ["slack"] });
    for (const ch of ["C0OK", "C0ARCHIVED", "C0FLAKY"]) await w.say("slack", ch, "subscribe digest at 09:00 tz UTC");
    await w.say("teams", "19:off@thread.tacv2", "subscribe digest at 09:00 tz UTC");
    w.posters.slack.failChannel("C0ARCHIVED", new GpuopsError("chat_unavailable", "Slack: channel C0ARCHIVED is archived (is_archived)"));
    w.posters.slack.failNext("C0FLAKY", 2, new GpuopsError("chat_throttled", "Slack is rate-limiting posts to channel C0FLAKY", { context: { retryAfter: 7 } }));

    await w.clock.advanceTo("2026-04-06T10:00:00Z");
    expect(w.posters.slack.count("C0OK")).toBe(1);
    expect(w.posters.slack.count("C0FLAKY")).toBe(1);
    expect(w.posters.slack.count("C0ARCHIVED")).toBe(0);
    // Throttled twice: waited the Retry-After (7 s > the 1 s / 4 s back-off) each time, then posted.
    expect(w.sleeps).toEqual([7000, 7000]);
    // Permanent failure: no retries.
    expect(w.posters.slack.failures.get("C0ARCHIVED")).toBe(1);

    const rows = await w.app().store?.db.selectFrom("digest_post").selectAll().orderBy("channel_id").execute();
    const byChannel = new Map(rows?.map((r) => [r.channel_id, r]));
    expect(byChannel.get("C0OK")?.status).toBe("posted");
    expect(byChannel.get("C0FLAKY")).toMatchObject({ status: "posted", attempts: 3 });
    expect(byChannel.get("C0ARCHIVED")).toMatchObject({ status: "failed", attempts: 1 });
    expect(byChannel.get("C0ARCHIVED")?.reason).toMatch(/is_archived/);
    expect(byChannel.get("19:off@thread.tacv2")).toMatchObject({ status: "failed" });
    expect(byChannel.get("19:off@thread.tacv2")?.reason).toMatch(/no posting port for teams/);

    const status = await w.say("slack", "C0OK", "status");
    const broken = tables(status).find((t) => t.title?.startsWith("Broken subscriptions"));
    expect(broken?.rows.map((r) => r.channel).sort()).toEqual(["slack C0ARCHIVED", "teams 19:off@thread.tacv2"]);
    expect(broken?.rows.find((r) => r.channel === "slack C0ARCHIVED")?.reason).toMatch(/is_archived/);
    const jobs = tables(status).find((t) => t.title === "Scheduled jobs");
    expect(jobs?.rows.find((r) => r.channel === "slack C0OK")).toMatchObject({ job: "digest", last: "2026-04-06 ok", next: expect.stringMatching(/^Tue 7 Apr, 09:00 UTC/) });
    expect(jobs?.rows.find((r) => r.channel === "slack C0ARCHIVED")?.last).toMatch(/^2026-04-06 FAILED: .*is_archived/);
    expect(status.title).toMatch(/needs attention/);
    const text = renderText(status);
    expect(text).toMatch(/Spend \(Cost Management\).*billed data complete through/);
    expect(text).toMatch(/Chat doors that can post: ✓ slack/);

    // The archived channel is fixed; the next day it gets its digest and is no longer broken.
    w.posters.slack.clearFaults();
    await w.clock.advanceTo("2026-04-07T10:00:00Z");
    expect(w.posters.slack.count("C0ARCHIVED")).toBe(1);
    const later = await w.say("slack", "C0OK", "status");
    expect(
      tables(later)
        .find((t) => t.title?.startsWith("Broken"))
        ?.rows.map((r) => r.channel),
    ).toEqual(["teams 19:off@thread.tacv2"]);
  }, 60_000);
});

describe("digest: after a crash", () => {
  it("a run taken over from a process that died after posting does not post again", async () => {
    world = await startDigestWorld("2026-04-06T06:00:00Z");
    const w = world;
    await w.boot({ platforms: ["slack"] });
    await w.say("slack", "C0CRASH", "subscribe digest at 09:00 tz UTC");
    await w.say("slack", "C0LOST", "subscribe digest at 09:00 tz UTC");
    await w.shutdown();
    // Another process claimed both at 09:00, posted C0CRASH's digest, and died before finishing either.
    await w.clock.advanceTo("2026-04-06T09:00:00Z");
    const other = await openStore({ dataDir: w.db.dataDir, databaseUrl: w.db.databaseUrl });
    const db = other.db;
    for (const ch of ["C0CRASH", "C0LOST"]) {
      await db
        ?.insertInto("job_run")
        .values({
          job: `digest:slack:${ch}`,
          period_key: "2026-04-06",
          claimed_by: "dead",
          claimed_at: "2026-04-06T09:00:00.000Z",
          finished_at: null,
          status: "claimed",
          detail: null,
        })
        .execute();
    }
    await db
      ?.insertInto("digest_post")
      .values({
        platform: "slack",
        channel_id: "C0CRASH",
        local_date: "2026-04-06",
        status: "posted",
        message_id: "m-before",
        thread_id: null,
        attempts: 1,
        reason: null,
        at: "2026-04-06T09:00:05.000Z",
      })
      .execute();
    await other.close();
    await w.clock.advanceTo("2026-04-06T09:30:00Z");
    await w.boot({ platforms: ["slack"] });
    expect(w.posters.slack.count("C0CRASH")).toBe(0);
    expect(w.posters.slack.count("C0LOST")).toBe(1);
    const runs = await w.app().store?.db.selectFrom("job_run").select(["job", "status", "detail"]).orderBy("job").execute();
    expect(runs?.map((r) => [r.job, r.status])).toEqual([
      ["digest:slack:C0CRASH", "done"],
      ["digest:slack:C0LOST", "done"],
    ]);
    expect(runs?.[0]?.detail).toMatch(/already posted for 2026-04-06 before the previous run stopped/);
  }, 60_000);
});

describe("digest: content against the fake tenant", () => {
  it("reports yesterday's GPU spend, the 7-day average and the top resource groups exactly as billed", async () => {
    world = await startDigestWorld("2026-05-12T06:00:00Z");
    const w = world;
    await w.boot();
    const subs = w.fake.fleet.subscriptions;
    // A GPU family at 90 % of its quota must be listed; one at 50 % must not.
    w.fake.tenant.setUsage(subs[0]?.id as string, "eastus", "StandardNCADSA100v4Family", 216, 240);
    w.fake.tenant.setUsage(subs[1]?.id as string, "swedencentral", "standardNCadsH100v5Family", 40, 80);
    await w.say("slack", "C0CONTENT", "subscribe digest at 08:00 tz UTC");
    await w.clock.advanceTo("2026-05-12T08:00:00Z");
    const post = w.posters.slack.posts.find((p) => p.channelId === "C0CONTENT");
    expect(post).toBeDefined();
    const reply = post?.reply as Reply;

    const now = w.clock.now().getTime();
    const day = isoDay(now - DAY);
    const expected = billedGpuSpend(w.fake, day);
    const before = Array.from({ length: 7 }, (_, k) => billedGpuSpend(w.fake, isoDay(now - (k + 2) * DAY)));
    const avg = before.reduce((a, b) => a + b.total, 0) / 7;
    const factsPart = reply.parts.find((p) => p.kind === "facts");
    const fact = (label: string) => (factsPart?.kind === "facts" ? factsPart.facts.find((f) => f.label === label)?.value : undefined);
    expect(fact("Spend 11 May")).toBe(formatMoney(expected.total, "USD"));
    expect(fact("7-day average")).toBe(`${formatMoney(avg, "USD")}/day`);

    // Top 5 resource groups by yesterday's spend, with their amounts.
    const top = [...expected.byGroup].sort((a, b) => b[1] - a[1]).slice(0, 5);
    const groups = tables(reply).find((t) => t.title?.startsWith("Top 5 by resource group"));
    expect(groups?.rows.slice(0, 5).map((r) => [r.group, r["spend"]])).toEqual(top.map(([g, amount]) => [g, formatMoney(amount, "USD")]));
    const rest = [...expected.byGroup].sort((a, b) => b[1] - a[1]).slice(5);
    if (rest.length > 0)
      expect(groups?.rows[5]).toMatchObject({
        group: `${rest.length} other${rest.length === 1 ? "" : "s"}`,
        spend: formatMoney(
          rest.reduce((s, [, a]) => s + a, 0),
          "USD",
        ),
      });

    // Quota above 80 %, from the fake tenant's usages in the configured regions.
    const near = subs.flatMap((sub) =>
      ["eastus", "swedencentral"].flatMap((region) =>
        (w.fake.tenant.usages(sub.id, region) ?? [])
          .filter((u) => isGpuFamily(u.name.value) && u.name.value !== "cores" && u.limit > 0 && u.currentValue / u.limit > 0.8)
          .map((u) => `${sub.name}|${region}|${u.name.value}|${Math.round((u.currentValue / u.limit) * 100)} %`),
      ),
    );
    expect(near).toContain(`${subs[0]?.name}|eastus|StandardNCADSA100v4Family|90 %`);
    expect(near.some((n) => n.startsWith(`${subs[1]?.name}|swedencentral|standardNCadsH100v5Family`))).toBe(false);
    // Rows are a family's quota per subscription and region: counted as quotas, with the families they cover.
    const families = new Set(near.map((n) => (n.split("|")[2] as string).toLowerCase().replace(/\s+/g, ""))).size;
    expect(fact("Quota > 80 %")).toBe(`${near.length} quota${near.length === 1 ? "" : "s"} (subscription × region) in ${families} GPU famil${families === 1 ? "y" : "ies"}`);
    const quota = tables(reply).find((t) => t.title === "GPU quota above 80 %");
    expect(quota?.rows).toHaveLength(Math.min(8, near.length));
    for (const r of quota?.rows ?? []) expect(near).toContain(`${r.subscription}|${r.region}|${r.family}|${r.pct}`);
    expect(reply.parts.some((p) => p.kind === "image" && p.imageId)).toBe(true);
    expect(reply.context[0]).toMatch(/^Billed data complete through 10 May 2026/);
    expect(reply.title).toBe("GPU digest · 12 May");
  }, 60_000);

  it("a resource-group scope covers only that group's spend", async () => {
    world = await startDigestWorld("2026-05-12T06:00:00Z");
    const w = world;
    await w.boot();
    const now = Date.parse("2026-05-12T08:00:00Z");
    const day = isoDay(now - DAY);
    await w.clock.advanceTo(new Date(now - 60_000));
    const biggest = [...billedGpuSpend(w.fake, day).byGroup].sort((a, b) => b[1] - a[1])[0]?.[0] as string;
    const r = await w.say("slack", "C0RG", `subscribe digest at 08:00 tz UTC scope rg:${biggest}`);
    expect(r.outcome).toBe("ok");
    await w.clock.advanceTo(new Date(now));
    const reply = w.posters.slack.posts.find((p) => p.channelId === "C0RG")?.reply as Reply;
    const only = billedGpuSpend(w.fake, day, (rec) => rec.resourceGroup === biggest.toLowerCase());
    const f = reply.parts.find((p) => p.kind === "facts");
    expect(f?.kind === "facts" && f.facts.find((x) => x.label === "Spend 11 May")?.value).toBe(formatMoney(only.total, "USD"));
    expect(reply.title).toBe(`GPU digest · 12 May · rg:${biggest}`);
  }, 60_000);
});
