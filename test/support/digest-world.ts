/**
 * A gpuops app for digest tests, driven by a fake clock: the fake Azure (its demo fleet on the
 * same clock, so "yesterday" and the billed data move together), a store in a temp folder (or
 * PostgreSQL), recording posting ports for Slack and Teams, and restart = close + start again on
 * the same store. Commands go through the real command path as if typed in a channel.
 */
import { type App, createApp } from "../../src/app.ts";
import type { Surface } from "../../src/commands/types.ts";
import { loadConfig } from "../../src/config.ts";
import { type CostRecord, createDemoFleet } from "../../src/fake-azure/demo-fleet.ts";
import { type FakeAzure, startFakeAzure } from "../../src/fake-azure/server.ts";
import type { Reply } from "../../src/reply/reply.ts";
import { createFakeClock, type FakeClock } from "./fake-clock.ts";
import { type FreshDatabase, freshSqlite } from "./fresh-database.ts";
import { createRecordingPoster, type RecordingPoster } from "./recording-poster.ts";
import { runCommand } from "./router.ts";

export interface DigestWorld {
  clock: FakeClock;
  fake: FakeAzure;
  db: FreshDatabase;
  posters: Record<"slack" | "teams", RecordingPoster>;
  /** Back-off waits the digest job asked for (it does not really wait in tests). */
  sleeps: number[];
  app(): App;
  boot(opts?: { platforms?: Array<"slack" | "teams"> }): Promise<App>;
  shutdown(): Promise<void>;
  say(platform: Surface, channelId: string, text: string, actor?: string): Promise<Reply>;
  close(): Promise<void>;
}

export async function startDigestWorld(start: string, opts: { env?: Record<string, string>; db?: FreshDatabase } = {}): Promise<DigestWorld> {
  const clock = createFakeClock(start);
  const fleet = createDemoFleet({ now: () => clock.now() });
  // The fake's Cost Management and Resource Graph budgets count real seconds; a month of simulated
  // digests goes by in a few real ones.
  fleet.knobs.qpu = { short: 1e9, shortMs: 10_000, long: 1e9, longMs: 60_000 };
  fleet.knobs.graphQuota = { perWindow: 1e9, windowMs: 5_000 };
  const fake = await startFakeAzure({ fleet });
  const db = opts.db ?? freshSqlite();
  const config = loadConfig({
    GPUOPS_DEMO: "true",
    GPUOPS_DATA_DIR: db.dataDir,
    ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}),
    GPUOPS_REGIONS: "eastus,swedencentral",
    GPUOPS_LOG_LEVEL: "silent",
    GPUOPS_AZURE_MAX_RETRY_WAIT: "5",
    ...opts.env,
  });
  const posters = { slack: createRecordingPoster("slack"), teams: createRecordingPoster("teams") };
  const sleeps: number[] = [];
  let app: App | undefined;
  const world: DigestWorld = {
    clock,
    fake,
    db,
    posters,
    sleeps,
    app: () => {
      if (!app) throw new Error("the world is not booted");
      return app;
    },
    async boot(o = {}) {
      app = await createApp(config, {
        withStore: true,
        fake,
        // Real Cost Management allows 12 QPU per 10 s; simulated months take real seconds here.
        costBudget: { perShortWindow: 1e9, perLongWindow: 1e9 },
        // Digest jobs only: the per-minute request checks and the idle scan have their own tests,
        // and would turn a simulated month into 43,000 wake-ups.
        jobs: { clock, only: (job) => job.startsWith("digest:"), refreshMs: 6 * 3600_000, retry: { attempts: 3, baseMs: 1000 }, sleep: async (ms) => void sleeps.push(ms) },
      });
      for (const p of o.platforms ?? ["slack", "teams"]) app.posting.register(posters[p]);
      await app.scheduler?.start();
      return app;
    },
    async shutdown() {
      await app?.close();
      app = undefined;
    },
    say: (platform, channelId, text, actor = "U0ADA") =>
      runCommand({ text, actor: { id: actor, name: actor.toLowerCase() }, channel: { id: channelId, platform }, surface: platform }, world.app().context()),
    async close() {
      await world.shutdown();
      await fake.close();
      if (!opts.db) await db.drop();
    },
  };
  return world;
}

/** GPU compute as gpuops counts it: Virtual Machines usage of N-series meters (a reservation purchase is a one-off, named apart). */
export const isGpuCompute = (r: CostRecord) => r.meterCategory === "Virtual Machines" && r.chargeType === "Usage" && /^N[CDGV]/i.test(r.meterSubCategory);

/** The fake's billed GPU spend of one UTC day, in total and per resource group, as of the fleet's clock. */
export function billedGpuSpend(fake: FakeAzure, date: string, keep: (r: CostRecord) => boolean = () => true): { total: number; byGroup: Map<string, number> } {
  const byGroup = new Map<string, number>();
  let total = 0;
  for (const r of fake.fleet.costRecords(date)) {
    if (!isGpuCompute(r) || !keep(r)) continue;
    total += r.actual;
    byGroup.set(r.resourceGroup, (byGroup.get(r.resourceGroup) ?? 0) + r.actual);
  }
  return { total, byGroup };
}

export const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
