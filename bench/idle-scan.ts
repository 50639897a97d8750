/**
 * One idle scan over a generated tenant of 5,000 GPU VMs (10 subscriptions, 11 regions; about 60 %
 * running), with a subscribed channel, exactly as the scheduler runs it (`runIdleScan`: claim,
 * Resource Graph inventory, telemetry, rule, prices, alerts posted to a counting posting port):
 *
 * - Azure Monitor: the fake Azure's metrics:getBatch answering from the demo telemetry stories;
 *   figures: batch calls (≤ 50 ids each, per subscription + region), wall time, RSS.
 * - Prometheus: Debian's real Prometheus scraping a fake DCGM exporter that serves all running
 *   VMs (one GPU each, H200 trace phases); figures: HTTP queries, wall time, RSS. Skipped with a
 *   note when /usr/bin/prometheus is not installed (scripts/test-services.sh installs it).
 *
 * The fake Azure and the exporter run in this process, so wall time and RSS include serving them.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type App, createApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { createBigFleet, type DemoFleet } from "../src/fake-azure/demo-fleet.ts";
import { createDemoTenant } from "../src/fake-azure/demo-tenant.ts";
import { type FakeAzure, startFakeAzure } from "../src/fake-azure/server.ts";
import { runIdleScan } from "../src/jobs/idle-scan.ts";
import type { PostedMessage, PostingPort } from "../src/services/ports.ts";
import { startFakeDcgmExporter } from "../test/support/fake-dcgm-exporter.ts";
import { PROMETHEUS_BIN, startPrometheus } from "../test/support/prometheus.ts";
import { runCommand } from "../test/support/router.ts";
import type { BenchScenario } from "./harness.ts";

const GPU_VMS = Number(process.env.BENCH_IDLE_GPU_VMS ?? 5000);
const SUBSCRIPTIONS = Number(process.env.BENCH_IDLE_SUBSCRIPTIONS ?? 10);

const rssMb = () => Math.round(process.memoryUsage().rss / 1024 / 1024);
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function countingPoster(): PostingPort & { posts: number; updates: number } {
  let seq = 0;
  const port = {
    platform: "console",
    posts: 0,
    updates: 0,
    async post(channelId: string): Promise<PostedMessage> {
      port.posts++;
      return { platform: "console", channelId, messageId: `m${++seq}` };
    },
    async update() {
      port.updates++;
    },
  };
  return port;
}

interface World {
  fake: FakeAzure;
  fleet: DemoFleet;
  app: App;
  poster: ReturnType<typeof countingPoster>;
  close(): Promise<void>;
}

async function world(env: Record<string, string>): Promise<World> {
  const fleet = createBigFleet({ subscriptions: SUBSCRIPTIONS, vms: GPU_VMS, gpuVms: GPU_VMS });
  fleet.knobs.graphQuota = { perWindow: 1e9, windowMs: 5000 };
  const tenant = createDemoTenant();
  tenant.subscriptions = fleet.subscriptions;
  const fake = await startFakeAzure({ fleet, tenant });
  const dir = mkdtempSync(join(tmpdir(), "gpuops-bench-idle-"));
  const config = loadConfig({ GPUOPS_DEMO: "true", GPUOPS_DATA_DIR: dir, GPUOPS_LOG_LEVEL: "silent", GPUOPS_SCHEDULER: "false", ...env });
  const app = await createApp(config, { fake, withStore: true });
  const poster = countingPoster();
  app.posting.register(poster);
  const sub = await runCommand({ text: "subscribe idle", actor: { id: "bench", name: "bench" }, channel: { id: "bench", platform: "console" }, surface: "console" }, app.context());
  if (sub.outcome !== "ok") throw new Error(`subscribe idle failed: ${sub.title}`);
  return {
    fake,
    fleet,
    app,
    poster,
    async close() {
      await app.close();
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const runningVms = (fleet: DemoFleet) =>
  fleet.resources.filter(
    (r) => (r.properties.extended as { instanceView?: { powerState?: { code?: string } } } | undefined)?.instanceView?.powerState?.code === "PowerState/running",
  );

async function scanOnce(w: World) {
  const deps = { store: w.app.store as NonNullable<App["store"]>, posting: w.app.posting, context: w.app.context };
  const rss0 = rssMb();
  const t = performance.now();
  const r = await runIdleScan(deps, new Date());
  const wall = performance.now() - t;
  if (!r.claimed || !r.report) throw new Error("the scan did not run");
  return { r, wall, rssGrowth: rssMb() - rss0 };
}

export const idleScanScenario: BenchScenario = {
  name: "idle scan (5,000 GPU VMs: Azure Monitor batch, real Prometheus)",
  async run() {
    const out: Record<string, string | number> = {};

    // --- Azure Monitor (metrics:getBatch) -------------------------------------------------
    const m = await world({});
    try {
      const running = runningVms(m.fleet).length;
      const { r, wall, rssGrowth } = await scanOnce(m);
      const calls = m.fake.requests.filter((q) => q.path.endsWith("/metrics:getBatch"));
      const groups = new Set(runningVms(m.fleet).map((v) => `${v.subscriptionId}|${v.location}`)).size;
      const largest = Math.max(...calls.map((c) => (c.body as { resourceids: string[] }).resourceids.length));
      if (largest > 50) throw new Error(`a metrics batch carried ${largest} ids (limit 50)`);
      out.tenant = `${GPU_VMS} GPU VMs in ${SUBSCRIPTIONS} subscriptions × 11 regions, ${running} running`;
      out["Monitor: metrics:getBatch calls"] = calls.length;
      out["Monitor: of which look-back calls (quiet VMs only)"] = calls.filter((c) => c.query.interval !== "PT1M").length;
      out["Monitor: subscription×region groups (floor for stage 1)"] = groups;
      out["Monitor: largest batch (ids)"] = largest;
      out["Monitor: Resource Graph calls"] = m.fake.requests.filter((q) => q.path.includes("Microsoft.ResourceGraph")).length;
      out["Monitor: idle / busy / unknown"] = `${r.report?.entries.length} / ${r.report?.busy} / ${r.report?.unknown.length}`;
      out["Monitor: alerts posted"] = m.poster.posts;
      out["Monitor: scan wall time (ms)"] = Math.round(wall);
      out["Monitor: RSS growth during the scan (MB)"] = rssGrowth;
      out["Monitor: peak RSS (MB)"] = peakRssMb();
    } finally {
      await m.close();
    }

    // --- Prometheus (DCGM exporter) -------------------------------------------------------
    if (!existsSync(PROMETHEUS_BIN)) {
      out["Prometheus: skipped"] = `${PROMETHEUS_BIN} not installed (scripts/test-services.sh installs Debian's prometheus)`;
      return out;
    }
    const exporter = await startFakeDcgmExporter();
    const prom = await startPrometheus({ targets: [exporter.target], scrapeIntervalSeconds: 2 });
    let p: World | undefined;
    try {
      p = await world({
        PROMETHEUS_URL: prom.url,
        GPUOPS_MONITOR_METRICS: "false",
        GPUOPS_TELEMETRY_STEP: "2s",
        GPUOPS_IDLE_WINDOW: "10s",
        GPUOPS_IDLE_STALE_AFTER: "6s",
        GPUOPS_IDLE_LOOKBACK: "60s",
      });
      const phases = ["idle", "heavy", "parked", "heavy", "light", "heavy"] as const;
      const vms = runningVms(p.fleet);
      for (const [i, v] of vms.entries()) exporter.playPhase(v.name, phases[i % phases.length] as (typeof phases)[number]);
      await prom.waitForSeries(`DCGM_FI_DEV_GPU_UTIL{Hostname="${vms[0]?.name}"}`, 30_000);
      await sleep(14_000); // a full 10 s window of 2 s scrapes
      const { r, wall, rssGrowth } = await scanOnce(p);
      out["Prometheus: series scraped"] = `${vms.length} hosts × 3 DCGM metrics`;
      out["Prometheus: HTTP queries"] = r.report?.queries.prometheus ?? 0;
      out["Prometheus: idle / busy / unknown"] = `${r.report?.entries.length} / ${r.report?.busy} / ${r.report?.unknown.length}`;
      out["Prometheus: alerts posted"] = p.poster.posts;
      out["Prometheus: scan wall time (ms)"] = Math.round(wall);
      out["Prometheus: RSS growth during the scan (MB)"] = rssGrowth;
      out["Prometheus: peak RSS (MB)"] = peakRssMb();
    } finally {
      await p?.close();
      await prom.close();
      await exporter.close();
    }
    return out;
  },
};
