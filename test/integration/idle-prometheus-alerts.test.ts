/**
 * The idle scan on real GPU telemetry: a real Prometheus (Debian's package) scrapes a fake DCGM
 * exporter replaying the H200 trace for one demo VM (heavy → parked → heavy); the app reads the
 * fleet from the fake Azure and utilisation from that Prometheus only. Short windows (5 s, 1 s
 * steps) keep it to seconds of wall time.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import type { ArmResource } from "../../src/fake-azure/demo-fleet.ts";
import { type FakeAzure, startFakeAzure } from "../../src/fake-azure/server.ts";
import { scanIdleOnce } from "../../src/jobs/idle-scan.ts";
import { type FakeDcgmExporter, startFakeDcgmExporter } from "../support/fake-dcgm-exporter.ts";
import { type FreshDatabase, freshSqlite } from "../support/fresh-database.ts";
import { type RunningPrometheus, startPrometheus } from "../support/prometheus.ts";
import { createRecordingPoster, type RecordingPoster } from "../support/recording-poster.ts";
import { runCommand } from "../support/router.ts";

const CHANNEL = "C0PROMIDLE";

let exporter: FakeDcgmExporter;
let prom: RunningPrometheus;
let fake: FakeAzure;
let app: App;
let db: FreshDatabase;
let poster: RecordingPoster;
let target: ArmResource;

const powerOf = (r: ArmResource) => (r.properties.extended as { instanceView?: { powerState?: { code?: string } } } | undefined)?.instanceView?.powerState?.code;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const scan = () => scanIdleOnce({ store: app.store as NonNullable<App["store"]>, posting: app.posting, context: app.context }, new Date());

/** Scans once a second until `done` holds (or fails after `timeoutMs`). */
async function scanUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await scan();
    if (done()) return;
    if (Date.now() > deadline) throw new Error("condition not reached by scanning");
    await sleep(1000);
  }
}

beforeAll(async () => {
  fake = await startFakeAzure();
  fake.fleet.knobs.graphQuota = { perWindow: 1e9, windowMs: 5000 };
  const vm = fake.fleet.resources.find(
    (r) =>
      r.type === "microsoft.compute/virtualmachines" &&
      powerOf(r) === "PowerState/running" &&
      /^Standard_ND96isr_H/.test(String((r.properties.hardwareProfile as { vmSize: string }).vmSize)),
  );
  if (!vm) throw new Error("no running ND H100/H200 VM in the demo fleet");
  target = vm;
  exporter = await startFakeDcgmExporter();
  exporter.playPhase(target.name, "heavy", 8);
  prom = await startPrometheus({ targets: [exporter.target] });
  await prom.waitForSeries(`DCGM_FI_DEV_GPU_UTIL{Hostname="${target.name}"}`);
  db = freshSqlite();
  const config = loadConfig({
    GPUOPS_DEMO: "true",
    GPUOPS_DATA_DIR: db.dataDir,
    GPUOPS_LOG_LEVEL: "silent",
    PROMETHEUS_URL: prom.url,
    GPUOPS_MONITOR_METRICS: "false",
    GPUOPS_TELEMETRY_STEP: "1s",
    GPUOPS_IDLE_WINDOW: "5s",
    GPUOPS_IDLE_STALE_AFTER: "3s",
    GPUOPS_IDLE_LOOKBACK: "60s",
  });
  app = await createApp(config, { fake, withStore: true });
  poster = createRecordingPoster("slack");
  app.posting.register(poster);
  const answer = await runCommand({ text: "subscribe idle", actor: { id: "U0ADA", name: "ada" }, channel: { id: CHANNEL, platform: "slack" }, surface: "slack" }, app.context());
  expect(answer.outcome).toBe("ok");
}, 60_000);

afterAll(async () => {
  await app?.close();
  await prom?.close();
  await exporter?.close();
  await fake?.close();
  await db?.drop();
});

describe("idle scan over real Prometheus", () => {
  it("heavy → parked → heavy on the real H200 trace: one alert, updates, one resolution; no telemetry means no alert", async () => {
    await sleep(2000);
    const busy = await scan();
    expect(busy.report?.sources).toEqual(["prometheus"]);
    expect(busy.report?.busy).toBe(1);
    // Every other running GPU VM has no DCGM series: unknown, never alerted.
    expect(busy.report?.unknown.length).toBeGreaterThan(10);
    expect(busy.report?.unknown.every((u) => u.reason === "no_telemetry")).toBe(true);
    expect(poster.posts).toHaveLength(0);

    exporter.playPhase(target.name, "parked", 8);
    await scanUntil(() => poster.count(CHANNEL, "post") === 1, 25_000);
    const alert = poster.posts[0];
    expect(alert?.reply.title).toBe(
      `Parked GPU: ${target.name} (${String((target.properties.hardwareProfile as { vmSize: string }).vmSize).replace("Standard_", "")}, ${target.location})`,
    );
    expect(JSON.stringify(alert?.reply)).toContain("GPU memory held");

    await sleep(1000);
    await scan();
    await sleep(1000);
    await scan();
    expect(poster.count(CHANNEL, "post")).toBe(1);
    expect(poster.posts.filter((p) => p.kind === "update" && p.messageId === alert?.messageId).length).toBeGreaterThanOrEqual(2);

    exporter.playPhase(target.name, "heavy", 8);
    await scanUntil(() => poster.count(CHANNEL, "post") === 2, 15_000);
    const note = poster.posts.filter((p) => p.kind === "post")[1];
    expect(note?.threadId).toBe(alert?.messageId);
    expect(poster.posts.filter((p) => p.kind === "update").at(-1)?.reply.title).toBe(`Resolved: ${target.name} is busy again`);
    await scan();
    expect(poster.count(CHANNEL, "post")).toBe(2);
    const rows = await app.store?.db.selectFrom("alert_state").select(["status", "resolution"]).execute();
    expect(rows).toEqual([{ status: "resolved", resolution: "busy" }]);
  });
});
