// `gpuops digest --channel local --dry-run` as a real process on the demo tenant: today's digest
// with yesterday's billed GPU spend as the demo tenant has it, said to be a dry run.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatMoney } from "../../src/domain/money.ts";
import { shortDate } from "../../src/domain/periods.ts";
import { createDemoFleet } from "../../src/fake-azure/demo-fleet.ts";
import type { Reply } from "../../src/reply/reply.ts";
import { isGpuCompute, isoDay } from "../support/digest-world.ts";

const BIN = fileURLToPath(new URL("../../bin/gpuops.js", import.meta.url));
const env = { ...process.env, GPUOPS_REGIONS: "eastus", GPUOPS_LOG_LEVEL: "silent", GPUOPS_TIMEZONE: "UTC" };
const gpuops = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { env, encoding: "utf8", timeout: 60_000 });

/** Yesterday's (UTC) billed GPU spend in the demo tenant, as of now. */
function expectedYesterday(): { day: string; total: number; hour: string } {
  const now = new Date();
  const day = isoDay(now.getTime() - 86_400_000);
  const total = createDemoFleet({ now: () => now })
    .costRecords(day)
    .filter(isGpuCompute)
    .reduce((s, r) => s + r.actual, 0);
  return { day, total, hour: now.toISOString().slice(0, 13) };
}

describe("gpuops digest (CLI)", () => {
  it("prints today's digest with the demo tenant's numbers, as a dry run", () => {
    // The demo's billed data grows by the hour: compare within one clock hour.
    for (let attempt = 0; attempt < 2; attempt++) {
      const before = expectedYesterday();
      const r = gpuops("digest", "--channel", "local", "--dry-run", "--demo", "--json");
      const after = expectedYesterday();
      if (before.hour !== after.hour) continue;
      expect(r.status, r.stderr).toBe(0);
      const reply = JSON.parse(r.stdout) as Reply;
      expect(reply.title).toBe(`GPU digest · ${shortDate(isoDay(Date.now()))}`);
      const facts = reply.parts.find((p) => p.kind === "facts");
      expect(facts?.kind === "facts" && facts.facts.find((f) => f.label === `Spend ${shortDate(before.day)}`)?.value).toBe(formatMoney(before.total, "USD"));
      expect(reply.parts.some((p) => p.kind === "table" && p.title?.startsWith("Top 5 by resource group"))).toBe(true);
      expect(reply.context.some((c) => c.startsWith("Dry run for channel local"))).toBe(true);
      expect(reply.context).toContain("Demo data: a fake Azure tenant, not your subscriptions.");
      return;
    }
    throw new Error("the clock hour changed twice during the test");
  }, 120_000);

  it("prints text too, lists digest in --help, and refuses options other commands do not take", () => {
    const text = gpuops("digest", "--channel", "local", "--dry-run", "--demo");
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^GPU digest · /);
    expect(text.stdout).toMatch(/Yesterday \(.*\) GPU spend was \$[\d,]+\.\d\d/);
    expect(text.stdout).toMatch(/Billed data complete through/);
    const help = gpuops("--help");
    expect(help.stdout).toMatch(/digest \[--channel <id>\] \[--dry-run\]/);
    expect(help.stdout).toMatch(/subscribe digest\|idle/);
    const wrong = gpuops("skus", "--dry-run", "--demo");
    expect(wrong.status).toBe(1);
    expect(wrong.stdout).toMatch(/Unknown option --dry-run/);
    const bad = gpuops("digest", "--channel", "--demo");
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/needs a channel id/);
  }, 120_000);
});
