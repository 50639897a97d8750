/**
 * `skus <region>` through runCommand on a fresh demo app (real SDK client, fake Azure on loopback):
 * ARM calls cold (must be one filtered Resource SKUs page per subscription in scope: what a region
 * offers differs per subscription) and warm (must be 0: the per-region cache), warm latency, and the parse+index time of the largest Resource SKU list in the seed
 * fixtures (JSON.parse plus toOffer/describeSku over every SKU).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createApp } from "../src/app.ts";
import type { CommandRequest } from "../src/commands/types.ts";
import { loadConfig } from "../src/config.ts";
import { toOffer } from "../src/domain/sku-offer.ts";
import { createDemoTenant, type RawSku } from "../src/fake-azure/demo-tenant.ts";
import { runCommand } from "../test/support/router.ts";
import { type BenchScenario, ms, quantile, timeRuns } from "./harness.ts";

const REGION = process.env.BENCH_SKUS_REGION ?? "swedencentral";
const WARM_RUNS = Number(process.env.BENCH_SKUS_RUNS ?? 500);
const PARSE_RUNS = 200;
const SEED_DIR = fileURLToPath(new URL("../src/fake-azure/seed/", import.meta.url));

const request = (text: string): CommandRequest => ({ text, actor: { id: "bench" }, channel: { id: "bench", platform: "cli" }, surface: "cli" });

/** The biggest resource-skus*.json the project carries (the az CLI / ARM shapes: an array or { value }). */
function largestSkuFixture(): { file: string; bytes: number } {
  const files = readdirSync(SEED_DIR)
    .filter((f) => /^resource-skus.*\.json$/.test(f))
    .map((f) => ({ file: join(SEED_DIR, f), bytes: statSync(join(SEED_DIR, f)).size }))
    .sort((a, b) => b.bytes - a.bytes);
  const biggest = files[0];
  if (!biggest) throw new Error(`no resource-skus*.json under ${SEED_DIR}`);
  return biggest;
}

/** What the adapter and the skus verb do with a list: parse, then join every VM SKU with the catalogue. */
function parseAndIndex(text: string): { skus: number; gpuSizes: number } {
  const parsed = JSON.parse(text) as RawSku[] | { value: RawSku[] };
  const list = Array.isArray(parsed) ? parsed : parsed.value;
  let gpuSizes = 0;
  for (const sku of list) {
    if (sku.resourceType !== "virtualMachines") continue;
    const offer = toOffer({
      name: sku.name,
      family: sku.family ?? "",
      zones: sku.locationInfo[0]?.zones ?? [],
      restrictions: sku.restrictions.map((r) => ({ type: r.type === "Zone" ? "Zone" : "Location", reasonCode: r.reasonCode, zones: r.restrictionInfo.zones ?? [] })),
      capabilities: sku.capabilities,
    });
    if (offer) gpuSizes++;
  }
  return { skus: list.length, gpuSizes };
}

/** ARM calls only: the Retail Prices API (for the List price/h column) is a public non-ARM host. */
function armCalls(app: { azure: { counters(): Record<string, { calls: number }> } }): number {
  return Object.entries(app.azure.counters())
    .filter(([api]) => !api.includes("/api/retail"))
    .reduce((n, [, c]) => n + c.calls, 0);
}

export const skusScenario: BenchScenario = {
  name: `skus ${REGION}`,
  async run() {
    const config = loadConfig({ GPUOPS_DEMO: "true", GPUOPS_DATA_DIR: ":memory:", GPUOPS_LOG_LEVEL: "silent" }, { cwd: fileURLToPath(new URL(".", import.meta.url)) });
    const app = await createApp(config);
    try {
      const text = `skus ${REGION}`;
      app.azure.resetCounters();
      const t0 = performance.now();
      const cold = await runCommand(request(text), app.context());
      const coldMs = performance.now() - t0;
      const coldCalls = armCalls(app);
      const coldPriceCalls = app.azure.totalCalls() - coldCalls;
      if (cold.outcome !== "ok") throw new Error(`cold ${text} answered ${cold.outcome}: ${cold.context.join(" ")}`);
      const rows = cold.parts.find((p) => p.kind === "table");

      app.azure.resetCounters();
      const warm = await timeRuns(WARM_RUNS, () => runCommand(request(text), app.context()));
      const warmCalls = app.azure.totalCalls();

      const fixture = largestSkuFixture();
      const raw = readFileSync(fixture.file, "utf8");
      const indexed = parseAndIndex(raw);
      const parse = await timeRuns(PARSE_RUNS, () => parseAndIndex(raw));
      // For scale: every region of the demo tenant in one list (the recordings plus generated regions).
      const tenant = createDemoTenant();
      const allRaw = JSON.stringify(tenant.regions.flatMap((r) => tenant.skus(r)));
      const all = parseAndIndex(allRaw);
      const parseAll = await timeRuns(PARSE_RUNS, () => parseAndIndex(allRaw));

      const subscriptions = (await app.services.scope.subscriptions()).length;
      if (coldCalls !== subscriptions || warmCalls !== 0) {
        throw new Error(`ARM calls: cold ${coldCalls} (must be ${subscriptions}, one per subscription), warm ${warmCalls} over ${WARM_RUNS} runs (must be 0)`);
      }
      return {
        "GPU sizes listed": rows?.kind === "table" ? rows.rows.length : 0,
        "ARM calls cold": coldCalls,
        "Retail Prices calls cold (public API, not ARM; cached a day)": coldPriceCalls,
        [`Azure calls warm, ARM and prices (${WARM_RUNS} runs)`]: warmCalls,
        "cold latency (ms)": ms(coldMs),
        "warm p50 (ms)": ms(quantile(warm, 0.5)),
        "warm p99 (ms)": ms(quantile(warm, 0.99)),
        "warm max (ms)": ms(Math.max(...warm)),
        "largest SKU fixture": `${fixture.file.slice(SEED_DIR.length)} (${Math.round(fixture.bytes / 1024)} KiB, ${indexed.skus} SKUs, ${indexed.gpuSizes} GPU sizes)`,
        "parse+index p50 (ms)": ms(quantile(parse, 0.5)),
        "parse+index p99 (ms)": ms(quantile(parse, 0.99)),
        [`parse+index all demo regions, ${all.skus} SKUs, p50 (ms)`]: ms(quantile(parseAll, 0.5)),
      };
    } finally {
      await app.close();
    }
  },
};
