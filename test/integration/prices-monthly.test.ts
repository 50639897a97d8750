// "per month" prices: `skus … monthly` and `where … monthly` show 730 h × the hourly list price the
// Retail Prices adapter read, and the plain-words reading of a per-month question asks for them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { takeMonthly } from "../../src/commands/format.ts";
import type { Reply, TablePart } from "../../src/reply/reply.ts";
import { cliRequest, type DemoHarness, startDemoApp } from "../support/demo-app.ts";
import { runCommand } from "../support/router.ts";

const NOW = new Date("2026-12-03T10:00:00Z");
let h: DemoHarness;
const ask = (text: string) => runCommand(cliRequest(text), h.app.context());
const tableOf = (r: Reply) => r.parts.find((p): p is TablePart => p.kind === "table");
type Priced = {
  size: string;
  region?: string;
  subscriptionId?: string;
  listPricePerHour: { amount: number; currency: string } | null;
  listPricePerMonth?: { amount: number } | null;
};

beforeAll(async () => {
  h = await startDemoApp({ now: () => NOW });
});
afterAll(async () => {
  await h.close();
});

describe("monthly list prices", () => {
  it("takes a trailing monthly / per-month off the words, and nothing else", () => {
    expect(takeMonthly(["eastus", "a100", "monthly"])).toEqual({ monthly: true, rest: ["eastus", "a100"] });
    expect(takeMonthly(["a100", "Per-Month"])).toEqual({ monthly: true, rest: ["a100"] });
    expect(takeMonthly(["monthly", "a100"])).toEqual({ monthly: false, rest: ["monthly", "a100"] });
    expect(takeMonthly([])).toEqual({ monthly: false, rest: [] });
  });

  it("skus <region> <size> monthly: every row's price is 730 × its hourly list price", async () => {
    const hourly = await ask("skus eastus NC40ads_H100_v5");
    const monthly = await ask("skus eastus NC40ads_H100_v5 monthly");
    expect(tableOf(hourly)?.columns.find((c) => c.key === "price")?.label).toBe("List price/h");
    expect(tableOf(monthly)?.columns.find((c) => c.key === "price")?.label).toBe("List price/month");
    const before = (hourly.data?.sizes ?? []) as Priced[];
    const after = (monthly.data?.sizes ?? []) as Priced[];
    expect(before.length).toBeGreaterThan(0);
    expect(after.map((s) => s.size)).toEqual(before.map((s) => s.size));
    for (const [i, s] of before.entries()) {
      expect(s.listPricePerHour).not.toBeNull();
      expect(after[i]?.listPricePerMonth?.amount).toBeCloseTo((s.listPricePerHour?.amount ?? 0) * 730, 6);
    }
    expect(monthly.context.join(" ")).toContain("730 hours");
  });

  it("a per-month question with a region reads as skus … monthly and answers with the monthly figure", async () => {
    const r = await ask("how much is NC40ads_H100_v5 in eastus per month");
    expect(r.parts[0]).toEqual({ kind: "text", text: "I read this as `skus eastus NC40ads_H100_v5 monthly`" });
    expect(tableOf(r)?.columns.find((c) => c.key === "price")?.label).toBe("List price/month");
  });

  it("without monthly nothing changes: no monthly field, no note", async () => {
    const r = await ask("where NC40ads_H100_v5");
    const offers = (r.data?.offers ?? []) as Priced[];
    expect(offers.length).toBeGreaterThan(0);
    for (const o of offers) expect(o).not.toHaveProperty("listPricePerMonth");
    expect(r.context.join(" ")).not.toContain("730 hours");
  });
});
