// The scheduler against a real store (SQLite file and PostgreSQL), driven by a fake clock:
// daily jobs in IANA zones across DST changes, catch-up and skip of missed runs, interval jobs,
// and several schedulers sharing one store claiming each run once.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { localDate } from "../../src/domain/periods.ts";
import { localTimeOfDay } from "../../src/domain/schedule.ts";
import { createScheduler, type JobRun, type Scheduler } from "../../src/jobs/scheduler.ts";
import { createJobClaims } from "../../src/store/job-claims.ts";
import { openStore, type Store } from "../../src/store/store.ts";
import { createFakeClock, type FakeClock } from "../support/fake-clock.ts";
import { type FreshDatabase, freshPostgres, freshSqlite } from "../support/fresh-database.ts";

const HOUR = 3600_000;
const DAY = 24 * HOUR;

async function jobRows(store: Store, job: string) {
  return store.db.selectFrom("job_run").selectAll().where("job", "=", job).orderBy("period_key").execute();
}

describe("scheduler: daily jobs in time zones (SQLite)", () => {
  let db: FreshDatabase;
  let store: Store;
  const schedulers: Scheduler[] = [];

  beforeAll(async () => {
    db = freshSqlite();
    store = await openStore({ dataDir: db.dataDir });
  });
  afterEach(async () => {
    for (const s of schedulers.splice(0)) await s.stop();
  });
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  // Known transitions (tz database): Berlin 2026-03-29 01:00Z (CET→CEST) and 2026-10-25 01:00Z;
  // New York 2026-03-08 07:00Z (EST→EDT) and 2026-11-01 06:00Z.
  const cases = [
    {
      tz: "Europe/Berlin",
      at: "08:00",
      from: "2026-03-27T00:00:00Z",
      expect: ["2026-03-27T07:00:00.000Z", "2026-03-28T07:00:00.000Z", "2026-03-29T06:00:00.000Z", "2026-03-30T06:00:00.000Z"],
    },
    // 02:30 does not exist on 29 March in Berlin: the run comes right after the gap (03:00 CEST), once.
    { tz: "Europe/Berlin", at: "02:30", from: "2026-03-28T00:00:00Z", expect: ["2026-03-28T01:30:00.000Z", "2026-03-29T01:00:00.000Z", "2026-03-30T00:30:00.000Z"] },
    // 02:30 happens twice on 25 October in Berlin: once, at the first (CEST) occurrence.
    { tz: "Europe/Berlin", at: "02:30", from: "2026-10-24T00:00:00Z", expect: ["2026-10-24T00:30:00.000Z", "2026-10-25T00:30:00.000Z", "2026-10-26T01:30:00.000Z"] },
    { tz: "America/New_York", at: "08:00", from: "2026-03-07T00:00:00Z", expect: ["2026-03-07T13:00:00.000Z", "2026-03-08T12:00:00.000Z", "2026-03-09T12:00:00.000Z"] },
    // 01:30 happens twice on 1 November in New York: once, at the first (EDT) occurrence.
    { tz: "America/New_York", at: "01:30", from: "2026-10-31T00:00:00Z", expect: ["2026-10-31T05:30:00.000Z", "2026-11-01T05:30:00.000Z", "2026-11-02T06:30:00.000Z"] },
    { tz: "America/New_York", at: "02:15", from: "2026-03-07T12:00:00Z", expect: ["2026-03-08T07:00:00.000Z", "2026-03-09T06:15:00.000Z"] },
  ];

  for (const c of cases) {
    it(`fires once a day at ${c.at} ${c.tz} from ${c.from.slice(0, 10)} (DST days included)`, async () => {
      const clock = createFakeClock(c.from);
      const started: Date[] = [];
      const name = `dst:${c.tz}:${c.at}:${c.from}`;
      const s = createScheduler({ claims: createJobClaims(store), clock, refreshMs: 6 * HOUR, owner: "a" });
      schedulers.push(s);
      const [h, m] = c.at.split(":").map(Number);
      s.every(
        name,
        { cron: `${m} ${h} * * *`, timezone: c.tz, periodKey: "local-date" },
        async (run) => {
          started.push(clock.now());
          expect(run.scheduledAt.toISOString()).toBe(clock.now().toISOString());
        },
        { since: new Date(c.from) },
      );
      await s.start();
      await clock.advance(c.expect.length * DAY - 3 * HOUR);
      expect(started.map((d) => d.toISOString())).toEqual(c.expect);
      const days = started.map((d) => localDate(d, c.tz));
      expect(new Set(days).size).toBe(days.length);
      for (const d of started) {
        const local = localTimeOfDay(d, c.tz);
        // Either the asked time, or (inside a spring-forward gap) the first minute after it.
        expect(local === c.at || local === "03:00").toBe(true);
      }
      const rows = await jobRows(store, name);
      expect(rows.map((r) => r.status)).toEqual(c.expect.map(() => "done"));
    });
  }

  it("catches up a run missed while down on the same local day, and records an older one as skipped", async () => {
    const name = "missed:Europe/Berlin";
    const runs: JobRun[] = [];
    const missed: string[] = [];
    const boot = async (at: string) => {
      const clock = createFakeClock(at);
      const s = createScheduler({ claims: createJobClaims(store), clock, refreshMs: HOUR, owner: `boot@${at}` });
      s.every("missed:Europe/Berlin", { cron: "0 9 * * *", timezone: "Europe/Berlin", periodKey: "local-date" }, async (run) => void runs.push(run), {
        since: new Date("2026-05-04T00:00:00Z"),
        onMissed: async (run) => void missed.push(run.periodKey),
      });
      schedulers.push(s);
      await s.start();
      return { clock, s };
    };
    // Day 1: up before 09:00 (07:00Z = 09:00 CEST), runs on time.
    let b = await boot("2026-05-04T05:00:00Z");
    await b.clock.advance(4 * HOUR);
    await b.s.stop();
    expect(runs.map((r) => [r.periodKey, r.catchUp])).toEqual([["2026-05-04", false]]);
    // Day 2: down at 09:00, back at 11:00 the same day: runs at start-up, late.
    b = await boot("2026-05-05T09:00:00Z");
    await b.s.stop();
    expect(runs.map((r) => [r.periodKey, r.catchUp])).toEqual([
      ["2026-05-04", false],
      ["2026-05-05", true],
    ]);
    // Day 3 entirely down; day 4 back at 08:00 local: day 3 is recorded as skipped, never posted late.
    b = await boot("2026-05-07T06:00:00Z");
    expect(missed).toEqual(["2026-05-06"]);
    expect(runs).toHaveLength(2);
    await b.clock.advance(2 * HOUR);
    await b.s.stop();
    expect(runs.map((r) => r.periodKey)).toEqual(["2026-05-04", "2026-05-05", "2026-05-07"]);
    const rows = await jobRows(store, name);
    expect(rows.map((r) => [r.period_key, r.status])).toEqual([
      ["2026-05-04", "done"],
      ["2026-05-05", "done"],
      ["2026-05-06", "skipped"],
      ["2026-05-07", "done"],
    ]);
    expect(rows[2]?.detail).toMatch(/missed/);
  });

  it("does not count a slot from before the job existed (no instant post, no 'missed')", async () => {
    const clock = createFakeClock("2026-06-01T10:00:00Z");
    const runs: string[] = [];
    const s = createScheduler({ claims: createJobClaims(store), clock, refreshMs: HOUR, owner: "since" });
    schedulers.push(s);
    s.source("subs", async () => [
      {
        name: "since:job",
        schedule: { cron: "0 9 * * *", timezone: "UTC", periodKey: "local-date" },
        since: new Date("2026-06-01T10:00:00Z"),
        run: async (r) => void runs.push(r.periodKey),
      },
    ]);
    await s.start();
    await clock.advance(DAY);
    expect(runs).toEqual(["2026-06-02"]);
    expect((await jobRows(store, "since:job")).map((r) => r.status)).toEqual(["done"]);
  });

  it("records a failing run as failed and still runs the other jobs of the same wake-up", async () => {
    const clock = createFakeClock("2026-06-10T08:59:00Z");
    const ran: string[] = [];
    const s = createScheduler({ claims: createJobClaims(store), clock, refreshMs: HOUR, owner: "fail" });
    schedulers.push(s);
    s.every("fail:bad", "0 9 * * *", async () => {
      throw new Error("channel_not_found");
    });
    s.every("fail:good", "0 9 * * *", async () => void ran.push("good"));
    await s.start();
    await clock.advance(2 * 60_000);
    expect(ran).toEqual(["good"]);
    const bad = await jobRows(store, "fail:bad");
    expect(bad.map((r) => [r.status, r.detail])).toEqual([["failed", "channel_not_found"]]);
    expect(s.jobs().find((j) => j.job === "fail:good")?.nextRun).toBe("2026-06-11T09:00:00.000Z");
  });

  it("takes over a run whose process died mid-run once its claim is stale, and only then", async () => {
    const name = "takeover:job";
    await store.db
      .insertInto("job_run")
      .values({ job: name, period_key: "2026-08-01", claimed_by: "dead#1#x", claimed_at: "2026-08-01T09:00:00.000Z", finished_at: null, status: "claimed", detail: null })
      .execute();
    const clock = createFakeClock("2026-08-01T09:05:00Z");
    const runs: JobRun[] = [];
    const s = createScheduler({ claims: createJobClaims(store), clock, refreshMs: 5 * 60_000, staleClaimMs: 15 * 60_000, owner: "heir" });
    schedulers.push(s);
    s.every(name, { cron: "0 9 * * *", timezone: "UTC", periodKey: "local-date" }, async (r) => void runs.push(r), { since: new Date("2026-07-01T00:00:00Z") });
    await s.start();
    await clock.advance(5 * 60_000);
    expect(runs).toHaveLength(0);
    await clock.advance(15 * 60_000);
    expect(runs.map((r) => [r.periodKey, r.takeover])).toEqual([["2026-08-01", true]]);
    await clock.advance(60 * 60_000);
    expect(runs).toHaveLength(1);
    expect((await jobRows(store, name)).map((r) => [r.claimed_by, r.status])).toEqual([["heir", "done"]]);
  });

  it("refuses a bad cron pattern at registration", () => {
    const s = createScheduler({ claims: createJobClaims(store), owner: "bad" });
    expect(() => s.every("bad", "every day", async () => {})).toThrow(/5-field cron/);
    expect(() => s.every("bad2", 10, async () => {})).toThrow(/at least 1000 ms/);
  });
});

