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

/**
 * The CLI child runs at a fixed instant (libfaketime; the monotonic clock stays real so timers
 * work): 03:30 UTC is inside the hours when the demo's "yesterday" is still being billed, the
 * hours that once made this test fail. The clock ticks from there, within the same billed hour.
 */
const AT = new Date("2026-12-03T03:30:00.000Z");
const gpuopsAt = (at: Date, ...args: string[]) =>
  spawnSync("faketime", ["-f", `@${at.toISOString().slice(0, 19).replace("T", " ")}`, process.execPath, BIN, ...args], {
    env: { ...env, TZ: "UTC", FAKETIME_DONT_FAKE_MONOTONIC: "1" },
    encoding: "utf8",
    timeout: 60_000,
  });

/** Yesterday's (UTC) billed GPU spend in the demo tenant, as of `at`, computed from the demo fleet itself. */
function expectedYesterday(at: Date): { day: string; total: number } {
  const day = isoDay(at.getTime() - 86_400_000);
  const total = createDemoFleet({ now: () => at })
    .costRecords(day)
    .filter(isGpuCompute)
    .reduce((s, r) => s + r.actual, 0);
  return { day, total };
}

describe("gpuops digest (CLI)", () => {
  it("prints the digest with the demo tenant's numbers as of that instant, as a dry run", () => {
    const r = gpuopsAt(AT, "digest", "--channel", "local", "--dry-run", "--demo", "--json");
    expect(r.status, r.stderr).toBe(0);
    const reply = JSON.parse(r.stdout) as Reply;
    expect(reply.title).toBe(`GPU digest · ${shortDate(isoDay(AT.getTime()))}`);
    const expected = expectedYesterday(AT);
    expect(expected.total).toBeGreaterThan(0);
    const facts = reply.parts.find((p) => p.kind === "facts");
    expect(facts?.kind === "facts" && facts.facts.find((f) => f.label === `Spend ${shortDate(expected.day)}`)?.value).toBe(formatMoney(expected.total, "USD"));
    expect(reply.parts.some((p) => p.kind === "table" && p.title?.startsWith("Top 5 by resource group"))).toBe(true);
    expect(reply.context.some((c) => c.startsWith("Dry run for channel local"))).toBe(true);
    expect(reply.context).toContain("Demo data: a fake Azure tenant, not your subscriptions.");
  }, 120_000);

  it("reads yesterday's spend as billed so far: two instants in one hour agree, the next hour adds to it", () => {
    const spend = (at: Date) => expectedYesterday(at).total;
    expect(spend(new Date("2026-12-03T03:59:59.999Z"))).toBe(spend(new Date("2026-12-03T03:00:00.000Z")));
    expect(spend(new Date("2026-12-03T04:00:00.000Z"))).toBeGreaterThan(spend(new Date("2026-12-03T03:59:59.999Z")));
    // From 08:00 UTC the whole day is billed and stays put.
    expect(spend(new Date("2026-12-03T23:59:00.000Z"))).toBe(spend(new Date("2026-12-03T08:00:00.000Z")));
  });

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
