// The frequent jobs keep the log quiet: the per-minute `gpu-requests` check and the 15-minute idle
// scan run on a fake clock for half an hour in the real app (scheduler, store, fake Azure, an idle
// channel that gets alerts), with the logger at info, and write nothing at info or below. A log
// line per run would be 1,440 lines a day from a healthy server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { createDemoFleet } from "../../src/fake-azure/demo-fleet.ts";
import { type FakeAzure, startFakeAzure } from "../../src/fake-azure/server.ts";
import { IDLE_SCAN_JOB } from "../../src/jobs/idle-scan.ts";
import { createLogger } from "../../src/log.ts";
import { createFakeClock } from "../support/fake-clock.ts";
import { type FreshDatabase, freshSqlite } from "../support/fresh-database.ts";
import { createRecordingPoster } from "../support/recording-poster.ts";
import { runCommand } from "../support/router.ts";

const lines: Array<{ level: number; msg: string }> = [];
let log: ReturnType<typeof createLogger>;
let fake: FakeAzure;
let app: App;
let db: FreshDatabase;
const clock = createFakeClock("2026-05-12T06:00:00Z");
const poster = createRecordingPoster("slack");

beforeAll(async () => {
  const fleet = createDemoFleet({ now: () => clock.now() });
  fake = await startFakeAzure({ fleet });
  db = freshSqlite();
  const config = loadConfig({ GPUOPS_DEMO: "true", GPUOPS_DATA_DIR: db.dataDir, GPUOPS_REGIONS: "eastus,swedencentral", GPUOPS_AZURE_MAX_RETRY_WAIT: "5" });
  log = createLogger("info", { write: (s: string) => void lines.push(JSON.parse(s)) });
  app = await createApp(config, { withStore: true, fake, log, jobs: { clock, only: (job) => job === "gpu-requests" || job === IDLE_SCAN_JOB, refreshMs: 3600_000 } });
  app.posting.register(poster);
  const subscribed = await runCommand(
    { text: "subscribe idle", actor: { id: "U0ADA", name: "ada" }, channel: { id: "C0IDLE", platform: "slack" }, surface: "slack" },
    app.context(),
  );
  expect(subscribed.outcome).toBe("ok");
  await app.scheduler?.start();
}, 60_000);

afterAll(async () => {
  await app?.close();
  await fake?.close();
  await db?.drop();
});

describe("frequent jobs and the log", () => {
  it("half an hour of gpu-requests (every minute) and idle scans (every 15 min) logs nothing at info", async () => {
    // The capture works: a line at info lands in it.
    log.info({}, "capture check");
    expect(lines.map((l) => l.msg)).toContain("capture check");
    const from = lines.length;
    await clock.advance(31 * 60_000);
    const runs = await app.store?.db.selectFrom("job_run").select(["job", "status"]).execute();
    const count = (job: string) => runs?.filter((r) => r.job === job && r.status === "done").length ?? 0;
    expect(count("gpu-requests")).toBeGreaterThanOrEqual(30);
    expect(count(IDLE_SCAN_JOB)).toBeGreaterThanOrEqual(2);
    // The scans did real work: the demo's idle VMs were alerted in the channel.
    expect(poster.posts.length).toBeGreaterThan(0);
    expect(
      lines
        .slice(from)
        .filter((l) => l.level <= 30)
        .map((l) => l.msg),
    ).toEqual([]);
  }, 120_000);
});