for (const engine of ["sqlite", "postgres"] as const) {
  describe(`scheduler: three replicas on one ${engine} store`, () => {
    let db: FreshDatabase;
    const stores: Store[] = [];

    beforeAll(async () => {
      db = engine === "sqlite" ? freshSqlite() : await freshPostgres("gpuops_sched");
      for (let i = 0; i < 3; i++) stores.push(await openStore({ databaseUrl: db.databaseUrl, dataDir: db.dataDir }));
    });
    afterAll(async () => {
      for (const s of stores) await s.close();
      await db.drop();
    });

    it("runs each daily and interval slot once across replicas", async () => {
      const start = "2026-07-01T00:00:00Z";
      const daily: string[] = [];
      const scans: string[] = [];
      const replicas: Array<{ clock: FakeClock; s: Scheduler }> = stores.map((store, i) => {
        const clock = createFakeClock(start);
        const s = createScheduler({ claims: createJobClaims(store), clock, refreshMs: HOUR, owner: `replica-${i}` });
        s.every("digest:test:C1", { cron: "30 7 * * *", timezone: "Europe/Berlin", periodKey: "local-date" }, async (r) => void daily.push(`${r.periodKey}@${i}`));
        s.every("idle-scan", 15 * 60_000, async (r) => void scans.push(r.periodKey));
        return { clock, s };
      });
      for (const r of replicas) await r.s.start();
      // Move all replicas through 3 days in 1-hour steps, interleaved.
      for (let h = 0; h < 72; h++) {
        await Promise.all(replicas.map((r) => r.clock.advance(HOUR)));
      }
      for (const r of replicas) await r.s.stop();
      expect(daily.map((d) => d.split("@")[0])).toEqual(["2026-07-01", "2026-07-02", "2026-07-03"]);
      expect(scans).toHaveLength(72 * 4 + 1);
      expect(new Set(scans).size).toBe(scans.length);
      const rows = await stores[0]?.db.selectFrom("job_run").select(["job", "period_key"]).execute();
      expect(rows?.filter((r) => r.job === "digest:test:C1")).toHaveLength(3);
    });
  });
}
