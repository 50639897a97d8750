// One contract, two engines: SQLite (the default) and PostgreSQL (DATABASE_URL). The PostgreSQL
// half needs GPUOPS_TEST_DATABASE_URL (npm test starts a local server and sets it); without it the
// suite fails on purpose rather than skipping, so CI cannot go green without testing PostgreSQL.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS } from "../../src/store/migrations/index.ts";
import { openStore, type Store, type StoreOptions } from "../../src/store/store.ts";

interface Engine {
  name: "sqlite" | "postgres";
  /** A fresh, empty location for this run. */
  setup(): Promise<StoreOptions>;
  teardown(): Promise<void>;
}

const sqlite = (): Engine => {
  let dir = "";
  return {
    name: "sqlite",
    async setup() {
      dir = mkdtempSync(join(tmpdir(), "gpuops-store-"));
      return { dataDir: dir };
    },
    async teardown() {
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
};

const postgres = (): Engine => {
  const adminUrl = process.env.GPUOPS_TEST_DATABASE_URL;
  // A database of our own per run, so parallel runs and other suites never see each other's rows.
  const dbName = `gpuops_contract_${process.pid}_${randomBytes(4).toString("hex")}`;
  let created = false;
  const admin = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  return {
    name: "postgres",
    async setup() {
      if (!adminUrl) {
        throw new Error(
          "GPUOPS_TEST_DATABASE_URL is not set: the store contract must also pass on PostgreSQL. Run `npm test` (it starts a local PostgreSQL and sets it), or export GPUOPS_TEST_DATABASE_URL=postgres://gpuops:gpuops@127.0.0.1:5432/gpuops_test",
        );
      }
      await admin((c) => c.query(`CREATE DATABASE ${dbName}`));
      created = true;
      const url = new URL(adminUrl);
      url.pathname = `/${dbName}`;
      return { databaseUrl: url.toString() };
    },
    async teardown() {
      if (created) await admin((c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
    },
  };
};

const T0 = new Date("2026-11-26T08:00:00.000Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

describe.each([sqlite(), postgres()])("store contract on $name", (engine) => {
  let location: StoreOptions;
  let a: Store;
  let b: Store;

  beforeAll(async () => {
    location = await engine.setup();
    a = await openStore(location);
    // A second instance on the same database: another process or replica.
    b = await openStore(location);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await engine.teardown();
  });

  it("opens the engine it was asked for", () => {
    expect(a.engine).toBe(engine.name);
  });

  it("runs every migration once, and opening again is a no-op", async () => {
    const third = await openStore(location);
    try {
      const rows = await third.db
        .selectFrom("kysely_migration" as never)
        .select("name" as never)
        .execute();
      expect((rows as Array<{ name: string }>).map((r) => r.name).sort()).toEqual(Object.keys(MIGRATIONS).sort());
      // The core tables are there and empty on a fresh database.
      expect(await third.db.selectFrom("cache_entry").selectAll().execute()).toEqual([]);
    } finally {
      await third.close();
    }
  });

  it("claimJob: 20 concurrent claims of one job+period across two instances, exactly one wins", async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).claimJob({ job: "digest:slack:C1", periodKey: "2026-11-26", owner: `replica-${i}` }, T0)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const rows = await a.db.selectFrom("job_run").selectAll().where("job", "=", "digest:slack:C1").execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ period_key: "2026-11-26", status: "claimed", finished_at: null, claimed_at: T0.toISOString() });
    expect(rows[0]?.claimed_by).toBe(`replica-${results.indexOf(true)}`);
  });

  it("claimJob: another period or another job is a separate claim", async () => {
    expect(await a.claimJob({ job: "digest:slack:C1", periodKey: "2026-11-27", owner: "x" }, T0)).toBe(true);
    expect(await b.claimJob({ job: "digest:teams:T1", periodKey: "2026-11-26", owner: "y" }, T0)).toBe(true);
    expect(await b.claimJob({ job: "digest:teams:T1", periodKey: "2026-11-26", owner: "z" }, T0)).toBe(false);
  });

  it("finishJob records the outcome, and a finished period cannot be claimed again", async () => {
    const job = { job: "idle-scan", periodKey: "2026-11-26T08" };
    expect(await a.claimJob({ ...job, owner: "r1" }, T0)).toBe(true);
    await b.finishJob(job, "done", "3 idle VMs reported", at(42));
    const row = await a.db.selectFrom("job_run").selectAll().where("job", "=", job.job).where("period_key", "=", job.periodKey).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: "done", detail: "3 idle VMs reported", finished_at: at(42).toISOString(), claimed_by: "r1" });
    expect(await b.claimJob({ ...job, owner: "r2" }, at(60))).toBe(false);

    await a.claimJob({ job: "idle-scan", periodKey: "2026-11-26T09", owner: "r1" }, T0);
    await a.finishJob({ job: "idle-scan", periodKey: "2026-11-26T09" }, "failed", null, at(5));
    const failed = await b.db.selectFrom("job_run").selectAll().where("period_key", "=", "2026-11-26T09").executeTakeFirstOrThrow();
    expect(failed).toMatchObject({ status: "failed", detail: null });
  });

  it("pruneJobRuns deletes old finished claims only, keeping open ones and recent history", async () => {
    const old = new Date(T0.getTime() - 40 * 86_400_000);
    await a.claimJob({ job: "prune-test", periodKey: "old-done", owner: "r" }, old);
    await a.finishJob({ job: "prune-test", periodKey: "old-done" }, "done", null, old);
    await a.claimJob({ job: "prune-test", periodKey: "old-open", owner: "r" }, old);
    await a.claimJob({ job: "prune-test", periodKey: "recent-done", owner: "r" }, T0);
    await a.finishJob({ job: "prune-test", periodKey: "recent-done" }, "done", null, T0);
    expect(await b.pruneJobRuns(new Date(T0.getTime() - 30 * 86_400_000))).toBe(1);
    const left = await a.db.selectFrom("job_run").select("period_key").where("job", "=", "prune-test").orderBy("period_key").execute();
    expect(left.map((r) => r.period_key)).toEqual(["old-open", "recent-done"]);
  });

  it("cache: put, get, overwrite, and expiry at the TTL", async () => {
    expect(await a.cacheGet("prices:eastus", T0)).toBeUndefined();
    await a.cachePut("prices:eastus", '{"usd":3.67}', 60, T0);
    expect(await a.cacheGet("prices:eastus", at(59))).toBe('{"usd":3.67}');
    // Shared between instances.
    expect(await b.cacheGet("prices:eastus", at(1))).toBe('{"usd":3.67}');
    expect(await a.cacheGet("prices:eastus", at(60))).toBeUndefined();

    await b.cachePut("prices:eastus", '{"usd":3.4}', 3600, at(120));
    expect(await a.cacheGet("prices:eastus", at(121))).toBe('{"usd":3.4}');
    const rows = await a.db.selectFrom("cache_entry").selectAll().where("key", "=", "prices:eastus").execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ fetched_at: at(120).toISOString(), expires_at: at(3720).toISOString() });
  });

  it("cache: concurrent writers of one key leave exactly one row", async () => {
    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).cachePut("skus:westus", `v${i}`, 60, T0)));
    const rows = await a.db.selectFrom("cache_entry").selectAll().where("key", "=", "skus:westus").execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.value).toMatch(/^v\d$/);
  });
});
